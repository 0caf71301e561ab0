// The account pages as plain HTML forms: with JavaScript off, and with it on
// but the page's wasm held back (a slow phone before the island is live).
import { randomUUID } from "node:crypto";
import type { APIRequestContext, Browser, Locator, Page } from "@playwright/test";
import {
  createUser,
  expect,
  expectAccessible,
  expectSignedIn,
  islandLive,
  lastEmailCode,
  lastSmsCode,
  masked,
  open,
  PASSWORD,
  signInWithPassword,
  test,
  totp,
  type User,
} from "./helpers";

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

/** Waits for a message from the development outbox (sent as the page answers, or just after). */
async function delivered(read: () => Promise<string>): Promise<string> {
  let code = "";
  await expect.poll(async () => (code = await read().catch(() => "")), { timeout: 15_000 }).not.toBe("");
  return code;
}

/**
 * Does `act` until `done` shows: past the test server's 20 s re-verification
 * window the page asks "Confirm it's you" first, then the change is made again.
 */
async function reverified(page: Page, act: () => Promise<void>, done: Locator) {
  await act();
  const ask = page.getByRole("heading", { name: "Confirm it's you" });
  await expect(done.or(ask).first()).toBeVisible();
  if (await ask.isVisible()) {
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect(page.locator("#change-done")).toHaveText("Thanks: you can make the change now.");
    await act();
  }
  await expect(done).toBeVisible();
}

/** A user with no second factor signs in on a new browser: the emailed code, then the setup-mfa task. */
async function toSetupMfa(page: Page, request: APIRequestContext, js = false) {
  const user = await createUser(request, {});
  await (js ? open(page, "/sign-in") : page.goto("/sign-in"));
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify this device" })).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(await delivered(() => lastEmailCode(request, user.email)));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/tasks\/setup-mfa$/);
  return user;
}

/** The authenticator app's secret as the page shows it, and a code from it entered. */
async function enableApp(page: Page) {
  const shown = page.getByTestId("totp-secret");
  await expect(shown).toBeVisible();
  await expect(page.locator(".qr svg")).toBeVisible();
  const secret = (await shown.textContent())!.replace(/\s/g, "");
  // A code from an hour ago: refused on its field, with the same secret still shown.
  await page.getByLabel("Code from the app").fill(totp(secret, Date.now() / 1000 - 3600));
  await page.getByRole("button", { name: "Enable" }).click();
  await expect(page.locator("#totp-code-error")).toHaveText("Incorrect code.");
  await expect(page.getByLabel("Code from the app")).toHaveAttribute("aria-invalid", "true");
  await expect(shown).toHaveText(/[A-Z2-7 ]+/);
  expect((await shown.textContent())!.replace(/\s/g, "")).toBe(secret);
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Enable" }).click();
  return secret;
}

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("sign up, then the setup-mfa task with an authenticator app", async ({ page, request }) => {
    const email = `nojs-${randomUUID()}@example.com`;
    await page.goto("/sign-up");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password", { exact: true }).fill("a brand new passphrase");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    await page.getByLabel("Code", { exact: true }).fill(await delivered(() => lastEmailCode(request, email)));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/tasks\/setup-mfa$/);
    // A passkey would need JavaScript: the page says so, and offers the others.
    await page.getByRole("button", { name: "Add an authenticator app" }).click();
    await enableApp(page);
    await expect(page.getByRole("heading", { name: "You're all set" })).toBeVisible();
    await expect(page.getByTestId("backup-codes").locator("li")).toHaveCount(10);
    await page.getByRole("link", { name: "Continue" }).click();
    await expectSignedIn(page, email);
    // The codes were for that one page: the task is done, and gone.
    await page.goto("/tasks/setup-mfa");
    await expectSignedIn(page, email);
  });

  test("a new browser proves itself by email, then the setup-mfa task with a phone", async ({ page, request }) => {
    const user = await toSetupMfa(page, request);
    await page.getByRole("button", { name: "Add a phone number" }).click();
    const number = page.getByLabel("Phone number (international format)");
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(page.locator("#phone-error")).not.toBeEmpty();
    await expect(number).toHaveAttribute("aria-invalid", "true");
    const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
    await number.fill(phone);
    await page.getByRole("button", { name: "Send code" }).click();
    await expect(page.getByText(`Enter the code we sent to ${masked(phone)}.`)).toBeVisible();
    await page.getByLabel("Code", { exact: true }).fill(await delivered(() => lastSmsCode(request, phone)));
    await page.getByRole("button", { name: "Verify phone" }).click();
    await expect(page.getByRole("heading", { name: "You're all set" })).toBeVisible();
    await expect(page.getByTestId("backup-codes").locator("li")).toHaveCount(10);
    await page.getByRole("link", { name: "Continue" }).click();
    await expectSignedIn(page, user.email);
  });

  test("the security page: an authenticator app, new backup codes shown once, deleting the account", async ({ page, request }) => {
    test.setTimeout(90_000);
    const user = await createUser(request, { phone: true, backup: true });
    await signIn(page, user, user.backup_codes[0]);
    await page.goto("/account/security");
    const done = page.locator("#change-done");

    await reverified(page, () => page.getByRole("button", { name: "Add an authenticator app" }).click(), page.getByTestId("totp-secret"));
    await enableApp(page);
    await expect(done).toHaveText("Authenticator app added.");
    await expect(page.getByTestId("factors")).toContainText("Authenticator app");

    // Unused codes are still there: the page asks first; "Keep my codes" changes nothing.
    await page.getByRole("button", { name: "Generate new codes" }).click();
    await expect(page.getByRole("heading", { name: "Make new backup codes?" })).toBeVisible();
    await expect(page.getByText("Your 9 unused codes will stop working.")).toBeVisible();
    await page.getByRole("link", { name: "Keep my codes" }).click();
    await expect(page).toHaveURL(/\/account\/security$/);
    await expect(page.getByTestId("backup-remaining")).toHaveText("9 unused.");
    const codes = page.getByTestId("backup-codes").locator("li");
    await reverified(
      page,
      async () => {
        await page.getByRole("button", { name: "Generate new codes" }).click();
        await page.getByRole("button", { name: "Make new codes" }).click();
      },
      codes.first(),
    );
    await expect(codes).toHaveCount(10);
    await expect(done).toHaveText("New backup codes made: the old ones no longer work.");
    await expect(page).toHaveURL(/\/account\/security$/);
    await expect(page.getByTestId("backup-remaining")).toHaveText("10 unused.");
    // Shown once: a reload shows them no more.
    await page.reload();
    await expect(codes).toHaveCount(0);
    await expect(done).toBeEmpty();

    // Deleting asks first, as a page; "Keep my account" changes nothing.
    await page.getByRole("button", { name: "Delete my account" }).click();
    await expect(page.getByRole("heading", { name: "Delete your account?" })).toBeVisible();
    await page.getByRole("link", { name: "Keep my account" }).click();
    await expect(page.getByRole("heading", { name: "Delete your account?" })).toBeHidden();
    await reverified(
      page,
      async () => {
        await page.getByRole("button", { name: "Delete my account" }).click();
        await page.getByRole("button", { name: "Delete it" }).click();
      },
      page.getByRole("heading", { name: "Sign in" }),
    );
    await expect(page).toHaveURL(/\/sign-in$/);
    await signInWithPassword(page, user.email);
    await expect(page.getByText("Email address or password is incorrect.")).toBeVisible();
  });

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

for (const js of [true, false]) {
  test(`one empty submit shows every field's error (${js ? "with" : "without"} JavaScript)`, async ({ browser, request }) => {
    const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, javaScriptEnabled: js });
    const page = await context.newPage();
    const load = (path: string) => (js ? open(page, path) : page.goto(path));
    const said = async (id: string, text: string) => {
      await expect(page.locator(`#${id}-error`)).toHaveText(text);
      await expect(page.locator(`[aria-describedby~="${id}-error"]`)).toHaveAttribute("aria-invalid", "true");
    };

    await load("/sign-in");
    await page.getByRole("button", { name: "Continue" }).click();
    await said("identifier", "Enter your email address.");
    await said("password", "Enter your password.");

    await load("/sign-up");
    await page.getByRole("button", { name: "Continue" }).click();
    await said("email", "Enter your email address.");
    await said("password", "Enter your password.");

    // The new-password form (a compromised password's task).
    const user = await createUser(request, { compromised: true, totp: true });
    await load("/sign-in");
    await signInWithPassword(page, user.email);
    await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/tasks\/reset-password$/);
    if (js) await islandLive(page);
    await page.getByRole("button", { name: "Set password" }).click();
    await said("new-password", "Enter your password.");
    await context.close();
  });
}

test("with the page's wasm held back, setup-mfa's forms still work", async ({ browser, request }) => {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await page.route(/split_setup_mfa_loader_.*\.wasm$/, () => {});
  const user = await toSetupMfa(page, request, true);
  // The phone's form opens as a page of its own.
  await page.getByRole("button", { name: "Add a phone number" }).click();
  await expect(page).toHaveURL(/\?add=phone$/);
  await expect(page.getByLabel("Phone number (international format)")).toBeVisible();
  await expectAccessible(page, "setup-mfa with the phone's form, as the server drew it");
  await page.getByRole("button", { name: "Add an authenticator app" }).click();
  await expect(page.getByTestId("totp-secret")).toBeVisible();
  await expectAccessible(page, "setup-mfa as the server drew it, with the app's secret");
  await enableApp(page);
  await expect(page.getByRole("heading", { name: "You're all set" })).toBeVisible();
  await expect(page.getByTestId("backup-codes").locator("li")).toHaveCount(10);
  await expectAccessible(page, "setup-mfa done, as the server drew it");
  await page.getByRole("link", { name: "Continue" }).click();
  await expectSignedIn(page, user.email);

  // The security page's questions, as the server draws them.
  await page.route(/split_security_loader_.*\.wasm$/, () => {});
  await page.goto("/account/security");
  await page.getByRole("button", { name: "Generate new codes" }).click();
  await expect(page.getByRole("heading", { name: "Make new backup codes?" })).toBeVisible();
  await expectAccessible(page, "security asking before new backup codes");
  const codes = page.getByTestId("backup-codes").locator("li");
  await reverified(page, () => page.getByRole("button", { name: "Make new codes" }).click(), codes.first());
  await expect(codes).toHaveCount(10);
  await expectAccessible(page, "security showing new backup codes, as the server drew it");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByRole("heading", { name: "Delete your account?" })).toBeVisible();
  await expectAccessible(page, "security asking before deleting the account");
  await context.close();
});
