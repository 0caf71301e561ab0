// What every Clerk SDK test here shares: the instance an Expo app makes,
// and the server's development helpers (users, the outbox, TOTP codes).
//
// The instance is made exactly as `@clerk/expo` 4.6 makes it in an app: its
// own instance factory (`getClerkInstance`) with a token cache and
// `proxyUrl`, over the React Native bundle of `@clerk/clerk-js` (node runs
// with `--conditions=react-native`), loaded as its `ClerkProvider` loads it
// (`standardBrowser: false`, the headless runtime). Node only has to look
// like React Native: a `react-native` module with `Platform.OS`, a
// `navigator` and `window`. Nothing of Clerk's is patched.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const crypto = require('node:crypto');

const BASE = process.env.MFA_BASE;
if (!BASE) throw new Error('MFA_BASE is not set: run these through the server tests (server/tests/suite/clerk_sdks.rs)');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'react-native') return path.join(__dirname, 'react-native.cjs');
  return resolve.call(this, request, ...rest);
};
globalThis.navigator ??= { product: 'ReactNative', userAgent: 'clerk-expo-test' };
// React Native's global object is also `window` (with no `location`).
globalThis.window ??= globalThis;
// On iOS, React Native's `fetch` goes through NSURLSession, whose requests
// carry CFNetwork's user agent (the app's name and build, then the
// system's); node's would say `node`.
const IOS_AGENT = 'ExpoApp/1 CFNetwork/1568.100.1 Darwin/24.0.0';
const nodeFetch = globalThis.fetch;
globalThis.fetch = (input, init = {}) => {
  const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
  if (!headers.has('user-agent')) headers.set('user-agent', IOS_AGENT);
  return nodeFetch(input, { ...init, headers });
};

/// A publishable key names Clerk's host for the instance; with `proxyUrl`
/// every call goes to the proxy instead, so any host will do. Each app gets
/// its own: the factory then makes a fresh instance (and clears the token).
let apps = 0;
const publishableKey = () => 'pk_test_' + Buffer.from(`app${++apps}.clerk.example.com$`).toString('base64');

/// A freshly installed app's instance, loaded: what `useClerk()` gives it.
async function expoClerk() {
  const expo = path.dirname(require.resolve('@clerk/expo/package.json'));
  const { getClerkInstance } = require(path.join(expo, 'dist/provider/singleton/singleton.js'));
  const store = new Map();
  const tokenCache = {
    getToken: async (key) => store.get(key) ?? null,
    saveToken: async (key, value) => void store.set(key, value),
    clearToken: async (key) => void store.delete(key),
  };
  const clerk = getClerkInstance({ publishableKey: publishableKey(), proxyUrl: `${BASE}/`, tokenCache });
  await clerk.load({ standardBrowser: false, telemetry: false, experimental: { runtimeEnvironment: 'headless' } });
  return { clerk, tokenCache: store };
}

/// `useSignIn()` of the seed: `{ signIn, errors, fetchStatus }`.
const useSignIn = (clerk) => clerk.__internal_state.signInSignal();
const useSignUp = (clerk) => clerk.__internal_state.signUpSignal();

let n = 0;
/// A user made by the development server: `{ email, totp_secret, backup_codes, … }`.
async function devUser({ phone = false, totp = false, backupCodes = false } = {}) {
  const email = `clerk-${process.pid}-${++n}@example.com`;
  const spec = { email, password: PASSWORD, totp, backup_codes: backupCodes };
  if (phone) spec.phone = '+15555550123';
  const r = await fetch(`${BASE}/dev/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (r.status !== 201) throw new Error(`dev user: ${r.status} ${await r.text()}`);
  return r.json();
}
const PASSWORD = 'correct horse battery staple';

/// The newest message to `to` that `pick` finds a code in, waited for (mail
/// goes out after the answer).
async function codeTo(to, after = 0) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const msgs = await (await fetch(`${BASE}/dev/outbox.json`)).json();
    const mine = msgs.filter((m) => m.recipient === to);
    if (mine.length > after) {
      const code = /\b(\d{6})\b/.exec(mine[0].body);
      if (code) return code[1];
    }
    if (Date.now() > deadline) throw new Error(`no code #${after + 1} to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function sent(to) {
  const msgs = await (await fetch(`${BASE}/dev/outbox.json`)).json();
  return msgs.filter((m) => m.recipient === to).length;
}

/// RFC 6238 (SHA-1, 6 digits, 30 s) for a base32 secret.
function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = crypto.createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

module.exports = { BASE, PASSWORD, expoClerk, useSignIn, useSignUp, devUser, codeTo, sent, totp };
