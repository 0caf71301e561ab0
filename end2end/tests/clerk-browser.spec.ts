// Clerk's own browser bundle (`@clerk/clerk-js`, unchanged) on an app's page
// at another origin, pointed at this server with `proxyUrl`, as a Next.js or
// plain web app would load it: `<script data-clerk-publishable-key
// data-clerk-proxy-url>`. It signs in with the password and the
// authenticator app, sets the session active, reads the user, gets a
// session token and signs out, over cookies and CORS (the app's origin is in
// `allowed_origins`: scripts/test.sh). The app's page and the bundle are
// served from that origin by a small server here; nothing of Clerk's is
// changed.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join, normalize } from "node:path";
import { test, expect } from "@playwright/test";
import { createUser, PASSWORD, totp } from "./helpers";

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const APP = process.env.APP_ORIGIN ?? "http://127.0.0.1:3201";
const DIST = join(__dirname, "..", "node_modules", "@clerk", "clerk-js", "dist");
// A live key keeps the client in cookies. A development key of Clerk's own
// kind (its host under clerk.accounts.dev), as a team moving from Clerk has
// one, first asks for a "dev browser" and sends it in every URL instead
// (this server, in development, keeps that client's state as a native
// one's).
const KEYS = {
  live: "pk_live_" + Buffer.from("clerk.app.example.com$").toString("base64"),
  development: "pk_test_" + Buffer.from("gentle-fox-12.clerk.accounts.dev$").toString("base64"),
};

/// The app: its page, which loads Clerk's bundle, and the bundle's files.
function app(): Server {
  const page = (key: string) => `<!doctype html><html lang="en"><head><title>An app</title></head><body><main>An app</main>
<script src="/clerk/clerk.browser.js" data-clerk-publishable-key="${key}" data-clerk-proxy-url="${BASE}/"></script>
</body></html>`;
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", APP);
    const path = url.pathname;
    if (path === "/") {
      const key = KEYS[url.searchParams.get("key") as keyof typeof KEYS] ?? KEYS.live;
      res.writeHead(200, { "content-type": "text/html" }).end(page(key));
      return;
    }
    const file = normalize(join(DIST, path.replace(/^\/clerk\//, "")));
    try {
      if (!path.startsWith("/clerk/") || !file.startsWith(DIST)) throw new Error("not ours");
      res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
}

let server: Server;
test.beforeAll(async () => {
  server = app();
  const { hostname, port } = new URL(APP);
  await new Promise<void>((ok) => server.listen(Number(port), hostname, ok));
});
test.afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

for (const key of Object.keys(KEYS)) {
test(`Clerk's browser bundle on another origin signs in with MFA and out (a ${key} key)`, async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${APP}/?key=${key}`);
  await page.waitForFunction(() => "Clerk" in window);

  const result = await page.evaluate(
    async ({ email, password }) => {
      const clerk = (window as any).Clerk;
      await clerk.load();
      const signIn = await clerk.client.signIn.create({ identifier: email, password });
      return { status: signIn.status, loaded: clerk.loaded };
    },
    { email: user.email, password: PASSWORD },
  );
  expect(result).toEqual({ status: "needs_second_factor", loaded: true });

  const done = await page.evaluate(async (code) => {
    const clerk = (window as any).Clerk;
    const signIn = await clerk.client.signIn.attemptSecondFactor({ strategy: "totp", code });
    await clerk.setActive({ session: signIn.createdSessionId });
    const token = await clerk.session.getToken();
    return {
      status: signIn.status,
      session: clerk.session?.status,
      userId: clerk.user?.id,
      email: clerk.user?.primaryEmailAddress?.emailAddress,
      token,
    };
  }, totp(user.totp_secret!));
  expect(done.status).toBe("complete");
  expect(done.session).toBe("active");
  expect(done.userId).toMatch(/^user_/);
  expect(done.email).toBe(user.email);
  // The token names the app's page as the party it was issued to.
  const claims = JSON.parse(Buffer.from(done.token.split(".")[1], "base64url").toString());
  expect([claims.sub, claims.azp]).toEqual([done.userId, APP]);

  // A reload of the app's page: the cookies keep it signed in.
  await page.reload();
  await page.waitForFunction(() => "Clerk" in window);
  const again = await page.evaluate(async () => {
    const clerk = (window as any).Clerk;
    await clerk.load();
    return clerk.user?.primaryEmailAddress?.emailAddress;
  });
  expect(again).toBe(user.email);

  // Signing out sends the page on (with a development key, a navigation):
  // the next load of the app's page is signed out.
  const left = page.waitForURL(/signed_out=1/, { timeout: 10_000 }).catch(() => null);
  await page
    .evaluate(async (to) => {
      const clerk = (window as any).Clerk;
      await clerk.signOut({ redirectUrl: to });
    }, `${APP}/?key=${key}&signed_out=1`)
    // The navigation may end the page before its promise does.
    .catch((e: Error) => expect(e.message).toMatch(/context was destroyed|navigat/i));
  await left;
  await page.goto(`${APP}/?key=${key}`);
  await page.waitForFunction(() => "Clerk" in window);
  const out = await page.evaluate(async () => {
    const clerk = (window as any).Clerk;
    await clerk.load();
    return { session: clerk.session ?? null, user: clerk.user ?? null };
  });
  expect(out).toEqual({ session: null, user: null });
  expect(errors).toEqual([]);
});
}
