import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { createUser, expect, expectSignedIn, lastSmsCode, masked, open, PASSWORD, signInWithPassword, test, totp } from "./helpers";

const shots = resolve(__dirname, "../../docs/screenshots");

test("SMS code: the code is sent on the verify step and signs the user in", async ({ page, request }) => {
  const user = await createUser(request, { phone: true });
  await open(page, "/sign-in");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await signInWithPassword(page, user.email);

  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  // As in the seed, the SMS code goes out as soon as MFA is needed.
  await expect(page.getByText(`Enter the code we sent to ${masked(user.phone!)}.`)).toBeVisible();
  await expect(page.getByRole("button", { name: "Resend code" })).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(await lastSmsCode(request, user.phone!));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  // Signed out on the server: home sends us back.
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("authenticator app: choosing between TOTP and SMS, then TOTP signs in", async ({ page, request }) => {
  const user = await createUser(request, { phone: true, totp: true, backup: true });
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  await expect(page.getByRole("radio", { name: "Authenticator app" })).toBeChecked();
  await expect(page.getByText("Enter the 6-digit code from your authenticator app.")).toBeVisible();
  const code = page.getByLabel("Code", { exact: true });
  // A screen reader hears where the code comes from, not only "Code".
  await expect(code).toHaveAccessibleDescription("Enter the 6-digit code from your authenticator app.");
  await expect(code).toHaveAttribute("autocomplete", "one-time-code");
  await expect(code).toHaveAttribute("inputmode", "numeric");
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}/verify.png` });

  // One control chooses the method. Arrowing onto "Text message" sends
  // nothing: its own button does; switching back keeps TOTP usable.
  await page.getByRole("radio", { name: "Authenticator app" }).focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("radio", { name: "Text message" })).toBeChecked();
  await expect(page.getByText(`Send a code to ${masked(user.phone!)} by text message, then enter it here.`)).toBeVisible();
  await expect(page.getByText("Enter the 6-digit code from your authenticator app.")).toBeHidden();
  await expect(page.getByRole("textbox", { name: "Backup code" })).toBeHidden();
  await page.waitForTimeout(500);
  const none = await lastSmsCode(request, user.phone!).catch(() => null);
  expect(none, "no SMS before the button").toBeNull();
  await page.getByRole("button", { name: "Send code by text message" }).click();
  await expect(page.getByText(`Enter the code we sent to ${masked(user.phone!)}.`)).toBeVisible();
  await expect(code).toHaveAccessibleDescription(`Enter the code we sent to ${masked(user.phone!)}.`);
  await page.getByRole("radio", { name: "Authenticator app" }).check();
  await expect(page.getByRole("button", { name: "Resend code" })).toBeHidden();

  await code.fill(totp(user.totp_secret!));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);
});

test("backup code: choosing it swaps the digit field for a text one", async ({ page, request }) => {
  const user = await createUser(request, { totp: true, backup: true });
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  await page.getByRole("radio", { name: "Backup code" }).check();
  await expect(page.getByRole("radio", { name: "Authenticator app" })).not.toBeChecked();
  await expect(page.getByLabel("Code", { exact: true })).toBeHidden();
  const backup = page.getByRole("textbox", { name: "Backup code" });
  await expect(backup).toBeFocused();
  await expect(backup).not.toHaveAttribute("inputmode", "numeric");
  await backup.fill(user.backup_codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);
});

test("field errors appear under their inputs", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await open(page, "/sign-in");
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}/sign-in.png` });

  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator("#identifier-error")).toHaveText("Enter your email address.");
  await expect(page.getByLabel("Enter email address")).toHaveAttribute("aria-invalid", "true");
  // Every empty field gets its error at once, not one per submit.
  await expect(page.locator("#password-error")).toHaveText("Enter your password.");

  await signInWithPassword(page, user.email, "wrong password");
  await expect(page.locator("#password-error")).toHaveText("Email address or password is incorrect.");
  await expect(page.locator("#identifier-error")).toBeEmpty();

  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!, Date.now() / 1000 + 3600));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.locator("#code-error")).toHaveText("Incorrect code.");
  await expect(page.getByLabel("Code", { exact: true })).toHaveAttribute("aria-invalid", "true");
});

test("an error of no field shows in the alert, and the next step clears it", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await open(page, "/sign-in");
  await page.route("**/api/sign_in/password", (r) => r.abort());
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("alert").locator('p[data-code="network_error"]')).toHaveText(
    "Could not reach the server. Check your connection.",
  );
  await expect(page.locator("#password-error")).toBeEmpty();
  await page.unroute("**/api/sign_in/password");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  // An empty alert is hidden: no message is left in it.
  await expect(page.locator(".global-error p")).toHaveCount(0);
});

test("errors of a form posted before the page was live hydrate with it", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  // The first load gets no wasm: the form posts as plain HTML.
  const held: { abort: () => Promise<void> }[] = [];
  // Named by its content: mfa-signin.<hash>.wasm.
  await page.route("**/pkg/mfa-signin.*wasm", (r) => {
    held.push(r);
  });
  await page.goto("/sign-in", { waitUntil: "domcontentloaded" });
  await page.unroute("**/pkg/mfa-signin.*wasm");
  await signInWithPassword(page, user.email, "wrong password");
  for (const r of held) await r.abort().catch(() => {});
  // The page that answers the post hydrates with the error in its island's props.
  await page.waitForSelector("body[data-hydrated]");
  await expect(page.locator("#password-error")).toHaveText("Email address or password is incorrect.");
  await expect(page.getByLabel("Enter password")).toHaveAttribute("aria-invalid", "true");
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
});

test("buttons are disabled while a request is in flight", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await open(page, "/sign-in");
  const hold = async (url: string) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await page.route(url, async (route) => {
      await gate;
      await route.continue();
    });
    return release;
  };

  let release = await hold("**/api/sign_in/password");
  await page.getByLabel("Enter email address").fill(user.email);
  await page.getByLabel("Enter password").fill(PASSWORD);
  // The main button of the form, whatever it says while working.
  const submit = page.locator("form[aria-busy] button[type=submit]");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(submit).toBeDisabled();
  await expect(submit).toHaveText("Signing in…");
  release();
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();

  release = await hold("**/api/sign_in/attempt_second_factor");
  await page.getByLabel("Code", { exact: true }).fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(submit).toBeDisabled();
  await expect(submit).toHaveText("Verifying…");
  release();
  await expect(submit).toBeEnabled();
  await expect(submit).toHaveText("Verify");
  await expect(page.locator("#code-error")).not.toBeEmpty();
});

test("a reload on the verify step stays on the verify step", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  await page.reload();
  // A page loaded mid-flow hydrates a lazy island: its wasm comes after the page's mark.
  await page.waitForSelector("body[data-resumed]");
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("every step works as plain HTML forms", async ({ page, request }) => {
    const user = await createUser(request, { phone: true, totp: true, backup: true });
    await page.goto("/sign-in");
    await signInWithPassword(page, user.email, "wrong password");
    await expect(page.locator("#password-error")).toHaveText("Email address or password is incorrect.");

    await signInWithPassword(page, user.email);
    await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
    // SMS: choose it (the stylesheet shows its button), ask for a code,
    // then verify with it.
    await expect(page.getByRole("button", { name: "Send code by text message" })).toBeHidden();
    await page.getByRole("radio", { name: "Text message" }).check();
    await page.getByRole("button", { name: "Send code by text message" }).click();
    await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
    // Back from the server with a code pending: SMS is now the selected method.
    await expect(page.getByRole("radio", { name: "Text message" })).toBeChecked();
    await expect(page.getByRole("button", { name: "Resend code" })).toBeVisible();
    await page.getByLabel("Code", { exact: true }).fill("000000" === (await lastSmsCode(request, user.phone!)) ? "111111" : "000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.locator("#code-error")).toHaveText("Incorrect code.");

    await page.getByLabel("Code", { exact: true }).fill(await lastSmsCode(request, user.phone!));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId("signed-in-email")).toHaveText(user.email);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);

    // A backup code in its own field; a wrong one comes back with the
    // backup code still chosen.
    await signInWithPassword(page, user.email);
    await page.getByRole("radio", { name: "Backup code" }).check();
    await expect(page.getByLabel("Code", { exact: true })).toBeHidden();
    await page.getByRole("textbox", { name: "Backup code" }).fill("aaaa-bbbb-cccc");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.locator("#backup-code-error")).toHaveText("Incorrect code.");
    await expect(page.getByRole("radio", { name: "Backup code" })).toBeChecked();
    await page.getByRole("textbox", { name: "Backup code" }).fill(user.backup_codes[0]);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByTestId("signed-in-email")).toHaveText(user.email);
  });
});

for (const mode of ["slow", "failed"] as const) {
  test(`the next step shows at once while its code loads, and works if that code is ${mode}`, async ({ browser, request }) => {
    const user = await createUser(request, { totp: true });
    // A page of its own: a refused download makes the chunk loader (Leptos')
    // panic in the console, which the shared page fixture counts as a
    // failure; here the console is checked below, for that and nothing else.
    const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
    });
    await open(page, "/sign-in");
    // The later steps' wasm: held back past the page's patience, or refused.
    await page.route(/\/pkg\/(chunk|split)_[^/]*\.wasm$/, async (route) => {
      if (mode === "failed") return route.abort();
      await new Promise((r) => setTimeout(r, 8000));
      await route.continue().catch(() => {});
    });
    await page.getByLabel("Enter email address").fill(user.email);
    await page.getByLabel("Enter password").fill(PASSWORD);
    await page.getByRole("button", { name: "Continue" }).click();
    // Not a blank card: said at once.
    await expect(page.getByTestId("next-step-loading")).toBeVisible({ timeout: 1500 });
    // Then the step as the server draws it, which works as a plain form.
    await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible({ timeout: 8000 });
    await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!));
    await page.getByRole("button", { name: "Verify" }).click();
    await expectSignedIn(page, user.email);
    // As the shared fixture: the browser's own line for a 4xx is expected;
    // a refused download fails to fetch, and the loader panics on it.
    const refused = /^((TypeError: )?Failed to fetch|panicked at .*SplitLoaderError|unreachable)/s;
    const unexpected = (p: string) => !p.startsWith("Failed to load resource") && !(mode === "failed" && refused.test(p));
    expect(problems.filter(unexpected)).toEqual([]);
    await context.close();
  });
}
