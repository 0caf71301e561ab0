//! The sign-in attempt as one explicit state machine: pure, clock passed in.
//! The service checks credentials and feeds the verdicts in; this decides what
//! is legal in each state and where the attempt goes next.

use app::model::{Fault, Status, Strategy};

/// How long an attempt lives after its password step.
pub const ATTEMPT_TTL: i64 = 30 * 60;

/// The user's second factors as the attempt knows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Factors {
    pub phone: bool,
    pub totp: bool,
    pub backup_codes: bool,
}

impl Factors {
    /// A factor that stands on its own (backup codes do not).
    pub fn has_primary(self) -> bool {
        self.phone || self.totp
    }

    /// `supported_second_factors`, default first: TOTP, then SMS, then backup
    /// codes (only with another factor).
    pub fn supported(self) -> Vec<Strategy> {
        let mut out = Vec::new();
        if self.totp {
            out.push(Strategy::Totp);
        }
        if self.phone {
            out.push(Strategy::PhoneCode);
        }
        if self.backup_codes && self.has_primary() {
            out.push(Strategy::BackupCode);
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub status: Status,
    pub user_id: Option<i64>,
    pub identifier: Option<String>,
    pub factors: Factors,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A step the client asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Password,
    Prepare(Strategy),
    Verify(Strategy),
    Finalize,
}

impl Attempt {
    /// A fresh attempt, before any identifier.
    pub fn new(now: i64) -> Attempt {
        Attempt {
            status: Status::NeedsIdentifier,
            user_id: None,
            identifier: None,
            factors: Factors::default(),
            created_at: now,
            expires_at: now + ATTEMPT_TTL,
        }
    }

    /// May `step` be taken now? Checked before any credential is looked at,
    /// so that a wrong-state request consumes nothing (no TOTP step, no code).
    pub fn check(&self, step: Step, now: i64) -> Result<(), Fault> {
        if now >= self.expires_at {
            return Err(Fault::SignInNotFound);
        }
        match step {
            Step::Password => match self.status {
                Status::NeedsIdentifier | Status::NeedsFirstFactor => Ok(()),
                _ => Err(Fault::InvalidState),
            },
            Step::Prepare(s) | Step::Verify(s) => {
                // Backup codes without another factor: say why, in any state.
                if s == Strategy::BackupCode
                    && self.user_id.is_some()
                    && !self.factors.has_primary()
                {
                    return Err(Fault::BackupCodesNotAvailable);
                }
                if self.status != Status::NeedsSecondFactor {
                    return Err(Fault::InvalidState);
                }
                let allowed = match step {
                    Step::Prepare(_) => s == Strategy::PhoneCode,
                    _ => s != Strategy::Password,
                };
                if !allowed || !self.factors.supported().contains(&s) {
                    return Err(Fault::StrategyInvalid);
                }
                Ok(())
            }
            Step::Finalize => match self.status {
                Status::Complete => Ok(()),
                _ => Err(Fault::InvalidState),
            },
        }
    }

    /// The password was right: MFA if the user has a second factor.
    pub fn password_passed(
        &self,
        user_id: i64,
        identifier: String,
        factors: Factors,
        now: i64,
    ) -> Result<Attempt, Fault> {
        self.check(Step::Password, now)?;
        let status = if factors.has_primary() {
            Status::NeedsSecondFactor
        } else {
            Status::Complete
        };
        Ok(Attempt {
            status,
            user_id: Some(user_id),
            identifier: Some(identifier),
            factors,
            created_at: now,
            expires_at: now + ATTEMPT_TTL,
        })
    }

    /// A second factor was verified.
    pub fn second_factor_passed(&self, s: Strategy, now: i64) -> Result<Attempt, Fault> {
        self.check(Step::Verify(s), now)?;
        Ok(Attempt { status: Status::Complete, ..self.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_700_000_000;
    const ALL: Factors = Factors { phone: true, totp: true, backup_codes: true };

    fn at(status: Status, factors: Factors) -> Attempt {
        Attempt { status, user_id: Some(7), factors, ..Attempt::new(T) }
    }

    #[test]
    fn supported_factors_default_first_and_backup_only_with_another() {
        assert_eq!(ALL.supported(), vec![Strategy::Totp, Strategy::PhoneCode, Strategy::BackupCode]);
        let phone = Factors { phone: true, ..Default::default() };
        assert_eq!(phone.supported(), vec![Strategy::PhoneCode]);
        let orphan = Factors { backup_codes: true, ..Default::default() };
        assert!(orphan.supported().is_empty());
        assert!(!orphan.has_primary());
    }

    #[test]
    fn password_without_second_factor_completes() {
        let a = Attempt::new(T).password_passed(7, "a@b.c".into(), Factors::default(), T).unwrap();
        assert_eq!(a.status, Status::Complete);
        assert_eq!(a.user_id, Some(7));
    }

    #[test]
    fn password_with_second_factor_needs_it() {
        let a = Attempt::new(T).password_passed(7, "a@b.c".into(), ALL, T + 5).unwrap();
        assert_eq!(a.status, Status::NeedsSecondFactor);
        assert_eq!(a.expires_at, T + 5 + ATTEMPT_TTL);
    }

    #[test]
    fn password_only_once() {
        for st in [Status::NeedsSecondFactor, Status::Complete] {
            let r = at(st, ALL).password_passed(7, "x@y.z".into(), ALL, T);
            assert_eq!(r, Err(Fault::InvalidState));
        }
    }

    #[test]
    fn each_second_factor_completes() {
        for s in [Strategy::PhoneCode, Strategy::Totp, Strategy::BackupCode] {
            let a = at(Status::NeedsSecondFactor, ALL).second_factor_passed(s, T).unwrap();
            assert_eq!(a.status, Status::Complete, "{s:?}");
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
        let a = Attempt::new(T).password_passed(7, "a@b.c".into(), orphan, T).unwrap();
        assert_eq!(a.status, Status::Complete);
        assert_eq!(
            a.check(Step::Verify(Strategy::BackupCode), T),
            Err(Fault::BackupCodesNotAvailable)
        );
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
        for step in [
            Step::Password,
            Step::Prepare(Strategy::PhoneCode),
            Step::Verify(Strategy::Totp),
            Step::Finalize,
        ] {
            assert_eq!(a.check(step, late), Err(Fault::SignInNotFound), "{step:?}");
        }
        assert_eq!(a.check(Step::Verify(Strategy::Totp), late - 1), Ok(()));
    }

    mod properties {
        use super::*;
        use proptest::prelude::{any, prop_assert, prop_assert_eq, proptest, ProptestConfig};

        const STRATEGIES: [Strategy; 4] =
            [Strategy::Password, Strategy::PhoneCode, Strategy::Totp, Strategy::BackupCode];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever the client sends, in whatever order and at whatever
            /// time, `complete` is reached only through the password and, when
            /// the user has one, a supported second factor; and finalize is
            /// legal exactly then.
            #[test]
            fn only_legal_paths_complete(
                (phone, totp, backup) in (any::<bool>(), any::<bool>(), any::<bool>()),
                steps in proptest::collection::vec((0u8..4, 0usize..4, any::<bool>(), 0i64..900), 0..25),
            ) {
                let f = Factors { phone, totp, backup_codes: backup };
                let mut now = T;
                let mut a = Attempt::new(now);
                let (mut password_ok, mut second_ok) = (false, false);
                for (kind, strat, pass, dt) in steps {
                    now += dt;
                    let s = STRATEGIES[strat];
                    match kind {
                        0 => {
                            let r = a.password_passed(7, "a@b.c".into(), f, now);
                            if pass {
                                if let Ok(next) = r {
                                    a = next;
                                    password_ok = true;
                                    second_ok = false;
                                }
                            }
                        }
                        1 => {
                            if a.check(Step::Prepare(s), now).is_ok() {
                                prop_assert_eq!(s, Strategy::PhoneCode);
                                prop_assert!(f.phone && a.status == Status::NeedsSecondFactor);
                            }
                        }
                        2 => {
                            if let Ok(next) = a.second_factor_passed(s, now) {
                                prop_assert!(f.supported().contains(&s), "{:?} not supported", s);
                                prop_assert!(s != Strategy::BackupCode || f.has_primary());
                                if pass {
                                    a = next;
                                    second_ok = true;
                                }
                            }
                        }
                        _ => {
                            let ok = a.check(Step::Finalize, now).is_ok();
                            prop_assert_eq!(ok, a.status == Status::Complete && now < a.expires_at);
                        }
                    }
                    if a.status == Status::Complete {
                        prop_assert!(password_ok && (second_ok || !f.has_primary()));
                    }
                }
            }
        }
    }
}
