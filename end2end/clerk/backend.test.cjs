// An app's backend verifies the session tokens of this server with Clerk's
// own `@clerk/backend`, unchanged: `verifyToken` with the PEM key
// (`jwtKey`, networkless, as `CLERK_JWT_KEY`) and with the remote JWKS
// (`secretKey` and `apiUrl`: it fetches `{apiUrl}/v1/jwks`), and
// `authenticateRequest` with `authorizedParties`. The token comes from
// `session.getToken()` of the Expo app's instance; a web page's token (with
// its `azp`) from the server test that runs this file (MFA_WEB_TOKEN).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createClerkClient, verifyToken } = require('@clerk/backend');
const { BASE, PASSWORD, expoClerk, devUser, totp } = require('./kit.cjs');

const { MFA_JWT_KEY: jwtKey, MFA_WEB_TOKEN: webToken, MFA_WEB_ORIGIN: webOrigin } = process.env;
// Never used by this server (its JWKS is public): what an app migrating
// from Clerk already has in its environment.
const secretKey = 'sk_test_not_needed_here';
const publishableKey = 'pk_test_' + Buffer.from('backend.clerk.example.com$').toString('base64');

/// Signs in with the password and the authenticator app on the classic API,
/// sets the session active: what the app holds.
async function signedIn() {
  const user = await devUser({ totp: true });
  const { clerk } = await expoClerk();
  const signIn = await clerk.client.signIn.create({ identifier: user.email, password: PASSWORD });
  assert.equal(signIn.status, 'needs_second_factor');
  const done = await signIn.attemptSecondFactor({ strategy: 'totp', code: totp(user.totp_secret) });
  assert.equal(done.status, 'complete');
  await clerk.setActive({ session: done.createdSessionId });
  return clerk;
}

test('verifyToken takes getToken()\'s token with the PEM key and with the remote JWKS', async () => {
  assert.ok(jwtKey && jwtKey.startsWith('-----BEGIN PUBLIC KEY-----'), 'the server test passes `mfa-signin keys pem`');
  const clerk = await signedIn();
  const token = await clerk.session.getToken();
  assert.ok(token, 'a session token');

  const local = await verifyToken(token, { jwtKey });
  assert.equal(local.sub, clerk.user.id);
  assert.equal(local.sid, clerk.session.id);
  assert.equal(local.sts, 'active');
  assert.equal(local.v, 2);
  assert.deepEqual(local.fva, [0, 0], 'both factors just now');
  assert.equal(local.azp, undefined, 'a native app sends no Origin');

  const remote = await verifyToken(token, { secretKey, apiUrl: BASE });
  assert.deepEqual(remote, local);

  // A claim changed after signing, or another key's token, is refused.
  const [h, p, sig] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  const forged = [h, Buffer.from(JSON.stringify({ ...claims, sub: 'user_someone_else' })).toString('base64url'), sig].join('.');
  await assert.rejects(verifyToken(forged, { jwtKey }), /signature/i);
  await assert.rejects(verifyToken(forged, { secretKey, apiUrl: BASE }), /signature/i);

  // Signed out: the app's next getToken() has nothing; what was issued lives until exp.
  await clerk.signOut();
  assert.equal(await clerk.session?.getToken(), undefined);
});

test('authenticateRequest signs in a request bearing the token, and checks authorizedParties against azp', async () => {
  assert.ok(webToken && webOrigin, 'the server test passes a web page\'s token and its origin');
  const backend = createClerkClient({ secretKey, publishableKey, apiUrl: BASE, jwtKey });
  const asked = (token, options = {}) =>
    backend.authenticateRequest(new Request('https://api.app.example/me', { headers: { authorization: `Bearer ${token}` } }), options);

  const web = await asked(webToken, { authorizedParties: [webOrigin] });
  assert.equal(web.isAuthenticated, true, `${web.reason} ${web.message}`);
  const auth = web.toAuth();
  assert.match(auth.userId, /^user_/);
  assert.equal(auth.sessionClaims.azp, webOrigin);

  const elsewhere = await asked(webToken, { authorizedParties: ['https://evil.example'] });
  assert.equal(elsewhere.isAuthenticated, false);
  assert.match(`${elsewhere.reason} ${elsewhere.message}`, /azp|authorized party/i);

  // A native app's token names no party: fine without authorizedParties, refused with them.
  const clerk = await signedIn();
  const native = await clerk.session.getToken();
  const ok = await asked(native);
  assert.equal(ok.isAuthenticated, true, `${ok.reason} ${ok.message}`);
  assert.equal(ok.toAuth().userId, clerk.user.id);
  assert.equal((await asked(native, { authorizedParties: [webOrigin] })).isAuthenticated, false);

  // The remote JWKS works here too.
  const remote = createClerkClient({ secretKey, publishableKey, apiUrl: BASE });
  const viaJwks = await remote.authenticateRequest(
    new Request('https://api.app.example/me', { headers: { authorization: `Bearer ${native}` } }),
  );
  assert.equal(viaJwks.isAuthenticated, true, `${viaJwks.reason} ${viaJwks.message}`);
  assert.equal(viaJwks.toAuth().sessionId, clerk.session.id);
  await clerk.signOut();
});
