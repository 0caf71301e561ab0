import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { Page } from "@playwright/test";
import { createUser, expect, open, signInWithPassword, test, totp, type User } from "./helpers";

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:3000";

async function secondFactor(page: Page, user: User) {
  await expect(page.getByRole("heading", { name: "Verify your account" })).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(totp(user.totp_secret!));
  await page.getByRole("button", { name: "Verify" }).click();
}

test("a session token verifies with jose, a library nobody here wrote", async ({ page, request }) => {
  const user = await createUser(request, { totp: true });
  await open(page, "/sign-in");
  await signInWithPassword(page, user.email);
  await secondFactor(page, user);
  await expect(page.getByTestId("signed-in-email")).toHaveText(user.email);

  // What the page's own JavaScript (or the hook's `get_token()`) would fetch.
  const r = await page.request.post("/api/session/token", { headers: { accept: "application/json" } });
  expect(r.status()).toBe(200);
  const { object, jwt } = await r.json();
  expect(object).toBe("token");
  const cookie = (await page.context().cookies()).find((c) => c.name === "__session");
  expect(cookie?.value).toBe(jwt);
  expect(cookie?.httpOnly).toBe(true);

  const conf = await (await request.get("/.well-known/openid-configuration")).json();
  expect(conf.issuer).toBe(BASE);
  const jwks = createRemoteJWKSet(new URL(conf.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(jwt, jwks, { issuer: BASE, algorithms: ["RS256"] });
  expect(protectedHeader.alg).toBe("RS256");
  expect(payload.sub).toMatch(/^user_[a-z0-9]{26}$/);
  expect(payload.sts).toBe("active");
  expect(payload.fva).toEqual([0, 0]);
  expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
  const session = await (await page.request.post("/api/session", { headers: { accept: "application/json" } })).json();
  expect([payload.sub, payload.sid]).toEqual([session.user_id, session.id]);

  // jose refuses a changed payload and another issuer.
  const [h, , s] = jwt.split(".");
  const forged = Buffer.from(JSON.stringify({ ...payload, sub: "user_someoneelse" })).toString("base64url");
  await expect(jwtVerify(`${h}.${forged}.${s}`, jwks, { issuer: BASE })).rejects.toThrow(/signature/);
  await expect(jwtVerify(jwt, jwks, { issuer: "https://evil.example" })).rejects.toThrow(/iss/);

  // Signed out: no token.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  const out = await page.request.post("/api/session/token", { headers: { accept: "application/json" } });
  expect(out.status()).toBe(401);
});

/** A free loopback port. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/** nginx in front of a static page, asking this server (`auth_request`) who is signed in. */
function nginxConf(dir: string, port: number, upstream: string): string {
  const asRoot = process.getuid?.() === 0 ? "user root root;" : "";
  return `${asRoot}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    # Asked before every request for /app/.
    location = /_auth {
      internal;
      proxy_pass ${upstream}/v1/forward_auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
    }
    location /app/ {
      auth_request /_auth;
      auth_request_set $auth_email $upstream_http_x_auth_email;
      auth_request_set $auth_redirect $upstream_http_x_auth_redirect;
      error_page 401 = @sign_in;
      add_header X-Auth-Email $auth_email always;
      alias ${dir}/static/;
    }
    location @sign_in {
      return 302 $auth_redirect;
    }
    # The sign-in pages, on the same host.
    location / {
      proxy_pass ${upstream};
      proxy_set_header Host $http_host;
    }
  }
}
`;
}

test.describe("behind nginx", () => {
  let nginx: ChildProcess | undefined;
  let dir = "";
  let port = 0;

  test.beforeAll(async () => {
    const bin = ["/usr/sbin/nginx", "/usr/bin/nginx"].find(existsSync);
    if (!bin) throw new Error("nginx is not installed (scripts/setup.sh installs Debian's nginx-light)");
    dir = mkdtempSync(join(tmpdir(), "mfa-nginx-"));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, "tmp"));
    mkdirSync(join(dir, "static"));
    writeFileSync(join(dir, "static", "index.html"), "<!DOCTYPE html><title>App</title><h1>The protected app</h1>\n");
    port = await freePort();
    writeFileSync(join(dir, "nginx.conf"), nginxConf(dir, port, BASE));
    nginx = spawn(bin, ["-p", dir, "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")], { stdio: "inherit" });
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/healthz`);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error("nginx did not start");
  });

  test.afterAll(async () => {
    nginx?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("forward auth: a signed-out visit signs in and comes back to the page", async ({ page, request }) => {
    const app = `http://127.0.0.1:${port}/app/`;
    const anonymous = await fetch(app, { redirect: "manual" });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toBe(
      `http://127.0.0.1:${port}/sign-in?redirect_url=${encodeURIComponent(app)}`,
    );

    const user = await createUser(request, { totp: true });
    await page.goto(app);
    await expect(page).toHaveURL(/\/sign-in\?redirect_url=/);
    await page.waitForSelector("body[data-hydrated]");
    await signInWithPassword(page, user.email);
    const answer = page.waitForResponse((r) => r.url() === app && r.status() === 200);
    await secondFactor(page, user);
    await expect(page).toHaveURL(app);
    await expect(page.getByRole("heading", { name: "The protected app" })).toBeVisible();
    expect((await answer).headers()["x-auth-email"]).toBe(user.email);

    // Signed out (on the sign-in server): the page is closed again.
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto(app);
    await expect(page).toHaveURL(/\/sign-in\?redirect_url=/);
  });
});
