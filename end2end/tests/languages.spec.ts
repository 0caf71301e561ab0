import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { Page } from "@playwright/test";
import {
  createUser,
  expect,
  expectAccessible,
  expectNoSidewaysScroll,
  hydrated,
  islandLive,
  nthEmailCode,
  open,
  test,
  totp,
} from "./helpers";

const shots = resolve(__dirname, "../../docs/screenshots");

/** What each language's pages say (from `crates/words/locales`). */
const words = {
  fr: {
    dir: "ltr",
    signIn: "Connexion à Acme",
    email: "Adresse e-mail",
    password: "Mot de passe",
    next: "Continuer",
    wrongPassword: "Adresse e-mail ou mot de passe incorrect.",
    verifyTitle: "Vérifiez votre compte",
    verify: "Vérifier",
    welcome: "Bienvenue",
    signUp: "Créez votre compte",
    signUpEmail: "Adresse e-mail",
    tooShort: "Le mot de passe doit compter au moins 8 caractères.",
    checkEmail: "Consultez vos e-mails",
    mail: "Votre code de vérification Acme est",
    wrongCode: "Code incorrect.",
    setupTitle: "Activer la vérification en deux étapes",
    reset: "Réinitialiser votre mot de passe",
    sendCode: "Envoyer le code",
    security: "Paramètres de sécurité",
    sessions: "Sessions actives",
    thisDevice: "cet appareil",
  },
  de: {
    dir: "ltr",
    signIn: "Bei Acme anmelden",
    email: "E-Mail-Adresse eingeben",
    password: "Passwort eingeben",
    next: "Weiter",
    wrongPassword: "E-Mail-Adresse oder Passwort ist falsch.",
    verifyTitle: "Bestätigen Sie Ihr Konto",
    verify: "Bestätigen",
    welcome: "Willkommen",
    signUp: "Konto erstellen",
    signUpEmail: "E-Mail-Adresse",
    tooShort: "Passwörter müssen mindestens 8 Zeichen lang sein.",
    checkEmail: "Prüfen Sie Ihre E-Mails",
    mail: "Ihr Bestätigungscode für Acme lautet",
    wrongCode: "Falscher Code.",
    setupTitle: "Bestätigung in zwei Schritten einrichten",
    reset: "Passwort zurücksetzen",
    sendCode: "Code senden",
    security: "Sicherheitseinstellungen",
    sessions: "Aktive Sitzungen",
    thisDevice: "dieses Gerät",
  },
  ar: {
    dir: "rtl",
    signIn: "تسجيل الدخول إلى Acme",
    email: "أدخل البريد الإلكتروني",
    password: "أدخل كلمة المرور",
    next: "متابعة",
    wrongPassword: "عنوان البريد الإلكتروني أو كلمة المرور غير صحيحة.",
    verifyTitle: "تحقّق من حسابك",
    verify: "تحقّق",
    welcome: "مرحبًا",
    signUp: "أنشئ حسابك",
    signUpEmail: "البريد الإلكتروني",
    tooShort: "يجب أن تتكون كلمة المرور من 8 أحرف على الأقل.",
    checkEmail: "تفقّد بريدك الإلكتروني",
    mail: "رمز التحقق الخاص بك في Acme هو",
    wrongCode: "الرمز غير صحيح.",
    setupTitle: "إعداد التحقق بخطوتين",
    reset: "إعادة تعيين كلمة المرور",
    sendCode: "إرسال الرمز",
    security: "إعدادات الأمان",
    sessions: "الجلسات النشطة",
    thisDevice: "هذا الجهاز",
  },
} as const;

/** The page's language and direction, on `<html>`. */
async function expectLanguage(page: Page, lang: string, dir: string) {
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  await expect(page.locator("html")).toHaveAttribute("dir", dir);
}

/** The newest email to `email`, its whole body, waiting for it. */
async function lastEmail(request: import("@playwright/test").APIRequestContext, email: string): Promise<string> {
  await nthEmailCode(request, email, 1);
  const msgs: { channel: string; recipient: string; body: string }[] = await (await request.get("/dev/outbox.json")).json();
  return msgs.find((m) => m.channel === "email" && m.recipient === email)!.body;
}

for (const [lang, w] of Object.entries(words)) {
  test.describe(`in ${lang}`, () => {
    // The browser asks for it: `Accept-Language` and `navigator.language`.
    test.use({ locale: lang });

    test("sign in: the page, an error and the second factor in the browser's language", async ({ page, request }) => {
      const user = await createUser(request, { totp: true });
      const res = await page.goto("/sign-in");
      expect(res!.headers()["content-language"]).toBe(lang);
      expect(res!.headers()["vary"]).toContain("Accept-Language");
      await hydrated(page);
      await expectLanguage(page, lang, w.dir);
      await expect(page.getByRole("heading", { name: w.signIn })).toBeVisible();
      await expect(page).toHaveTitle(w.signIn);
      await page.getByLabel(w.email, { exact: true }).fill(user.email);
      await page.getByLabel(w.password, { exact: true }).fill("not the password");
      await page.getByRole("button", { name: w.next }).click();
      // From the server, in the page's language.
      await expect(page.locator("#password-error")).toContainText(w.wrongPassword);
      await expectAccessible(page, `sign-in error (${lang})`);
      if (lang !== "de") await page.screenshot({ path: `${shots}/sign-in-${lang}.png` });

      // The layout mirrors: a label starts where its field starts.
      const label = await page.getByText(w.email, { exact: true }).boundingBox();
      const field = await page.getByLabel(w.email, { exact: true }).boundingBox();
      if (w.dir === "rtl") expect(Math.abs(label!.x + label!.width - (field!.x + field!.width))).toBeLessThan(2);
      else expect(Math.abs(label!.x - field!.x)).toBeLessThan(2);

      await page.getByLabel(w.password, { exact: true }).fill("a long enough password");
      await page.getByRole("button", { name: w.next }).click();
      await expect(page.getByRole("heading", { name: w.verifyTitle })).toBeVisible();
      await page.getByLabel(/^(Code|الرمز)$/).fill("000000");
      await page.getByRole("button", { name: w.verify, exact: true }).click();
      await expect(page.locator("#code-error")).toContainText(w.wrongCode);
      await page.getByLabel(/^(Code|الرمز)$/).fill(totp(user.totp_secret!));
      await page.getByRole("button", { name: w.verify, exact: true }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByRole("heading", { name: w.welcome })).toBeVisible();
      await expectLanguage(page, lang, w.dir);

      // The account's pages; the session just made is "this device", and
      // its times are the browser's, in this language.
      await open(page, "/account/sessions");
      await expect(page.getByRole("heading", { name: w.sessions, level: 1 })).toBeVisible();
      await islandLive(page);
      await expect(page.getByTestId("sessions").locator("li[data-current=true]")).toContainText(w.thisDevice);
      await open(page, "/account/security");
      await expect(page.getByRole("heading", { name: w.security, level: 1 })).toBeVisible();
      await expectAccessible(page, `security (${lang})`);
      if (lang === "de") {
        // German is long: nothing scrolls sideways on a small phone.
        await page.setViewportSize({ width: 320, height: 640 });
        await expectNoSidewaysScroll(page, "security at 320 px (de)");
      }
    });

    test("sign up: an error, the emailed code and the next page in the browser's language", async ({ page, request }) => {
      const email = `lang-${lang}-${randomUUID()}@example.com`;
      await open(page, "/sign-up");
      await expectLanguage(page, lang, w.dir);
      await expect(page.getByRole("heading", { name: w.signUp })).toBeVisible();
      if (lang === "de") {
        await page.setViewportSize({ width: 320, height: 640 });
        await expectNoSidewaysScroll(page, "sign-up at 320 px (de)");
      }
      await page.getByLabel(w.signUpEmail, { exact: true }).fill(email);
      await page.locator("#password").fill("short");
      await page.getByRole("button", { name: w.next }).click();
      await expect(page.locator("#password-error")).toHaveText(w.tooShort);
      await page.locator("#password").fill("a brand new passphrase");
      await page.getByRole("button", { name: w.next }).click();
      await expect(page.getByRole("heading", { name: w.checkEmail })).toBeVisible();
      // The code is emailed in the language of the browser that asked.
      expect(await lastEmail(request, email)).toContain(w.mail);
      await expectAccessible(page, `sign-up code (${lang})`);
      await page.getByLabel(/^(Code|الرمز)$/).fill(await nthEmailCode(request, email, 1));
      await page.getByRole("button", { name: w.verify, exact: true }).click();
      await expect(page).toHaveURL(/\/tasks\/setup-mfa$/);
      await expect(page.getByRole("heading", { name: w.setupTitle, level: 1 })).toBeVisible();
      await expectLanguage(page, lang, w.dir);
    });

    test("recovery: the reset page and its emailed code in the browser's language", async ({ page, request }) => {
      const user = await createUser(request, {});
      await page.goto("/sign-in/forgot-password");
      await expectLanguage(page, lang, w.dir);
      await expect(page.getByRole("heading", { name: w.reset })).toBeVisible();
      await page.locator("#email").fill(user.email);
      await page.getByRole("button", { name: w.sendCode }).click();
      await expect(page.getByRole("heading", { name: w.reset })).toBeVisible();
      expect(await lastEmail(request, user.email)).toContain(w.mail);
      await expectAccessible(page, `reset code (${lang})`);
    });
  });
}

test.describe("times", () => {
  // French in Paris: the browser words the moments, in its zone.
  test.use({ locale: "fr", timezoneId: "Europe/Paris" });

  test("the sessions page says when in the visitor's zone, relative to now", async ({ page, request }) => {
    const user = await createUser(request, { totp: true });
    await open(page, "/sign-in");
    await page.getByLabel(words.fr.email, { exact: true }).fill(user.email);
    await page.getByLabel(words.fr.password, { exact: true }).fill("a long enough password");
    await page.getByRole("button", { name: words.fr.next }).click();
    await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!));
    await page.getByRole("button", { name: words.fr.verify, exact: true }).click();
    await expect(page).toHaveURL(/\/$/);
    const signedIn = Date.now();

    await open(page, "/account/sessions");
    await islandLive(page);
    const current = page.getByTestId("sessions").locator("li[data-current=true]");
    await expect(current).toContainText("connexion à l'instant");

    // Two hours on (the browser's clock only): today (yesterday, just
    // after midnight), at its Paris time.
    await page.clock.setFixedTime(signedIn + 2 * 3600_000);
    await open(page, "/account/sessions");
    await islandLive(page);
    const at = (t: number) =>
      new Date(t).toLocaleTimeString("fr", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris" });
    const said = (await current.locator("p").textContent())!;
    expect(said).toMatch(/connexion (aujourd’hui|hier) à \d\d:\d\d/);
    expect([at(signedIn - 60_000), at(signedIn)].some((t) => said.includes(` à ${t}`)), said).toBe(true);
  });
});

for (const js of [true, false]) {
  test.describe(`the language menu ${js ? "with" : "without"} JavaScript`, () => {
    test.use({ locale: "en-US", javaScriptEnabled: js });

    test("chooses the pages' language over the browser's, and keeps it", async ({ page }) => {
      await page.goto("/sign-in");
      if (js) await hydrated(page);
      await expect(page.getByRole("heading", { name: "Sign in to Acme" })).toBeVisible();
      await page.getByLabel("Language").selectOption("ar");
      await page.getByRole("button", { name: "Change" }).click();
      await expect(page).toHaveURL(/\/sign-in\??$/);
      await expectLanguage(page, "ar", "rtl");
      await expect(page.getByRole("heading", { name: words.ar.signIn })).toBeVisible();
      await expect(page.getByLabel("اللغة")).toHaveValue("ar");
      // Kept: the next page is in it too.
      await page.goto("/sign-up");
      await expectLanguage(page, "ar", "rtl");
      await expect(page.getByRole("heading", { name: words.ar.signUp })).toBeVisible();
      if (js) await expectAccessible(page, "sign-up in Arabic, chosen in the menu");
      await page.getByLabel("اللغة").selectOption("de");
      await page.getByRole("button", { name: "تغيير" }).click();
      await expect(page.getByRole("heading", { name: words.de.signUp })).toBeVisible();
      await expectLanguage(page, "de", "ltr");
    });
  });
}
