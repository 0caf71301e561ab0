// The same sign-in on clerk-js's classic API (`signIn.create`,
// `prepareSecondFactor`, `attemptSecondFactor`, `setActive`), then what an
// app does with the session: `clerk.user`, `user.reload()`, the
// authenticator app added and removed, `signOut()`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { PASSWORD, expoClerk, devUser, codeTo, sent, totp } = require('./kit.cjs');

test('the classic API: create, prepare and attempt the SMS code, setActive, reload, TOTP added and removed, sign out', async () => {
  const user = await devUser({ phone: true });
  const { clerk } = await expoClerk();
  const signIn = await clerk.client.signIn.create({ identifier: user.email, password: PASSWORD });
  assert.equal(signIn.status, 'needs_second_factor');
  const phone = signIn.supportedSecondFactors.find((f) => f.strategy === 'phone_code');
  assert.match(phone?.phoneNumberId ?? '', /^idn_phone_/, 'the phone is offered, with its id');
  assert.equal(phone.primary, true);
  // How each factor stands, as Clerk's Verification reads it.
  assert.equal(signIn.firstFactorVerification.status, 'verified');
  assert.equal(signIn.firstFactorVerification.strategy, 'password');
  assert.equal(signIn.secondFactorVerification.status, null, 'nothing sent yet');
  const before = await sent(user.phone);
  const prepared = await signIn.prepareSecondFactor({ strategy: 'phone_code', phoneNumberId: phone.phoneNumberId });
  assert.equal(prepared.secondFactorVerification.status, 'unverified');
  assert.equal(prepared.secondFactorVerification.strategy, 'phone_code');
  const done = await signIn.attemptSecondFactor({ strategy: 'phone_code', code: await codeTo(user.phone, before) });
  assert.equal(done.status, 'complete');
  assert.equal(done.firstFactorVerification.strategy, 'password');
  assert.equal(done.secondFactorVerification.status, 'verified');
  assert.equal(done.secondFactorVerification.strategy, 'phone_code');

  await clerk.setActive({ session: done.createdSessionId });
  assert.equal(clerk.session?.id, done.createdSessionId);
  assert.equal(clerk.session.status, 'active');
  assert.match(clerk.user?.id ?? '', /^user_/);
  assert.equal(clerk.user.primaryEmailAddress?.emailAddress, user.email);
  assert.equal(clerk.user.twoFactorEnabled, true);
  assert.equal(clerk.user.primaryPhoneNumberId, phone.phoneNumberId);
  assert.ok(clerk.session.createdAt.getFullYear() >= 2025, 'times in milliseconds');

  assert.match(clerk.session.id, /^sess_/, 'Clerk\'s session ids');

  // The user's sessions, each with where it was last used.
  const sessions = await clerk.user.getSessions();
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0].id, clerk.session.id);
  assert.equal(sessions[0].latestActivity?.ipAddress, '127.0.0.1');
  // An iOS app, known by its network stack's user agent.
  assert.equal(sessions[0].latestActivity.deviceType, 'iOS');
  assert.equal(sessions[0].latestActivity.isMobile, true);
  assert.ok(sessions[0].lastActiveAt.getFullYear() >= 2025);

  const id = clerk.user.id;
  await clerk.user.reload();
  assert.equal(clerk.user.id, id);
  assert.equal(clerk.user.primaryEmailAddress?.emailAddress, user.email);

  // The authenticator app, added and removed.
  const setup = await clerk.user.createTOTP();
  assert.equal(setup.verified, false);
  assert.match(setup.secret ?? '', /^[A-Z2-7]{16,}$/);
  assert.match(setup.uri ?? '', /^otpauth:\/\/totp\//);
  const verified = await clerk.user.verifyTOTP({ code: totp(setup.secret) });
  assert.equal(verified.verified, true);
  assert.equal(clerk.user.totpEnabled, true, 'the client in the answer updates the user');
  const removed = await clerk.user.disableTOTP();
  assert.equal(removed.deleted, true);
  await clerk.user.reload();
  assert.equal(clerk.user.totpEnabled, false);

  await clerk.signOut();
  assert.equal(clerk.session, null);
  assert.equal(clerk.user, null);
});
