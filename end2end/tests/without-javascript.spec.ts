// The account pages as plain HTML forms: with JavaScript off, and with it on
// but the page's wasm held back (a slow phone before the island is live).
import type { Browser, Page } from "@playwright/test";
import { createUser, expect, expectAccessible, expectSignedIn, open, PASSWORD, signInWithPassword, test, totp, type User } from "./helpers";

/** Signs in by password and a code from the authenticator app or a backup code, as plain forms. */
async function signIn(page: Page, user: User, backupCode?: string, js = false) {
  await (js ? open(page, "/sign-in") : page.goto("/sign-in"));
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  if (backupCode) {
    await page.getByRole("radio", { name: "Backup code" }).check();
    await page.getByRole("textbox", { name: "Backup code" }).fill(backupCode);
  } else {
    await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!));
  }
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);
}

/** Another browser signed in as `user`: a session (and a trusted device) to end. */
async function otherBrowser(browser: Browser, user: User, backupCode: string) {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, javaScriptEnabled: false });
  await signIn(await context.newPage(), user, backupCode);
  return context;
}

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the sessions page: revoke one, confirm it's you, sign out everywhere else, revoke a device", async ({ page, request, browser }) => {
    test.setTimeout(90_000);
    const user = await createUser(request, { totp: true, backup: true });
    await signIn(page, user);
    const others = [await otherBrowser(browser, user, user.backup_codes[0]), await otherBrowser(browser, user, user.backup_codes[1])];
    await page.goto("/account/sessions");
    const sessions = page.getByTestId("sessions").locator("li");
    const done = page.locator("#sessions-done");
    await expect(sessions).toHaveCount(3);

    await page.getByTestId("sessions").locator("li[data-current=false]").first().getByRole("button", { name: /^Revoke / }).click();
    await expect(done).toHaveText("Session revoked.");
    await expect(sessions).toHaveCount(2);

    // The test server asks again 20 s after sign-in (MFA_REVERIFICATION).
    await page.waitForTimeout(21_000);
    await page.getByRole("button", { name: "Sign out everywhere else" }).click();
    await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
    await expect(sessions).toHaveCount(2);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect(page.locator("#reverify-error")).toHaveText("Password is incorrect.");
    await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect(done).toHaveText("Thanks: you can make the change now.");
    await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeHidden();
    await page.getByRole("button", { name: "Sign out everywhere else" }).click();
    await expect(done).toHaveText("Signed out of every other session.");
    await expect(sessions).toHaveCount(1);
    await expect(sessions).toContainText("this device");

    const devices = page.getByTestId("trusted-devices").locator("li");
    const count = await devices.count();
    expect(count).toBeGreaterThan(1);
    await page.getByTestId("trusted-devices").locator("li[data-current=false]").first().getByRole("button", { name: /^Revoke / }).click();
    await expect(done).toHaveText("Trusted device revoked: it proves itself by email next time.");
    await expect(devices).toHaveCount(count - 1);
    // A reload says nothing again: the notice was for one page.
    await page.reload();
    await expect(done).toBeEmpty();
    // This device's own row signs out.
    await page.getByTestId("sessions").locator("li[data-current=true]").getByRole("button", { name: /^Sign out / }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    for (const c of others) await c.close();
  });

  test("the security page: make default, remove after confirming, and 'Confirm it's you' first when it is due", async ({ page, request }) => {
    test.setTimeout(90_000);
    const user = await createUser(request, { totp: true, phone: true, backup: true });
    await signIn(page, user);
    await page.goto("/account/security");
    const factors = page.getByTestId("factors");
    const done = page.locator("#change-done");

    await page.getByRole("button", { name: "Make default: text message" }).click();
    await expect(done).toHaveText("Text message is now your default.");
    await expect(factors.locator("li").first()).toContainText("Text message");
    await expect(factors.locator("li").first().locator(".badge")).toHaveText("default");

    // Removing asks first, as a page of its own; "Keep it" changes nothing.
    await page.getByRole("button", { name: "Remove authenticator app" }).click();
    await expect(page.getByRole("heading", { name: "Remove your authenticator app?" })).toBeVisible();
    await page.getByRole("link", { name: "Keep it" }).click();
    await expect(page).toHaveURL(/\/account\/security$/);
    await expect(factors).toContainText("Authenticator app");

    // Later than the re-verification window (20 s on the test server), the
    // removal asks for the password first, then goes on.
    await page.waitForTimeout(21_000);
    await page.getByRole("button", { name: "Remove authenticator app" }).click();
    await page.getByRole("button", { name: "Remove", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect(done).toHaveText("Thanks: you can make the change now.");
    await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeHidden();
    await page.getByRole("button", { name: "Remove", exact: true }).click();
    await expect(done).toHaveText("Authenticator app removed.");
    await expect(page).toHaveURL(/\/account\/security$/);
    await expect(factors).not.toContainText("Authenticator app");
    await expect(page.getByRole("heading", { name: /^Remove your/ })).toBeHidden();
  });
});

test("with the page's wasm held back, the security page's forms still work", async ({ browser, request }) => {
  const user = await createUser(request, { totp: true, phone: true, backup: true });
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await signIn(page, user, undefined, true);
  await page.route(/split_security_loader_.*\.wasm$/, () => {});
  await page.goto("/account/security");
  await page.getByRole("button", { name: "Make default: text message" }).click();
  await expect(page.locator("#change-done")).toHaveText("Text message is now your default.");
  await page.getByRole("button", { name: "Remove text message" }).click();
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  await expect(page.locator("#change-done")).toHaveText("Text message removed.");
  await expect(page.getByTestId("factors")).not.toContainText("Text message");
  await expectAccessible(page, "security as the server drew it, after a removal");
  await context.close();
});

test("with the page's wasm held back, the sessions page's forms still work", async ({ browser, request }) => {
  const user = await createUser(request, { totp: true, backup: true });
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await signIn(page, user, undefined, true);
  const other = await otherBrowser(browser, user, user.backup_codes[0]);
  // The island's own chunk never arrives (a slow phone): the page stays as the server drew it.
  await page.route(/split_sessions_loader_.*\.wasm$/, () => {});
  await page.goto("/account/sessions");
  const sessions = page.getByTestId("sessions").locator("li");
  await expect(sessions).toHaveCount(2);
  await page.getByTestId("sessions").locator("li[data-current=false]").getByRole("button", { name: /^Revoke / }).click();
  await expect(page.locator("#sessions-done")).toHaveText("Session revoked.");
  await expect(sessions).toHaveCount(1);
  await expectAccessible(page, "sessions as the server drew them, after a revoke");
  await other.close();
  await context.close();
});
