//! The use cases: each step of sign-in, sign-up, sessions and the account
//! pages, over a `Request` (who asks, the tokens they carry) and the ports.
//! Checks credentials, feeds verdicts to the state machines (`flow`),
//! persists through `Store`, sends through `Sender`, answers token changes.

mod account;
mod backend;
mod codes;
mod environment;
mod health;
mod native;
mod passkey;
mod recovery;
mod session;
mod sign_in;
mod sign_up;
mod token;
mod webhooks;
pub use health::Readiness;
pub use webhooks::Busy;

pub use account::{public_id, sign_in_id, sign_up_id, TotpSecret};
pub(crate) use backend::backend_user;
pub use backend::{BackendSession, BackendUser, UserQuery, MAX_PAGE};
pub(crate) use codes::{Dest, Purpose};
pub use native::Native;

use crate::audit::Event;
use crate::clock::Clock;
use crate::flow::Factors;
use crate::mail::{self, Sender};
use crate::request::{Jar, Request};
use crate::secrets::{self, SecretBox};
use crate::settings::Settings;
use crate::store::prelude::*;
use crate::store::{AuditEvent, Store, StoreError, Tx, User};
use proto::*;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

/// The instance: its settings, and how it is reached.
#[derive(Clone, Debug, Default)]
pub struct Instance {
    /// Development mode over plain HTTP (test mode's recipients, `http` links).
    pub dev: bool,
    pub settings: Settings,
}

/// The client cookie lives as long as browsers allow (400 days in Chrome).
pub(crate) const CLIENT_MAX_AGE: i64 = 400 * 86400;

/// Longest password we hash (the policy accepts at least 256 characters).
pub(crate) const MAX_PASSWORD_BYTES: usize = 1024;
/// Longer than any code: wrong without a look.
const MAX_CODE_BYTES: usize = 64;

/// The use cases over a store: the pool (`Service`, the default), or one
/// transaction (`Unit`). Reads work on both; writes only on a unit.
/// Sealed: the edges reach the store, keys and settings only through the
/// use cases below.
pub struct Service<D = Pool> {
    pub(crate) store: D,
    pub(crate) sender: Arc<dyn Sender>,
    pub(crate) cfg: Arc<Instance>,
    pub(crate) keys: Arc<SecretBox>,
    /// The only source of the time: each request reads it once.
    pub(crate) clock: Arc<dyn Clock>,
    /// Verified against when the email is unknown, so that both cases cost
    /// one argon2 verify: no enumeration by timing.
    dummy_hash: Arc<str>,
    /// The least time a password check takes while imported hashes are
    /// stored (`calibrate`).
    pub(crate) floor: Arc<secrets::Floor>,
    /// The session-token keys this node read last (`token.rs`).
    ring: Arc<std::sync::RwLock<Option<Arc<crate::tokens::Ring>>>>,
}

/// The lockout counter a try went to (see `lock_subject`): a reserved try
/// is released, and failures forgotten, on that same counter, looked up once.
pub(crate) struct Lock {
    /// The counter's name in the `lockouts` table.
    name: String,
    /// The tries that lock it.
    max: i64,
}

/// Where a checked try is counted and its failure noted: in the step's own
/// unit (`Unit`), or in units of their own around the check (`Service`, for
/// a check too slow to hold a unit: a password hash; a code it uses up
/// takes a unit of its own).
pub(crate) trait Ledger {
    /// The limits before a try (`Unit::open_try`).
    async fn open(&self, req: &Request, subject: &str) -> Result<Reserved, Fault>;
    /// After a wrong try (`Unit::failed`); a failure to note is logged, not
    /// shown.
    async fn note_failure(&self, req: &Request, subject: &str, user_id: Option<i64>, what: Failed, left: u32);

    /// A try at a secret of the account `subject`, under the limits every
    /// path shares: the per-IP rate limit, the try counted before `check`
    /// looks (refused while locked), and a failure audited as `failed_event`
    /// with the lock it started. What success clears is the caller's, on
    /// the counter answered.
    async fn checked_try(
        &self,
        req: &Request,
        Account { subject, user_id }: Account<'_>,
        failed: Failed,
        check: impl AsyncFnOnce() -> Result<(), Fault>,
    ) -> Result<Lock, Fault> {
        let Reserved { lock, left } = self.open(req, subject).await?;
        let verdict = check().await;
        if verdict.as_ref().is_err_and(|f| *f != Fault::Unavailable) {
            self.note_failure(req, subject, user_id, failed, left).await;
        }
        verdict.map(|()| lock).map_err(|f| told(f, left))
    }
}

impl Ledger for Service {
    async fn open(&self, req: &Request, subject: &str) -> Result<Reserved, Fault> {
        self.alone(async |u| u.open_try(req, subject).await).await
    }

    async fn note_failure(&self, req: &Request, subject: &str, user_id: Option<i64>, what: Failed, left: u32) {
        let noted = self.alone(async |u| {
            u.failed(req, subject, user_id, what, left).await;
            Ok(())
        });
        let _ = noted.await;
    }
}

impl Ledger for Unit {
    async fn open(&self, req: &Request, subject: &str) -> Result<Reserved, Fault> {
        self.open_try(req, subject).await
    }

    async fn note_failure(&self, req: &Request, subject: &str, user_id: Option<i64>, what: Failed, left: u32) {
        self.failed(req, subject, user_id, what, left).await
    }
}

/// A failed try's audit event, and the strategy tried where it says more
/// than the event (audited as its detail, counted by it).
pub(crate) type Failed = (Event, Option<&'static str>);

/// Whose secret a try is at: the lockout subject (the email address) and
/// the user, when there is one (a sign-up's code has none yet).
pub(crate) struct Account<'a> {
    pub(crate) subject: &'a str,
    pub(crate) user_id: Option<i64>,
}

/// A try counted on its lock before it is checked.
pub(crate) struct Reserved {
    pub(crate) lock: Lock,
    /// Tries left if this one is wrong (0: it locks the subject).
    pub(crate) left: u32,
}

/// Wrong second-factor codes an account takes per lock period, from all its
/// clients together: two lockouts' worth (the owner's own, after an unlock),
/// at most 100 (NIST SP 800-63B, 5.2.2).
pub(crate) fn second_factor_budget(threshold: i64) -> i64 {
    (2 * threshold).min(100)
}

/// The name of an account's second-factor guess counter (`subject`: its
/// email; no email has a space, so no other counter is named so).
pub(crate) fn second_factor_counter(subject: &str) -> String {
    format!("{subject} second_factor")
}

/// A wrong try tells the tries left once this few remain.
const TELL_TRIES_LEFT: u32 = 3;

/// A new password signs the user's other sessions out unless the client
/// says not to (Clerk's `signOutOfOtherSessions` defaults to yes).
pub(crate) fn sign_out_others(said: Option<bool>) -> bool {
    said.unwrap_or(true)
}

/// `f`, for a wrong try with `left` tries before a lock, telling them when
/// few remain.
pub(crate) fn told(f: Fault, left: u32) -> Fault {
    if left <= TELL_TRIES_LEFT {
        f.with_tries_left(left)
    } else {
        f
    }
}

/// Storage failures are logged here and reach the client as `Unavailable`
/// (`?` on a store call does both).
impl From<StoreError> for Fault {
    fn from(e: StoreError) -> Fault {
        tracing::error!(error = %e, "storage failure");
        Fault::Unavailable
    }
}

/// `jane@example.com` → `j•••@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
}

/// `+15555550100` → `+1 ••• ••• 0100`.
pub fn mask_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let tail = &digits[digits.len().saturating_sub(4)..];
    let cc = if phone.starts_with("+1") { "+1 " } else { "" };
    format!("{cc}••• ••• {tail}")
}

/// A unit of work: the service over one transaction (`Tx`), the only place
/// a write compiles. `commit` consumes it; dropped uncommitted, it rolls
/// back.
pub(crate) type Unit = Service<Txn>;

/// The service's pool; a type of its own as `Txn` is.
#[derive(Clone)]
pub struct Pool(Arc<dyn Store>);

impl Deref for Pool {
    type Target = dyn Store;

    fn deref(&self) -> &(dyn Store + 'static) {
        self.0.as_ref()
    }
}

/// A unit's transaction. A type of its own, with no lifetime in it: over
/// `Box<dyn Tx>` rustc cannot prove an async closure's or a trait method's
/// future `Send` ("not general enough" over the `dyn Tx`'s lifetime).
pub(crate) struct Txn(Box<dyn Tx>, Mutex<Vec<crate::metrics::Count>>);

impl Deref for Txn {
    type Target = dyn Tx;

    fn deref(&self) -> &(dyn Tx + 'static) {
        self.0.as_ref()
    }
}

impl Unit {
    /// Commits the unit, whatever `r` is: counted tries, limits and audit
    /// rows stay counted when the step itself failed.
    pub(crate) async fn commit<T>(self, r: Result<T, Fault>) -> Result<T, Fault> {
        let Txn(tx, counts) = self.store;
        tx.commit().await?;
        // Counted only once what they count is stored.
        for c in counts.into_inner().unwrap_or_default() {
            c.add();
        }
        r
    }
}

impl Service {
    pub fn new(
        store: Arc<dyn Store>,
        sender: Arc<dyn Sender>,
        cfg: Arc<Instance>,
        keys: Arc<SecretBox>,
        clock: Arc<dyn Clock>,
    ) -> Result<Service, String> {
        let dummy_hash = secrets::hash_password(&secrets::token())?;
        Ok(Service {
            store: Pool(store),
            sender,
            cfg,
            keys,
            clock,
            dummy_hash: dummy_hash.into(),
            floor: Default::default(),
            ring: Default::default(),
        })
    }

    /// The instance's settings, as it started.
    pub fn settings(&self) -> &Settings {
        &self.cfg.settings
    }

    /// Makes a user with the factors `spec` asks for (development and
    /// tests: the operator's `user create` does the same).
    pub async fn create_user(
        &self,
        spec: crate::users::Spec,
    ) -> Result<crate::users::Created, crate::users::CreateError> {
        let now = self.clock.now();
        crate::users::create(
            &*self.store,
            &self.keys,
            spec,
            self.cfg.settings.require_mfa,
            now,
            Some(&self.cfg.settings),
        )
        .await
    }

    /// Sets the password checks' floor from the imported hashes still
    /// stored (none: no floor). At start-up and now and then after: the
    /// floor falls as their users sign in and are re-hashed.
    pub async fn calibrate(&self) -> Result<(), Fault> {
        let kinds = self.store.imported_hash_kinds().await?;
        self.floor.measure(&kinds).await;
        Ok(())
    }

    /// Calibrates first when `stored` is an imported hash of a kind the
    /// floor has not measured (imported since the last calibration, as by
    /// the CLI beside a running server): no check of it goes unfloored
    /// but this one, once per kind and node.
    pub(crate) async fn floor_for(&self, stored: &str) {
        if secrets::kind_of(stored).is_some_and(|k| !self.floor.knows(&k)) {
            if let Err(e) = self.calibrate().await {
                tracing::warn!(error = ?e, "password check floor");
            }
        }
    }

    /// The newest `n` messages the development sender kept.
    pub async fn outbox(&self, n: i64) -> Result<Vec<crate::store::OutboxMessage>, Fault> {
        Ok(self.store.outbox(n).await?)
    }

    /// This service with its writes gathered into one unit of work (one
    /// commit), for the steps every sign-in takes.
    pub(crate) async fn unit(&self) -> Result<Unit, Fault> {
        Ok(Service {
            store: Txn(self.store.begin().await?, Mutex::default()),
            sender: self.sender.clone(),
            cfg: self.cfg.clone(),
            keys: self.keys.clone(),
            clock: self.clock.clone(),
            dummy_hash: self.dummy_hash.clone(),
            floor: self.floor.clone(),
            ring: self.ring.clone(),
        })
    }

    /// Runs `step` on a unit of its own and commits the unit whatever the
    /// result: for a write outside a step's unit.
    pub(crate) async fn alone<T>(&self, step: impl AsyncFnOnce(&Unit) -> Result<T, Fault>) -> Result<T, Fault> {
        let u = self.unit().await?;
        let r = step(&u).await;
        u.commit(r).await
    }

    /// Records an event in a unit of its own; a failure is logged, not shown.
    pub(crate) async fn audit(
        &self,
        req: &Request,
        event: Event,
        user_id: Option<i64>,
        identifier: Option<&str>,
        detail: Option<&str>,
    ) {
        let noted = self.alone(async |u| {
            u.audit(req, event, user_id, identifier, detail).await;
            Ok(())
        });
        let _ = noted.await;
    }

    /// The per-IP limit, counted in a unit of its own.
    pub(crate) async fn rate_limit(&self, req: &Request, bucket: &str, limit: i64) -> Result<(), Fault> {
        self.alone(async |u| u.rate_limit(req, bucket, limit).await).await
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    pub(crate) fn totp_secret(&self, user: &User) -> Result<String, Fault> {
        let sealed = user.totp_secret.as_deref().ok_or(Fault::StrategyInvalid)?;
        self.keys.open(sealed).ok_or_else(|| {
            tracing::error!(user_id = user.id, "TOTP secret does not open with the configured key");
            Fault::Unavailable
        })
    }

    /// The client's key (the hash of its long-lived cookie); a browser
    /// without one gets one now.
    pub(crate) fn client_key(&self, req: &mut Request) -> String {
        if let Some(key) = self.known_client_key(req) {
            return key;
        }
        let token = secrets::token();
        req.set(Jar::Client, &token, CLIENT_MAX_AGE);
        secrets::token_key(&token)
    }

    /// The key of the browser's client cookie, if it has one (sets none).
    fn known_client_key(&self, req: &Request) -> Option<String> {
        req.token(Jar::Client).map(secrets::token_key)
    }

    /// Test mode's reserved destinations get no message and accept 424242.
    pub(crate) fn is_test(&self, to: &str) -> bool {
        self.cfg.dev && self.cfg.settings.test_mode && mail::is_test_recipient(to)
    }

    /// This server's origin as browsers reach it, for links in emails (the
    /// edge's, never a header's).
    pub(crate) fn origin(&self, req: &Request) -> String {
        req.origin.clone()
    }

    /// A session's task: a new password first, for a password marked
    /// compromised; then a second factor, when MFA is required and the user
    /// has none.
    pub(crate) fn task_for(&self, factors: Factors, compromised: bool) -> Option<&'static str> {
        if compromised {
            return Some(TASK_RESET_PASSWORD);
        }
        (self.cfg.settings.require_mfa && !factors.has_primary()).then_some(TASK_SETUP_MFA)
    }

    /// The lockout counter a try at `subject` (an email) goes to: the
    /// account's; or, on a client that proved the address of the locked
    /// account (`unlock_email_code`), that client's own, so the lock stays
    /// for every other client.
    pub(crate) async fn lock_subject(&self, req: &Request, subject: &str) -> Result<Lock, Fault> {
        let now = req.now;
        match self.known_client_key(req) {
            Some(client) if self.store.unlocked(subject, &client, now).await? => {
                Ok(Lock { name: format!("{subject} {client}"), max: self.cfg.settings.lockout.threshold })
            }
            _ => Ok(Lock { name: subject.to_string(), max: self.cfg.settings.lockout.threshold }),
        }
    }

    /// The counter of the account's second-factor guesses, from all its
    /// clients together (`second_factor_budget`).
    pub(crate) fn second_factor_lock(&self, subject: &str) -> Lock {
        Lock { name: second_factor_counter(subject), max: second_factor_budget(self.cfg.settings.lockout.threshold) }
    }

    pub(crate) async fn factors(&self, user: &User) -> Result<Factors, Fault> {
        let has_backup = !self.store.unused_backup_codes(user.id).await?.is_empty();
        Ok(self.enabled_factors(user, has_backup))
    }

    /// The user's factors that count (`enabled_factors`).
    pub(crate) fn enabled_factors(&self, user: &User, has_backup: bool) -> Factors {
        enabled_factors(&self.cfg.settings, user, has_backup)
    }
}

impl Unit {
    /// Records an event; a failure to record is logged, not shown.
    pub(crate) async fn audit(
        &self,
        req: &Request,
        event: Event,
        user_id: Option<i64>,
        identifier: Option<&str>,
        detail: Option<&str>,
    ) {
        self.audit_session(req, event, user_id, identifier, detail, None).await
    }

    /// `audit`, naming the session (`sess_…`) a session event is about.
    pub(crate) async fn audit_session(
        &self,
        req: &Request,
        event: Event,
        user_id: Option<i64>,
        identifier: Option<&str>,
        detail: Option<&str>,
        session_id: Option<&str>,
    ) {
        let e = AuditEvent {
            at: req.now,
            event: event.name().into(),
            user_id,
            identifier: identifier.map(String::from),
            ip: Some(req.ip.to_string()),
            user_agent: req.user_agent.clone(),
            detail: detail.map(String::from),
        };
        if let Err(err) = crate::audit::record(&*self.store, Some(&self.cfg.settings), &e, session_id).await {
            tracing::error!(error = %err, event = event.name(), "audit write failed");
        }
        if let (Some(c), Ok(mut counts)) = (crate::metrics::counted(event, detail), self.store.1.lock()) {
            counts.push(c);
        }
    }

    /// Per-IP fixed-window limit for `bucket`, counted in the database.
    pub(crate) async fn rate_limit(&self, req: &Request, bucket: &str, limit: i64) -> Result<(), Fault> {
        let now = req.now;
        let ip = req.ip.to_string();
        let window = self.cfg.settings.rate_limits.window;
        let (hits, start) = self.store.rate_hit(bucket, &ip, now, window).await?;
        if hits > limit {
            crate::metrics::rate_limited(bucket);
            return Err(Fault::TooManyRequests((start + window - now).max(1) as u32));
        }
        Ok(())
    }

    /// Counts a try against the subject before checking it; refuses while
    /// locked. Answers the counter it went to (for the release or reset
    /// after), and the tries left if this one is wrong (0: it locks the
    /// subject).
    pub(crate) async fn reserve(&self, req: &Request, subject: &str) -> Result<Reserved, Fault> {
        let lock = self.lock_subject(req, subject).await?;
        self.reserve_on(req, lock, subject).await
    }

    /// Counts a second-factor guess on the account's own budget, whichever
    /// client makes it (refused while spent): an unlock gives a browser a
    /// lockout count of its own, never more guesses at the second factor.
    pub(crate) async fn reserve_second_factor(&self, req: &Request, subject: &str) -> Result<Lock, Fault> {
        Ok(self.reserve_on(req, self.second_factor_lock(subject), subject).await?.lock)
    }

    /// `reserve` on `lock`.
    async fn reserve_on(&self, req: &Request, lock: Lock, subject: &str) -> Result<Reserved, Fault> {
        let now = req.now;
        let seconds = self.cfg.settings.lockout.seconds;
        match self.store.lockout_reserve(&lock.name, now, lock.max, seconds).await? {
            Ok(n) => {
                let left = u32::try_from((lock.max - n).max(0)).unwrap_or(0);
                Ok(Reserved { lock, left })
            }
            Err(until) => {
                self.audit(req, Event::SignInRefusedLocked, None, Some(subject), None).await;
                Err(Fault::UserLocked((until - now).max(1) as u32))
            }
        }
    }

    /// The try reserved on `lock` was right: take it back.
    pub(crate) async fn release_try(&self, lock: &Lock) -> Result<(), Fault> {
        Ok(self.store.lockout_release(&lock.name, lock.max).await?)
    }

    /// A sign-in completed: forget the failures on `lock`.
    pub(crate) async fn forget_failures(&self, lock: &Lock) -> Result<(), Fault> {
        Ok(self.store.lockout_reset(&lock.name).await?)
    }

    /// The limits before a try: the per-IP rate limit, then the try counted
    /// against `subject` (refused while locked); as `reserve`.
    pub(crate) async fn open_try(&self, req: &Request, subject: &str) -> Result<Reserved, Fault> {
        self.rate_limit(req, "verify", self.cfg.settings.rate_limits.verify).await?;
        self.reserve(req, subject).await
    }

    /// After a wrong try: note it, and the lock it started (no tries
    /// `left`, from `reserve`).
    pub(crate) async fn failed(&self, req: &Request, subject: &str, user_id: Option<i64>, what: Failed, left: u32) {
        let (event, strategy) = what;
        self.audit(req, event, user_id, Some(subject), strategy).await;
        if left == 0 {
            self.audit(req, Event::UserLocked, user_id, Some(subject), None).await;
        }
    }

    /// Is `code` the user's current TOTP code, not used before? Uses it up.
    pub(crate) async fn check_totp(&self, user: &User, code: &str, now: i64) -> Result<bool, Fault> {
        let secret = self.totp_secret(user)?;
        let Some(step) = secrets::totp_step(&secret, code, now) else { return Ok(false) };
        // A code is accepted once: the step only moves forward.
        Ok(self.store.advance_totp(user.id, step).await?)
    }

    /// Is `code` one of the user's unused backup codes? Uses it up.
    pub(crate) async fn check_backup_code(&self, user_id: i64, code: &str, now: i64) -> Result<bool, Fault> {
        let codes = self.store.unused_backup_codes(user_id).await?;
        // Compare against every code, so timing does not tell which matched.
        let mut hit = None;
        for c in &codes {
            if secrets::same(&secrets::backup_hash(&c.salt, code), &c.code_hash) {
                hit = Some(c.id);
            }
        }
        match hit {
            Some(id) => Ok(self.store.use_backup_code(id, now).await?),
            None => Ok(false),
        }
    }
}

/// The user's factors that count: the enabled ones, or, for a user with
/// none of those, the switched-off ones they rely on (`Factors::usable`).
pub(crate) fn enabled_factors(settings: &Settings, user: &User, has_backup: bool) -> Factors {
    let on = &settings.second_factors;
    let enrolled = Factors {
        phone: user.phone.is_some(),
        totp: user.totp_secret.is_some(),
        backup_codes: has_backup,
        passkey: user.has_passkey,
    };
    let enabled = Factors {
        phone: on.phone_code,
        totp: on.totp,
        backup_codes: on.backup_code,
        passkey: settings.passkeys.second_factor,
    };
    enrolled.usable(enabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_masked() {
        assert_eq!(mask_email("jane@example.com"), "j•••@example.com");
        assert_eq!(mask_email("x"), "•••");
    }

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("+15555550100"), "+1 ••• ••• 0100");
        assert_eq!(mask_phone("+447700900123"), "••• ••• 0123");
        assert_eq!(mask_phone("12"), "••• ••• 12");
    }
}
