//! The audit trail's events: one list, so that a name cannot drift
//! (`mfa-signin audit` prints them).

/// Something the audit trail records, with the time, IP and user agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    SignInPasswordOk,
    SignInPasswordFailed,
    SignInCodeSent,
    SignInSecondFactorOk,
    SignInSecondFactorFailed,
    SignInRefusedLocked,
    UserLocked,
    UserCreated,
    UserReverified,
    UserReverifyFailed,
    SignUpStarted,
    SignUpCodeFailed,
    SessionCreated,
    SessionEnded,
    SessionRevoked,
    SessionRevokedOthers,
    SessionTaskDone,
    FactorAdded,
    FactorDefault,
    FactorBackupCodes,
    FactorRemoved,
    BackupCodesRegenerated,
    SignInFirstFactorOk,
    SignInFirstFactorFailed,
    PasswordReset,
    PasswordChanged,
    PasswordMarkedCompromised,
    UserUnlocked,
    SigningKeyRotated,
    UserMfaReset,
    UserDeleted,
    UserSignedOut,
}

impl Event {
    /// The name stored and printed, `area.what`.
    pub fn name(self) -> &'static str {
        match self {
            Event::SignInPasswordOk => "sign_in.password_ok",
            Event::SignInPasswordFailed => "sign_in.password_failed",
            Event::SignInCodeSent => "sign_in.code_sent",
            Event::SignInSecondFactorOk => "sign_in.second_factor_ok",
            Event::SignInSecondFactorFailed => "sign_in.second_factor_failed",
            Event::SignInRefusedLocked => "sign_in.refused_locked",
            Event::UserLocked => "user.locked",
            Event::SigningKeyRotated => "signing_key.rotated",
            Event::UserCreated => "user.created",
            Event::UserReverified => "user.reverified",
            Event::UserReverifyFailed => "user.reverify_failed",
            Event::SignUpStarted => "sign_up.started",
            Event::SignUpCodeFailed => "sign_up.code_failed",
            Event::SessionCreated => "session.created",
            Event::SessionEnded => "session.ended",
            Event::SessionRevoked => "session.revoked",
            Event::SessionRevokedOthers => "session.revoked_others",
            Event::SessionTaskDone => "session.task_done",
            Event::FactorAdded => "factor.added",
            Event::FactorDefault => "factor.default",
            Event::FactorBackupCodes => "factor.backup_codes",
            Event::FactorRemoved => "factor.removed",
            Event::BackupCodesRegenerated => "backup_codes.regenerated",
            Event::SignInFirstFactorOk => "sign_in.first_factor_ok",
            Event::SignInFirstFactorFailed => "sign_in.first_factor_failed",
            Event::PasswordReset => "password.reset",
            Event::PasswordChanged => "password.changed",
            Event::PasswordMarkedCompromised => "password.marked_compromised",
            Event::UserUnlocked => "user.unlocked",
            Event::UserMfaReset => "user.mfa_reset",
            Event::UserDeleted => "user.deleted",
            Event::UserSignedOut => "user.signed_out",
        }
    }
}
