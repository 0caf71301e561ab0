import type { Page } from "@playwright/test";
import {
  createUser,
  islandLive,
  expect,
  expectAccessible,
  expectNoSidewaysScroll,
  expectSignedIn,
  hydrated,
  lastEmailCode,
  open,
  PASSWORD,
  signInWithPassword,
  test,
  totp,
} from "./helpers";

/** WCAG's contrast ratio of two `rgb(…)` colours. */
async function contrast(page: Page, fg: string, bg: string): Promise<number> {
  return page.evaluate(
    ([a, b]) => {
      const lum = (c: string) => {
        const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
          const x = Number(v) / 255;
          return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
      };
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    },
    [fg, bg],
  );
}

const css = (page: Page, selector: string, prop: string) =>
  page.locator(selector).first().evaluate((e, p) => getComputedStyle(e).getPropertyValue(p), prop);

/** Every page and step state: axe finds nothing, and nothing scrolls sideways. */
async function check(page: Page, state: string) {
  await expectAccessible(page, state);
  await expectNoSidewaysScroll(page, state);
}

// A step that ends in `location.assign` shows the new page's DOM before its
// stylesheet has loaded: axe must wait and measure the page as drawn (CI once
// failed the home page's target sizes on the unstyled DOM).
test("axe measures a page whose stylesheet is slow as it is drawn", async ({ page, request }) => {
  await page.setViewportSize({ width: 320, height: 800 });
  const u = await createUser(request, { totp: true });
  await open(page, "/sign-in");
  await signInWithPassword(page, u.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  await page.route("**/*.css", async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.getByLabel("Code", { exact: true }).fill(totp(u.totp_secret!));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, u.email);
  await check(page, "home, its stylesheet slow");
});

for (const [scheme, width] of [
  ["light", 1280],
  ["dark", 320],
] as const) {
  test(`every page and step, ${scheme} at ${width} px: axe-clean, no sideways scroll`, async ({ page, request }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width, height: 800 });

    await open(page, "/sign-in");
    await check(page, "sign-in");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByLabel("Enter email address")).toHaveAttribute("aria-invalid", "true");
    await check(page, "sign-in with errors");
    for (const path of ["/sign-up", "/sign-in/forgot-password", "/sign-in/email-code", "/sign-in/unlock", "/nowhere"]) {
      await open(page, path);
      await check(page, path);
    }

    // The second factor, each way of giving it.
    const mfa = await createUser(request, { totp: true, backup: true, phone: true });
    await open(page, "/sign-in");
    await signInWithPassword(page, mfa.email);
    await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
    await check(page, "verify (authenticator app)");
    await page.getByRole("radio", { name: "Text message" }).check();
    await check(page, "verify (text message)");
    await page.getByRole("radio", { name: "Backup code" }).check();
    await check(page, "verify (backup code)");
    await page.getByRole("radio", { name: "Authenticator app" }).check();
    await page.getByLabel("Code", { exact: true }).fill(totp(mfa.totp_secret!, Date.now() / 1000 + 3600));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByLabel("Code", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await check(page, "verify with an error");
    await page.getByLabel("Code", { exact: true }).fill(totp(mfa.totp_secret!));
    await page.getByRole("button", { name: "Verify" }).click();
    await expectSignedIn(page, mfa.email);
    await check(page, "home");
    for (const path of ["/account/security", "/account/sessions"]) {
      await open(page, path);
      await check(page, path);
    }

    // A new browser without a second factor: client trust, then setup-mfa.
    await page.context().clearCookies();
    const plain = await createUser(request, {});
    await open(page, "/sign-in");
    await signInWithPassword(page, plain.email);
    await expect(page.getByRole("heading", { name: "Verify this device" })).toBeVisible();
    await check(page, "client trust");
    await page.getByLabel("Code", { exact: true }).fill(await lastEmailCode(request, plain.email));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByRole("heading", { name: "Set up two-step verification" })).toBeVisible();
    await islandLive(page);
    await check(page, "setup-mfa");
    await page.getByRole("button", { name: "Add an authenticator app" }).click();
    const secret = (await page.getByTestId("totp-secret").textContent())!.replace(/\s/g, "");
    await check(page, "setup-mfa (authenticator app)");
    await page.getByLabel("Code from the app").fill(totp(secret));
    await page.getByRole("button", { name: "Enable" }).click();
    await expect(page.getByRole("heading", { name: "You're all set" })).toBeVisible();
    await check(page, "backup codes");
    // A backup code is never split over two lines, even at 320 px.
    const lines = await page
      .getByTestId("backup-codes")
      .locator("code")
      .evaluateAll((codes) => codes.map((c) => c.getClientRects().length));
    expect(lines).toEqual(Array(10).fill(1));
    if (scheme === "dark") {
      await page.screenshot({ path: `${__dirname}/../../docs/screenshots/backup-codes-dark-phone.png` });
    }
  });
}

test("the dark theme follows the system; controls and focus keep their contrast", async ({ page }) => {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await open(page, "/sign-in");
    const card = await css(page, ".card", "background-color");
    const text = await css(page, ".card", "color");
    // Dark means dark: the card's colour is far from white.
    const vsWhite = await contrast(page, card, "rgb(255, 255, 255)");
    if (scheme === "dark") expect(vsWhite).toBeGreaterThan(10);
    else expect(vsWhite).toBeLessThan(1.1);
    expect(await contrast(page, text, card)).toBeGreaterThan(7);
    // Input borders and the focus ring: 3:1 against the card (WCAG 1.4.11).
    expect(await contrast(page, await css(page, "#email", "border-top-color"), card)).toBeGreaterThanOrEqual(3);
    await page.keyboard.press("Tab");
    const focused = page.locator(":focus");
    await expect(focused).toHaveCount(1);
    const ring = await focused.evaluate((e) => getComputedStyle(e).outlineColor);
    expect(await focused.evaluate((e) => getComputedStyle(e).outlineStyle)).toBe("solid");
    expect(await contrast(page, ring, card)).toBeGreaterThanOrEqual(3);
    // Links use the accent; controls the page's font.
    expect(await css(page, "a[href='/sign-up']", "color")).toBe(await css(page, "button[type=submit]", "background-color"));
    expect(await css(page, "button[type=submit]", "font-family")).toBe(await css(page, "body", "font-family"));
    expect(await css(page, "#email", "font-family")).toBe(await css(page, "body", "font-family"));
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe("light dark");
    await page.screenshot({ path: `${__dirname}/../../docs/screenshots/sign-in-${scheme}.png` });
  }
});

test("the instance's branding: its name, logo and accents in both themes", async ({ page }) => {
  // scripts/test.sh brands the e2e server: Acme, its logo, violet.
  await open(page, "/sign-in");
  await expect(page.getByRole("heading", { name: "Sign in to Acme" })).toBeVisible();
  await expect(page).toHaveTitle("Sign in to Acme");
  await expect(page.getByText("Welcome back! Please sign in to continue.")).toBeVisible();
  const logo = page.locator(".card .logo img");
  await expect(logo).toHaveAttribute("src", "/brand/acme.svg");
  await expect.poll(() => logo.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
  // The dark theme shows its own logo (`branding.logo_dark`).
  const shown = () => logo.evaluate((i: HTMLImageElement) => new URL(i.currentSrc).pathname);
  await page.emulateMedia({ colorScheme: "dark" });
  await open(page, "/sign-in");
  await expect.poll(shown).toBe("/brand/acme-dark.svg");
  await page.emulateMedia({ colorScheme: "light" });
  await open(page, "/sign-in");
  await expect.poll(shown).toBe("/brand/acme.svg");
  expect(await css(page, "button[type=submit]", "background-color")).toBe("rgb(109, 40, 217)");
  // The dark theme's accent is derived from it, and readable on the dark card.
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await css(page, "button[type=submit]", "background-color");
  expect(dark).not.toBe("rgb(109, 40, 217)");
  expect(await contrast(page, dark, await css(page, ".card", "background-color"))).toBeGreaterThanOrEqual(4.5);
  expect(await contrast(page, dark, await css(page, "button[type=submit]", "color"))).toBeGreaterThanOrEqual(4.5);
  await open(page, "/sign-up");
  await expect(page.getByText("Welcome! Please fill in the details to get started.")).toBeVisible();
});

test("live regions wait empty in the page; an error appearing does not move the card", async ({ page }) => {
  await open(page, "/sign-in");
  for (const id of ["#identifier-error", "#password-error"]) {
    const region = page.locator(id);
    await expect(region).toBeAttached();
    await expect(region).toHaveText("");
    expect(await region.evaluate((e) => getComputedStyle(e).display)).not.toBe("none");
    expect(await region.getAttribute("aria-live")).toBe("polite");
  }
  const before = await page.locator(".card").boundingBox();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator("#identifier-error")).not.toHaveText("");
  const after = await page.locator(".card").boundingBox();
  expect(after!.y).toBe(before!.y);
  expect(after!.x).toBe(before!.x);
  expect(after!.width).toBe(before!.width);
});

test("keyboard only: the whole MFA sign-in, focus following each step", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await open(page, "/sign-in");
  for (let i = 0; i < 5 && !(await page.locator("#email").evaluate((e) => e === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(page.locator("#email")).toBeFocused();
  await page.keyboard.type(user.email);
  await page.keyboard.press("Tab");
  await expect(page.locator("#password")).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  // The tab names the new step, and its field has the focus: no hunting for it.
  await expect(page).toHaveTitle("Verify your account");
  await expect(page.locator("#code")).toBeFocused();
  const field = page.locator("#code");
  await expect(field).toHaveAttribute("autocomplete", "one-time-code");
  await expect(field).toHaveAttribute("inputmode", "numeric");
  await expect(field).toHaveAttribute("maxlength", "24");
  expect(await field.evaluate((e: HTMLInputElement) => e.required)).toBe(true);
  // Typed the way the app shows it, with a space.
  const code = totp(user.totp_secret!);
  await page.keyboard.type(`${code.slice(0, 3)} ${code.slice(3)}`);
  await page.keyboard.press("Enter");
  await expectSignedIn(page, user.email);
  await expect(page).toHaveTitle("Home");
});

test("show password reveals what was typed, and hides it again", async ({ page }) => {
  for (const [path, field] of [
    ["/sign-in", "#password"],
    ["/sign-up", "#password"],
  ]) {
    await open(page, path);
    await page.locator(field).fill("a long phrase on a phone");
    const toggle = page.getByLabel("Show password");
    await toggle.check();
    await expect(page.locator(field)).toHaveAttribute("type", "text");
    await expect(page.locator(field)).toHaveValue("a long phrase on a phone");
    await toggle.uncheck();
    await expect(page.locator(field)).toHaveAttribute("type", "password");
  }
});

test("nothing moves when the page becomes interactive", async ({ browser }) => {
  // Where the sign-in form's button is, drawn by the server alone (no
  // JavaScript) and once the island is live: the same place.
  const where = async (javaScriptEnabled: boolean) => {
    const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, javaScriptEnabled });
    const page = await context.newPage();
    await page.goto("/sign-in");
    if (javaScriptEnabled) {
      await hydrated(page);
      await expect(page.getByText("Show password")).toBeVisible();
    }
    const box = await page.getByRole("button", { name: "Continue" }).boundingBox();
    await context.close();
    return box!.y;
  };
  expect(await where(true)).toBe(await where(false));
});

test("a mouse or Space submit moves the focus to the next step's field too", async ({ page, request }) => {
  for (const how of ["mouse", "space"] as const) {
    const user = await createUser(request, { totp: true });
    await open(page, "/sign-in");
    await page.getByLabel("Enter email address").fill(user.email);
    await page.getByLabel("Enter password").fill(PASSWORD);
    const go = page.getByRole("button", { name: "Continue" });
    if (how === "mouse") {
      await go.click();
    } else {
      await go.focus();
      await page.keyboard.press("Space");
    }
    await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
    await expect(page.locator("#code"), how).toBeFocused();
    await page.context().clearCookies();
  }
});
