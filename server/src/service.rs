//! The auth backend: checks credentials, feeds verdicts to the state machine
//! (`flow`), persists through `Store`, sends through `Sender`, sets cookies.

use crate::config::Config;
use app::api::{Backend, Call};
use async_trait::async_trait;
use domain::audit::Event;
use domain::clock::Clock;
use domain::flow::{self, Attempt, Factors, PasswordOk, SignUp, SignUpStep, Step, SIGN_UP_TTL};
use domain::mail::{self, Sender};
use domain::policy;
use domain::secrets::{self, SecretBox};
use domain::store::{AuditEvent, NewSession, Session, Store, StoreError, Subject, User};
use proto::*;
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

/// What a one-time code is for. Stored with it: an owner's codes for
/// different steps never stand in for each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// The second factor by SMS.
    PhoneCode,
    /// The email code of `needs_client_trust`.
    EmailCode,
    /// The email code of a sign-up.
    SignUp,
    /// The code that proves a phone being added.
    PhoneVerify,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::PhoneCode => "phone_code",
            Purpose::EmailCode => "email_code",
            Purpose::SignUp => "sign_up_email",
            Purpose::PhoneVerify => "phone_verify",
        }
    }
}

/// The client cookie lives as long as browsers allow (400 days in Chrome).
const CLIENT_MAX_AGE: i64 = 400 * 86400;

/// Where a new one-time code goes.
pub(crate) enum Dest<'a> {
    Sms(&'a str),
    /// An email; the second part completes "Enter it to …".
    Email(&'a str, &'a str),
    /// A code nobody can know, and this email instead of it (to the owner
    /// of an address that already has an account).
    Notice(&'a str, mail::Mail),
}
/// Longest password we hash (the policy accepts at least 256 characters).
pub(crate) const MAX_PASSWORD_BYTES: usize = 1024;
/// Longer than any code: wrong without a look.
const MAX_CODE_BYTES: usize = 64;

pub struct Service {
    pub store: Arc<dyn Store>,
    pub sender: Arc<dyn Sender>,
    pub cfg: Arc<Config>,
    pub keys: Arc<SecretBox>,
    /// The only source of the time: each request reads it once.
    pub clock: Arc<dyn Clock>,
    /// Verified against when the email is unknown, so that both cases cost
    /// one argon2 verify: no enumeration by timing.
    dummy_hash: Arc<str>,
}

/// Storage failures are logged here and reach the client as `Unavailable`.
pub(crate) fn db<T>(r: Result<T, StoreError>) -> Result<T, Fault> {
    r.map_err(|e| {
        tracing::error!(error = %e, "storage failure");
        Fault::Unavailable
    })
}

/// A cookie's value: one set earlier in this call wins over the request's
/// (a form post without JavaScript finalizes the attempt it just created).
fn cookie<'a>(call: &'a Call, name: &str) -> Option<&'a str> {
    let prefix = format!("{name}=");
    if let Some(set) = call.set_cookies.iter().rev().find(|c| c.starts_with(&prefix)) {
        let value = set[prefix.len()..].split(';').next().unwrap_or("");
        return Some(value).filter(|v| !v.is_empty());
    }
    call.parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

pub(crate) fn header(call: &Call, name: http::header::HeaderName) -> Option<String> {
    call.parts.headers.get(name).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(256).collect())
}

/// The client's IP: the socket's peer, unless that peer is a trusted proxy;
/// then the right-most X-Forwarded-For entry that is not a trusted proxy.
pub fn client_ip(call: &Call, trusted: &[IpAddr]) -> IpAddr {
    let peer = call
        .parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let xff: Vec<&str> = call.parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    resolve_ip(peer, &xff, trusted)
}

pub fn resolve_ip(peer: IpAddr, xff: &[&str], trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops = xff.iter().flat_map(|v| v.split(',')).map(str::trim).collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
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

impl Service {
    pub fn new(
        store: Arc<dyn Store>,
        sender: Arc<dyn Sender>,
        cfg: Arc<Config>,
        keys: Arc<SecretBox>,
        clock: Arc<dyn Clock>,
    ) -> Result<Service, String> {
        let dummy_hash = secrets::hash_password(&secrets::token())?;
        Ok(Service { store, sender, cfg, keys, clock, dummy_hash: dummy_hash.into() })
    }

    /// This service with its writes gathered into one unit of work (one
    /// commit), for the steps every sign-in takes.
    pub(crate) async fn unit(&self) -> Result<Service, Fault> {
        Ok(Service {
            store: db(self.store.begin().await)?,
            sender: self.sender.clone(),
            cfg: self.cfg.clone(),
            keys: self.keys.clone(),
            clock: self.clock.clone(),
            dummy_hash: self.dummy_hash.clone(),
        })
    }

    /// Commits the unit, whatever `r` is: counted tries, limits and audit
    /// rows stay counted when the step itself failed.
    pub(crate) async fn commit<T>(&self, r: Result<T, Fault>) -> Result<T, Fault> {
        db(self.store.commit().await)?;
        r
    }

    /// Records an event; a failure to record is logged, not shown.
    pub(crate) async fn audit(
        &self,
        call: &Call,
        event: Event,
        user_id: Option<i64>,
        identifier: Option<&str>,
        detail: Option<&str>,
    ) {
        let e = AuditEvent {
            at: self.clock.now(),
            event: event.name().into(),
            user_id,
            identifier: identifier.map(String::from),
            ip: Some(client_ip(call, &self.cfg.trusted_proxies).to_string()),
            user_agent: header(call, http::header::USER_AGENT),
            detail: detail.map(String::from),
        };
        if let Err(err) = self.store.audit(&e).await {
            tracing::error!(error = %err, event = event.name(), "audit write failed");
        }
    }

    /// Per-IP fixed-window limit for `bucket`, counted in the database.
    pub(crate) async fn rate_limit(&self, call: &Call, bucket: &str, limit: i64, now: i64) -> Result<(), Fault> {
        let ip = client_ip(call, &self.cfg.trusted_proxies).to_string();
        let window = self.cfg.s.rate_limits.window;
        let (hits, start) = db(self.store.rate_hit(bucket, &ip, now, window).await)?;
        if hits > limit {
            return Err(Fault::TooManyRequests((start + window - now).max(1) as u32));
        }
        Ok(())
    }

    /// Counts a try against the subject before checking it; refuses while
    /// locked. Ok(true) if this try, when wrong, locks the subject.
    pub(crate) async fn reserve(&self, call: &Call, subject: &str, now: i64) -> Result<bool, Fault> {
        let c = &self.cfg;
        match db(self.store.lockout_reserve(subject, now, c.s.lockout.threshold, c.s.lockout.seconds).await)? {
            Ok(n) => Ok(n >= c.s.lockout.threshold),
            Err(until) => {
                self.audit(call, Event::SignInRefusedLocked, None, Some(subject), None).await;
                Err(Fault::UserLocked((until - now).max(1) as u32))
            }
        }
    }

    /// A try at a secret of the account `subject`, under the limits every
    /// path shares: the per-IP rate limit, the try counted before `check`
    /// looks (refused while locked), and a failure audited as `failed_event`
    /// with the lock it started. What success clears is the caller's.
    pub(crate) async fn checked_try(
        &self,
        call: &Call,
        (subject, user_id): (&str, Option<i64>),
        failed_event: Event,
        now: i64,
        check: impl AsyncFnOnce() -> Result<(), Fault>,
    ) -> Result<(), Fault> {
        self.rate_limit(call, "verify", self.cfg.s.rate_limits.verify, now).await?;
        let locks = self.reserve(call, subject, now).await?;
        let verdict = check().await;
        if let Err(f) = verdict {
            if f != Fault::Unavailable {
                self.failed(call, subject, user_id, failed_event, locks).await;
            }
        }
        verdict
    }

    /// After a wrong try: note it, and the lock it started (`locks`, from
    /// `reserve`).
    pub(crate) async fn failed(&self, call: &Call, subject: &str, user_id: Option<i64>, what: Event, locks: bool) {
        self.audit(call, what, user_id, Some(subject), None).await;
        if locks {
            self.audit(call, Event::UserLocked, user_id, Some(subject), None).await;
        }
    }

    pub(crate) fn totp_secret(&self, user: &User) -> Result<String, Fault> {
        let sealed = user.totp_secret.as_deref().ok_or(Fault::StrategyInvalid)?;
        self.keys.open(sealed).ok_or_else(|| {
            tracing::error!(user_id = user.id, "TOTP secret does not open with the configured key");
            Fault::Unavailable
        })
    }

    fn set_cookie(&self, call: &mut Call, name: &str, value: &str, max_age: i64) {
        let secure = if self.cfg.dev { "" } else { "; Secure" };
        call.set_cookies.push(format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            self.cfg.cookie_name(name)
        ));
    }

    fn clear_cookie(&self, call: &mut Call, name: &str) {
        self.set_cookie(call, name, "", 0);
    }

    /// The client's key (the hash of its long-lived cookie); a browser
    /// without one gets one now.
    pub(crate) fn client_key(&self, call: &mut Call) -> String {
        if let Some(key) = self.known_client_key(call) {
            return key;
        }
        let token = secrets::token();
        self.set_cookie(call, "client", &token, CLIENT_MAX_AGE);
        secrets::token_key(&token)
    }

    /// The key of the browser's client cookie, if it has one (sets none).
    fn known_client_key(&self, call: &Call) -> Option<String> {
        cookie(call, &self.cfg.cookie_name("client")).map(secrets::token_key)
    }

    /// Test mode's reserved destinations get no message and accept 424242.
    pub(crate) fn is_test(&self, to: &str) -> bool {
        self.cfg.dev && self.cfg.s.test_mode && mail::is_test_recipient(to)
    }

    /// Stores a fresh code for (key, purpose), replacing the old one unless
    /// that was sent within the resend interval, and sends it.
    pub(crate) async fn issue_code(
        &self,
        token: &str,
        key: &str,
        purpose: Purpose,
        dest: Dest<'_>,
        now: i64,
    ) -> Result<(), Fault> {
        let gap = self.cfg.s.codes.resend_after;
        if let Some(c) = db(self.store.code(key, purpose.name()).await)? {
            let wait = c.sent_at + gap - now;
            if wait > 0 {
                return Err(Fault::ResendTooSoon(wait as u32));
            }
        }
        let (to, known) = match &dest {
            Dest::Sms(to) | Dest::Email(to, _) => (*to, true),
            Dest::Notice(to, _) => (*to, false),
        };
        let test = self.is_test(to);
        let code = if test && known { mail::TEST_CODE.to_string() } else { secrets::otp_code() };
        let hash = secrets::code_hash(token, &code);
        let ttl = self.cfg.s.codes.ttl;
        if !db(self.store.put_code(key, purpose.name(), &hash, now, now + ttl, now - gap).await)? {
            return Err(Fault::ResendTooSoon(gap.max(1) as u32));
        }
        let minutes = (ttl + 59) / 60;
        let sent = match dest {
            _ if test => Ok(()),
            Dest::Notice(to, mail) => self.sender.send_email(to, &mail, now).await,
            Dest::Sms(to) => {
                let body =
                    format!("{code} is your verification code. It expires in {minutes} minutes. Don't share it.");
                self.sender.send_sms(to, &body, now).await
            }
            Dest::Email(to, what) => self.sender.send_email(to, &mail::code_mail(&code, what, minutes), now).await,
        };
        if let Err(e) = sent {
            tracing::error!(error = %e, purpose = purpose.name(), "code delivery failed");
            // Let the user retry at once.
            if let Some(c) = db(self.store.code(key, purpose.name()).await)? {
                db(self.store.delete_code(c.id).await)?;
            }
            return Err(Fault::DeliveryFailed);
        }
        Ok(())
    }

    /// Checks an emailed or texted code; Ok only if it is right and now used up.
    pub(crate) async fn verify_code(
        &self,
        token: &str,
        key: &str,
        purpose: Purpose,
        code: &str,
        now: i64,
    ) -> Result<(), Fault> {
        let max = self.cfg.s.codes.max_failures;
        let c = db(self.store.code(key, purpose.name()).await)?.ok_or(Fault::CodeMissing)?;
        if c.used {
            return Err(Fault::CodeMissing);
        }
        if c.expires_at <= now {
            return Err(Fault::CodeExpired);
        }
        if c.failures >= max {
            return Err(Fault::CodeLocked);
        }
        if !secrets::same(&secrets::code_hash(token, code), &c.code_hash) {
            let n = db(self.store.fail_code(c.id, max).await)?;
            return Err(if n >= max { Fault::CodeLocked } else { Fault::CodeIncorrect });
        }
        if !db(self.store.consume_code(c.id, now, max).await)? {
            return Err(Fault::CodeIncorrect);
        }
        Ok(())
    }

    /// A new session for `user_id` (a new token; the old session ends), and
    /// the client remembered for the user unless it already was.
    pub(crate) async fn start_session(
        &self,
        call: &mut Call,
        user_id: i64,
        client_known: bool,
        identifier: Option<&str>,
        task: Option<&str>,
        now: i64,
    ) -> Result<FinalizeView, Fault> {
        if let Some(old) = self.session_token(call) {
            db(self.store.delete_session(&secrets::token_key(old)).await)?;
        }
        let token = secrets::token();
        let ip = Some(client_ip(call, &self.cfg.trusted_proxies).to_string());
        db(self
            .store
            .insert_session(&NewSession {
                key: &secrets::token_key(&token),
                task,
                user_id,
                now,
                expires_at: now + self.cfg.s.sessions.lifetime,
                ip,
                user_agent: header(call, http::header::USER_AGENT),
            })
            .await)?;
        self.set_cookie(call, "session", &token, self.cfg.s.sessions.lifetime);
        if !client_known {
            let client = self.client_key(call);
            db(self.store.trust_client(&client, user_id, now).await)?;
        }
        self.audit(call, Event::SessionCreated, Some(user_id), identifier, task).await;
        Ok(match task {
            Some(t) => FinalizeView { redirect_url: task_url(t), current_task: Some(t.to_string()) },
            None => FinalizeView { redirect_url: "/".into(), current_task: None },
        })
    }

    /// A session's task: a user without a second factor, when MFA is required.
    pub(crate) fn task_for(&self, factors: Factors) -> Option<&'static str> {
        (self.cfg.s.require_mfa && !factors.has_primary()).then_some(TASK_SETUP_MFA)
    }

    fn sign_up_token<'a>(&self, call: &'a Call) -> Option<&'a str> {
        cookie(call, &self.cfg.cookie_name("sign_up"))
    }

    /// The sign-up behind the cookie: (token, key, sign-up).
    async fn load_sign_up(&self, call: &Call, now: i64) -> Result<(String, String, SignUp), Fault> {
        let token = self.sign_up_token(call).ok_or(Fault::SignUpNotFound)?.to_string();
        let key = secrets::token_key(&token);
        match db(self.store.sign_up(&key).await)? {
            Some(s) if s.expires_at > now => Ok((token, key, s)),
            _ => Err(Fault::SignUpNotFound),
        }
    }

    async fn sign_up_view(&self, key: &str, su: &SignUp, now: i64) -> Result<SignUpView, Fault> {
        let missing = su.status == SignUpStatus::MissingRequirements;
        let sent_at = if missing { self.pending_code_sent_at(key, Purpose::SignUp, now).await? } else { None };
        Ok(SignUpView {
            status: su.status,
            email_address: Some(su.email.clone()),
            unverified_fields: if missing { vec!["email_address".into()] } else { vec![] },
            email_code_sent_at: sent_at,
        })
    }

    /// This server's origin as browsers reach it, for links in emails.
    pub(crate) fn origin(&self, call: &Call) -> String {
        match &self.cfg.origin {
            Some(o) => o.trim_end_matches('/').to_string(),
            None => {
                let host = header(call, http::header::HOST).unwrap_or_else(|| "localhost".into());
                let scheme = if self.cfg.dev { "http" } else { "https" };
                format!("{scheme}://{host}")
            }
        }
    }

    /// Sends the sign-up's email: the code, or to an existing account's
    /// address a notice (and a code nobody knows, so that both look alike).
    async fn send_sign_up_email(
        &self,
        call: &Call,
        token: &str,
        key: &str,
        su: &SignUp,
        now: i64,
    ) -> Result<(), Fault> {
        let dest = if su.password_hash.is_some() {
            Dest::Email(&su.email, "finish creating your account")
        } else {
            Dest::Notice(&su.email, mail::account_exists_mail(&format!("{}/sign-in", self.origin(call))))
        };
        self.issue_code(token, key, Purpose::SignUp, dest, now).await
    }

    fn attempt_token<'a>(&self, call: &'a Call) -> Option<&'a str> {
        cookie(call, &self.cfg.cookie_name("sign_in"))
    }

    pub(crate) fn session_token<'a>(&self, call: &'a Call) -> Option<&'a str> {
        cookie(call, &self.cfg.cookie_name("session"))
    }

    /// The attempt behind the cookie: (token, key, attempt).
    async fn load(&self, call: &Call, now: i64) -> Result<(String, String, Attempt), Fault> {
        let token = self.attempt_token(call).ok_or(Fault::SignInNotFound)?.to_string();
        let key = secrets::token_key(&token);
        match db(self.store.attempt(&key).await)? {
            Some(a) if a.expires_at > now => Ok((token, key, a)),
            _ => Err(Fault::SignInNotFound),
        }
    }

    async fn view(&self, key: Option<&str>, a: &Attempt, now: i64) -> Result<SignInView, Fault> {
        let mut phone = None;
        let mut sent_at = None;
        let mut phone_first = false;
        if a.status == Status::NeedsSecondFactor && a.factors.phone {
            if let Some(uid) = a.user_id {
                let user = db(self.store.user(uid).await)?;
                phone_first =
                    user.as_ref().and_then(|u| u.default_factor.as_deref()) == Some(Strategy::PhoneCode.as_str());
                phone = user.and_then(|u| u.phone);
            }
            if let Some(key) = key {
                sent_at = self.pending_code_sent_at(key, Purpose::PhoneCode, now).await?;
            }
        }
        let mut supported = if a.status == Status::NeedsSecondFactor { a.factors.supported() } else { vec![] };
        // The user's default first (TOTP unless they chose SMS).
        if phone_first {
            if let Some(i) = supported.iter().position(|s| *s == Strategy::PhoneCode) {
                let s = supported.remove(i);
                supported.insert(0, s);
            }
        }
        let email_code = match (a.status, &a.identifier, key) {
            (Status::NeedsClientTrust, Some(email), Some(key)) => Some(CodeSent {
                safe_identifier: mask_email(email),
                sent_at: self.pending_code_sent_at(key, Purpose::EmailCode, now).await?,
            }),
            _ => None,
        };
        Ok(SignInView {
            status: a.status,
            identifier: a.identifier.clone(),
            supported_second_factors: supported
                .into_iter()
                .map(|strategy| SecondFactor {
                    strategy,
                    safe_identifier: (strategy == Strategy::PhoneCode)
                        .then(|| phone.as_deref().map(mask_phone))
                        .flatten(),
                })
                .collect(),
            phone_code_sent_at: sent_at,
            email_code,
        })
    }

    /// The session behind the cookie, if live: (key, session). Pending ones
    /// included; callers that need an active session check `task`.
    pub(crate) async fn active_session(&self, call: &Call, now: i64) -> Result<Option<(String, Session)>, Fault> {
        let Some(token) = self.session_token(call) else { return Ok(None) };
        let key = secrets::token_key(token);
        let Some(s) = db(self.store.session(&key).await)? else { return Ok(None) };
        let idle = self.cfg.s.sessions.idle;
        if now >= s.expires_at || flow::idled_out(s.last_active_at, now, idle) {
            db(self.store.delete_session(&key).await)?;
            return Ok(None);
        }
        // Written every sixtieth of the idle window: honest and cheap.
        if flow::needs_touch(s.last_active_at, now, idle) {
            db(self.store.touch_session(&key, now).await)?;
        }
        Ok(Some((key, s)))
    }

    pub(crate) async fn factors(&self, user: &User) -> Result<Factors, Fault> {
        let has_backup = !db(self.store.unused_backup_codes(user.id).await)?.is_empty();
        Ok(self.enabled_factors(user, has_backup))
    }

    /// The user's factors that count: the enabled ones, or, for a user with
    /// none of those, the switched-off ones they rely on (`Factors::usable`).
    pub(crate) fn enabled_factors(&self, user: &User, has_backup: bool) -> Factors {
        let on = &self.cfg.s.second_factors;
        let enrolled =
            Factors { phone: user.phone.is_some(), totp: user.totp_secret.is_some(), backup_codes: has_backup };
        enrolled.usable(Factors { phone: on.phone_code, totp: on.totp, backup_codes: on.backup_code })
    }

    async fn user_of(&self, a: &Attempt) -> Result<User, Fault> {
        let id = a.user_id.ok_or(Fault::InvalidState)?;
        db(self.store.user(id).await)?.ok_or(Fault::SignInNotFound)
    }

    /// Verifies `code` for `strategy`; Ok only if it is right and now used up.
    async fn verify(
        &self,
        token: &str,
        key: &str,
        a: &Attempt,
        s: Strategy,
        code: &str,
        now: i64,
    ) -> Result<(), Fault> {
        match s {
            Strategy::PhoneCode => self.verify_code(token, key, Purpose::PhoneCode, code, now).await,
            Strategy::EmailCode => self.verify_code(token, key, Purpose::EmailCode, code, now).await,
            Strategy::Totp => {
                let user = self.user_of(a).await?;
                self.check_totp(&user, code, now).await?.then_some(()).ok_or(Fault::CodeIncorrect)
            }
            Strategy::BackupCode => {
                let user = self.user_of(a).await?;
                self.check_backup_code(user.id, code, now).await?.then_some(()).ok_or(Fault::CodeIncorrect)
            }
            Strategy::Password => Err(Fault::StrategyInvalid),
        }
    }

    /// Is `code` the user's current TOTP code, not used before? Uses it up.
    pub(crate) async fn check_totp(&self, user: &User, code: &str, now: i64) -> Result<bool, Fault> {
        let secret = self.totp_secret(user)?;
        let Some(step) = secrets::totp_step(&secret, code, now) else { return Ok(false) };
        // A code is accepted once: the step only moves forward.
        db(self.store.advance_totp(user.id, step).await)
    }

    /// Is `code` one of the user's unused backup codes? Uses it up.
    pub(crate) async fn check_backup_code(&self, user_id: i64, code: &str, now: i64) -> Result<bool, Fault> {
        let codes = db(self.store.unused_backup_codes(user_id).await)?;
        // Compare against every code, so timing does not tell which matched.
        let mut hit = None;
        for c in &codes {
            if secrets::same(&secrets::backup_hash(&c.salt, code), &c.code_hash) {
                hit = Some(c.id);
            }
        }
        match hit {
            Some(id) => db(self.store.use_backup_code(id, now).await),
            None => Ok(false),
        }
    }

    /// When the pending (unused, unexpired) code for (key, purpose) was sent.
    async fn pending_code_sent_at(&self, key: &str, purpose: Purpose, now: i64) -> Result<Option<i64>, Fault> {
        Ok(db(self.store.code(key, purpose.name()).await)?.filter(|c| !c.used && c.expires_at > now).map(|c| c.sent_at))
    }
    /// The password step before the hash: limits, the counted try, the
    /// user (None: unknown, checked against the dummy hash all the same).
    async fn password_gate(&self, call: &mut Call, email: &str, now: i64) -> Result<(Option<Subject>, bool), Fault> {
        // A pending session counts as signed out: its user may sign in again.
        if self.active_session(call, now).await?.is_some_and(|(_, s)| s.task.is_none()) {
            return Err(Fault::SessionExists);
        }
        self.rate_limit(call, "create", self.cfg.s.rate_limits.create, now).await?;
        // Counted per email, known or not: lockout tells nothing either.
        let locks = self.reserve(call, email, now).await?;
        // Read with the user, not after the hash: two round trips fewer. No
        // cookie is set here; a browser without one gets it on success.
        let client = self.known_client_key(call);
        Ok((db(self.store.sign_in_subject(email, client.as_deref()).await)?, locks))
    }

    /// The password step after the hash: a fresh attempt (and cookie), or
    /// the failure counted. Returns (token, key, attempt, user).
    async fn password_outcome(
        &self,
        call: &mut Call,
        email: &str,
        subject: Option<Subject>,
        ok: bool,
        locks: bool,
        now: i64,
    ) -> Result<(String, String, Attempt, User), Fault> {
        let Subject { user, has_backup, client_known } = match subject {
            Some(s) if ok => s,
            other => {
                let uid = other.map(|s| s.user.id);
                self.failed(call, email, uid, Event::SignInPasswordFailed, locks).await;
                return Err(Fault::PasswordIncorrect);
            }
        };
        db(self.store.lockout_release(email, self.cfg.s.lockout.threshold).await)?;
        self.audit(call, Event::SignInPasswordOk, Some(user.id), Some(email), None).await;
        let factors = self.enabled_factors(&user, has_backup);
        // A browser without a client cookie gets one now.
        self.client_key(call);
        let ok = PasswordOk {
            user_id: user.id,
            identifier: user.email.clone(),
            factors,
            client_known,
            client_trust: self.cfg.s.client_trust,
        };
        let attempt = Attempt::new(now).password_passed(ok, now)?;
        // A fresh attempt (and cookie) at every password step.
        if let Some(old) = self.attempt_token(call) {
            db(self.store.delete_attempt(&secrets::token_key(old)).await)?;
        }
        let token = secrets::token();
        let key = secrets::token_key(&token);
        db(self.store.insert_attempt(&key, &attempt).await)?;
        if attempt.status == Status::Complete {
            db(self.store.lockout_reset(email).await)?;
        }
        self.set_cookie(call, "sign_in", &token, domain::flow::ATTEMPT_TTL);
        Ok((token, key, attempt, user))
    }

    /// A second factor checked, in one unit, for the attempt (token, key,
    /// attempt) already loaded and checked. Returns the attempt after.
    async fn second_factor_unit(
        &self,
        call: &mut Call,
        s: Strategy,
        code: &str,
        (token, key, a): (&str, &str, &Attempt),
        now: i64,
    ) -> Result<Attempt, Fault> {
        let subject = a.identifier.clone().unwrap_or_default();
        self.checked_try(call, (&subject, a.user_id), Event::SignInSecondFactorFailed, now, async || {
            if code.len() > MAX_CODE_BYTES {
                Err(Fault::CodeIncorrect)
            } else {
                self.verify(token, key, a, s, code, now).await
            }
        })
        .await?;
        let next = a.second_factor_passed(s, now)?;
        if !db(self.store.update_attempt(key, a.status, &next).await)? {
            return Err(Fault::InvalidState);
        }
        // A completed sign-in forgets the failures.
        db(self.store.lockout_reset(&subject).await)?;
        self.audit(call, Event::SignInSecondFactorOk, a.user_id, Some(&subject), Some(s.as_str())).await;
        Ok(next)
    }

    /// The sign-up's email code checked, in one unit, for the sign-up (token,
    /// key, sign-up) already loaded and checked. Returns the sign-up after.
    async fn sign_up_verify_unit(
        &self,
        call: &mut Call,
        code: &str,
        (token, key, su): (&str, &str, &SignUp),
        now: i64,
    ) -> Result<SignUp, Fault> {
        // Counted apart from sign-in, so that guessing here cannot lock the
        // address's real account.
        let subject = format!("sign_up:{}", su.email);
        self.checked_try(call, (&subject, None), Event::SignUpCodeFailed, now, async || {
            if code.len() > MAX_CODE_BYTES {
                Err(Fault::CodeIncorrect)
            } else {
                self.verify_code(token, key, Purpose::SignUp, code, now).await
            }
        })
        .await?;
        let hash = su.password_hash.clone().ok_or(Fault::CodeIncorrect)?;
        // Asked first: a unique violation would end PostgreSQL's transaction.
        if db(self.store.user_by_email(&su.email).await)?.is_some() {
            return Err(Fault::EmailTaken);
        }
        let new = domain::store::NewUser {
            email: su.email.clone(),
            password_hash: hash,
            phone: None,
            totp_secret: None,
            created_at: now,
        };
        let user_id = match self.store.create_user(&new).await {
            Ok(id) => id,
            Err(StoreError::Conflict) => return Err(Fault::EmailTaken),
            Err(e) => {
                tracing::error!(error = %e, "storage failure");
                return Err(Fault::Unavailable);
            }
        };
        let next = su.verified(user_id, now)?;
        if !db(self.store.update_sign_up(key, su.status, &next).await)? {
            return Err(Fault::InvalidState);
        }
        db(self.store.lockout_reset(&subject).await)?;
        self.audit(call, Event::UserCreated, Some(user_id), Some(&su.email), Some("sign_up")).await;
        Ok(next)
    }

    /// Finalize, in one unit: the complete attempt `key` becomes a session.
    async fn finalize_unit(&self, call: &mut Call, key: &str, now: i64) -> Result<FinalizeView, Fault> {
        // Exactly one finalize wins; a replayed cookie finds nothing.
        let a = db(self.store.take_complete_attempt(key).await)?.ok_or(Fault::SignInNotFound)?;
        let user_id = a.user_id.ok_or(Fault::InvalidState)?;
        let task = self.task_for(a.factors);
        let done = self.start_session(call, user_id, a.client_known, a.identifier.as_deref(), task, now).await?;
        self.clear_cookie(call, "sign_in");
        Ok(done)
    }
}

#[async_trait]
impl Backend for Service {
    async fn sign_in(&self, call: &mut Call) -> Result<SignInView, Fault> {
        let now = self.clock.now();
        match self.load(call, now).await {
            Ok((_, key, a)) => self.view(Some(&key), &a, now).await,
            Err(Fault::SignInNotFound) => Ok(SignInView::default()),
            Err(f) => Err(f),
        }
    }

    async fn password(&self, call: &mut Call, identifier: String, password: String) -> Result<SignInView, Fault> {
        let now = self.clock.now();
        if identifier.trim().is_empty() {
            return Err(Fault::Missing(Field::Identifier));
        }
        let email = policy::email(&identifier).ok_or(Fault::IdentifierInvalid)?;
        if password.is_empty() {
            return Err(Fault::Missing(Field::Password));
        }
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(Fault::PasswordIncorrect);
        }
        // Two units: the try is counted and committed before the slow hash
        // (which must not hold the database), its outcome after.
        let u = self.unit().await?;
        let r = u.password_gate(call, &email, now).await;
        let (user, locks) = u.commit(r).await?;
        let phc = user.as_ref().map(|s| s.user.password_hash.clone()).unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = secrets::verify_password_async(password, phc).await;
        let u = self.unit().await?;
        let r = u.password_outcome(call, &email, user, ok, locks, now).await;
        let (token, key, attempt, user) = u.commit(r).await?;
        if attempt.status == Status::NeedsClientTrust {
            // A new device: prove it with a code sent to the account's email.
            self.issue_code(&token, &key, Purpose::EmailCode, Dest::Email(&user.email, "sign in on this device"), now)
                .await?;
            self.audit(call, Event::SignInCodeSent, Some(user.id), Some(&email), Some("email_code")).await;
        }
        self.view(Some(&key), &attempt, now).await
    }

    async fn prepare_second_factor(&self, call: &mut Call, s: Strategy) -> Result<SignInView, Fault> {
        let now = self.clock.now();
        let (token, key, a) = self.load(call, now).await?;
        a.check(Step::Prepare(s), now)?;
        self.rate_limit(call, "verify", self.cfg.s.rate_limits.verify, now).await?;
        let subject = a.identifier.clone().unwrap_or_default();
        if let Some(until) = db(self.store.locked_until(&subject, now).await)? {
            return Err(Fault::UserLocked((until - now).max(1) as u32));
        }
        let user = self.user_of(&a).await?;
        let dest = match s {
            Strategy::PhoneCode => Dest::Sms(user.phone.as_deref().ok_or(Fault::StrategyInvalid)?),
            Strategy::EmailCode => Dest::Email(&user.email, "sign in on this device"),
            _ => return Err(Fault::StrategyInvalid),
        };
        let purpose = if s == Strategy::EmailCode { Purpose::EmailCode } else { Purpose::PhoneCode };
        self.issue_code(&token, &key, purpose, dest, now).await?;
        self.audit(call, Event::SignInCodeSent, a.user_id, Some(&subject), Some(s.as_str())).await;
        self.view(Some(&key), &a, now).await
    }

    async fn attempt_second_factor(&self, call: &mut Call, s: Strategy, code: String) -> Result<SignInView, Fault> {
        let now = self.clock.now();
        let (token, key, a) = self.load(call, now).await?;
        a.check(Step::Verify(s), now)?;
        let code = code.trim();
        if code.is_empty() {
            return Err(Fault::Missing(Field::Code));
        }
        // One unit: the limit, the counted try, the code used up and the
        // attempt's new state commit together.
        let u = self.unit().await?;
        let r = u.second_factor_unit(call, s, code, (&token, &key, &a), now).await;
        let next = u.commit(r).await?;
        self.view(Some(&key), &next, now).await
    }

    async fn finalize(&self, call: &mut Call) -> Result<FinalizeView, Fault> {
        let now = self.clock.now();
        let (_, key, a) = self.load(call, now).await?;
        a.check(Step::Finalize, now)?;
        let u = self.unit().await?;
        let r = u.finalize_unit(call, &key, now).await;
        u.commit(r).await
    }

    async fn reset(&self, call: &mut Call) -> Result<SignInView, Fault> {
        if let Some(t) = self.attempt_token(call) {
            db(self.store.delete_attempt(&secrets::token_key(t)).await)?;
        }
        self.clear_cookie(call, "sign_in");
        Ok(SignInView::default())
    }

    async fn session(&self, call: &mut Call) -> Result<Option<SessionView>, Fault> {
        let now = self.clock.now();
        let Some((_, sess)) = self.active_session(call, now).await? else { return Ok(None) };
        // A pending session counts as signed out everywhere but its task.
        if sess.task.is_some() {
            return Ok(None);
        }
        let (user_id, created_at) = (sess.user_id, sess.created_at);
        let Some(user) = db(self.store.user(user_id).await)? else { return Ok(None) };
        let second_factors = self.factors(&user).await?.supported();
        Ok(Some(SessionView { email: user.email, created_at, second_factors }))
    }

    async fn sign_out(&self, call: &mut Call) -> Result<(), Fault> {
        let now = self.clock.now();
        if let Some((key, sess)) = self.active_session(call, now).await? {
            let user_id = sess.user_id;
            db(self.store.delete_session(&key).await)?;
            self.audit(call, Event::SessionEnded, Some(user_id), None, None).await;
        }
        self.clear_cookie(call, "session");
        Ok(())
    }

    async fn sign_up(&self, call: &mut Call) -> Result<SignUpView, Fault> {
        let now = self.clock.now();
        match self.load_sign_up(call, now).await {
            Ok((_, key, su)) => self.sign_up_view(&key, &su, now).await,
            Err(Fault::SignUpNotFound) => Ok(SignUpView::default()),
            Err(f) => Err(f),
        }
    }

    async fn sign_up_password(&self, call: &mut Call, email: String, password: String) -> Result<SignUpView, Fault> {
        let now = self.clock.now();
        if email.trim().is_empty() {
            return Err(Fault::Missing(Field::EmailAddress));
        }
        let email = policy::email(&email).ok_or(Fault::EmailInvalid)?;
        if password.is_empty() {
            return Err(Fault::Missing(Field::Password));
        }
        policy::check(&password, &email, self.cfg.s.require_mfa)?;
        // A pending session counts as signed out: its user may sign in again.
        if self.active_session(call, now).await?.is_some_and(|(_, s)| s.task.is_none()) {
            return Err(Fault::SessionExists);
        }
        self.rate_limit(call, "create", self.cfg.s.rate_limits.create, now).await?;
        let existing = db(self.store.user_by_email(&email).await)?;
        // Hashed either way: an existing address costs the same time.
        let hash = secrets::hash_password_async(password).await.map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            Fault::Unavailable
        })?;
        let su = SignUp::start(email.clone(), existing.is_none().then_some(hash), now);
        if let Some(old) = self.sign_up_token(call) {
            db(self.store.delete_sign_up(&secrets::token_key(old)).await)?;
        }
        let token = secrets::token();
        let key = secrets::token_key(&token);
        db(self.store.insert_sign_up(&key, &su).await)?;
        self.set_cookie(call, "sign_up", &token, SIGN_UP_TTL);
        self.client_key(call);
        let detail = if existing.is_some() { "existing_account" } else { "new_account" };
        self.audit(call, Event::SignUpStarted, existing.map(|u| u.id), Some(&email), Some(detail)).await;
        self.send_sign_up_email(call, &token, &key, &su, now).await?;
        self.sign_up_view(&key, &su, now).await
    }

    async fn sign_up_send_email_code(&self, call: &mut Call) -> Result<SignUpView, Fault> {
        let now = self.clock.now();
        let (token, key, su) = self.load_sign_up(call, now).await?;
        su.check(SignUpStep::SendCode, now)?;
        self.rate_limit(call, "verify", self.cfg.s.rate_limits.verify, now).await?;
        self.send_sign_up_email(call, &token, &key, &su, now).await?;
        self.sign_up_view(&key, &su, now).await
    }

    async fn sign_up_verify_email_code(&self, call: &mut Call, code: String) -> Result<SignUpView, Fault> {
        let now = self.clock.now();
        let (token, key, su) = self.load_sign_up(call, now).await?;
        su.check(SignUpStep::Verify, now)?;
        let code = code.trim();
        if code.is_empty() {
            return Err(Fault::Missing(Field::Code));
        }
        // One unit: the limit, the counted try, the code used up, the new
        // user and the sign-up's new state commit together.
        let u = self.unit().await?;
        let r = u.sign_up_verify_unit(call, code, (&token, &key, &su), now).await;
        let next = u.commit(r).await?;
        self.sign_up_view(&key, &next, now).await
    }

    async fn sign_up_finalize(&self, call: &mut Call) -> Result<FinalizeView, Fault> {
        let now = self.clock.now();
        let (_, key, su) = self.load_sign_up(call, now).await?;
        su.check(SignUpStep::Finalize, now)?;
        let su = db(self.store.take_complete_sign_up(&key).await)?.ok_or(Fault::SignUpNotFound)?;
        let user_id = su.user_id.ok_or(Fault::InvalidState)?;
        // The address was proven on this client: it counts as a sign-in here.
        let task = self.task_for(Factors::default());
        let done = self.start_session(call, user_id, false, Some(&su.email), task, now).await?;
        self.clear_cookie(call, "sign_up");
        Ok(done)
    }

    async fn sign_up_reset(&self, call: &mut Call) -> Result<SignUpView, Fault> {
        if let Some(t) = self.sign_up_token(call) {
            db(self.store.delete_sign_up(&secrets::token_key(t)).await)?;
        }
        self.clear_cookie(call, "sign_up");
        Ok(SignUpView::default())
    }

    async fn user(&self, call: &mut Call) -> Result<Option<UserView>, Fault> {
        self.account_user(call).await
    }

    async fn reverify(&self, call: &mut Call, s: Strategy, secret: String) -> Result<UserView, Fault> {
        self.account_reverify(call, s, secret).await
    }

    async fn totp_start(&self, call: &mut Call) -> Result<TotpSetup, Fault> {
        self.account_totp_start(call).await
    }

    async fn totp_verify(&self, call: &mut Call, code: String) -> Result<Changed, Fault> {
        self.account_totp_verify(call, code).await
    }

    async fn phone_start(&self, call: &mut Call, phone: String) -> Result<UserView, Fault> {
        self.account_phone_start(call, phone).await
    }

    async fn phone_verify(&self, call: &mut Call, code: String) -> Result<Changed, Fault> {
        self.account_phone_verify(call, code).await
    }

    async fn set_default(&self, call: &mut Call, s: Strategy) -> Result<UserView, Fault> {
        self.account_set_default(call, s).await
    }

    async fn backup_codes(&self, call: &mut Call) -> Result<Changed, Fault> {
        self.account_backup_codes(call).await
    }

    async fn remove_factor(&self, call: &mut Call, s: Strategy) -> Result<UserView, Fault> {
        self.account_remove_factor(call, s).await
    }

    async fn sessions(&self, call: &mut Call) -> Result<Vec<SessionInfo>, Fault> {
        self.account_sessions(call).await
    }

    async fn revoke_session(&self, call: &mut Call, id: String) -> Result<Vec<SessionInfo>, Fault> {
        self.account_revoke(call, id).await
    }

    async fn revoke_others(&self, call: &mut Call) -> Result<Vec<SessionInfo>, Fault> {
        self.account_revoke_others(call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        let client: IpAddr = "198.51.100.7".parse().unwrap();
        // Untrusted peer: its header is ignored.
        assert_eq!(resolve_ip(peer, &["1.2.3.4"], &[proxy]), peer);
        // Trusted proxy: the right-most untrusted hop; a spoofed left part is ignored.
        assert_eq!(resolve_ip(proxy, &["1.2.3.4, 198.51.100.7"], &[proxy]), client);
        assert_eq!(resolve_ip(proxy, &["198.51.100.7, 10.0.0.2"], &[proxy]), client);
        // Garbage or nothing: the peer.
        assert_eq!(resolve_ip(proxy, &["not-an-ip"], &[proxy]), proxy);
        assert_eq!(resolve_ip(proxy, &[], &[proxy]), proxy);
    }

    #[test]
    fn code_purposes_keep_their_stored_names() {
        // Rows already hold these: a rename would orphan codes in flight.
        let names = [Purpose::PhoneCode, Purpose::EmailCode, Purpose::SignUp, Purpose::PhoneVerify].map(Purpose::name);
        assert_eq!(names, ["phone_code", "email_code", "sign_up_email", "phone_verify"]);
    }

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
