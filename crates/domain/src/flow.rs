//! The sign-in attempt as one explicit state machine: pure, clock passed in.
//! The service checks credentials and feeds the verdicts in; this decides what
//! is legal in each state and where the attempt goes next.

use proto::{Fault, SignUpStatus, Status, Strategy};

/// How long an attempt lives after its password step.
pub const ATTEMPT_TTL: i64 = 30 * 60;

/// The user's second factors as the attempt knows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Factors {
    pub phone: bool,
    pub totp: bool,
    pub backup_codes: bool,
    pub passkey: bool,
}

impl Factors {
    /// A factor that stands on its own (backup codes do not).
    pub fn has_primary(self) -> bool {
        self.phone || self.totp || self.passkey
    }

    /// What a user may sign in with: what they enrolled (`self`) that the
    /// instance enables. A switched-off type still counts for a user with no
    /// enabled one, so turning a type off never turns MFA off: such users
    /// keep it until they add an enabled factor (README, "Second factors").
    pub fn usable(self, enabled: Factors) -> Factors {
        let on = Factors {
            phone: self.phone && enabled.phone,
            totp: self.totp && enabled.totp,
            passkey: self.passkey && enabled.passkey,
            backup_codes: false,
        };
        let primary = if on.has_primary() { on } else { Factors { backup_codes: false, ..self } };
        Factors { backup_codes: self.backup_codes && enabled.backup_codes && primary.has_primary(), ..primary }
    }

    /// `supported_second_factors`, default first: TOTP, then SMS, then a
    /// passkey, then backup codes (only with another factor).
    pub fn supported(self) -> Vec<Strategy> {
        let mut out = Vec::new();
        if self.totp {
            out.push(Strategy::Totp);
        }
        if self.phone {
            out.push(Strategy::PhoneCode);
        }
        if self.passkey {
            out.push(Strategy::Passkey);
        }
        if self.backup_codes && self.has_primary() {
            out.push(Strategy::BackupCode);
        }
        out
    }
}

/// Who an attempt is for: known once the password was right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub user_id: i64,
    pub identifier: String,
    pub factors: Factors,
    /// Has this user completed a sign-in on this client (browser) before?
    pub client_known: bool,
}

impl Claim {
    /// A complete attempt of a user with a primary factor passed the second
    /// factor: no path completes without it (`only_legal_paths_complete`).
    pub fn second_factor_verified(&self) -> bool {
        self.factors.has_primary()
    }
}

/// An attempt started from an identifier alone (forgot password, sign-in by
/// email code, unlock): the user behind it, if any, stays unknown to the
/// client until an emailed code proves the address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    pub identifier: String,
    /// `None`: no such account. The steps look the same; no code can verify.
    pub claim: Option<Claim>,
    /// The instance lets an emailed code stand for the password.
    pub email_code: bool,
}

/// The codes an identifier-only sign-in can go on with: a reset, and the
/// email code when the instance lets it stand for the password.
pub fn first_factors(email_code: bool) -> Vec<Strategy> {
    let mut out = vec![Strategy::ResetPasswordEmailCode];
    if email_code {
        out.push(Strategy::EmailCode);
    }
    out
}

impl Lookup {
    /// `supported_first_factors`: the same for every address.
    pub fn supported(&self) -> Vec<Strategy> {
        first_factors(self.email_code)
    }

    /// May `s` be sent or verified at `needs_first_factor`? The unlock code
    /// is always allowed (the service checks there is a lock to lift).
    fn allows(&self, s: Strategy) -> bool {
        s == Strategy::UnlockEmailCode || self.supported().contains(&s)
    }
}

/// Where an attempt stands, holding only what is legal there: nobody before
/// a right password (or an emailed code), the user it is for after one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    NeedsIdentifier,
    /// Begun with a passkey (no identifier): its answer says who it is.
    NeedsPasskey,
    /// An identifier only: an emailed code comes next.
    NeedsFirstFactor(Lookup),
    /// The reset code proved the address: a new password comes next.
    NeedsNewPassword(Claim),
    NeedsSecondFactor(Claim),
    /// A new client proves itself with a code sent to the account's email.
    NeedsClientTrust(Claim),
    Complete(Claim),
}

impl Stage {
    pub fn status(&self) -> Status {
        match self {
            Stage::NeedsIdentifier => Status::NeedsIdentifier,
            Stage::NeedsPasskey | Stage::NeedsFirstFactor(_) => Status::NeedsFirstFactor,
            Stage::NeedsNewPassword(_) => Status::NeedsNewPassword,
            Stage::NeedsSecondFactor(_) => Status::NeedsSecondFactor,
            Stage::NeedsClientTrust(_) => Status::NeedsClientTrust,
            Stage::Complete(_) => Status::Complete,
        }
    }

    /// The user the attempt is for, once the client proved who it is (a
    /// right password or an emailed code). Never at `needs_first_factor`.
    pub fn claim(&self) -> Option<&Claim> {
        match self {
            Stage::NeedsIdentifier | Stage::NeedsPasskey | Stage::NeedsFirstFactor(_) => None,
            Stage::NeedsNewPassword(c)
            | Stage::NeedsSecondFactor(c)
            | Stage::NeedsClientTrust(c)
            | Stage::Complete(c) => Some(c),
        }
    }

    /// A stored stage: a status past the password with no user behind it
    /// (which nothing writes) starts over. `lookup` is the identifier-only
    /// attempt's (identifier, email code on), for `needs_first_factor`;
    /// `passkey_first`: the attempt began with a passkey.
    pub fn from_parts(
        status: Status,
        claim: Option<Claim>,
        lookup: Option<(String, bool)>,
        passkey_first: bool,
    ) -> Stage {
        match (status, claim) {
            (Status::NeedsFirstFactor, None) if passkey_first => Stage::NeedsPasskey,
            (Status::NeedsFirstFactor, claim) => match lookup {
                Some((identifier, email_code)) => Stage::NeedsFirstFactor(Lookup { identifier, claim, email_code }),
                None => Stage::NeedsIdentifier,
            },
            (Status::NeedsNewPassword, Some(c)) => Stage::NeedsNewPassword(c),
            (Status::NeedsSecondFactor, Some(c)) => Stage::NeedsSecondFactor(c),
            (Status::NeedsClientTrust, Some(c)) => Stage::NeedsClientTrust(c),
            (Status::Complete, Some(c)) => Stage::Complete(c),
            _ => Stage::NeedsIdentifier,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub stage: Stage,
    /// Which strategy proved each factor so far.
    pub proofs: Proofs,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The strategies that verified the attempt's factors (Clerk's
/// `first_factor_verification` / `second_factor_verification`): the first
/// is the password, an emailed code or a passkey; the second a second
/// factor or the client-trust code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Proofs {
    pub first: Option<Strategy>,
    pub second: Option<Strategy>,
}

/// What the service learnt at a right password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordOk {
    pub user_id: i64,
    pub identifier: String,
    pub factors: Factors,
    pub client_known: bool,
    /// The instance setting `client_trust`.
    pub client_trust: bool,
}

/// A step the client asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Password,
    Prepare(Strategy),
    Verify(Strategy),
    /// `needs_new_password`: the replacement for a forgotten one.
    NewPassword,
    Finalize,
}

impl Attempt {
    /// A fresh attempt, before any identifier.
    pub fn new(now: i64) -> Attempt {
        Attempt {
            stage: Stage::NeedsIdentifier,
            proofs: Proofs::default(),
            created_at: now,
            expires_at: now + ATTEMPT_TTL,
        }
    }

    pub fn status(&self) -> Status {
        self.stage.status()
    }

    /// The user the attempt is for, once known.
    pub fn claim(&self) -> Option<&Claim> {
        self.stage.claim()
    }

    /// May `step` be taken now? Checked before any credential is looked at,
    /// so that a wrong-state request consumes nothing (no TOTP step, no code).
    pub fn check(&self, step: Step, now: i64) -> Result<(), Fault> {
        if now >= self.expires_at {
            return Err(Fault::SignInNotFound);
        }
        match step {
            Step::Password => match self.stage {
                Stage::NeedsIdentifier => Ok(()),
                _ => Err(Fault::InvalidState),
            },
            Step::Prepare(s) | Step::Verify(s) => {
                // Backup codes without another factor: say why, in any state
                // past a proof (before one, nothing about the user shows).
                if s == Strategy::BackupCode && self.claim().is_some_and(|c| !c.factors.has_primary()) {
                    return Err(Fault::BackupCodesNotAvailable);
                }
                match &self.stage {
                    // Its challenge comes with the attempt: only the answer.
                    Stage::NeedsPasskey if step == Step::Verify(Strategy::Passkey) => Ok(()),
                    Stage::NeedsPasskey => Err(Fault::StrategyInvalid),
                    Stage::NeedsFirstFactor(l) if l.allows(s) => Ok(()),
                    Stage::NeedsFirstFactor(_) => Err(Fault::StrategyInvalid),
                    // A new client proves itself with an email code only.
                    Stage::NeedsClientTrust(_) if s == Strategy::EmailCode => Ok(()),
                    Stage::NeedsClientTrust(_) => Err(Fault::StrategyInvalid),
                    Stage::NeedsSecondFactor(c) => {
                        let allowed = match step {
                            // What needs sending: an SMS, a passkey challenge.
                            Step::Prepare(_) => matches!(s, Strategy::PhoneCode | Strategy::Passkey),
                            _ => s != Strategy::Password,
                        };
                        if !allowed || !c.factors.supported().contains(&s) {
                            return Err(Fault::StrategyInvalid);
                        }
                        Ok(())
                    }
                    _ => Err(Fault::InvalidState),
                }
            }
            Step::NewPassword => match self.stage {
                Stage::NeedsNewPassword(_) => Ok(()),
                _ => Err(Fault::InvalidState),
            },
            Step::Finalize => match self.stage {
                Stage::Complete(_) => Ok(()),
                _ => Err(Fault::InvalidState),
            },
        }
    }

    /// An identifier-only attempt (Clerk's `signIn.create({ identifier })`).
    pub fn identified(lookup: Lookup, now: i64) -> Attempt {
        Attempt { stage: Stage::NeedsFirstFactor(lookup), ..Attempt::new(now) }
    }

    /// The account was proved without its password (an emailed code, or a
    /// reset and a new password): its second factor if it has one, else
    /// done. The code came by email, so the client needs no more trust.
    fn proved(&self, claim: Claim, first: Strategy) -> Attempt {
        let stage = if claim.factors.has_primary() { Stage::NeedsSecondFactor(claim) } else { Stage::Complete(claim) };
        Attempt { stage, proofs: Proofs { first: Some(first), second: None }, ..self.clone() }
    }

    /// A first-factor code was verified: a reset code leads to the new
    /// password, an email code to the second factor (or done), an unlock
    /// code leaves the attempt as it was (the service lifts the lock).
    pub fn first_factor_passed(&self, s: Strategy, now: i64) -> Result<Attempt, Fault> {
        self.check(Step::Verify(s), now)?;
        let Stage::NeedsFirstFactor(l) = &self.stage else { return Err(Fault::InvalidState) };
        // No account: no code can verify, so this is only reached by a bug.
        let claim = l.claim.clone().ok_or(Fault::CodeIncorrect(None))?;
        Ok(match s {
            Strategy::ResetPasswordEmailCode => Attempt {
                stage: Stage::NeedsNewPassword(claim),
                proofs: Proofs { first: Some(s), second: None },
                ..self.clone()
            },
            Strategy::EmailCode => self.proved(claim, s),
            _ => self.clone(),
        })
    }

    /// The new password was stored: a reset never skips the second factor.
    pub fn new_password_set(&self, now: i64) -> Result<Attempt, Fault> {
        self.check(Step::NewPassword, now)?;
        let claim = self.claim().ok_or(Fault::InvalidState)?.clone();
        Ok(self.proved(claim, Strategy::ResetPasswordEmailCode))
    }

    /// The password was right: MFA if the user has a second factor; else an
    /// email code if the client is new to the user and client trust is on.
    pub fn password_passed(&self, ok: PasswordOk, now: i64) -> Result<Attempt, Fault> {
        self.check(Step::Password, now)?;
        let claim = Claim {
            user_id: ok.user_id,
            identifier: ok.identifier,
            factors: ok.factors,
            client_known: ok.client_known,
        };
        let stage = if ok.factors.has_primary() {
            Stage::NeedsSecondFactor(claim)
        } else if ok.client_trust && !ok.client_known {
            Stage::NeedsClientTrust(claim)
        } else {
            Stage::Complete(claim)
        };
        let proofs = Proofs { first: Some(Strategy::Password), second: None };
        Ok(Attempt { stage, proofs, created_at: now, expires_at: now + ATTEMPT_TTL })
    }

    /// A sign-in begun with a passkey, before the browser answers.
    pub fn for_passkey(now: i64) -> Attempt {
        Attempt { stage: Stage::NeedsPasskey, ..Attempt::new(now) }
    }

    /// The passkey answered, user-verified, for `claim`'s user: as in Clerk,
    /// that is both factors at once (something held, and a PIN or biometric
    /// the authenticator checked), so the attempt is complete, with no
    /// client trust either (a passkey cannot be phished onto a new device).
    pub fn passkey_passed(&self, claim: Claim, now: i64) -> Result<Attempt, Fault> {
        self.check(Step::Verify(Strategy::Passkey), now)?;
        match self.stage {
            Stage::NeedsPasskey => Ok(Attempt {
                stage: Stage::Complete(claim),
                proofs: Proofs { first: Some(Strategy::Passkey), second: None },
                ..self.clone()
            }),
            _ => Err(Fault::InvalidState),
        }
    }

    /// A second factor was verified.
    pub fn second_factor_passed(&self, s: Strategy, now: i64) -> Result<Attempt, Fault> {
        self.check(Step::Verify(s), now)?;
        let claim = self.claim().ok_or(Fault::InvalidState)?.clone();
        let proofs = Proofs { second: Some(s), ..self.proofs };
        Ok(Attempt { stage: Stage::Complete(claim), proofs, ..self.clone() })
    }
}

/// How often a session's last activity is written: a sixtieth of the idle
/// timeout (once a minute at the default hour), at most once a second.
pub fn touch_every(idle: i64) -> i64 {
    (idle / 60).max(1)
}

/// Has a session idled out? The stored last activity lags real use by less
/// than `touch_every(idle)`, so that lag is added back: a session ends
/// between `idle` and `idle + touch_every(idle)` after its last use, never
/// while in use.
pub fn idled_out(last_written: i64, now: i64, idle: i64) -> bool {
    now - last_written >= idle + touch_every(idle)
}

/// Should this use of a session write its last activity?
pub fn needs_touch(last_written: i64, now: i64, idle: i64) -> bool {
    now - last_written >= touch_every(idle)
}

/// How long a sign-up lives after its first step.
pub const SIGN_UP_TTL: i64 = 30 * 60;

/// A sign-up in progress: email and password, then the emailed code, then a
/// session. Holds a password hash: never serialized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignUp {
    pub status: SignUpStatus,
    pub email: String,
    /// The chosen password's hash; `None` when the email already has an
    /// account (nothing will be created, and no code can verify).
    pub password_hash: Option<String>,
    pub user_id: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpStep {
    SendCode,
    Verify,
    Finalize,
}

impl SignUp {
    pub fn start(email: String, password_hash: Option<String>, now: i64) -> SignUp {
        SignUp {
            status: SignUpStatus::MissingRequirements,
            email,
            password_hash,
            user_id: None,
            created_at: now,
            expires_at: now + SIGN_UP_TTL,
        }
    }

    pub fn check(&self, step: SignUpStep, now: i64) -> Result<(), Fault> {
        if now >= self.expires_at {
            return Err(Fault::SignUpNotFound);
        }
        let want = match step {
            SignUpStep::SendCode | SignUpStep::Verify => SignUpStatus::MissingRequirements,
            SignUpStep::Finalize => SignUpStatus::Complete,
        };
        if self.status != want {
            return Err(Fault::InvalidState);
        }
        Ok(())
    }

    /// The emailed code was right and the user `user_id` now exists.
    pub fn verified(&self, user_id: i64, now: i64) -> Result<SignUp, Fault> {
        self.check(SignUpStep::Verify, now)?;
        if self.password_hash.is_none() {
            // An existing account's address: nothing can complete it.
            return Err(Fault::CodeIncorrect(None));
        }
        Ok(SignUp { status: SignUpStatus::Complete, user_id: Some(user_id), ..self.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_700_000_000;
    const ALL: Factors = Factors { phone: true, totp: true, backup_codes: true, passkey: true };

    /// A right password on a client the user has used before.
    fn ok(factors: Factors, identifier: &str) -> PasswordOk {
        PasswordOk { user_id: 7, identifier: identifier.into(), factors, client_known: true, client_trust: true }
    }

    fn at(status: Status, factors: Factors) -> Attempt {
        let claim = Claim { user_id: 7, identifier: String::new(), factors, client_known: false };
        Attempt {
            stage: Stage::from_parts(status, Some(claim), Some(("a@b.c".into(), true)), false),
            ..Attempt::new(T)
        }
    }

    fn lookup(factors: Option<Factors>, email_code: bool) -> Attempt {
        let claim =
            factors.map(|factors| Claim { user_id: 7, identifier: "a@b.c".into(), factors, client_known: false });
        Attempt::identified(Lookup { identifier: "a@b.c".into(), claim, email_code }, T)
    }

    #[test]
    fn a_stage_past_the_password_holds_its_user() {
        let c = Claim { user_id: 7, identifier: "a@b.c".into(), factors: ALL, client_known: true };
        for st in [Status::NeedsNewPassword, Status::NeedsSecondFactor, Status::NeedsClientTrust, Status::Complete] {
            let stage = Stage::from_parts(st, Some(c.clone()), None, false);
            assert_eq!((stage.status(), stage.claim()), (st, Some(&c)));
            assert_eq!(
                Stage::from_parts(st, None, None, false),
                Stage::NeedsIdentifier,
                "{st:?} without its user starts over"
            );
        }
        assert_eq!(Stage::from_parts(Status::NeedsIdentifier, Some(c.clone()), None, false).claim(), None);
        let first = Stage::from_parts(Status::NeedsFirstFactor, Some(c), Some(("a@b.c".into(), false)), false);
        assert_eq!((first.status(), first.claim()), (Status::NeedsFirstFactor, None), "nobody before a proof");
        let unknown = Stage::from_parts(Status::NeedsFirstFactor, None, Some(("x@y.z".into(), false)), false);
        assert_eq!(unknown.status(), Status::NeedsFirstFactor, "an unknown address looks the same");
    }

    #[test]
    fn a_reset_never_skips_the_second_factor() {
        for (factors, after) in [(ALL, Status::NeedsSecondFactor), (Factors::default(), Status::Complete)] {
            let a = lookup(Some(factors), false);
            assert_eq!(a.check(Step::Prepare(Strategy::ResetPasswordEmailCode), T), Ok(()));
            assert_eq!(a.check(Step::NewPassword, T), Err(Fault::InvalidState), "no password before the code");
            let b = a.first_factor_passed(Strategy::ResetPasswordEmailCode, T).unwrap();
            assert_eq!(b.status(), Status::NeedsNewPassword);
            assert_eq!(b.check(Step::Finalize, T), Err(Fault::InvalidState));
            assert_eq!(b.check(Step::Verify(Strategy::Totp), T), Err(Fault::InvalidState));
            assert_eq!(b.new_password_set(T).unwrap().status(), after, "{factors:?}");
            assert_eq!(b.new_password_set(b.expires_at), Err(Fault::SignInNotFound));
        }
    }

    #[test]
    fn first_factors_are_the_same_for_every_address_and_tell_nothing() {
        let (known, unknown) = (lookup(Some(Factors::default()), true), lookup(None, true));
        for s in [Strategy::ResetPasswordEmailCode, Strategy::EmailCode, Strategy::UnlockEmailCode] {
            assert_eq!(known.check(Step::Prepare(s), T), unknown.check(Step::Prepare(s), T));
            assert_eq!(unknown.check(Step::Verify(s), T), Ok(()));
            assert_eq!(unknown.first_factor_passed(s, T), Err(Fault::CodeIncorrect(None)), "no account, no way on");
        }
        // Nothing of the user shows before a proof: not even "backup codes need another factor".
        for s in [Strategy::BackupCode, Strategy::Totp, Strategy::PhoneCode, Strategy::Password] {
            assert_eq!(known.check(Step::Verify(s), T), Err(Fault::StrategyInvalid), "{s:?}");
            assert_eq!(unknown.check(Step::Verify(s), T), Err(Fault::StrategyInvalid), "{s:?}");
        }
        assert_eq!(known.check(Step::Finalize, T), Err(Fault::InvalidState));
    }

    #[test]
    fn an_email_code_stands_for_the_password_only_when_enabled() {
        let off = lookup(Some(ALL), false);
        assert_eq!(off.check(Step::Prepare(Strategy::EmailCode), T), Err(Fault::StrategyInvalid));
        let on = lookup(Some(ALL), true);
        let next = on.first_factor_passed(Strategy::EmailCode, T).unwrap();
        assert_eq!(next.status(), Status::NeedsSecondFactor, "MFA still asked");
        let plain = lookup(Some(Factors::default()), true);
        assert_eq!(plain.first_factor_passed(Strategy::EmailCode, T).unwrap().status(), Status::Complete);
        // The unlock code moves nothing: a password still comes next.
        assert_eq!(on.first_factor_passed(Strategy::UnlockEmailCode, T).unwrap(), on);
    }

    #[test]
    fn supported_factors_default_first_and_backup_only_with_another() {
        assert_eq!(ALL.supported(), vec![Strategy::Totp, Strategy::PhoneCode, Strategy::Passkey, Strategy::BackupCode]);
        let passkey = Factors { passkey: true, backup_codes: true, ..Default::default() };
        assert_eq!(passkey.supported(), vec![Strategy::Passkey, Strategy::BackupCode], "a passkey stands alone");
        let phone = Factors { phone: true, ..Default::default() };
        assert_eq!(phone.supported(), vec![Strategy::PhoneCode]);
        let orphan = Factors { backup_codes: true, ..Default::default() };
        assert!(orphan.supported().is_empty());
        assert!(!orphan.has_primary());
    }

    #[test]
    fn a_switched_off_type_counts_until_the_user_has_an_enabled_one() {
        let totp = Factors { totp: true, backup_codes: true, ..Default::default() };
        let no_totp = Factors { totp: false, ..ALL };
        assert_eq!(totp.usable(no_totp), totp, "TOTP only: still asked for, with its backup codes");
        assert_eq!(ALL.usable(no_totp), Factors { totp: false, ..ALL }, "the phone and the passkey serve");
        assert_eq!(ALL.usable(ALL), ALL);
        let none = Factors::default();
        assert_eq!(totp.usable(none), Factors { totp: true, ..none }, "every type off: backup codes too");
        // Whatever is switched off, a user with a second factor keeps one.
        for bits in 0..256u16 {
            let f = |at: u8| Factors {
                phone: bits >> at & 1 == 1,
                totp: bits >> (at + 1) & 1 == 1,
                backup_codes: bits >> (at + 2) & 1 == 1,
                passkey: bits >> (at + 3) & 1 == 1,
            };
            let (enrolled, enabled) = (f(0), f(4));
            let u = enrolled.usable(enabled);
            assert_eq!(u.has_primary(), enrolled.has_primary(), "{enrolled:?} with {enabled:?}");
            assert!(!u.phone || enrolled.phone);
            assert!(!u.totp || enrolled.totp);
            assert!(!u.passkey || enrolled.passkey);
            assert!(!u.backup_codes || (enrolled.backup_codes && enabled.backup_codes));
        }
    }

    /// Requests every `gap` seconds for `uses` times, on a fixed clock: the
    /// session's state after them and how many writes they took.
    fn used(idle: i64, gap: i64, uses: i64) -> (bool, i64, i64) {
        let (mut written, mut writes) = (T, 0);
        for i in 1..=uses {
            let now = T + i * gap;
            if idled_out(written, now, idle) {
                return (false, writes, now);
            }
            if needs_touch(written, now, idle) {
                written = now;
                writes += 1;
            }
        }
        (true, writes, written)
    }

    #[test]
    fn a_session_in_use_never_idles_out_and_writes_sparingly() {
        // Used every second with a 2 s timeout: alive, one write a second.
        assert!(used(2, 1, 100).0);
        // The default hour, used every 59 minutes: alive, a write per use.
        let (alive, writes, _) = used(3600, 59 * 60, 48);
        assert!(alive && writes == 48);
        // Used every second for an hour: about one write a minute.
        let (alive, writes, _) = used(3600, 1, 3600);
        assert!(alive && (59..=61).contains(&writes), "{writes}");
        for idle in [1, 2, 59, 60, 61, 600, 3600, 86400] {
            for gap in [1, 7, 59, idle / 2, idle - 1, idle].into_iter().filter(|g| (1..=idle).contains(g)) {
                assert!(used(idle, gap, 200).0, "idle {idle}, a use every {gap} s");
            }
        }
    }

    #[test]
    fn an_idle_session_ends_at_most_one_write_interval_late() {
        for idle in [1, 2, 60, 3600] {
            for last_use in [T, T + touch_every(idle) - 1] {
                // The last use did not write (it came within the interval).
                let written = T;
                let ends = (last_use..).find(|&now| idled_out(written, now, idle)).unwrap();
                assert!(ends >= last_use + idle, "idle {idle}: ended early");
                assert!(ends <= last_use + idle + touch_every(idle), "idle {idle}: ended late");
            }
        }
        assert!(!idled_out(T, T + 3600 + 59, 3600) && idled_out(T, T + 3660, 3600));
    }

    #[test]
    fn password_without_second_factor_completes() {
        let a = Attempt::new(T).password_passed(ok(Factors::default(), "a@b.c"), T).unwrap();
        assert_eq!(a.status(), Status::Complete);
        assert_eq!(a.claim().map(|c| c.user_id), Some(7));
    }

    #[test]
    fn password_with_second_factor_needs_it() {
        let a = Attempt::new(T).password_passed(ok(ALL, "a@b.c"), T + 5).unwrap();
        assert_eq!(a.status(), Status::NeedsSecondFactor);
        assert_eq!(a.expires_at, T + 5 + ATTEMPT_TTL);
    }

    #[test]
    fn password_only_once() {
        for st in [Status::NeedsSecondFactor, Status::Complete] {
            let r = at(st, ALL).password_passed(ok(ALL, "x@y.z"), T);
            assert_eq!(r, Err(Fault::InvalidState));
        }
    }

    #[test]
    fn each_second_factor_completes() {
        for s in [Strategy::PhoneCode, Strategy::Totp, Strategy::BackupCode] {
            let a = at(Status::NeedsSecondFactor, ALL).second_factor_passed(s, T).unwrap();
            assert_eq!(a.status(), Status::Complete, "{s:?}");
        }
    }

    #[test]
    fn second_factor_refused_before_password_and_after_completion() {
        let fresh = Attempt::new(T);
        assert_eq!(fresh.check(Step::Verify(Strategy::Totp), T), Err(Fault::InvalidState));
        assert_eq!(fresh.check(Step::Prepare(Strategy::PhoneCode), T), Err(Fault::InvalidState));
        let done = at(Status::Complete, ALL);
        assert_eq!(done.second_factor_passed(Strategy::Totp, T), Err(Fault::InvalidState));
    }

    #[test]
    fn strategy_must_be_the_users() {
        let totp_only = Factors { totp: true, ..Default::default() };
        let a = at(Status::NeedsSecondFactor, totp_only);
        assert_eq!(a.check(Step::Verify(Strategy::PhoneCode), T), Err(Fault::StrategyInvalid));
        assert_eq!(a.check(Step::Prepare(Strategy::PhoneCode), T), Err(Fault::StrategyInvalid));
        assert_eq!(a.check(Step::Verify(Strategy::Password), T), Err(Fault::StrategyInvalid));
        // Only SMS codes are "prepared".
        assert_eq!(
            at(Status::NeedsSecondFactor, ALL).check(Step::Prepare(Strategy::Totp), T),
            Err(Fault::StrategyInvalid)
        );
        assert_eq!(a.check(Step::Verify(Strategy::Totp), T), Ok(()));
    }

    #[test]
    fn backup_codes_without_another_factor_say_so() {
        let orphan = Factors { backup_codes: true, ..Default::default() };
        let a = Attempt::new(T).password_passed(ok(orphan, "a@b.c"), T).unwrap();
        assert_eq!(a.status(), Status::Complete);
        assert_eq!(a.check(Step::Verify(Strategy::BackupCode), T), Err(Fault::BackupCodesNotAvailable));
    }

    #[test]
    fn backup_code_refused_when_user_has_none() {
        let a = at(Status::NeedsSecondFactor, Factors { totp: true, ..Default::default() });
        assert_eq!(a.check(Step::Verify(Strategy::BackupCode), T), Err(Fault::StrategyInvalid));
    }

    #[test]
    fn finalize_only_when_complete() {
        assert_eq!(at(Status::Complete, ALL).check(Step::Finalize, T), Ok(()));
        for st in [Status::NeedsIdentifier, Status::NeedsSecondFactor] {
            assert_eq!(at(st, ALL).check(Step::Finalize, T), Err(Fault::InvalidState));
        }
    }

    #[test]
    fn expired_attempt_refuses_every_step() {
        let a = at(Status::NeedsSecondFactor, ALL);
        let late = a.expires_at;
        for step in [Step::Password, Step::Prepare(Strategy::PhoneCode), Step::Verify(Strategy::Totp), Step::Finalize] {
            assert_eq!(a.check(step, late), Err(Fault::SignInNotFound), "{step:?}");
        }
        assert_eq!(a.check(Step::Verify(Strategy::Totp), late - 1), Ok(()));
    }

    #[test]
    fn new_client_without_mfa_needs_trust() {
        let new_client = PasswordOk { client_known: false, ..ok(Factors::default(), "a@b.c") };
        let a = Attempt::new(T).password_passed(new_client.clone(), T).unwrap();
        assert_eq!(a.status(), Status::NeedsClientTrust);
        assert!(a.claim().is_some_and(|c| !c.client_known));
        // Only an email code moves it on.
        assert_eq!(a.check(Step::Prepare(Strategy::EmailCode), T), Ok(()));
        for s in [Strategy::PhoneCode, Strategy::Totp, Strategy::Password] {
            assert_eq!(a.second_factor_passed(s, T), Err(Fault::StrategyInvalid), "{s:?}");
        }
        assert_eq!(a.check(Step::Finalize, T), Err(Fault::InvalidState));
        let done = a.second_factor_passed(Strategy::EmailCode, T).unwrap();
        assert_eq!(done.status(), Status::Complete);
        // Setting off: straight to complete.
        let off = PasswordOk { client_trust: false, ..new_client };
        assert_eq!(Attempt::new(T).password_passed(off, T).unwrap().status(), Status::Complete);
    }

    #[test]
    fn mfa_wins_over_client_trust() {
        let new_client = PasswordOk { client_known: false, ..ok(ALL, "a@b.c") };
        let a = Attempt::new(T).password_passed(new_client, T).unwrap();
        assert_eq!(a.status(), Status::NeedsSecondFactor);
        assert_eq!(a.check(Step::Verify(Strategy::EmailCode), T), Err(Fault::StrategyInvalid));
        assert_eq!(a.check(Step::Prepare(Strategy::EmailCode), T), Err(Fault::StrategyInvalid));
    }

    #[test]
    fn email_code_refused_outside_client_trust() {
        for st in [Status::NeedsIdentifier, Status::Complete] {
            assert_eq!(
                at(st, Factors::default()).check(Step::Verify(Strategy::EmailCode), T),
                Err(Fault::InvalidState)
            );
        }
    }

    #[test]
    fn sign_up_steps() {
        let su = SignUp::start("a@b.c".into(), Some("$argon2id$x".into()), T);
        assert_eq!(su.status, SignUpStatus::MissingRequirements);
        assert_eq!(su.check(SignUpStep::SendCode, T), Ok(()));
        assert_eq!(su.check(SignUpStep::Finalize, T), Err(Fault::InvalidState));
        let done = su.verified(9, T + 1).unwrap();
        assert_eq!((done.status, done.user_id), (SignUpStatus::Complete, Some(9)));
        assert_eq!(done.check(SignUpStep::Finalize, T + 1), Ok(()));
        assert_eq!(done.check(SignUpStep::Verify, T + 1), Err(Fault::InvalidState));
        assert_eq!(done.check(SignUpStep::SendCode, T + 1), Err(Fault::InvalidState));
        assert_eq!(done.verified(9, T + 1), Err(Fault::InvalidState));
    }

    #[test]
    fn sign_up_of_an_existing_email_never_completes() {
        let su = SignUp::start("a@b.c".into(), None, T);
        assert_eq!(su.check(SignUpStep::Verify, T), Ok(()), "looks the same from outside");
        assert_eq!(su.verified(1, T), Err(Fault::CodeIncorrect(None)));
    }

    #[test]
    fn sign_up_expires() {
        let su = SignUp::start("a@b.c".into(), Some("h".into()), T);
        for step in [SignUpStep::SendCode, SignUpStep::Verify, SignUpStep::Finalize] {
            assert_eq!(su.check(step, T + SIGN_UP_TTL), Err(Fault::SignUpNotFound));
        }
        assert_eq!(su.verified(1, T + SIGN_UP_TTL), Err(Fault::SignUpNotFound));
    }

    mod properties {
        use super::*;
        use proptest::prelude::{any, prop_assert, prop_assert_eq, proptest, ProptestConfig};

        const STRATEGIES: [Strategy; 8] = [
            Strategy::Passkey,
            Strategy::Password,
            Strategy::PhoneCode,
            Strategy::Totp,
            Strategy::BackupCode,
            Strategy::EmailCode,
            Strategy::ResetPasswordEmailCode,
            Strategy::UnlockEmailCode,
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever the client sends, in whatever order and at whatever
            /// time, `complete` is reached only through a proof of the account
            /// (the password; an email code; a reset code and a new password)
            /// and then, when the user has one, a supported second factor
            /// (or, after a password on a new client under client trust, an
            /// email code); and finalize is legal exactly then.
            #[test]
            fn only_legal_paths_complete(
                (phone, totp, backup, passkey) in (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
                (known, trust, exists, email_code) in (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
                steps in proptest::collection::vec((0u8..9, 0usize..8, any::<bool>(), 0i64..900), 0..30),
            ) {
                let f = Factors { phone, totp, backup_codes: backup, passkey };
                let ok = |f, id| PasswordOk { client_known: known, client_trust: trust, ..ok(f, id) };
                let claim = Claim { user_id: 7, identifier: "a@b.c".into(), factors: f, client_known: known };
                let mut now = T;
                let mut a = Attempt::new(now);
                // How the account was proved: none yet, by password, by an
                // emailed code, by a passkey (both factors at once).
                let (mut by_password, mut by_email, mut second_ok) = (false, false, false);
                let mut by_passkey = false;
                for (kind, strat, pass, dt) in steps {
                    now += dt;
                    let s = STRATEGIES[strat];
                    match kind {
                        0 => {
                            let r = a.password_passed(ok(f, "a@b.c"), now);
                            if pass {
                                if let Ok(next) = r {
                                    a = next;
                                    (by_password, by_email, second_ok) = (true, false, false);
                                    by_passkey = false;
                                }
                            }
                        }
                        1 if a.check(Step::Prepare(s), now).is_ok() => match a.status() {
                            Status::NeedsFirstFactor => prop_assert!(
                                s == Strategy::ResetPasswordEmailCode
                                    || s == Strategy::UnlockEmailCode
                                    || (s == Strategy::EmailCode && email_code)
                            ),
                            Status::NeedsClientTrust => prop_assert_eq!(s, Strategy::EmailCode),
                            st => {
                                prop_assert_eq!(st, Status::NeedsSecondFactor);
                                prop_assert!(
                                    (s == Strategy::PhoneCode && f.phone) || (s == Strategy::Passkey && f.passkey)
                                );
                            }
                        },
                        2 => {
                            if a.status() == Status::NeedsFirstFactor {
                                continue;
                            }
                            if let Ok(next) = a.second_factor_passed(s, now) {
                                if s == Strategy::EmailCode {
                                    prop_assert!(!f.has_primary() && trust && !known && by_password);
                                } else {
                                    prop_assert!(f.supported().contains(&s), "{:?} not supported", s);
                                }
                                prop_assert!(s != Strategy::BackupCode || f.has_primary());
                                if pass {
                                    a = next;
                                    second_ok = true;
                                }
                            }
                        }
                        3 => {
                            let ok = a.check(Step::Finalize, now).is_ok();
                            prop_assert_eq!(ok, a.status() == Status::Complete && now < a.expires_at);
                        }
                        4 => {
                            let lookup = Lookup {
                                identifier: "a@b.c".into(),
                                claim: exists.then(|| claim.clone()),
                                email_code,
                            };
                            a = Attempt::identified(lookup, now);
                            (by_password, by_email, second_ok) = (false, false, false);
                            by_passkey = false;
                        }
                        7 => {
                            a = Attempt::for_passkey(now);
                            (by_password, by_email, second_ok) = (false, false, false);
                            by_passkey = false;
                        }
                        8 => {
                            let before = a.stage.clone();
                            if let Ok(next) = a.passkey_passed(claim.clone(), now) {
                                prop_assert_eq!(before, Stage::NeedsPasskey);
                                if pass {
                                    a = next;
                                    by_passkey = true;
                                }
                            }
                        }
                        5 => {
                            let before = a.status();
                            let began_with_passkey = a.stage == Stage::NeedsPasskey;
                            if let Ok(next) = a.first_factor_passed(s, now) {
                                prop_assert!(exists && before == Status::NeedsFirstFactor && !began_with_passkey);
                                if pass {
                                    a = next;
                                    by_email = by_email || matches!(s, Strategy::EmailCode | Strategy::ResetPasswordEmailCode);
                                }
                            }
                        }
                        6 => {
                            if let Ok(next) = a.new_password_set(now) {
                                prop_assert!(by_email);
                                a = next;
                            }
                        }
                        _ => {}
                    }
                    if a.status() == Status::NeedsNewPassword {
                        prop_assert!(by_email && exists);
                    }
                    // Each proof is named by the strategy that gave it.
                    let first = match () {
                        _ if by_passkey => Some(Strategy::Passkey),
                        _ if by_password => Some(Strategy::Password),
                        _ => a.proofs.first.filter(|s| matches!(s, Strategy::EmailCode | Strategy::ResetPasswordEmailCode)),
                    };
                    prop_assert_eq!(a.proofs.first, first);
                    prop_assert_eq!(a.proofs.first.is_some(), a.claim().is_some());
                    prop_assert_eq!(a.proofs.second.is_some(), second_ok && a.status() == Status::Complete);
                    if a.status() == Status::Complete {
                        let needs_second = if by_password { f.has_primary() || (trust && !known) } else { f.has_primary() };
                        prop_assert!(by_password || (by_email && exists) || by_passkey);
                        prop_assert!(second_ok || by_passkey || !needs_second);
                    }
                }
            }
        }
    }
}
