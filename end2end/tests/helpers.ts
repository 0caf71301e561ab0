import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test as base, type APIRequestContext, type Page } from "@playwright/test";

/**
 * Every test fails on a page error, a console error or a console warning
 * (hydration mismatches are warnings), except the browser's own line for an
 * expected 4xx answer (and, with JavaScript off, for the unused wasm).
 */
export const test = base.extend<{ page: Page }>({
  page: async ({ page, javaScriptEnabled }, use) => {
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if ((m.type() === "error" || m.type() === "warning") && !m.text().startsWith("Failed to load resource")) {
        // With JavaScript off the preloaded wasm is never used, and a page
        // kept open a few seconds says so.
        if (!javaScriptEnabled && m.text().includes("preloaded using link preload but not used")) return;
        problems.push(`${m.type()}: ${m.text()}`);
      }
    });
    await use(page);
    expect(problems, "browser console").toEqual([]);
  },
});
export { expect };

export const PASSWORD = "a long enough password";

export type User = {
  email: string;
  phone?: string;
  totp_secret?: string;
  backup_codes: string[];
};

/** Creates a fresh user through the development endpoint. */
export async function createUser(
  request: APIRequestContext,
  opts: { phone?: boolean; totp?: boolean; backup?: boolean; compromised?: boolean },
): Promise<User> {
  const email = `e2e-${randomUUID()}@example.com`;
  // Each user its own number, so parallel tests never read each other's SMS.
  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  const r = await request.post("/dev/users", {
    data: {
      email,
      password: PASSWORD,
      phone: opts.phone ? phone : undefined,
      totp: !!opts.totp,
      backup_codes: !!opts.backup,
      password_compromised: !!opts.compromised,
    },
  });
  expect(r.status()).toBe(201);
  return r.json();
}

/** The newest SMS code sent to `phone` (from the development outbox). */
export async function lastSmsCode(request: APIRequestContext, phone: string): Promise<string> {
  const msgs: { recipient: string; body: string }[] = await (await request.get("/dev/outbox.json")).json();
  const m = msgs.find((m) => m.recipient === phone);
  if (!m) throw new Error("no SMS in the outbox");
  return m.body.split(" ")[0];
}

function base32(s: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of s.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), computed here like an authenticator app. */
export function totp(secret: string, time = Date.now() / 1000): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(time / 30)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, "0");
}

/** How the page shows a phone number: `+1 ••• ••• 0142`. */
export function masked(phone: string): string {
  return `+1 ••• ••• ${phone.slice(-4)}`;
}

/** Waits until the page's islands have hydrated (every page load is a full load). */
export async function hydrated(page: Page) {
  await page.waitForSelector("body[data-hydrated]");
}

/** Opens a page and waits until it has hydrated. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

export async function signInWithPassword(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel("Enter email address").fill(email);
  await page.getByLabel("Enter password").fill(password);
  await page.getByRole("button", { name: "Continue" }).click();
}

export async function expectSignedIn(page: Page, email: string) {
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("signed-in-email")).toHaveText(email);
}

/** The newest code emailed to `email` (from the development outbox). */
export async function lastEmailCode(request: APIRequestContext, email: string): Promise<string> {
  const msgs: { channel: string; recipient: string; body: string }[] = await (await request.get("/dev/outbox.json")).json();
  const m = msgs.find((m) => m.channel === "email" && m.recipient === email);
  if (!m) throw new Error(`no email to ${email} in the outbox`);
  const code = m.body.match(/\b(\d{6})\b/);
  if (!code) throw new Error("no code in the email");
  return code[1];
}

/**
 * The code of the `n`th email to `email`, waiting for it: codes that could
 * tell whether an account exists are emailed after the answer.
 */
export async function nthEmailCode(request: APIRequestContext, email: string, n: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const msgs: { channel: string; recipient: string }[] = await (await request.get("/dev/outbox.json")).json();
    if (msgs.filter((m) => m.channel === "email" && m.recipient === email).length >= n) {
      return lastEmailCode(request, email);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no email #${n} to ${email}`);
}

const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's WCAG 2.2 AA rules on the page as it is now: any violation fails. */
export async function expectAccessible(page: Page, state: string) {
  // A step that ends with `location.assign` shows its new page's DOM before
  // the stylesheet has loaded; axe measuring unstyled targets once failed
  // the home page's target sizes in CI. Measure the page as it is drawn.
  await page.waitForLoadState("load");
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  // Evaluated over DevTools, so the page's CSP does not apply to it.
  await page.evaluate(axeSource);
  const violations: string[] = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<AxeResults> } }).axe;
    const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
    const r = await axe.run(document, { runOnly: { type: "tag", values: tags } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  expect(violations, `axe on ${state}`).toEqual([]);
}
type AxeResults = { violations: { id: string; nodes: { target: string[] }[] }[] };

/** Fails if the page scrolls sideways at its current width (WCAG 1.4.10 reflow). */
export async function expectNoSidewaysScroll(page: Page, state: string) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, `${state}: page width at ${width} px`).toBeLessThanOrEqual(width);
}

/**
 * Waits until the page's lazy island is live: before, its buttons are plain
 * forms that work without JavaScript (and take another path).
 */
export async function islandLive(page: Page) {
  await page.waitForSelector("[data-live]", { state: "attached" });
}
