// An app's backend reads the accounts through this server's Backend API
// with Clerk's own `@clerk/backend`, unchanged: `createClerkClient` with a
// secret key made by `mfa-signin api-keys create` (MFA_API_KEY) and
// `apiUrl` at `{server}/backend`. A revoked key (MFA_REVOKED_KEY) and a
// made-up one are refused.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createClerkClient } = require('@clerk/backend');
const { BASE, PASSWORD, devUser, expoClerk, sent } = require('./kit.cjs');

const { MFA_API_KEY: secretKey, MFA_REVOKED_KEY: revokedKey } = process.env;
const apiUrl = `${BASE}/backend`;

test('users: list by email and by id, count, page, get; a missing user is 404', async () => {
  assert.match(secretKey ?? '', /^sk_live_/, 'the server test passes the CLI\'s key');
  const clerk = createClerkClient({ secretKey, apiUrl });
  const a = await devUser({ phone: true, totp: true });
  const b = await devUser();

  const byEmail = await clerk.users.getUserList({ emailAddress: [a.email] });
  assert.equal(byEmail.totalCount, 1);
  assert.equal(byEmail.data.length, 1);
  const user = byEmail.data[0];
  assert.match(user.id, /^user_/);
  assert.equal(user.primaryEmailAddress?.emailAddress, a.email);
  assert.equal(user.primaryPhoneNumber?.phoneNumber, a.phone, 'the number whole, for the backend');
  assert.equal(user.totpEnabled, true);
  assert.equal(user.twoFactorEnabled, true);
  assert.equal(user.locked, false);
  assert.ok(user.createdAt > Date.UTC(2025, 0, 1), 'milliseconds');

  const got = await clerk.users.getUser(user.id);
  assert.equal(got.id, user.id);
  assert.equal(got.primaryEmailAddress?.emailAddress, a.email);

  const other = (await clerk.users.getUserList({ emailAddress: [b.email] })).data[0];
  const both = await clerk.users.getUserList({ userId: [user.id, other.id] });
  assert.deepEqual(both.data.map((u) => u.id).sort(), [user.id, other.id].sort());
  assert.equal(both.totalCount, 2);
  // Both filters: the users in both.
  const narrowed = await clerk.users.getUserList({ userId: [user.id, other.id], emailAddress: [b.email] });
  assert.deepEqual(narrowed.data.map((u) => u.id), [other.id]);
  assert.equal(await clerk.users.getCount({ emailAddress: [a.email, b.email] }), 2);

  // Pages, newest first.
  const all = await clerk.users.getCount();
  assert.ok(all >= 2, `${all} users`);
  const first = await clerk.users.getUserList({ limit: 1 });
  assert.equal(first.data.length, 1);
  assert.equal(first.totalCount, all);
  const second = await clerk.users.getUserList({ limit: 1, offset: 1 });
  assert.notEqual(second.data[0].id, first.data[0].id);
  assert.ok(first.data[0].createdAt >= second.data[0].createdAt);

  await assert.rejects(clerk.users.getUser('user_nobody'), (e) => e.status === 404);
});

test('a revoked or made-up key is refused', async () => {
  assert.match(revokedKey ?? '', /^sk_live_/);
  for (const key of [revokedKey, 'sk_live_' + '0'.repeat(64)]) {
    const clerk = createClerkClient({ secretKey: key, apiUrl });
    await assert.rejects(clerk.users.getUserList(), (e) => e.status === 401 && e.errors?.[0]?.code === 'api_key_invalid');
  }
});

/// The password step of a native sign-in, as a client would send it.
async function password(identifier, pw) {
  const r = await fetch(`${BASE}/v1/client/sign_ins`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier, password: pw }),
  });
  return { status: r.status, body: await r.json() };
}

test('lock, unlock, disable MFA and delete a user, in the key\'s name', async () => {
  const clerk = createClerkClient({ secretKey, apiUrl });
  const a = await devUser({ totp: true, backupCodes: true });
  const id = (await clerk.users.getUserList({ emailAddress: [a.email] })).data[0].id;

  // Wrong passwords lock it (the server test sets the threshold to 5).
  let last;
  for (let i = 0; i < 6; i++) last = await password(a.email, 'not the password at all');
  assert.equal(last.body.errors?.[0]?.code, 'user_locked', JSON.stringify(last.body));
  assert.equal((await clerk.users.getUser(id)).locked, true);
  const unlocked = await clerk.users.unlockUser(id);
  assert.equal(unlocked.locked, false);
  assert.equal((await password(a.email, PASSWORD)).body.status, 'needs_second_factor');

  // Locked by the backend, as wrong tries lock it.
  assert.equal((await clerk.users.lockUser(id)).locked, true);
  assert.equal((await password(a.email, PASSWORD)).body.errors?.[0]?.code, 'user_locked');
  assert.equal((await clerk.users.unlockUser(id)).locked, false);
  assert.equal((await password(a.email, PASSWORD)).body.status, 'needs_second_factor');

  const off = await clerk.users.disableUserMFA(id);
  assert.equal(off.user_id, id);
  const after = await clerk.users.getUser(id);
  assert.equal(after.totpEnabled, false);
  assert.equal(after.twoFactorEnabled, false);

  const gone = await clerk.users.deleteUser(id);
  assert.equal(gone.deleted, true);
  assert.equal(gone.id, id);
  await assert.rejects(clerk.users.getUser(id), (e) => e.status === 404);
  assert.equal((await password(a.email, PASSWORD)).body.errors?.[0]?.code, 'form_password_incorrect');
});

test('ban and unban: no sign-in while banned, every session ended', async () => {
  const clerk = createClerkClient({ secretKey, apiUrl });
  const a = await devUser();
  const id = (await clerk.users.getUserList({ emailAddress: [a.email] })).data[0].id;
  assert.equal((await password(a.email, PASSWORD)).body.status, 'complete');
  assert.equal((await clerk.users.getUser(id)).banned, false);

  const banned = await clerk.users.banUser(id);
  assert.equal(banned.banned, true);
  assert.equal((await clerk.users.getUser(id)).banned, true);
  assert.equal((await clerk.sessions.getSessionList({ userId: id })).totalCount, 0);
  const refused = await password(a.email, PASSWORD);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.errors?.[0]?.code, 'user_banned', JSON.stringify(refused.body));
  // A wrong password tells nothing of the ban.
  assert.equal((await password(a.email, 'not the password at all')).body.errors?.[0]?.code, 'form_password_incorrect');

  assert.equal((await clerk.users.unbanUser(id)).banned, false);
  assert.equal((await password(a.email, PASSWORD)).body.status, 'complete');
  await assert.rejects(clerk.users.banUser('user_nobody'), (e) => e.status === 404);
});

test('metadata: made with the user, merged deeply, replaced, size-limited; the user reads public and unsafe only', async () => {
  const clerk = createClerkClient({ secretKey, apiUrl });
  const email = `meta-${process.pid}@example.com`;
  const made = await clerk.users.createUser({
    emailAddress: [email],
    password: PASSWORD,
    publicMetadata: { role: 'admin', prefs: { theme: 'dark' } },
    privateMetadata: { customer: 'cus_1' },
  });
  assert.deepEqual(made.publicMetadata, { role: 'admin', prefs: { theme: 'dark' } });
  assert.deepEqual(made.privateMetadata, { customer: 'cus_1' });
  assert.deepEqual(made.unsafeMetadata, {});

  // A deep merge: nested objects merge, a null removes its key.
  const merged = await clerk.users.updateUserMetadata(made.id, { publicMetadata: { prefs: { lang: 'fr' }, role: null } });
  assert.deepEqual(merged.publicMetadata, { prefs: { theme: 'dark', lang: 'fr' } });
  assert.deepEqual(merged.privateMetadata, { customer: 'cus_1' }, 'an object not named stays');
  // A replacement: the named object whole, the others as they were.
  const replaced = await clerk.users.replaceUserMetadata(made.id, { privateMetadata: { plan: 'pro' } });
  assert.deepEqual(replaced.privateMetadata, { plan: 'pro' });
  assert.deepEqual(replaced.publicMetadata, { prefs: { theme: 'dark', lang: 'fr' } });
  const updated = await clerk.users.updateUser(made.id, { unsafeMetadata: { onboarded: true } });
  assert.deepEqual(updated.unsafeMetadata, { onboarded: true });

  const refused = (e) => e.status === 422 && e.errors?.[0]?.code === 'metadata_invalid';
  await assert.rejects(clerk.users.updateUserMetadata(made.id, { publicMetadata: { big: 'x'.repeat(9000) } }), refused);
  await assert.rejects(clerk.users.replaceUserMetadata(made.id, { publicMetadata: ['not', 'an', 'object'] }), refused);
  assert.deepEqual((await clerk.users.getUser(made.id)).publicMetadata, { prefs: { theme: 'dark', lang: 'fr' } });

  // Merges at once, each its own key: none is lost.
  const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
  await Promise.all(keys.map((k) => clerk.users.updateUserMetadata(made.id, { privateMetadata: { [k]: k } })));
  const all = (await clerk.users.getUser(made.id)).privateMetadata;
  assert.deepEqual(Object.keys(all).sort(), [...keys, 'plan'].sort());

  // The user, in Clerk's own client: public and unsafe, never private.
  const { clerk: app } = await expoClerk();
  const signIn = await app.client.signIn.create({ identifier: email, password: PASSWORD });
  await app.setActive({ session: signIn.createdSessionId });
  assert.deepEqual(app.user.publicMetadata, { prefs: { theme: 'dark', lang: 'fr' } });
  assert.deepEqual(app.user.unsafeMetadata, { onboarded: true });
  // The user writes their unsafe metadata (Clerk's user.update, sent by
  // clerk-js 6 as a merge; user.updateMetadata), and only it.
  await app.user.update({ unsafeMetadata: { onboarded: true, step: 2 } });
  assert.deepEqual(app.user.unsafeMetadata, { onboarded: true, step: 2 });
  await app.user.updateMetadata({ unsafeMetadata: { tour: { seen: ['home'] } } });
  await app.user.update({ unsafeMetadata: { onboarded: true, step: 2, tour: { seen: ['home', 'billing'] } } });
  await app.user.reload();
  assert.deepEqual(app.user.unsafeMetadata, { onboarded: true, step: 2, tour: { seen: ['home', 'billing'] } });
  await app.user.update({ unsafeMetadata: { onboarded: true, step: 2 } });
  assert.deepEqual(app.user.unsafeMetadata, { onboarded: true, step: 2 }, 'a key left out is removed');
  await assert.rejects(app.user.update({ unsafeMetadata: { big: 'x'.repeat(9000) } }), (e) => e.errors?.[0]?.code === 'metadata_invalid');
  await assert.rejects(app.user.update({ publicMetadata: { role: 'admin' } }), (e) => e.status === 400);
  const seen = await clerk.users.getUser(made.id);
  assert.deepEqual(seen.unsafeMetadata, { onboarded: true, step: 2 });
  assert.deepEqual(seen.publicMetadata, { prefs: { theme: 'dark', lang: 'fr' } }, 'the user cannot write it');
  // What the user's own API answers holds nothing private.
  const r = await fetch(`${BASE}/v1/client/sign_ins?_is_native=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: email, password: PASSWORD }),
  });
  const token = r.headers.get('authorization');
  const me = await (await fetch(`${BASE}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json();
  assert.deepEqual(me.public_metadata, { prefs: { theme: 'dark', lang: 'fr' } });
  assert.ok(!JSON.stringify(me).includes('plan') && !('private_metadata' in me), JSON.stringify(me));
});

test('a user\'s sessions: listed, one revoked', async () => {
  const clerk = createClerkClient({ secretKey, apiUrl });
  const a = await devUser();
  const id = (await clerk.users.getUserList({ emailAddress: [a.email] })).data[0].id;
  const first = (await password(a.email, PASSWORD)).body;
  const second = (await password(a.email, PASSWORD)).body;
  assert.equal(first.status, 'complete', JSON.stringify(first));
  const list = await clerk.sessions.getSessionList({ userId: id });
  assert.equal(list.totalCount, 2);
  assert.deepEqual(list.data.map((s) => s.id).sort(), [first.created_session_id, second.created_session_id].sort());
  assert.ok(list.data.every((s) => s.userId === id && s.status === 'active'));
  assert.ok(list.data[0].lastActiveAt > Date.UTC(2025, 0, 1), 'milliseconds');

  const revoked = await clerk.sessions.revokeSession(first.created_session_id);
  assert.equal(revoked.status, 'revoked');
  assert.equal(revoked.id, first.created_session_id);
  const after = await clerk.sessions.getSessionList({ userId: id });
  assert.deepEqual(after.data.map((s) => s.id), [second.created_session_id]);
  await assert.rejects(clerk.sessions.revokeSession(first.created_session_id), (e) => e.status === 404);
});

/// Waits (with a deadline) until `to` has had more than `before` messages:
/// mail goes out after the answer.
async function mailed(to, before) {
  const deadline = Date.now() + 10_000;
  while ((await sent(to)) <= before) {
    if (Date.now() > deadline) throw new Error(`no message to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('users: made with a password, refused when taken or weak, the password changed', async () => {
  const clerk = createClerkClient({ secretKey, apiUrl });
  const email = `made-${process.pid}@example.com`;
  const made = await clerk.users.createUser({ emailAddress: [email], password: PASSWORD });
  assert.match(made.id, /^user_/);
  assert.equal(made.primaryEmailAddress?.emailAddress, email);
  assert.equal((await password(email, PASSWORD)).body.status, 'complete');

  const refused = (status, code) => (e) => e.status === status && e.errors?.[0]?.code === code;
  await assert.rejects(clerk.users.createUser({ emailAddress: [email], password: PASSWORD }), refused(422, 'form_identifier_exists'));
  const other = `weak-${process.pid}@example.com`;
  await assert.rejects(clerk.users.createUser({ emailAddress: [other], password: 'short' }), refused(422, 'form_password_length_too_short'));
  await assert.rejects(clerk.users.createUser({ emailAddress: [other] }), refused(422, 'form_param_missing'));
  // A field this server does not keep is refused, not dropped.
  await assert.rejects(clerk.users.createUser({ emailAddress: [other], password: PASSWORD, firstName: 'Ann' }), refused(400, 'request_invalid'));

  const newPassword = 'a different long passphrase';
  const before = await sent(email);
  const changed = await clerk.users.updateUser(made.id, { password: newPassword });
  assert.equal(changed.id, made.id);
  assert.equal((await clerk.sessions.getSessionList({ userId: made.id })).totalCount, 0, 'its sessions ended');
  assert.equal((await password(email, PASSWORD)).body.errors?.[0]?.code, 'form_password_incorrect');
  assert.equal((await password(email, newPassword)).body.status, 'complete');
  await mailed(email, before);
});

test('an address changed: createEmailAddress replaces it and tells the old one; updateUser names it primary', async () => {
  const clerk = createClerkClient({ secretKey, apiUrl });
  const a = await devUser();
  const id = (await clerk.users.getUserList({ emailAddress: [a.email] })).data[0].id;
  const before = await sent(a.email);
  const moved = `moved-${process.pid}-${Date.now()}@example.com`;
  const made = await clerk.emailAddresses.createEmailAddress({
    userId: id,
    emailAddress: moved.toUpperCase(),
    verified: true,
    primary: true,
  });
  assert.equal(made.emailAddress, moved, 'the one email rule: lower-cased');
  assert.match(made.id, /^idn_email_/);
  const got = await clerk.users.getUser(id);
  assert.equal(got.primaryEmailAddress?.emailAddress, moved);
  assert.equal(got.primaryEmailAddressId, made.id);
  assert.equal(got.emailAddresses.length, 1, 'one address per user');
  assert.equal((await clerk.emailAddresses.getEmailAddress(made.id)).emailAddress, moved);
  // Clerk's second step: the address made primary (it is already).
  const same = await clerk.users.updateUser(id, { primaryEmailAddressID: made.id });
  assert.equal(same.primaryEmailAddress?.emailAddress, moved);
  const refused = (e) => e.status === 422 && e.errors?.[0]?.code === 'form_param_value_invalid';
  await assert.rejects(clerk.users.updateUser(id, { primaryEmailAddressID: 'idn_email_someone_else' }), refused);
  // The new address signs in; the old one is nobody's.
  assert.equal((await password(moved, PASSWORD)).body.status, 'complete');
  assert.notEqual((await password(a.email, PASSWORD)).body.status, 'complete');
  await mailed(a.email, before);
  // Another account's address, an unverified or second address, a bad one: refused, nothing changed.
  const b = await devUser();
  const taken = (e) => e.status === 422 && e.errors?.[0]?.code === 'form_identifier_exists';
  await assert.rejects(clerk.emailAddresses.createEmailAddress({ userId: id, emailAddress: b.email, verified: true, primary: true }), taken);
  await assert.rejects(clerk.emailAddresses.createEmailAddress({ userId: id, emailAddress: 'second@example.com' }), refused);
  const invalid = (e) => e.status === 422 && e.errors?.[0]?.code === 'form_param_format_invalid';
  await assert.rejects(clerk.emailAddresses.createEmailAddress({ userId: id, emailAddress: 'not an address', verified: true, primary: true }), invalid);
  await assert.rejects(clerk.emailAddresses.createEmailAddress({ userId: 'user_nobody', emailAddress: 'c@example.com', verified: true, primary: true }), (e) => e.status === 404);
  assert.equal((await clerk.users.getUser(id)).primaryEmailAddress?.emailAddress, moved);
});
