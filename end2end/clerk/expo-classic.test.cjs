// The same sign-in on clerk-js's classic API (`signIn.create`,
// `prepareSecondFactor`, `attemptSecondFactor`, `setActive`), then what an
// app does with the session: `clerk.user`, `user.reload()`, `signOut()`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { PASSWORD, expoClerk, devUser, codeTo, sent } = require('./kit.cjs');

test('the classic API: create, prepare and attempt the SMS code, setActive, reload, sign out', async () => {
  const user = await devUser({ phone: true });
  const { clerk } = await expoClerk();
  const signIn = await clerk.client.signIn.create({ identifier: user.email, password: PASSWORD });
  assert.equal(signIn.status, 'needs_second_factor');
  const phone = signIn.supportedSecondFactors.find((f) => f.strategy === 'phone_code');
  assert.ok(phone, 'the phone is offered');
  const before = await sent(user.phone);
  await signIn.prepareSecondFactor({ strategy: 'phone_code', phoneNumberId: phone.phoneNumberId });
  const done = await signIn.attemptSecondFactor({ strategy: 'phone_code', code: await codeTo(user.phone, before) });
  assert.equal(done.status, 'complete');

  await clerk.setActive({ session: done.createdSessionId });
  assert.equal(clerk.session?.id, done.createdSessionId);
  assert.equal(clerk.session.status, 'active');
  assert.match(clerk.user?.id ?? '', /^user_/);
  assert.equal(clerk.user.primaryEmailAddress?.emailAddress, user.email);
  assert.equal(clerk.user.twoFactorEnabled, true);
  assert.ok(clerk.session.createdAt.getFullYear() >= 2025, 'times in milliseconds');

  const id = clerk.user.id;
  await clerk.user.reload();
  assert.equal(clerk.user.id, id);
  assert.equal(clerk.user.primaryEmailAddress?.emailAddress, user.email);

  await clerk.signOut();
  assert.equal(clerk.session, null);
  assert.equal(clerk.user, null);
});
