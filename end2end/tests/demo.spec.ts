import { readFileSync } from "node:fs";
import { expect, expectSignedIn, hydrated, lastSmsCode, open, signInWithPassword, test, totp } from "./helpers";

// scripts/test.sh creates the demo user (as scripts/run.sh does) and passes it here.
const file = process.env.DEMO_JSON;
const demo = file
  ? (JSON.parse(readFileSync(file, "utf8")) as {
      email: string;
      password: string;
      phone: string;
      totp_secret: string;
      backup_codes: string[];
    })
  : undefined;

test("the demo user signs in with each of the three second factors", async ({ page, request }) => {
  test.skip(!demo, "needs DEMO_JSON (run through scripts/test.sh)");
  const d = demo!;
  const signOut = async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    // Signing out loads the page anew: the next steps need its island live.
    await hydrated(page);
  };

  // Authenticator app (the default).
  await open(page, "/sign-in");
  await signInWithPassword(page, d.email, d.password);
  await expect(page.getByRole("radio", { name: "Authenticator app" })).toBeChecked();
  await page.getByLabel("Code", { exact: true }).fill(totp(d.totp_secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, d.email);
  await signOut();

  // SMS code.
  await signInWithPassword(page, d.email, d.password);
  await page.getByRole("radio", { name: "Text message" }).check();
  await page.getByRole("button", { name: "Send code by text message" }).click();
  await expect(page.getByText("Enter the code we sent to +1 ••• ••• 0100.")).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(await lastSmsCode(request, d.phone));
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, d.email);
  await signOut();

  // Backup code.
  await signInWithPassword(page, d.email, d.password);
  await page.getByRole("radio", { name: "Backup code" }).check();
  await page.getByRole("textbox", { name: "Backup code" }).fill(d.backup_codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expectSignedIn(page, d.email);
});
