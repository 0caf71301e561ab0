import type { APIRequestContext, Page } from "@playwright/test";
import {
  createUser,
  islandLive,
  expect,
  expectAccessible,
  expectSignedIn,
  hydrated,
  nthEmailCode,
  open,
  PASSWORD,
  signInWithPassword,
  test,
  totp,
} from "./helpers";

const NEW_PASSWORD = "a brand new passphrase";

/** Ten wrong passwords from another client (the attacker): the account locks. */
async function lockOut(request: APIRequestContext, email: string) {
  const origin = test.info().project.use.baseURL!;
  for (let i = 0; i < 10; i++) {
    await request.post("/api/sign_in/password", {
      form: { identifier: email, password: "not the password at all" },
      headers: { origin, accept: "application/json" },
    });
  }
  const r = await request.post("/api/sign_in/password", {
    form: { identifier: email, password: PASSWORD },
    headers: { origin, accept: "application/json" },
  });
  expect(r.status()).toBe(403);
  return origin;
}

/** From the sign-in page's link to the emailed code's form. */
async function startByEmail(page: Page, link: string, email: string, js: boolean) {
  await page.getByRole("link", { name: link }).click();
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  if (js) await page.waitForSelector("body[data-resumed]");
}

async function enterCode(page: Page, code: string) {
  await page.getByLabel("Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

async function newPassword(page: Page, button: string, password = NEW_PASSWORD) {
  await page.getByLabel("New password").fill(password);
  await page.getByRole("button", { name: button }).click();
}

for (const js of [true, false]) {
  test.describe(js ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled: js });
    const load = async (page: Page, path: string) => (js ? open(page, path) : page.goto(path));

    test("forgot password: the emailed code, a new password, then the second factor", async ({ page, request }) => {
      const user = await createUser(request, { totp: true });
      await load(page, "/sign-in");
      await startByEmail(page, "Forgot password?", user.email, js);
      await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
      await expect(page.getByText(`Enter the code we sent to ${user.email[0]}•••@example.com.`)).toBeVisible();
      await enterCode(page, "000000");
      await expect(page.locator("#code-error")).toHaveText("Incorrect code.");
      await enterCode(page, await nthEmailCode(request, user.email, 1));
      await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
      await newPassword(page, "Set password", PASSWORD);
      await expect(page.locator("#new-password-error")).toHaveText("Your new password must differ from your current one.");
      await newPassword(page, "Set password");
      // A reset never skips the second factor.
      await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
      await enterCode(page, totp(user.totp_secret!));
      await expectSignedIn(page, user.email);
    });

    test("an unlock lets this browser sign in while the lock stays elsewhere", async ({ page, request }) => {
      const user = await createUser(request, { totp: true });
      const origin = await lockOut(request, user.email);
      await load(page, "/sign-in");
      await signInWithPassword(page, user.email);
      await expect(page.getByRole("alert")).toContainText("Your account is locked after too many failed attempts");
      await startByEmail(page, "Unlock this browser with an email code", user.email, js);
      await expect(page.getByRole("heading", { name: "Unlock your account" })).toBeVisible();
      await enterCode(page, await nthEmailCode(request, user.email, 1));
      await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
      // Said, with the address filled in and the password next.
      await expect(page.getByRole("status").filter({ hasText: "unlocked" })).toHaveText(
        "Your account is unlocked in this browser. Sign in to continue.",
      );
      await expect(page.getByLabel("Enter email address")).toHaveValue(user.email);
      await expect(page.getByLabel("Enter password")).toBeFocused();
      if (js) await expectAccessible(page, "unlocked");
      if (js) await hydrated(page);
      await signInWithPassword(page, user.email);
      await expect(page.getByTestId("unlocked")).toBeHidden();
      await enterCode(page, totp(user.totp_secret!));
      await expectSignedIn(page, user.email);
      // The attacker's client is still locked out.
      const r = await request.post("/api/sign_in/password", {
        form: { identifier: user.email, password: PASSWORD },
        headers: { origin, accept: "application/json" },
      });
      expect(r.status()).toBe(403);
      expect((await r.json()).errors[0].meta.lockout_expires_in_seconds).toBeGreaterThan(3000);
    });

    test("an emailed code signs in instead of the password, then the second factor", async ({ page, request }) => {
      const user = await createUser(request, { totp: true });
      await load(page, "/sign-in");
      await startByEmail(page, "Email me a sign-in code", user.email, js);
      await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
      await enterCode(page, await nthEmailCode(request, user.email, 1));
      await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
      await enterCode(page, totp(user.totp_secret!));
      await expectSignedIn(page, user.email);
    });

    test("a compromised password gets the reset-password task", async ({ page, request }) => {
      const user = await createUser(request, { compromised: true, totp: true });
      await load(page, "/sign-in");
      await signInWithPassword(page, user.email);
      await enterCode(page, totp(user.totp_secret!));
      await expect(page).toHaveURL(/\/tasks\/reset-password$/);
      await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
      if (js) await hydrated(page);
      await newPassword(page, "Set password");
      await expectSignedIn(page, user.email);
    });
  });
}

test("change the password on the security page", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await enterCode(page, totp(user.totp_secret!));
  await expectSignedIn(page, user.email);
  await page.getByRole("link", { name: "Security settings" }).click();
  // The page's island is lazy: wait until it is live.
  await islandLive(page);
  await newPassword(page, "Change password", "short");
  await expect(page.locator("#new-password-error")).toContainText("characters or more");
  await newPassword(page, "Change password");
  const ask = page.getByRole("heading", { name: "Confirm it's you" });
  const done = page.getByText("Your password was changed.");
  await expect(done.or(ask)).toBeVisible();
  if (await ask.isVisible()) {
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Confirm" }).click();
  }
  await expect(done).toBeVisible();
  await page.getByRole("link", { name: "Back home" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await hydrated(page);
  await signInWithPassword(page, user.email);
  await expect(page.locator("#password-error")).toHaveText("Email address or password is incorrect.");
  await signInWithPassword(page, user.email, NEW_PASSWORD);
  await enterCode(page, totp(user.totp_secret!, Date.now() / 1000 + 30));
  await expectSignedIn(page, user.email);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("change the password on the security page", async ({ page, request }) => {
    const user = await createUser(request, { totp: true });
    await page.goto("/sign-in");
    await signInWithPassword(page, user.email);
    await enterCode(page, totp(user.totp_secret!));
    await expectSignedIn(page, user.email);
    await page.goto("/account/security");
    await newPassword(page, "Change password");
    await expectSignedIn(page, user.email);
    await page.getByRole("button", { name: "Sign out" }).click();
    await signInWithPassword(page, user.email, NEW_PASSWORD);
    await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  });
});
