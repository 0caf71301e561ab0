// Clerk's client-trust guide (a new device proves itself with an emailed
// code) and sign-up with an emailed code, on both of clerk-js's APIs.
// The server runs with client trust on and MFA not required.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { PASSWORD, expoClerk, useSignIn, useSignUp, devUser, codeTo, sent } = require('./kit.cjs');

test('client trust: needs_client_trust, the emailed code, finalize', async () => {
  const user = await devUser();
  const { clerk } = await expoClerk();
  const { signIn } = useSignIn(clerk);
  const before = await sent(user.email);
  assert.equal((await signIn.password({ emailAddress: user.email, password: PASSWORD })).error, null);
  assert.equal(signIn.status, 'needs_client_trust');
  const trust = signIn.supportedSecondFactors.find((f) => f.strategy === 'email_code');
  assert.match(trust?.emailAddressId ?? '', /^idn_email_/, 'the address the code goes to, by id');
  // The server sent the code with the password step; the guide's send
  // finds it fresh and sends no second one.
  assert.equal((await signIn.mfa.sendEmailCode()).error, null);
  const code = await codeTo(user.email, before);
  assert.equal((await signIn.mfa.verifyEmailCode({ code })).error, null);
  assert.equal(signIn.status, 'complete');
  assert.equal(signIn.secondFactorVerification.strategy, 'email_code');
  assert.equal(signIn.secondFactorVerification.status, 'verified');
  assert.equal((await signIn.finalize()).error, null);
  assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, user.email);
  assert.equal(clerk.user.primaryEmailAddressId, trust.emailAddressId);
});

test('sign-up with an emailed code, the signal API', async () => {
  const emailAddress = `new-${process.pid}@example.com`;
  const { clerk } = await expoClerk();
  const { signUp } = useSignUp(clerk);
  assert.equal((await signUp.password({ emailAddress, password: PASSWORD })).error, null);
  assert.equal(signUp.status, 'missing_requirements');
  assert.equal((await signUp.verifications.sendEmailCode()).error, null);
  const code = await codeTo(emailAddress);
  assert.equal((await signUp.verifications.verifyEmailCode({ code })).error, null);
  assert.equal(signUp.status, 'complete');
  assert.equal((await signUp.finalize()).error, null);
  assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, emailAddress);
});

test('sign-up with an emailed code, the classic API', async () => {
  const emailAddress = `classic-${process.pid}@example.com`;
  const { clerk } = await expoClerk();
  const signUp = await clerk.client.signUp.create({ emailAddress, password: PASSWORD });
  assert.equal(signUp.status, 'missing_requirements');
  assert.equal(signUp.verifications.emailAddress.status, 'unverified', 'the code went with the first step');
  const prepared = await signUp.prepareEmailAddressVerification({ strategy: 'email_code' });
  assert.equal(prepared.verifications.emailAddress.status, 'unverified');
  assert.equal(prepared.verifications.emailAddress.strategy, 'email_code');
  const done = await signUp.attemptEmailAddressVerification({ code: await codeTo(emailAddress) });
  assert.equal(done.status, 'complete');
  assert.equal(done.verifications.emailAddress.status, 'verified');
  assert.match(done.createdUserId ?? '', /^user_/);
  await clerk.setActive({ session: done.createdSessionId });
  assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, emailAddress);
  assert.equal(clerk.user.id, done.createdUserId);
});
