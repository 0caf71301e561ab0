import { readFileSync } from "node:fs";
import type { Browser, Page } from "@playwright/test";
import { createUser, expect, expectAccessible, expectSignedIn, hydrated, open, PASSWORD, signInWithPassword, test, totp, type User, islandLive } from "./helpers";

async function signInWithTotp(page: Page, user: User, time = Date.now() / 1000) {
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!, time));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);
}

async function signInWithBackupCode(page: Page, user: User, code: string) {
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await page.getByRole("radio", { name: "Backup code" }).check();
  await page.getByRole("textbox", { name: "Backup code" }).fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

/** Generates new backup codes, confirming the password if the page asks. */
async function newBackupCodes(page: Page): Promise<string[]> {
  // Unused codes are still there: the page asks before replacing them.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Generate new codes" }).click();
  const list = page.getByTestId("backup-codes");
  const ask = page.getByRole("heading", { name: "Confirm it's you" });
  await expect(list.or(ask)).toBeVisible();
  if (await ask.isVisible()) {
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Confirm" }).click();
  }
  await expect(list.locator("li")).toHaveCount(10);
  return (await list.locator("li").allTextContents()).map((c) => c.trim());
}

async function newContext(browser: Browser) {
  return browser.newContext({ baseURL: test.info().project.use.baseURL });
}

test("regenerating backup codes makes the old ones fail", async ({ page, request, browser }) => {
  const user = await createUser(request, { totp: true, backup: true });
  await signInWithTotp(page, user);
  await page.getByRole("link", { name: "Security settings" }).click();
  await expect(page.getByRole("heading", { name: "Security settings" })).toBeVisible();
  await islandLive(page);
  await expect(page.getByTestId("factors")).toContainText("Authenticator app");
  const fresh = await newBackupCodes(page);
  expect(fresh).not.toContain(user.backup_codes[0]);
  await expect(page.getByRole("link", { name: "Download", exact: true })).toHaveAttribute("download", "backup-codes.txt");

  const other = await newContext(browser);
  const second = await other.newPage();
  await signInWithBackupCode(second, user, user.backup_codes[0]);
  await expect(second.locator("#backup-code-error")).toHaveText("Incorrect code.");
  await second.getByRole("textbox", { name: "Backup code" }).fill(fresh[0]);
  await second.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(second, user.email);
  await other.close();
});

test("a change without recent verification asks for it, then carries on", async ({ page, request }) => {
  const user = await createUser(request, { totp: true, backup: true });
  await signInWithTotp(page, user);
  // The e2e server allows changes for 20 s after the last verification.
  await page.waitForTimeout(21_000);
  await open(page, "/account/security");
  await islandLive(page);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Generate new codes" }).click();
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  // The window named is the server's (20 s, rounded up), not a fixed "10 minutes".
  await expect(page.getByText("from the last minute.")).toBeVisible();
  await page.screenshot({ path: `${__dirname}/../../docs/screenshots/reverify.png` });
  // The field is ready to type in.
  await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
  await page.getByLabel("Password", { exact: true }).fill("not my password");
  await page.getByRole("button", { name: "Confirm" }).click();
  // The error is the password's, on its field (not the new password's), and the focus is back there.
  await expect(page.locator("#reverify-error")).toHaveText("Password is incorrect.");
  await expect(page.locator("#reverify")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#reverify")).toBeFocused();
  await expect(page.locator("#new-password")).toHaveAttribute("aria-invalid", "false");
  await expect(page.locator("#new-password-error")).toHaveText("");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm" }).click();
  // The change carries on by itself.
  await expect(page.getByTestId("backup-codes").locator("li")).toHaveCount(10);
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeHidden();
});

test("revoking a session in one browser signs the other out", async ({ page, request, browser }) => {
  const user = await createUser(request, { totp: true, backup: true });
  await signInWithTotp(page, user);
  const other = await newContext(browser);
  const second = await other.newPage();
  await signInWithBackupCode(second, user, user.backup_codes[0]);
  await expectSignedIn(second, user.email);

  await page.getByRole("link", { name: "Active sessions" }).click();
  const items = page.getByTestId("sessions").locator("li");
  await expect(items).toHaveCount(2);
  await expect(page.getByTestId("sessions").locator("li[data-current=true]")).toContainText("this device");
  // Times in the visitor's zone, relative while recent (the server's UTC
  // text is replaced once the page is live).
  await expect(items.first()).toContainText(/signed in (just now|1 minute ago) · last active (just now|1 minute ago)/);
  await expect(page.getByTestId("sessions")).not.toContainText("UTC");
  // Each Revoke names what it ends (a screen reader hears more than "Revoke").
  const revoke = page.getByTestId("sessions").locator("li[data-current=false]").getByRole("button", { name: "Revoke" });
  await expect(revoke).toHaveAccessibleName(/^Revoke \S/);
  await expect(revoke).toHaveAccessibleDescription(/signed in .* last active/);
  await revoke.click();
  await expect(items).toHaveCount(1);
  // Said, and the focus stays on the page's content (its button is gone).
  await expect(page.locator("#sessions-done")).toHaveText("Session revoked.");
  await expect(page.locator("#sessions-done")).toBeFocused();

  await second.goto("/");
  await expect(second).toHaveURL(/\/sign-in$/);
  await other.close();
});

test("ending a session without recent verification asks for it, then carries on", async ({ page, request, browser }) => {
  const user = await createUser(request, { totp: true, backup: true });
  await signInWithTotp(page, user);
  const other = await newContext(browser);
  const second = await other.newPage();
  await signInWithBackupCode(second, user, user.backup_codes[0]);
  await expectSignedIn(second, user.email);
  // The test server asks again 20 s after sign-in (MFA_REVERIFICATION).
  await page.waitForTimeout(21_000);
  await page.getByRole("link", { name: "Active sessions" }).click();
  const items = page.getByTestId("sessions").locator("li");
  await expect(items).toHaveCount(2);
  // Live once the times are the browser's (before, a click is a plain form post).
  await expect(page.getByTestId("sessions")).not.toContainText("UTC");
  await page.getByTestId("sessions").locator("li[data-current=false]").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await expect(items).toHaveCount(2);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(items).toHaveCount(1);
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeHidden();
  await second.goto("/");
  await expect(second).toHaveURL(/\/sign-in$/);
  await other.close();
});

test("destructive changes ask first and say when they are done; the last factor is not offered", async ({ page, request }) => {
  const user = await createUser(request, { totp: true, phone: true, backup: true });
  await signInWithTotp(page, user);
  await open(page, "/account/security");
  await islandLive(page);
  const factors = page.getByTestId("factors");

  // Dismissed: nothing changes.
  let asked = "";
  page.once("dialog", (d) => {
    asked = d.message();
    void d.dismiss();
  });
  await page.getByRole("button", { name: "Generate new codes" }).click();
  await expect.poll(() => asked).toContain("Your 10 unused codes will stop working.");
  await expect(page.getByTestId("backup-codes").locator("li")).toHaveCount(0);
  await expect(page.getByTestId("backup-remaining")).toHaveText("10 unused.");

  page.once("dialog", (d) => {
    asked = d.message();
    void d.dismiss();
  });
  await page.getByRole("button", { name: "Remove text message" }).click();
  await expect.poll(() => asked).toContain("Remove your text message?");
  await expect(factors).toContainText("Text message");

  // Another default: said, with the focus on what was said (the button is gone).
  await page.getByRole("button", { name: "Make default: text message" }).click();
  await expect(page.getByRole("status").filter({ hasText: "default" })).toHaveText("Text message is now your default.");
  await expect(factors.locator("li").first()).toContainText("Text message");
  await expect(factors.locator("li").filter({ hasText: "Text message" }).locator(".badge")).toHaveText("default");
  await expect(page.locator("#change-done")).toBeFocused();
  await page.getByRole("button", { name: "Make default: authenticator app" }).click();
  await expect(page.getByRole("status").filter({ hasText: "default" })).toHaveText("Authenticator app is now your default.");

  // Accepted: done, and said so.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Remove text message" }).click();
  await expect(page.getByRole("status").filter({ hasText: "removed" })).toHaveText("Text message removed.");
  await expect(factors).not.toContainText("Text message");
  // The pressed button is gone: the focus is on what was said, not dropped to the page.
  await expect(page.locator("#change-done")).toBeFocused();
  // New codes: the focus goes to them.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Generate new codes" }).click();
  await expect(page.getByTestId("backup-codes").locator("li")).toHaveCount(10);
  await expect(page.locator("#new-backup-codes")).toBeFocused();
  // The authenticator app is now the only factor of an account that must
  // keep one: it is not offered for removal.
  await expect(factors).toContainText("Authenticator app");
  await expect(page.getByRole("button", { name: "Remove authenticator app" })).toBeHidden();
});

test("download my data, then delete my account after confirming it's you", async ({ page, request }) => {
  const user = await createUser(request, { totp: true, backup: true });
  await signInWithTotp(page, user);
  await open(page, "/account/security");
  await islandLive(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download my data" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("my-data.json");
  const text = readFileSync(await download.path(), "utf8");
  const data = JSON.parse(text);
  expect(data.user.email).toBe(user.email);
  expect(data.user.factors.map((f: { strategy: string }) => f.strategy)).toEqual(["totp"]);
  expect(data.sessions).toHaveLength(1);
  expect(text).not.toContain(user.totp_secret!);

  // Past the e2e server's 20 s window: deleting asks who it is first.
  await page.waitForTimeout(21_000);
  let asked = "";
  page.once("dialog", (d) => {
    asked = d.message();
    void d.accept();
  });
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect.poll(() => asked).toContain("cannot be undone");
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // Gone: the password opens nothing.
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await expect(page.getByText("Email address or password is incorrect.")).toBeVisible();
});

test("a user with a second factor and no backup codes is offered them at sign-in", async ({ page, request }) => {
  // As an import from Clerk or Supabase leaves them: an app, no codes.
  const user = await createUser(request, { totp: true });
  await signInWithTotp(page, user);
  const notice = page.getByTestId("no-backup-codes");
  await expect(notice).toContainText("You have no backup codes");
  await expectAccessible(page, "home, no backup codes");
  await notice.getByRole("link", { name: "Make backup codes" }).click();
  await expect(page.getByRole("heading", { name: "Security settings" })).toBeVisible();
  await islandLive(page);
  await hydrated(page);
  await page.getByRole("button", { name: "Generate new codes" }).click();
  await expect(page.getByTestId("backup-codes").locator("li")).toHaveCount(10);
  await open(page, "/");
  await expectSignedIn(page, user.email);
  await expect(page.getByTestId("no-backup-codes")).toHaveCount(0);
});
