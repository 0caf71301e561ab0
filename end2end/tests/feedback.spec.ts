import type { Page } from "@playwright/test";
import {
  createUser,
  expect,
  expectSignedIn,
  lastSmsCode,
  open,
  PASSWORD,
  signInWithPassword,
  test,
  totp,
  type User,
} from "./helpers";

// The e2e server waits MFA_RESEND_AFTER=5 s between code sends (scripts/test.sh).
const WAIT = 5;

/** Signs `user` in with the password, up to the verify step. */
async function toVerifyStep(page: Page, user: User) {
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
}

test("a submit shows that it is working, and a refused code takes the focus back", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await toVerifyStep(page, user);

  // A wrong code: the field has the error and the focus, its text selected.
  const field = page.getByLabel("Code", { exact: true });
  await field.fill(totp(user.totp_secret!, Date.now() / 1000 + 3600));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toBeFocused();
  expect(await field.evaluate((e: HTMLInputElement) => [e.selectionStart, e.selectionEnd])).toEqual([0, 6]);

  // A slow answer: the button says it is working, the form is busy and the
  // field read-only until the answer comes.
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/api/sign_in/attempt_second_factor", async (route) => {
    await held;
    await route.continue();
  });
  await field.fill(totp(user.totp_secret!));
  await page.getByRole("button", { name: "Verify" }).click();
  const button = page.locator("form[aria-busy] button[type=submit]");
  await expect(button).toHaveText("Verifying…");
  await expect(button).toBeDisabled();
  await expect(button.locator(".spinner")).toBeVisible();
  await expect(page.locator("form[aria-busy=true]")).toHaveCount(1);
  await expect(field).toHaveAttribute("readonly", "");
  // Full strength, not faded.
  expect(await button.evaluate((e) => getComputedStyle(e).opacity)).toBe("1");
  release();
  await expectSignedIn(page, user.email);
});

test("resend counts down, confirms the new code, and the old one stops working", async ({ page, request }) => {
  const user = await createUser(request, { phone: true });
  await toVerifyStep(page, user);
  const resend = page.getByRole("button", { name: /^Resend code/ });
  // Sent on arrival: the button waits, counting down.
  await expect(resend).toHaveText(new RegExp(`^Resend code \\(([1-${WAIT}])\\)$`));
  await expect(resend).toBeDisabled();
  const first = await lastSmsCode(request, user.phone!);
  await expect(resend).toHaveText("Resend code", { timeout: (WAIT + 2) * 1000 });
  await expect(resend).toBeEnabled();
  await resend.click();
  await expect(page.getByRole("status")).toHaveText("A new code was sent.");
  await expect(resend).toBeDisabled();
  await expect(resend).toHaveText(/^Resend code \(\d\)$/);
  await expect.poll(() => lastSmsCode(request, user.phone!)).not.toBe(first);
  await page.getByLabel("Code", { exact: true }).fill(await lastSmsCode(request, user.phone!));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);
});

test("a browser clock that runs ahead cannot skip the wait: the server's answer sets it", async ({ page, request }) => {
  await page.addInitScript(() => {
    const real = Date.now;
    Date.now = () => real() + 120_000;
  });
  const user = await createUser(request, { phone: true });
  await open(page, "/sign-in");
  // The verify step's code arrives after the send's answer (as on a busy
  // machine): the button comes after the news that a code went.
  await page.route("**/pkg/chunk_*.wasm", async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await signInWithPassword(page, user.email);
  const resend = page.getByRole("button", { name: /^Resend code/ });
  // A send from the page counts from the page's own clock: no skew there.
  await expect(resend).toHaveText(/^Resend code \(\d\)$/);
  await page.unrouteAll({ behavior: "wait" });
  // Reloaded, the page reads the server's send time, which its clock
  // places long ago: it offers the resend at once.
  await page.reload();
  await page.waitForSelector("body[data-resumed]");
  await expect(resend).toHaveText("Resend code");
  await resend.click();
  // Refused: the message, and the countdown from the server's seconds.
  await expect(page.getByText(/before requesting a new code/)).toBeVisible();
  await expect(resend).toHaveText(new RegExp(`^Resend code \\(([1-${WAIT}])\\)$`));
  await expect(resend).toBeDisabled();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a failed post keeps the email, shows its error once, and leaves the URL clean", async ({ page, request }) => {
    const user = await createUser(request, { totp: true });
    for (let i = 0; i < 2; i++) {
      await page.goto("/sign-in");
      await page.getByLabel("Enter email address").fill(user.email);
      await page.getByLabel("Enter password").fill("not the password");
      await page.getByRole("button", { name: "Continue" }).click();
      await expect(page.getByText("Email address or password is incorrect.")).toHaveCount(1);
      await expect(page).toHaveURL(/\/sign-in$/);
      await expect(page.getByLabel("Enter email address")).toHaveValue(user.email);
    }
    await page.reload();
    await expect(page.getByText("Email address or password is incorrect.")).toHaveCount(0);
    await expect(page.getByLabel("Enter email address")).toHaveValue("");
    // The kept email is a convenience: the right password still goes on.
    await page.getByLabel("Enter email address").fill(user.email);
    await page.getByLabel("Enter password").fill(PASSWORD);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  });
});

test("typing the last digit sends the code; so does pasting a grouped one", async ({ page, context, request }) => {
  const user = await createUser(request, { totp: true });
  await toVerifyStep(page, user);
  const field = page.getByLabel("Code", { exact: true });
  await expect(field).toBeFocused();
  // Typed key by key: no click on Verify.
  await field.pressSequentially(totp(user.totp_secret!, Date.now() / 1000 + 3600));
  await expect(page.locator("#code-error")).toHaveText("Incorrect code.");

  // Pasted as authenticator apps show it, "123 456": sent as it lands.
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const code = totp(user.totp_secret!);
  await page.evaluate((t) => navigator.clipboard.writeText(t), `${code.slice(0, 3)} ${code.slice(3)}`);
  await field.fill("");
  await field.focus();
  await page.keyboard.press("Control+V");
  await expectSignedIn(page, user.email);
});

test("the last wrong tries count down to the lock, which offers the ways out", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await toVerifyStep(page, user);
  const field = page.getByLabel("Code", { exact: true });
  const error = page.locator("#code-error");
  // The e2e server locks after 10 failures (the default): the last three
  // tell how many are left, the tenth that it locked.
  const said = [
    ...Array(6).fill("Incorrect code."),
    "Incorrect code. 3 tries left before your account is locked.",
    "Incorrect code. 2 tries left before your account is locked.",
    "Incorrect code. 1 try left before your account is locked.",
    "Incorrect code. Too many failed tries: your account is now locked for a while.",
  ];
  for (const [i, text] of said.entries()) {
    await field.fill(totp(user.totp_secret!, Date.now() / 1000 + 3600 + 30 * i));
    await page.getByRole("button", { name: "Verify" }).click();
    // The same text twice in a row: wait for the answer, not the old text.
    await expect(page.locator("form[aria-busy=true]")).toHaveCount(0);
    await expect(error).toHaveText(text);
  }
  await expect(page.getByRole("link", { name: "Unlock this browser with an email code" })).toBeHidden();
  await field.fill(totp(user.totp_secret!));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toContainText("Try again in 60 minutes.");
  await expect(page.getByRole("link", { name: "Unlock this browser with an email code" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Forgot password?" })).toBeVisible();
});

test("a rate limit's wait counts down, then says the way is open", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  // The e2e server's limits are high (parallel browsers share one IP): the
  // server's own answer, made a rate limit of 3 s.
  await page.route("**/api/sign_in/password", async (route) => {
    const real = await route.fetch();
    const message = "Too many requests. Try again in 3 seconds.";
    const errors = [{ code: "too_many_requests", message, long_message: message, meta: { retry_after: 3 } }];
    await route.fulfill({ response: real, status: 429, json: { status: 429, errors } });
  });
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email, "not the password at all");
  const alert = page.getByRole("alert").filter({ hasText: "Too many requests" });
  // The counting text is for the eye; a screen reader hears the wait once.
  const counting = alert.locator("[aria-hidden=true]");
  await expect(counting).toHaveText(/^Too many requests\. Try again in [123] seconds?\.$/);
  await expect(alert.locator(".visually-hidden")).toHaveText("Too many requests. Try again in 3 seconds.");
  await expect(counting).toHaveText("Too many requests. Try again in 1 second.", { timeout: 4000 });
  await expect(page.getByRole("alert").filter({ hasText: "You can try again now." })).toBeVisible({ timeout: 4000 });
});
