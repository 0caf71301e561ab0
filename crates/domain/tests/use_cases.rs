//! The use cases in process, on a fixed clock: what the HTTP suites can only
//! sleep for (code expiry, resend windows, lockout windows, session idle and
//! lifetime) is a clock move here, and each test takes milliseconds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use domain::clock::{Clock, FixedClock};
use domain::mail::{CodeFor, Message, Sender};
use domain::request::{Jar, Request};
use domain::secrets::SecretBox;
use domain::service::{Instance, Service};
use domain::settings::Settings;
use domain::store::Store;
use domain::users;
use proto::{ApiErrors, Fault, Field, SessionView, Status, Strategy};
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
};

const T: i64 = 1_800_000_000;
const PASSWORD: &str = "a long enough password";
const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// The origin the edge answers these requests as.
const ORIGIN: &str = "http://localhost:3000";

/// A service on a fresh SQLite file and a fixed clock.
struct World {
    svc: Arc<Service>,
    clock: Arc<FixedClock>,
    store: Arc<dyn Store>,
    /// What the service was built from (another node is built the same).
    sender: Arc<dyn Sender>,
    cfg: Arc<Instance>,
    keys: Arc<SecretBox>,
    dir: std::path::PathBuf,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The settings the HTTP suites use by default: limits out of the way,
/// neither client trust nor required MFA.
fn settings() -> Settings {
    let mut s = Settings { require_mfa: false, client_trust: false, ..Settings::default() };
    s.rate_limits.create = 100_000;
    s.rate_limits.verify = 100_000;
    s
}

async fn world(s: Settings) -> World {
    world_with(s, |store, s| Arc::new(delivery::Delivery::new(store, s).unwrap())).await
}

/// A world whose messages go to the sender `make` gives.
async fn world_with(s: Settings, make: impl FnOnce(Arc<dyn Store>, &Settings) -> Arc<dyn Sender>) -> World {
    let dir = std::env::temp_dir().join(format!("mfa_usecases_{}", &domain::secrets::token()[..16]));
    std::fs::create_dir_all(&dir).unwrap();
    let store = store::open(&format!("sqlite://{}/t.db", dir.display())).await.unwrap();
    let sender = make(store.clone(), &s);
    let cfg = Arc::new(Instance { dev: true, settings: s });
    let clock = Arc::new(FixedClock::at(T));
    let keys = Arc::new(SecretBox::from_hex(KEY).unwrap());
    let svc = Service::new(store.clone(), sender.clone(), cfg.clone(), keys.clone(), clock.clone()).unwrap();
    World { svc: Arc::new(svc), clock, store, sender, cfg, keys, dir }
}

impl World {
    async fn user(&self, email: &str, phone: bool) -> users::Created {
        let spec = users::Spec {
            email: email.into(),
            password: PASSWORD.into(),
            phone: phone.then(|| "+15555550123".into()),
            totp: false,
            backup_codes: false,
            password_compromised: false,
            agent: None,
            metadata: Default::default(),
        };
        users::create(self.store.as_ref(), &self.keys, spec, false, self.clock.now(), None).await.unwrap()
    }

    /// The code in the newest message to `to`.
    async fn code_to(&self, to: &str) -> String {
        let m = self.store.outbox(50).await.unwrap().into_iter().find(|m| m.recipient == to).unwrap();
        m.body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().to_string()
    }

    fn browser(&self) -> Browser {
        Browser { svc: self.svc.clone(), clock: self.clock.clone(), tokens: HashMap::new() }
    }
}

/// One browser: its tokens carried from request to request.
struct Browser {
    svc: Arc<Service>,
    clock: Arc<FixedClock>,
    tokens: HashMap<Jar, String>,
}

impl Browser {
    async fn with<T>(&mut self, step: impl AsyncFnOnce(&Service, &mut Request) -> T) -> T {
        let tokens = self.tokens.iter().map(|(j, v)| (*j, v.clone())).collect();
        let mut req = Request::new(self.clock.now(), IpAddr::from([127, 0, 0, 1]), Some("test"), ORIGIN.into(), tokens);
        let out = step(&self.svc, &mut req).await;
        for c in req.changes() {
            match &c.set {
                Some((v, _)) => self.tokens.insert(c.jar, v.clone()),
                None => self.tokens.remove(&c.jar),
            };
        }
        out
    }

    async fn password(&mut self, email: &str, password: &str) -> Result<Status, Fault> {
        let (e, p) = (email.to_string(), password.to_string());
        self.with(async |s, c| s.password(c, e, p).await.map(|v| v.status)).await
    }

    async fn session(&mut self) -> Option<SessionView> {
        self.with(async |s, c| s.session(c).await).await.unwrap()
    }

    async fn signed_in(&mut self, email: &str) {
        assert_eq!(self.password(email, PASSWORD).await, Ok(Status::Complete));
        self.with(async |s, c| s.finalize(c).await).await.unwrap();
        assert!(self.session().await.is_some());
    }
}

#[tokio::test]
async fn an_sms_code_waits_its_resend_interval_and_dies_at_its_ttl() {
    let w = world(settings()).await;
    w.user("sms@example.com", true).await;
    let mut b = w.browser();
    assert_eq!(b.password("sms@example.com", PASSWORD).await, Ok(Status::NeedsSecondFactor));
    let send = async |b: &mut Browser| b.with(async |s, c| s.prepare_second_factor(c, Strategy::PhoneCode).await).await;
    send(&mut b).await.unwrap();
    w.clock.advance(10);
    assert_eq!(send(&mut b).await.err(), Some(Fault::ResendTooSoon(20)), "10 s into the 30 s interval");
    w.clock.advance(20);
    send(&mut b).await.unwrap();
    let code = w.code_to("+15555550123").await;
    w.clock.advance(600);
    let verify = b.with(async |s, c| s.attempt_second_factor(c, Strategy::PhoneCode, code).await).await;
    assert_eq!(verify.err(), Some(Fault::CodeExpired), "600 s after it was sent");
    // As the API answers it: 400, `verification_expired`, on the code field.
    let wire = ApiErrors::from(Fault::CodeExpired);
    assert_eq!((wire.status, wire.codes()), (400, vec!["verification_expired"]));
    assert!(wire.field(Field::Code).is_some());
}

/// A resend after the interval replaces the code: the old one stops
/// working, the new one signs in (SMS at sign-in, and a sign-up's email).
#[tokio::test]
async fn a_resent_code_replaces_the_old_one() {
    let w = world(settings()).await;
    w.user("resend@example.com", true).await;
    let mut b = w.browser();
    b.password("resend@example.com", PASSWORD).await.unwrap();
    let send = async |b: &mut Browser| b.with(async |s, c| s.prepare_second_factor(c, Strategy::PhoneCode).await).await;
    send(&mut b).await.unwrap();
    let first = w.code_to("+15555550123").await;
    w.clock.advance(30);
    send(&mut b).await.unwrap();
    let second = w.code_to("+15555550123").await;
    if second != first {
        let r = b.with(async |s, c| s.attempt_second_factor(c, Strategy::PhoneCode, first.clone()).await).await;
        assert_eq!(r.err(), Some(Fault::CodeIncorrect(None)), "the replaced code");
    }
    let r = b.with(async |s, c| s.attempt_second_factor(c, Strategy::PhoneCode, second).await).await;
    assert_eq!(r.map(|v| v.status), Ok(Status::Complete));

    let mut s = w.browser();
    let start =
        s.with(async |s, c| s.sign_up_password(c, "fresh@example.com".into(), "a brand new passphrase".into()).await);
    start.await.unwrap();
    let first = w.code_to("fresh@example.com").await;
    // Asked right after the password step (Clerk's guides do): answered
    // with the code that step sent, and no other sent.
    let early = s.with(async |s, c| s.sign_up_send_email_code(c).await).await;
    assert!(early.is_ok(), "{early:?}");
    w.clock.advance(29);
    s.with(async |s, c| s.sign_up_send_email_code(c).await).await.unwrap();
    assert_eq!(w.code_to("fresh@example.com").await, first, "no second email inside the interval");
    w.clock.advance(1);
    s.with(async |s, c| s.sign_up_send_email_code(c).await).await.unwrap();
    let second = w.code_to("fresh@example.com").await;
    if second != first {
        let r = s.with(async |s, c| s.sign_up_verify_email_code(c, first.clone()).await).await;
        assert_eq!(r.err(), Some(Fault::CodeIncorrect(None)), "the replaced code");
    }
    let r = s.with(async |s, c| s.sign_up_verify_email_code(c, second).await).await;
    assert_eq!(r.map(|v| v.status), Ok(proto::SignUpStatus::Complete));
}

#[tokio::test]
async fn a_right_code_inside_its_ttl_signs_in() {
    let w = world(settings()).await;
    w.user("ttl@example.com", true).await;
    let mut b = w.browser();
    b.password("ttl@example.com", PASSWORD).await.unwrap();
    b.with(async |s, c| s.prepare_second_factor(c, Strategy::PhoneCode).await).await.unwrap();
    let code = w.code_to("+15555550123").await;
    w.clock.advance(599);
    let r = b.with(async |s, c| s.attempt_second_factor(c, Strategy::PhoneCode, code).await).await;
    assert_eq!(r.map(|v| v.status), Ok(Status::Complete));
}

#[tokio::test]
async fn a_lock_lasts_its_time_exactly_and_a_sign_up_code_expires() {
    let w = world(settings()).await;
    w.user("lock@example.com", false).await;
    let mut b = w.browser();
    for left in (0..10).rev() {
        let told = (left <= 3).then_some(left);
        assert_eq!(b.password("lock@example.com", "wrong password").await, Err(Fault::PasswordIncorrect(told)));
    }
    assert_eq!(b.password("lock@example.com", PASSWORD).await, Err(Fault::UserLocked(3600)));
    w.clock.advance(3599);
    assert_eq!(b.password("lock@example.com", PASSWORD).await, Err(Fault::UserLocked(1)));
    w.clock.advance(1);
    assert_eq!(b.password("lock@example.com", PASSWORD).await, Ok(Status::Complete));

    let mut s = w.browser();
    let sign_up =
        s.with(async |s, c| s.sign_up_password(c, "new@example.com".into(), "a brand new passphrase".into()).await);
    sign_up.await.unwrap();
    let code = w.code_to("new@example.com").await;
    w.clock.advance(600);
    let r = s.with(async |s, c| s.sign_up_verify_email_code(c, code).await).await;
    assert_eq!(r.err(), Some(Fault::CodeExpired));
}

#[tokio::test]
async fn a_session_idles_out_unused_lives_on_in_use_and_ends_at_its_lifetime() {
    let w = world(settings()).await;
    w.user("idle@example.com", false).await;
    // Unused: ends after the idle hour and the one-minute write interval.
    let mut b = w.browser();
    b.signed_in("idle@example.com").await;
    w.clock.advance(3600 + 59);
    assert!(b.session().await.is_some(), "ended before its idle hour (and the write lag) passed");
    let mut idle = w.browser();
    idle.signed_in("idle@example.com").await;
    w.clock.advance(3660);
    assert!(idle.session().await.is_none(), "an idle session lived on");
    // In use every 59 minutes: lives to its 24-hour lifetime, not past it.
    let mut busy = w.browser();
    busy.signed_in("idle@example.com").await;
    for _ in 0..24 {
        w.clock.advance(59 * 60);
        assert!(busy.session().await.is_some());
    }
    w.clock.advance(86400 - 24 * 59 * 60);
    assert!(busy.session().await.is_none(), "lived past its lifetime");
}

/// Removing both factors at once, with MFA required: each removal checks
/// what remains inside its unit, so one of them must lose.
#[tokio::test]
async fn parallel_removals_cannot_take_the_last_factor() {
    let w = world(Settings { require_mfa: true, ..settings() }).await;
    let spec = users::Spec {
        email: "two@example.com".into(),
        password: PASSWORD.into(),
        phone: Some("+15555550123".into()),
        totp: true,
        backup_codes: false,
        password_compromised: false,
        agent: None,
        metadata: Default::default(),
    };
    let u = users::create(w.store.as_ref(), &w.keys, spec, true, w.clock.now(), None).await.unwrap();
    let mut b = w.browser();
    assert_eq!(b.password("two@example.com", PASSWORD).await, Ok(Status::NeedsSecondFactor));
    let code = domain::secrets::totp_now(u.totp_secret.as_deref().unwrap(), w.clock.now()).unwrap();
    let r = b.with(async |s, c| s.attempt_second_factor(c, Strategy::Totp, code).await).await;
    assert_eq!(r.map(|v| v.status), Ok(Status::Complete));
    b.with(async |s, c| s.finalize(c).await).await.unwrap();
    let (mut one, mut other) = (w.browser(), w.browser());
    one.tokens = b.tokens.clone();
    other.tokens = b.tokens.clone();
    let (a, z) = tokio::join!(
        one.with(async |s, c| s.remove_factor(c, Strategy::Totp).await),
        other.with(async |s, c| s.remove_factor(c, Strategy::PhoneCode).await),
    );
    let refused = [&a, &z].iter().filter(|r| r.as_ref().err() == Some(&Fault::MfaRequired)).count();
    assert_eq!((refused, a.is_ok() || z.is_ok()), (1, true), "{a:?} {z:?}");
    let left = w.store.user(u.id).await.unwrap().unwrap();
    assert!(left.totp_secret.is_some() || left.phone.is_some(), "the last factor went");
}

/// Re-verification refuses a method the account lacks before it counts a
/// try: such refusals never lock the account.
#[tokio::test]
async fn reverification_with_a_method_the_account_lacks_counts_no_try() {
    let w = world(settings()).await;
    w.user("rv@example.com", false).await;
    let mut b = w.browser();
    b.signed_in("rv@example.com").await;
    for _ in 0..12 {
        let r = b.with(async |s, c| s.reverify(c, Strategy::Totp, "123456".into()).await).await;
        assert_eq!(r.err(), Some(Fault::StrategyInvalid));
    }
    let r = b.with(async |s, c| s.reverify(c, Strategy::Password, PASSWORD.into()).await).await;
    assert!(r.is_ok(), "locked by refusals: {r:?}");
    // A wrong password still counts, and says so.
    let r = b.with(async |s, c| s.reverify(c, Strategy::Password, "x".repeat(2000)).await).await;
    assert_eq!(r.err(), Some(Fault::PasswordIncorrect(None)), "an over-long password is a wrong one");
}

/// A user with every factor: the app's secret in clear, and the backup codes.
async fn full_user(w: &World, email: &str) -> users::Created {
    let spec = users::Spec {
        email: email.into(),
        password: PASSWORD.into(),
        phone: Some("+15555550123".into()),
        totp: true,
        backup_codes: true,
        password_compromised: false,
        agent: None,
        metadata: Default::default(),
    };
    users::create(w.store.as_ref(), &w.keys, spec, false, w.clock.now(), None).await.unwrap()
}

/// One lockout count for every factor: a wrong password, TOTP, backup code
/// and SMS code each count; a new code does not reset it; the lock ends on
/// time; a completed sign-in resets the count.
#[tokio::test]
async fn every_factor_counts_toward_one_lockout_and_a_success_resets_it() {
    let mut st = settings();
    st.lockout.threshold = 5;
    st.lockout.seconds = 120;
    let w = world(st).await;
    let u = full_user(&w, "mix@example.com").await;
    let secret = u.totp_secret.clone().unwrap();
    let mut b = w.browser();
    let verify = async |b: &mut Browser, s: Strategy, code: String| {
        b.with(async |svc, c| svc.attempt_second_factor(c, s, code).await.map(|v| v.status)).await
    };
    let send = async |b: &mut Browser| b.with(async |s, c| s.prepare_second_factor(c, Strategy::PhoneCode).await).await;
    assert_eq!(b.password("mix@example.com", "wrong").await, Err(Fault::PasswordIncorrect(None))); // 1
    assert_eq!(b.password("mix@example.com", PASSWORD).await, Ok(Status::NeedsSecondFactor), "right: not counted");
    let later = domain::secrets::totp_now(&secret, w.clock.now() + 900).unwrap();
    assert_eq!(verify(&mut b, Strategy::Totp, later).await, Err(Fault::CodeIncorrect(Some(3)))); // 2
    assert_eq!(verify(&mut b, Strategy::BackupCode, "aaaa-bbbb-cccc".into()).await, Err(Fault::CodeIncorrect(Some(2)))); // 3
    send(&mut b).await.unwrap();
    let sms = w.code_to("+15555550123").await;
    let wrong = if sms == "000000" { "111111" } else { "000000" };
    assert_eq!(verify(&mut b, Strategy::PhoneCode, wrong.into()).await, Err(Fault::CodeIncorrect(Some(1)))); // 4
                                                                                                             // A new code does not reset the count.
    w.clock.advance(30);
    send(&mut b).await.unwrap();
    assert_eq!(verify(&mut b, Strategy::PhoneCode, wrong.into()).await, Err(Fault::CodeIncorrect(Some(0)))); // 5: locks
    let right = domain::secrets::totp_now(&secret, w.clock.now()).unwrap();
    assert!(
        matches!(verify(&mut b, Strategy::Totp, right).await, Err(Fault::UserLocked(_))),
        "right TOTP while locked"
    );
    assert!(matches!(send(&mut b).await, Err(Fault::UserLocked(_))), "no codes are sent while locked");

    // After the lock, a completed sign-in resets the count.
    w.clock.advance(120);
    for told in [None, Some(3), Some(2), Some(1)] {
        assert_eq!(b.password("mix@example.com", "wrong").await, Err(Fault::PasswordIncorrect(told)));
    }
    assert_eq!(b.password("mix@example.com", PASSWORD).await, Ok(Status::NeedsSecondFactor));
    let code = u.backup_codes[0].clone();
    assert_eq!(verify(&mut b, Strategy::BackupCode, code).await, Ok(Status::Complete));
    b.with(async |s, c| s.reset(c).await).await.unwrap();
    for told in [None, Some(3), Some(2), Some(1)] {
        assert_eq!(b.password("mix@example.com", "wrong").await, Err(Fault::PasswordIncorrect(told)), "{told:?}");
    }
    assert_eq!(b.password("mix@example.com", PASSWORD).await, Ok(Status::NeedsSecondFactor), "reset by the success");
}

/// Changes need the password or a second factor entered within the
/// re-verification window; each method re-verifies (a backup code once).
#[tokio::test]
async fn changes_need_a_reverification_within_its_window() {
    // Not the default, and not whole minutes: the view rounds up.
    let mut set = settings();
    set.sessions.reverification = 150;
    let w = world(set).await;
    let window = w.svc.settings().sessions.reverification;
    let u = full_user(&w, "rv@example.com").await;
    let secret = u.totp_secret.clone().unwrap();
    let mut b = w.browser();
    b.password("rv@example.com", PASSWORD).await.unwrap();
    let code = domain::secrets::totp_now(&secret, w.clock.now()).unwrap();
    b.with(async |s, c| s.attempt_second_factor(c, Strategy::Totp, code).await).await.unwrap();
    b.with(async |s, c| s.finalize(c).await).await.unwrap();
    let needs =
        async |b: &mut Browser| b.with(async |s, c| s.user(c).await).await.unwrap().map(|v| v.needs_reverification);
    assert_eq!(needs(&mut b).await, Some(false), "just signed in");
    let minutes = b.with(async |s, c| s.user(c).await).await.unwrap().map(|v| v.reverification_minutes);
    assert_eq!(minutes, Some(3), "the window the page names, from the settings");
    w.clock.advance(window);
    assert_eq!(needs(&mut b).await, Some(true));
    let refused = Some(Fault::ReverificationRequired);
    assert_eq!(b.with(async |s, c| s.totp_start(c).await).await.err(), refused);
    assert_eq!(b.with(async |s, c| s.backup_codes(c).await).await.err(), refused);
    assert_eq!(b.with(async |s, c| s.phone_start(c, "+15555550188".into()).await).await.err(), refused);
    assert_eq!(b.with(async |s, c| s.set_default(c, Strategy::Totp).await).await.err(), refused);
    assert_eq!(b.with(async |s, c| s.remove_factor(c, Strategy::BackupCode).await).await.err(), refused);
    // A wrong password does not do; the right one does.
    let r = b.with(async |s, c| s.reverify(c, Strategy::Password, "not it".into()).await).await;
    assert_eq!(r.err(), Some(Fault::PasswordIncorrect(None)));
    let r = b.with(async |s, c| s.reverify(c, Strategy::Password, PASSWORD.into()).await).await;
    assert_eq!(r.map(|v| v.needs_reverification), Ok(false));
    let codes = b.with(async |s, c| s.backup_codes(c).await).await.unwrap().backup_codes;
    // A backup code also re-verifies, once; so does the authenticator app.
    w.clock.advance(window);
    assert_eq!(needs(&mut b).await, Some(true));
    let once = codes[0].clone();
    let r = b.with(async |s, c| s.reverify(c, Strategy::BackupCode, once.clone()).await).await;
    assert!(r.is_ok(), "{r:?}");
    w.clock.advance(window);
    let r = b.with(async |s, c| s.reverify(c, Strategy::BackupCode, once).await).await;
    assert_eq!(r.err(), Some(Fault::CodeIncorrect(None)), "used up");
    let code = domain::secrets::totp_now(&secret, w.clock.now()).unwrap();
    let r = b.with(async |s, c| s.reverify(c, Strategy::Totp, code).await).await;
    assert_eq!(r.map(|v| v.needs_reverification), Ok(false));
}

/// The code in the newest message to `to`, waiting for it: first-factor
/// emails go out after the answer.
async fn later_code(w: &World, to: &str, n: usize) -> String {
    for _ in 0..200 {
        let msgs = w.store.outbox(50).await.unwrap();
        if msgs.iter().filter(|m| m.recipient == to).count() >= n {
            return w.code_to(to).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no email #{n} to {to}");
}

#[tokio::test]
async fn a_breached_password_at_sign_in_gets_the_reset_password_task() {
    let w = world(settings()).await;
    // Made before the list knew it: straight into the store.
    let tx = w.store.begin().await.unwrap();
    let hash = domain::secrets::hash_password("iloveyou").unwrap();
    let new = domain::store::NewUser {
        public_id: domain::secrets::user_id(),
        email: "old@example.com".into(),
        password_hash: hash,
        phone: None,
        totp_secret: None,
        created_at: T,
        metadata: Default::default(),
        source_id: None,
        lang: None,
    };
    tx.create_user(&new).await.unwrap();
    tx.commit().await.unwrap();
    let mut b = w.browser();
    assert_eq!(b.password("old@example.com", "iloveyou").await, Ok(Status::Complete));
    let done = b.with(async |s, c| s.finalize(c).await).await.unwrap();
    assert_eq!(done.current_task.as_deref(), Some("reset-password"));
    assert!(b.session().await.is_none(), "pending until a new password is set");
    let r = b.with(async |s, c| s.change_password(c, "iloveyou".into(), true).await).await;
    assert_eq!(r.err(), Some(Fault::PasswordTooShort(15)), "the policy applies (no MFA here: 15)");
    let r = b.with(async |s, c| s.change_password(c, "a brand new passphrase".into(), true).await).await;
    assert_eq!(r.map(|u| u.task), Ok(None));
    assert!(b.session().await.is_some());
}

#[tokio::test]
async fn a_reset_code_waits_its_resend_interval_and_dies_at_its_ttl() {
    let w = world(settings()).await;
    w.user("reset@example.com", false).await;
    let mut b = w.browser();
    let start =
        b.with(async |s, c| s.create(c, "reset@example.com".into(), Some(Strategy::ResetPasswordEmailCode)).await);
    assert_eq!(start.await.map(|v| v.status), Ok(Status::NeedsFirstFactor));
    let send = async |b: &mut Browser| {
        b.with(async |s, c| s.prepare_first_factor(c, Strategy::ResetPasswordEmailCode).await).await
    };
    w.clock.advance(10);
    assert_eq!(send(&mut b).await.err(), Some(Fault::ResendTooSoon(20)));
    w.clock.advance(20);
    send(&mut b).await.unwrap();
    let code = later_code(&w, "reset@example.com", 2).await;
    w.clock.advance(600);
    let r = b.with(async |s, c| s.attempt_first_factor(c, Strategy::ResetPasswordEmailCode, code).await).await;
    assert_eq!(r.err(), Some(Fault::CodeExpired), "600 s after it was sent");
}

#[tokio::test]
async fn an_unlock_lasts_until_the_lock_ends() {
    let w = world(Settings { lockout: domain::settings::Lockout { threshold: 5, seconds: 3600 }, ..settings() }).await;
    w.user("unlock@example.com", false).await;
    let mut attacker = w.browser();
    for left in (0..5).rev() {
        let told = (left <= 3).then_some(left);
        assert_eq!(attacker.password("unlock@example.com", "guess guess").await, Err(Fault::PasswordIncorrect(told)));
    }
    let mut owner = w.browser();
    assert_eq!(owner.password("unlock@example.com", PASSWORD).await, Err(Fault::UserLocked(3600)));
    w.clock.advance(100);
    let start =
        owner.with(async |s, c| s.create(c, "unlock@example.com".into(), Some(Strategy::UnlockEmailCode)).await);
    start.await.unwrap();
    let code = later_code(&w, "unlock@example.com", 1).await;
    let r = owner.with(async |s, c| s.attempt_first_factor(c, Strategy::UnlockEmailCode, code).await).await;
    assert_eq!(r.map(|v| v.status), Ok(Status::NeedsIdentifier));
    assert_eq!(owner.password("unlock@example.com", PASSWORD).await, Ok(Status::Complete));
    assert_eq!(attacker.password("unlock@example.com", PASSWORD).await, Err(Fault::UserLocked(3500)));
    // At the lock's end everyone is back on the account's own counter.
    w.clock.advance(3500);
    assert_eq!(attacker.password("unlock@example.com", PASSWORD).await, Ok(Status::Complete));
}

#[tokio::test]
async fn a_completed_reset_forgets_the_failures_before_it() {
    let w = world(settings()).await;
    w.user("again@example.com", false).await;
    let mut b = w.browser();
    let start =
        b.with(async |s, c| s.create(c, "again@example.com".into(), Some(Strategy::ResetPasswordEmailCode)).await);
    start.await.unwrap();
    for _ in 0..4 {
        let r = b
            .with(async |s, c| s.attempt_first_factor(c, Strategy::ResetPasswordEmailCode, "000000".to_string()).await);
        assert_eq!(r.await.err(), Some(Fault::CodeIncorrect(None)));
    }
    let code = later_code(&w, "again@example.com", 1).await;
    let r = b.with(async |s, c| s.attempt_first_factor(c, Strategy::ResetPasswordEmailCode, code).await).await;
    assert_eq!(r.map(|v| v.status), Ok(Status::NeedsNewPassword));
    let r = b.with(async |s, c| s.reset_password(c, "a brand new passphrase".into(), true).await).await;
    assert_eq!(r.map(|v| v.status), Ok(Status::Complete));
    // Four wrong codes before it are forgotten: nine wrong passwords now stay under ten.
    let mut other = w.browser();
    for left in (1..10).rev() {
        let told = (left <= 3).then_some(left);
        assert_eq!(other.password("again@example.com", "wrong password").await, Err(Fault::PasswordIncorrect(told)));
    }
    assert_eq!(other.password("again@example.com", "a brand new passphrase").await, Ok(Status::Complete));
}

/// A token's claims, verified as an app would: against the JWKS, by `kid`,
/// with the algorithm of the key.
fn verified(jwt: &str, jwks: &proto::Jwks) -> proto::SessionClaims {
    use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
    let kid = decode_header(jwt).unwrap().kid.unwrap();
    let jwk = jwks.keys.iter().find(|k| k.kid == kid).expect("kid in the JWKS");
    let (alg, key) = match jwk.alg.as_str() {
        "RS256" => (
            Algorithm::RS256,
            DecodingKey::from_rsa_components(jwk.n.as_deref().unwrap(), jwk.e.as_deref().unwrap()).unwrap(),
        ),
        _ => (Algorithm::EdDSA, DecodingKey::from_ed_components(jwk.x.as_deref().unwrap()).unwrap()),
    };
    let mut v = Validation::new(alg);
    v.validate_exp = false; // the fixed clock is not the wall clock
    v.validate_nbf = false;
    decode(jwt, &key, &v).unwrap().claims
}

fn alg(jwt: &str) -> jsonwebtoken::Algorithm {
    jsonwebtoken::decode_header(jwt).unwrap().alg
}

fn kid(jwt: &str) -> String {
    jsonwebtoken::decode_header(jwt).unwrap().kid.unwrap()
}

#[tokio::test]
async fn session_tokens_follow_the_session_and_the_key_rotation() {
    let w = world(settings()).await;
    let created = w.user("tok@example.com", false).await;
    let mut b = w.browser();
    assert_eq!(b.with(async |s, c| s.token(c).await).await, Err(Fault::SignedOut));
    b.signed_in("tok@example.com").await;
    let first = b.with(async |s, c| s.token(c).await).await.unwrap().jwt;
    assert_eq!(b.tokens.get(&Jar::Token), Some(&first), "the __session cookie holds it too");
    let jwks = w.svc.jwks(w.clock.now()).await.unwrap();
    assert_eq!(jwks.keys.len(), 1, "the first key is made on first use");
    let c = verified(&first, &jwks);
    assert_eq!(alg(&first), jsonwebtoken::Algorithm::RS256);
    let view = b.session().await.unwrap();
    assert!(c.sub.starts_with("user_") && c.sub != created.id.to_string());
    assert_eq!((c.sub.as_str(), c.sid.as_str()), (view.user_id.as_str(), view.id.as_str()));
    assert_eq!((c.iat, c.exp, c.sts.as_str(), c.fva), (T, T + 60, "active", [0, -1]));
    assert_eq!(c.email, None, "the email claim is opt-in");
    w.clock.advance(150);
    let c = verified(&b.with(async |s, c| s.token(c).await).await.unwrap().jwt, &jwks);
    assert_eq!(c.fva, [2, -1], "minutes since the password; no second factor in this session");

    // Rotation: published at once, signing PUBLISH_AHEAD later.
    let r = w.clock.now();
    let t = &w.cfg.settings.session_token;
    let next = domain::admin::rotate_keys(w.store.as_ref(), &w.keys, t, r).await.unwrap();
    let jwks = w.svc.jwks(r).await.unwrap();
    assert_eq!(jwks.keys.len(), 2);
    let before = b.with(async |s, c| s.token(c).await).await.unwrap().jwt;
    assert_eq!(kid(&before), kid(&first), "the old key signs until every node knows the new one");
    w.clock.advance(domain::tokens::PUBLISH_AHEAD - 1);
    let still = b.with(async |s, c| s.token(c).await).await.unwrap().jwt;
    assert_eq!(kid(&still), kid(&first));
    w.clock.advance(1);
    let after = b.with(async |s, c| s.token(c).await).await.unwrap().jwt;
    assert_eq!(kid(&after), next.kid);
    assert_eq!(verified(&before, &w.svc.jwks(w.clock.now()).await.unwrap()).sid, view.id, "old tokens still verify");
    // Another node on the same database signs with the same keys.
    let node_b =
        Service::new(w.store.clone(), w.sender.clone(), w.cfg.clone(), w.keys.clone(), w.clock.clone()).unwrap();
    let mut on_b = Browser { svc: Arc::new(node_b), clock: w.clock.clone(), tokens: b.tokens.clone() };
    assert_eq!(kid(&on_b.with(async |s, c| s.token(c).await).await.unwrap().jwt), next.kid);
    // The old key leaves the JWKS once its last token has expired.
    w.clock.advance(60 + domain::tokens::KEY_REFRESH);
    let jwks = w.svc.jwks(w.clock.now()).await.unwrap();
    assert_eq!(jwks.keys.iter().map(|k| k.kid.clone()).collect::<Vec<_>>(), std::slice::from_ref(&next.kid));
    let listed = domain::admin::keys(w.store.as_ref(), t, w.clock.now()).await.unwrap();
    assert_eq!(listed.iter().map(|k| k.state).collect::<Vec<_>>(), ["signing", "gone"]);
    assert!(listed.iter().all(|k| k.alg == "RS256" && k.pem.is_some()), "RS256 by default, with Clerk's PEM");

    // Signing out stops new tokens at once.
    b.with(async |s, c| s.sign_out(c).await).await.unwrap();
    assert_eq!(b.tokens.get(&Jar::Token), None, "the __session cookie is cleared");
    assert_eq!(b.with(async |s, c| s.token(c).await).await, Err(Fault::SignedOut));
}

#[tokio::test]
async fn switching_the_algorithm_signs_with_a_new_key_and_a_rotation_retires_the_old() {
    let mut ed = settings();
    ed.session_token.algorithm = domain::tokens::Alg::EdDSA;
    let w = world(ed).await;
    w.user("alg@example.com", false).await;
    let mut b = w.browser();
    b.signed_in("alg@example.com").await;
    let first = b.with(async |s, c| s.token(c).await).await.unwrap().jwt;
    assert_eq!(alg(&first), jsonwebtoken::Algorithm::EdDSA);
    // The same database, restarted with RS256 (another node would do the same).
    let mut cfg = (*w.cfg).clone();
    cfg.settings.session_token.algorithm = domain::tokens::Alg::RS256;
    let t = cfg.settings.session_token.clone();
    let rs = Service::new(w.store.clone(), w.sender.clone(), Arc::new(cfg), w.keys.clone(), w.clock.clone()).unwrap();
    let mut on_rs = Browser { svc: Arc::new(rs), clock: w.clock.clone(), tokens: b.tokens.clone() };
    let second = on_rs.with(async |s, c| s.token(c).await).await.unwrap().jwt;
    assert_eq!(alg(&second), jsonwebtoken::Algorithm::RS256, "at once, without waiting for a rotation");
    let jwks = on_rs.svc.jwks(w.clock.now()).await.unwrap();
    assert_eq!(verified(&first, &jwks).sid, verified(&second, &jwks).sid, "both keys published");
    let listed = domain::admin::keys(w.store.as_ref(), &t, w.clock.now()).await.unwrap();
    let mut states: Vec<(&str, &str)> = listed.iter().map(|k| (k.alg.as_str(), k.state)).collect();
    states.sort();
    assert_eq!(states, [("EdDSA", "idle"), ("RS256", "signing")]);
    let r = w.clock.now();
    domain::admin::rotate_keys(w.store.as_ref(), &w.keys, &t, r).await.unwrap();
    w.clock.advance(domain::tokens::PUBLISH_AHEAD + 60 + domain::tokens::KEY_REFRESH);
    let jwks = on_rs.svc.jwks(w.clock.now()).await.unwrap();
    assert_eq!(jwks.keys.iter().map(|k| k.alg.as_str()).collect::<Vec<_>>(), ["RS256"], "the rotation ended both");
}

#[tokio::test]
async fn a_pending_session_gets_only_a_pending_token_and_a_second_factor_counts_in_fva() {
    let w = world(Settings { require_mfa: true, ..settings() }).await;
    w.user("pend@example.com", false).await;
    let mut b = w.browser();
    b.password("pend@example.com", PASSWORD).await.unwrap();
    b.with(async |s, c| s.finalize(c).await).await.unwrap();
    let jwt = b.with(async |s, c| s.token(c).await).await.unwrap().jwt;
    let jwks = w.svc.jwks(w.clock.now()).await.unwrap();
    assert_eq!(verified(&jwt, &jwks).sts, "pending", "setup-mfa: no active token");
    let mut fwd = w.browser();
    fwd.tokens = b.tokens.clone();
    assert!(fwd.with(async |s, c| s.forward_auth(c).await).await.unwrap().is_none(), "nor forward auth");

    // A user with a phone: the SMS code is the second factor of the session.
    w.user("mfa@example.com", true).await;
    let mut m = w.browser();
    assert_eq!(m.password("mfa@example.com", PASSWORD).await, Ok(Status::NeedsSecondFactor));
    m.with(async |s, c| s.prepare_second_factor(c, Strategy::PhoneCode).await).await.unwrap();
    let code = w.code_to("+15555550123").await;
    m.with(async |s, c| s.attempt_second_factor(c, Strategy::PhoneCode, code).await).await.unwrap();
    m.with(async |s, c| s.finalize(c).await).await.unwrap();
    w.clock.advance(180);
    let c = verified(&m.with(async |s, c| s.token(c).await).await.unwrap().jwt, &jwks);
    assert_eq!((c.sts.as_str(), c.fva), ("active", [3, 3]));
    let user = m.with(async |s, c| s.forward_auth(c).await).await.unwrap().unwrap();
    assert_eq!((user.email.as_str(), user.public_id), ("mfa@example.com", c.sub));
    // A password re-verification renews the first factor's age only.
    m.with(async |s, c| s.reverify(c, Strategy::Password, PASSWORD.into()).await).await.unwrap();
    let c = verified(&m.with(async |s, c| s.token(c).await).await.unwrap().jwt, &jwks);
    assert_eq!(c.fva, [0, 3]);
}

/// A sender that keeps what it is handed: messages to send at once, and
/// those to send later.
#[derive(Default)]
struct Kept {
    now: Mutex<Vec<String>>,
    later: Mutex<Vec<(Option<String>, Message)>>,
}

#[async_trait::async_trait]
impl Sender for Kept {
    async fn send(&self, to: &str, _: proto::Lang, _: &Message, _: i64) -> Result<(), String> {
        self.now.lock().unwrap().push(to.into());
        Ok(())
    }
    fn send_later(self: Arc<Self>, to: Option<String>, _: proto::Lang, msg: Message, _: i64) {
        self.later.lock().unwrap().push((to, msg));
    }
}

/// Forgot password for a known and an unknown address does the same work
/// before the answer: each hands the sender one message of the same kind
/// to word and send later, and neither sends one while the request is
/// answered (delivery words the unknown one all the same, sending it
/// nowhere).
#[tokio::test]
async fn forgot_password_does_the_same_work_for_known_and_unknown_addresses() {
    let kept = Arc::new(Kept::default());
    let sender = kept.clone();
    let w = world_with(settings(), move |_, _| sender).await;
    w.user("known@example.com", false).await;
    let mut handed = vec![];
    for email in ["known@example.com", "unknown@example.com"] {
        let mut b = w.browser();
        let r = b.with(async |s, c| s.create(c, email.into(), Some(Strategy::ResetPasswordEmailCode)).await).await;
        assert_eq!(r.map(|v| v.status), Ok(Status::NeedsFirstFactor));
        assert!(kept.now.lock().unwrap().is_empty(), "{email}: nothing sent before the answer");
        let later = std::mem::take(&mut *kept.later.lock().unwrap());
        assert_eq!(later.len(), 1, "{email}: one message handed over");
        handed.push(later.into_iter().next().unwrap());
    }
    let mut handed = handed.into_iter();
    let reset = |m: &Message| match m {
        Message::EmailCode { code, purpose: CodeFor::ResetPassword, .. } => code.len() == 6,
        _ => false,
    };
    let (to, msg) = handed.next().unwrap();
    assert_eq!(to.as_deref(), Some("known@example.com"));
    assert!(reset(&msg), "the code: {msg:?}");
    let (to, msg) = handed.next().unwrap();
    assert_eq!(to, None, "the unknown address is sent nothing");
    assert!(reset(&msg), "a message of the same kind: {msg:?}");
}
