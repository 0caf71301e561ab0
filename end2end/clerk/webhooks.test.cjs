// An app's backend hears of changes as it does from Clerk: a receiver
// started here, its endpoint made over the Backend API with the CLI's
// secret key (MFA_API_KEY), verifies every delivery with @clerk/backend's
// `verifyWebhook` and with the `standardwebhooks` library, unchanged. The
// changes are made as an app makes them: @clerk/expo's own instance signs
// in, adds and removes the authenticator app and signs out; @clerk/backend
// changes, locks, revokes and deletes.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { createClerkClient } = require('@clerk/backend');
const { verifyWebhook } = require('@clerk/backend/webhooks');
const { Webhook } = require('standardwebhooks');
const { BASE, PASSWORD, expoClerk, devUser, totp } = require('./kit.cjs');

const { MFA_API_KEY: secretKey } = process.env;
const apiUrl = `${BASE}/backend`;

/// A receiver on a port of its own: every request's headers and body.
function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/clerk`, got, server })),
  );
}

async function backend(path, init = {}) {
  const headers = { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' };
  const r = await fetch(`${apiUrl}/v1${path}`, { ...init, headers });
  return { status: r.status, body: await r.json() };
}

/// Waits (with a deadline) until `ok()` holds: deliveries come after the answers.
async function until(ok, what) {
  const deadline = Date.now() + 30_000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`waited 30 s for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('every event an app hears, each verified by verifyWebhook and by standardwebhooks', async () => {
  const hook = await receiver();
  const made = await backend('/webhooks/endpoints', { method: 'POST', body: JSON.stringify({ url: hook.url }) });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const { id: endpoint, secret } = made.body;
  assert.match(endpoint, /^ep_/);
  assert.match(secret, /^whsec_/);
  assert.deepEqual(made.body.events, ['*']);
  const listed = await backend('/webhooks/endpoints');
  assert.deepEqual(listed.body.data.map((e) => e.id), [endpoint]);
  assert.ok(!JSON.stringify(listed.body).includes('whsec_'), 'the secret is shown once');
  const bad = await backend('/webhooks/endpoints', { method: 'POST', body: JSON.stringify({ url: hook.url, events: ['user.exploded'] }) });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].code, 'webhook_invalid');

  const clerkBackend = createClerkClient({ secretKey, apiUrl });
  const user = await devUser();
  const { clerk } = await expoClerk();
  const signIn = await clerk.client.signIn.create({ identifier: user.email, password: PASSWORD });
  assert.equal(signIn.status, 'complete');
  await clerk.setActive({ session: signIn.createdSessionId });
  const userId = clerk.user.id;
  const first = clerk.session.id;
  const setup = await clerk.user.createTOTP();
  await clerk.user.verifyTOTP({ code: totp(setup.secret) });
  await clerk.user.disableTOTP();
  await clerk.signOut();
  await clerkBackend.users.updateUserMetadata(userId, { publicMetadata: { plan: 'pro' } });
  await clerkBackend.users.lockUser(userId);
  await clerkBackend.users.unlockUser(userId);
  const again = await fetch(`${BASE}/v1/client/sign_ins`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: user.email, password: PASSWORD }),
  });
  const second = (await again.json()).created_session_id;
  await clerkBackend.sessions.revokeSession(second);
  await clerkBackend.users.updateUser(userId, { password: 'another long enough passphrase' });
  await clerkBackend.users.deleteUser(userId);

  const types = [
    'user.created',
    'session.created',
    'factor.added',
    'factor.removed',
    'session.ended',
    'user.updated',
    'user.locked',
    'session.created',
    'session.revoked',
    'password.changed',
    'user.deleted',
  ];
  await until(() => hook.got.length >= types.length, `${types.length} deliveries (got ${hook.got.length})`);
  const events = [];
  for (const g of hook.got) {
    // Clerk's own verifier reads svix-*; the library reads webhook-*.
    const request = new Request(hook.url, { method: 'POST', headers: g.headers, body: g.body });
    const byClerk = await verifyWebhook(request, { signingSecret: secret });
    const byLibrary = new Webhook(secret).verify(g.body, g.headers);
    assert.deepEqual(byLibrary.data, byClerk.data);
    assert.equal(g.headers['webhook-id'], g.headers['svix-id']);
    events.push(byClerk);
  }
  // In the order the changes were made (one worker sends them as queued).
  assert.deepEqual(events.map((e) => e.type), types);
  const owner = (e) => (e.data.object === 'user' ? e.data.id : e.data.user_id);
  assert.ok(events.every((e) => owner(e) === userId), JSON.stringify(events));
  const created = events[0].data;
  assert.equal(created.email_addresses[0].email_address, user.email);
  assert.equal(created.object, 'user');
  // Each event tells of the user as that change left them, though all of
  // it happened before the first delivery went out and the user is gone.
  assert.deepEqual(created.public_metadata, {});
  assert.deepEqual(events[5].data.public_metadata, { plan: 'pro' }, 'user.updated carries the change');
  assert.equal(events[5].data.locked, false);
  assert.equal(events[6].data.locked, true, 'user.locked: locked, though unlocked since');
  assert.deepEqual([events[1].data.id, events[4].data.id], [first, first]);
  assert.deepEqual([events[7].data.id, events[8].data.id], [second, second]);
  assert.equal(events[8].data.status, 'revoked');
  assert.deepEqual([events[2].data.strategy, events[3].data.strategy], ['totp', 'totp']);
  assert.deepEqual(events[10].data, { object: 'user', id: userId, deleted: true });
  assert.ok(events.every((e) => e.timestamp > Date.UTC(2025, 0, 1)), 'milliseconds');

  // A delivery changed in transit, or signed with another secret, is refused by both.
  const g = hook.got[0];
  const forged = g.body.replace(user.email, 'mallory@example.com');
  await assert.rejects(verifyWebhook(new Request(hook.url, { method: 'POST', headers: g.headers, body: forged }), { signingSecret: secret }));
  assert.throws(() => new Webhook(secret).verify(forged, g.headers));
  const other = (await backend('/webhooks/endpoints', { method: 'POST', body: JSON.stringify({ url: hook.url, events: ['user.deleted'] }) })).body;
  assert.throws(() => new Webhook(other.secret).verify(g.body, g.headers));

  const gone = await backend(`/webhooks/endpoints/${endpoint}`, { method: 'DELETE' });
  assert.deepEqual(gone.body, { object: 'webhook_endpoint', id: endpoint, deleted: true });
  assert.equal((await backend(`/webhooks/endpoints/${endpoint}`, { method: 'DELETE' })).status, 404);
  hook.server.close();
});
