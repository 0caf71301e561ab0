// A better-auth database filled by better-auth itself (its sign-up, its
// password hashing, its two-factor enrolment), printed as JSON: the tables
// `mfa-signin import better-auth` reads, and what each user was shown at
// enrolment (the otpauth URI, the backup codes). Test input only.
//   node better-auth-dump.mjs '[{"email":…,"password":…,"twoFactor":true,"verified":true}]'
// BETTER_AUTH_SECRET: the secret its two-factor secrets are sealed with.
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { twoFactor } from "better-auth/plugins/two-factor";

const db = { user: [], account: [], session: [], verification: [], twoFactor: [] };
const auth = betterAuth({
  database: memoryAdapter(db),
  secret: process.env.BETTER_AUTH_SECRET,
  baseURL: "http://127.0.0.1:3300",
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  logger: { disabled: true },
  plugins: [twoFactor({ skipVerificationOnEnable: true })],
});
const shown = {};
for (const u of JSON.parse(process.argv[2])) {
  const r = await auth.api.signUpEmail({
    body: { email: u.email, password: u.password, name: u.name ?? "Someone" },
    returnHeaders: true,
  });
  const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  if (u.twoFactor) {
    const t = await auth.api.enableTwoFactor({ body: { password: u.password }, headers: new Headers({ cookie }) });
    shown[u.email] = { totpURI: t.totpURI, backupCodes: t.backupCodes };
  }
  if (u.verified) {
    db.user.find((row) => row.email === u.email.toLowerCase()).emailVerified = true;
  }
}
const { session, verification, ...tables } = db;
console.log(JSON.stringify({ tables, shown }));
