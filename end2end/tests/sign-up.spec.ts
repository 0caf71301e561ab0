import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { createUser, expect, expectSignedIn, lastEmailCode, open, PASSWORD, signInWithPassword, test } from "./helpers";

const shots = resolve(__dirname, "../../docs/screenshots");

test("sign-up: email and password, then the emailed code, then signed in", async ({ page, request }) => {
  const email = `signup-${randomUUID()}@example.com`;
  await open(page, "/sign-up");
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();

  // The policy says why a password is refused, under the field.
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("password123");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator("#password-error")).toContainText("common or breached");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator("#password-error")).toContainText("8 characters or more");

  await page.getByLabel("Password", { exact: true }).fill("a brand new passphrase");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await page.screenshot({ path: `${shots}/sign-up-code.png` });

  await page.getByLabel("Code", { exact: true }).fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.locator("#code-error")).toHaveText("Incorrect code.");

  await page.getByLabel("Code", { exact: true }).fill(await lastEmailCode(request, email));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, email);
});

test("client trust: a new browser proves itself by email once", async ({ page, request, browser }) => {
  const user = await createUser(request, {});
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await expect(page.getByRole("heading", { name: "Verify this device" })).toBeVisible();
  const [local, domain] = user.email.split("@");
  await expect(page.getByText(`${local[0]}•••@${domain}`)).toBeVisible();
  await page.screenshot({ path: `${shots}/client-trust.png` });
  await page.getByLabel("Code", { exact: true }).fill(await lastEmailCode(request, user.email));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, user.email);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  // The same browser next time: the password is enough.
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await expectSignedIn(page, user.email);

  // Another browser (a new device) must prove itself again.
  const other = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const second = await other.newPage();
  await open(second, "/sign-in");
  await signInWithPassword(second, user.email, PASSWORD);
  await expect(second.getByRole("heading", { name: "Verify this device" })).toBeVisible();
  await other.close();
});
