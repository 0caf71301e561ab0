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
  // The server sent the code with the password step; the guide's send
  // finds it fresh and sends no second one.
  assert.equal((await signIn.mfa.sendEmailCode()).error, null);
  const code = await codeTo(user.email, before);
  assert.equal((await signIn.mfa.verifyEmailCode({ code })).error, null);
  assert.equal(signIn.status, 'complete');
  assert.equal((await signIn.finalize()).error, null);
  assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, user.email);
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
  await signUp.prepareEmailAddressVerification({ strategy: 'email_code' });
  const done = await signUp.attemptEmailAddressVerification({ code: await codeTo(emailAddress) });
  assert.equal(done.status, 'complete');
  await clerk.setActive({ session: done.createdSessionId });
  assert.equal(clerk.user?.primaryEmailAddress?.emailAddress, emailAddress);
});
