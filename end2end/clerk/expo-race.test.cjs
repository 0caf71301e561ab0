// The race that used to sign users out: Clerk's SDK keeps the client token
// of whichever answer arrives last. Here a read of the client (`GET
// /v1/client`) is answered by the server before the second factor is
// verified, but reaches the app after it, as on a slow network; the app
// keeps that late answer's token. The seed's listing must still end signed
// in, and stay so. The network is slowed by holding back that one answer in
// `fetch`; nothing of Clerk's is touched.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { PASSWORD, expoClerk, useSignIn, devUser, totp } = require('./kit.cjs');

/// While set, the answers to `GET /v1/client` are held until `release()`;
/// `answered` resolves once the server has answered one.
let held = null;
const send = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init?.method ?? input?.method ?? 'GET').toUpperCase();
  const gate = method === 'GET' && url.pathname === '/v1/client' ? held : null;
  const res = await send(input, init);
  if (gate) {
    gate.answered();
    await gate.released;
  }
  return res;
};

function hold() {
  let answered, release;
  const gate = {
    answeredNow: new Promise((r) => (answered = r)),
    released: new Promise((r) => (release = r)),
  };
  gate.answered = answered;
  gate.release = release;
  held = gate;
  return gate;
}

for (let round = 1; round <= 3; round++) {
  test(`a client read answered late, after the second factor, leaves the app signed in (${round})`, async () => {
    const user = await devUser({ totp: true });
    const { clerk } = await expoClerk();
    const { signIn } = useSignIn(clerk);
    assert.equal((await signIn.password({ emailAddress: user.email, password: PASSWORD })).error, null);
    assert.equal(signIn.status, 'needs_second_factor');

    // A background read goes out now; the server answers it at once (no
    // session yet), but the answer reaches the app only later.
    const gate = hold();
    const reading = clerk.client.reload();
    await gate.answeredNow;
    const { error } = await signIn.mfa.verifyTOTP({ code: totp(user.totp_secret) });
    assert.equal(error, null);
    assert.equal(signIn.status, 'complete');
    held = null;
    gate.release();
    await reading;

    const done = await signIn.finalize();
    assert.equal(done.error, null);
    assert.equal(clerk.session?.status, 'active', 'signed in');
    const sid = clerk.session.id;
    // The app now holds the late answer's token: every later call still
    // sees the session.
    await clerk.client.reload();
    assert.equal(clerk.session?.id, sid, 'still signed in after a fresh read');
    await clerk.user.reload();
    assert.equal(clerk.user.primaryEmailAddress?.emailAddress, user.email);
    assert.ok(await clerk.session.getToken(), 'a session token');
    await clerk.signOut();
    assert.equal(clerk.session, null);
  });
}
