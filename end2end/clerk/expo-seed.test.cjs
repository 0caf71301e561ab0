// The seed's Expo listing ("Build a custom sign-in flow with MFA"), call for
// call, through `@clerk/expo`'s own instance against this server: the
// password, then the SMS code, the authenticator app or a backup code, then
// `finalize`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { PASSWORD, expoClerk, useSignIn, devUser, codeTo, sent, totp } = require('./kit.cjs');

/// `handleSubmit` of the listing, up to `needs_second_factor` (and the SMS
/// sent, as the listing sends it).
async function handleSubmit(clerk, emailAddress, { sms }) {
  const { signIn } = useSignIn(clerk);
  const { error } = await signIn.password({ emailAddress, password: PASSWORD });
  assert.equal(error, null);
  assert.equal(signIn.status, 'needs_second_factor');
  if (sms) assert.equal((await signIn.mfa.sendPhoneCode()).error, null);
  return signIn;
}

for (const [name, spec, verify] of [
  ['an SMS code', { phone: true }, async (signIn, user, before) => signIn.mfa.verifyPhoneCode({ code: await codeTo(user.phone, before) })],
  ['the authenticator app', { totp: true }, async (signIn, user) => signIn.mfa.verifyTOTP({ code: totp(user.totp_secret) })],
  ['a backup code', { phone: true, backupCodes: true }, async (signIn, user) => signIn.mfa.verifyBackupCode({ code: user.backup_codes[0] })],
]) {
  test(`the seed's Expo listing with ${name}`, async () => {
    const user = await devUser(spec);
    const { clerk } = await expoClerk();
    assert.equal(clerk.loaded, true);
    const before = spec.phone ? await sent(user.phone) : 0;
    const signIn = await handleSubmit(clerk, user.email, { sms: name === 'an SMS code' });
    const { error } = await verify(signIn, user, before);
    assert.equal(error, null);
    assert.equal(signIn.status, 'complete');
    assert.ok(signIn.createdSessionId, 'the session is made');
    // finalize({ navigate }): the listing's navigate sees the session, no task.
    let navigated;
    const done = await signIn.finalize({ navigate: ({ session, decorateUrl }) => void (navigated = { session, url: decorateUrl('/') }) });
    assert.equal(done.error, null);
    assert.equal(navigated?.session?.id, signIn.createdSessionId);
    assert.equal(navigated.session.currentTask, undefined);
    assert.equal(navigated.url, '/');
    assert.equal(clerk.session?.status, 'active');
    assert.match(clerk.user?.id ?? '', /^user_/);
    assert.equal(clerk.user.primaryEmailAddress?.emailAddress, user.email);
  });
}
