import type { Page } from "@playwright/test";
import {
  createUser,
  islandLive,
  expectAccessible,
  expect,
  expectSignedIn,
  hydrated,
  lastEmailCode,
  open,
  PASSWORD,
  signInWithPassword,
  test,
  totp,
  type User,
} from "./helpers";

// WebAuthn needs a domain as the relying-party id: these tests use the
// server by name (cookies, too, are the name's).
test.use({ baseURL: (process.env.BASE_URL ?? "http://127.0.0.1:3000").replace("127.0.0.1", "localhost") });

/** Chromium's DevTools virtual authenticator: a platform passkey that verifies its user. */
async function authenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * A browser without passkey autofill: the virtual authenticator answers a
 * conditional request by itself, so with autofill every sign-in page would
 * sign in before the test could click anything.
 */
async function withoutAutofill(page: Page) {
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
}

async function addPasskey(page: Page, name: string) {
  await page.getByLabel("Passkey name (optional)").fill(name);
  await page.getByRole("button", { name: "Add a passkey" }).click();
}

/** Signed in as `user` (by an authenticator code) on the security page, with a passkey authenticator. */
async function securityPageWithAuthenticator(page: Page, user: User) {
  await withoutAutofill(page);
  await authenticator(page);
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);
  await open(page, "/account/security");
  await islandLive(page);
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

test("setup-mfa takes a passkey, which then signs in alone", async ({ page, request }) => {
  const user = await createUser(request, {});
  const { cdp, authenticatorId } = await authenticator(page);
  // What the browser is asked to make: the relying party's name is the app's.
  await page.addInitScript(() => {
    const create = navigator.credentials.create.bind(navigator.credentials);
    navigator.credentials.create = (o?: CredentialCreationOptions) => {
      (window as unknown as { rpName?: string }).rpName = o?.publicKey?.rp.name;
      return create(o);
    };
  });
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  // A new browser and no second factor: it proves itself by email first.
  await expect(page.getByRole("heading", { name: "Verify this device" })).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(await lastEmailCode(request, user.email));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { name: "Set up two-step verification" })).toBeVisible();
  // This device has a passkey authenticator: a passkey is the one suggested.
  await expect(page.getByTestId("recommended").getByRole("button", { name: "Add a passkey" })).toBeVisible();
  await addPasskey(page, "Laptop");
  await expect(page.getByRole("heading", { name: "You're all set" })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { rpName?: string }).rpName)).toBe("Acme");
  await expect(page.getByTestId("backup-codes").locator("li")).toHaveCount(10);
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);
  await page.getByRole("link", { name: "Continue" }).click();
  await expectSignedIn(page, user.email);
  await expect(page.getByText("Second factors: Passkey, Backup code.")).toBeVisible();
  await open(page, "/account/security");
  await islandLive(page);
  await expect(page.getByTestId("passkeys")).toContainText("Laptop");
  await expect(page.getByTestId("passkeys")).toContainText("not used yet");

  // Autofill: the sign-in page the sign-out lands on offers the passkey in
  // the email field; the authenticator picks it, and that signs in.
  await open(page, "/");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in/);
  await expectSignedIn(page, user.email);
  await open(page, "/account/security");
  await islandLive(page);
  await expect(page.getByTestId("passkeys")).toContainText("last used");

  // Without autofill, the button.
  await withoutAutofill(page);
  await open(page, "/");
  await signOut(page);
  await hydrated(page);
  await expect(page.getByLabel("Enter email address")).toHaveAttribute("autocomplete", "username webauthn");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expectSignedIn(page, user.email);
});

test("a passkey is the second factor after the password, and can be removed", async ({ page, request }) => {
  const user = await createUser(request, { totp: true, backup: true });
  await securityPageWithAuthenticator(page, user);
  await addPasskey(page, "Key");
  const ask = page.getByRole("heading", { name: "Confirm it's you" });
  const listed = page.getByTestId("passkeys").getByText("Key");
  await expect(listed.or(ask)).toBeVisible();
  if (await ask.isVisible()) {
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Confirm" }).click();
  }
  await expect(listed).toBeVisible();
  // Added: the name field is empty again for the next one.
  await expect(page.getByLabel("Passkey name (optional)")).toHaveValue("");

  await open(page, "/");
  await signOut(page);
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expectSignedIn(page, user.email);

  await open(page, "/account/security");

  // The page's island is lazy (before it is live, "Remove" is a plain form).
  await islandLive(page);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Remove passkey Key" }).click();
  await expect(page.getByText("No passkey yet.")).toBeVisible();
});

test("the trusted devices are listed beside the sessions and can be revoked", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);
  await open(page, "/account/sessions");
  await islandLive(page);
  const devices = page.getByTestId("trusted-devices").locator("li");
  await expect(devices).toHaveCount(1);
  await expect(devices.first()).toContainText("this device");
  // The device comes in parts (browser, system), worded by the page.
  await expect(devices.first().locator("strong")).toHaveText("Chrome on Linux");
  await expect(page.getByTestId("sessions").locator("li strong").first()).toHaveText("Chrome on Linux");
  await devices.first().getByRole("button", { name: "Revoke" }).click();
  await expect(devices).toHaveCount(0);
});

test("a passkey is renamed; without JavaScript one is said to need it, renamed, and removed after confirming", async ({ page, request, browser }) => {
  const user = await createUser(request, { totp: true, backup: true });
  await securityPageWithAuthenticator(page, user);
  await addPasskey(page, "Work laptop");
  await expect(page.getByTestId("passkeys")).toContainText("Work laptop");
  await expect(page.getByTestId("passkey-needs-js")).toBeHidden();
  await page.getByRole("button", { name: "Rename passkey Work laptop" }).click();
  await expect(page.getByLabel("New name")).toHaveValue("Work laptop");
  await expectAccessible(page, "security renaming a passkey");
  await page.getByLabel("New name").fill("Laptop");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#change-done")).toHaveText("Passkey renamed.");
  await expect(page.getByTestId("passkeys")).toContainText("Laptop");
  await expect(page.getByLabel("New name")).toBeHidden();

  // The same session in a browser without JavaScript.
  const plain = await browser.newContext({
    baseURL: test.info().project.use.baseURL!.replace("127.0.0.1", "localhost"),
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const bare = await plain.newPage();
  await bare.goto("/account/security");
  await expect(bare.getByTestId("passkey-needs-js")).toBeVisible();
  await expect(bare.getByRole("button", { name: "Add a passkey" })).toBeHidden();
  await bare.getByRole("button", { name: "Rename passkey Laptop" }).click();
  await bare.getByLabel("New name").fill("");
  await bare.getByRole("button", { name: "Save" }).click();
  await expect(bare.locator("#passkey-rename-error")).toHaveText("Enter a name.");
  await expect(bare.getByLabel("New name")).toHaveAttribute("aria-invalid", "true");
  await bare.getByLabel("New name").fill("Home laptop");
  await bare.getByRole("button", { name: "Save" }).click();
  await expect(bare.locator("#change-done")).toHaveText("Passkey renamed.");
  await expect(bare).toHaveURL(/\/account\/security$/);
  await expect(bare.getByTestId("passkeys")).toContainText("Home laptop");
  await bare.getByRole("button", { name: "Remove passkey Home laptop" }).click();
  await expect(bare.getByRole("heading", { name: 'Remove the passkey "Home laptop"?' })).toBeVisible();
  await bare.getByRole("button", { name: "Remove", exact: true }).click();
  await expect(bare.locator("#change-done")).toHaveText("Passkey removed.");
  await expect(bare).toHaveURL(/\/account\/security$/);
  await expect(bare.getByText("No passkey yet.")).toBeVisible();
  await plain.close();
});
