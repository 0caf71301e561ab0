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
    /// A banned user proved a factor and was refused.
    SignInRefusedBanned,
    UserLocked,
    UserBanned,
    UserUnbanned,
    /// The app's backend changed the user's metadata.
    UserUpdated,
    UserCreated,
    /// Made by `mfa-signin import` from another system's export (no webhook:
    /// a move is not a sign-up).
    UserImported,
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
    /// An imported hash replaced by ours at a sign-in with the password.
    PasswordRehashed,
    UserUnlocked,
    SigningKeyRotated,
    UserMfaReset,
    UserDeleted,
    UserSignedOut,
    SignInPasskeyOk,
    SignInPasskeyFailed,
    /// A passkey's counter went back: a cloned authenticator, refused.
    PasskeyCloned,
    PasskeyRenamed,
    TrustedDeviceRevoked,
    ApiKeyCreated,
    ApiKeyRevoked,
    /// A Backend API call, in its key's name.
    ApiCall,
    WebhookAdded,
    WebhookRemoved,
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
            Event::SignInRefusedBanned => "sign_in.refused_banned",
            Event::UserLocked => "user.locked",
            Event::UserBanned => "user.banned",
            Event::UserUnbanned => "user.unbanned",
            Event::UserUpdated => "user.updated",
            Event::SigningKeyRotated => "signing_key.rotated",
            Event::UserCreated => "user.created",
            Event::UserImported => "user.imported",
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
            Event::PasswordRehashed => "password.rehashed",
            Event::UserUnlocked => "user.unlocked",
            Event::UserMfaReset => "user.mfa_reset",
            Event::UserDeleted => "user.deleted",
            Event::UserSignedOut => "user.signed_out",
            Event::SignInPasskeyOk => "sign_in.passkey_ok",
            Event::SignInPasskeyFailed => "sign_in.passkey_failed",
            Event::PasskeyCloned => "passkey.cloned",
            Event::PasskeyRenamed => "passkey.renamed",
            Event::TrustedDeviceRevoked => "trusted_device.revoked",
            Event::ApiKeyCreated => "api_key.created",
            Event::ApiKeyRevoked => "api_key.revoked",
            Event::ApiCall => "api.call",
            Event::WebhookAdded => "webhook.added",
            Event::WebhookRemoved => "webhook.removed",
        }
    }
}

/// Writes audit row `e` and, when the change is one an app hears of
/// (`webhooks::kind`), queues its webhook for every endpoint that wants it,
/// in the same unit: the event is sent if and only if the change commits.
/// An event about the user's state carries the user as the unit sees it,
/// described with the instance's `settings` (without them, at the first
/// try). `session_id`: the session's public id, for session events.
pub async fn record(
    tx: &dyn crate::store::Tx,
    settings: Option<&crate::settings::Settings>,
    e: &crate::store::AuditEvent,
    session_id: Option<&str>,
) -> crate::store::Result<()> {
    tx.audit(e).await?;
    let Some(event) = crate::webhooks::kind(&e.event) else { return Ok(()) };
    let q = crate::store::Queued {
        msg_id: crate::webhooks::new_id("msg_"),
        event: event.into(),
        user_id: e.user_id,
        session_id: session_id.map(String::from),
        detail: e.detail.clone(),
        ip: e.ip.clone(),
        user_agent: e.user_agent.clone(),
        at: e.at,
    };
    // Described only when some endpoint wants it.
    if tx.enqueue_webhook(&q).await? == 0 || !crate::webhooks::about_the_user(event) {
        return Ok(());
    }
    let (Some(settings), Some(user_id)) = (settings, e.user_id) else { return Ok(()) };
    let Some(u) = tx.user(user_id).await? else { return Ok(()) };
    match crate::service::backend_user(tx, settings, &u, e.at).await {
        Ok(a) => {
            let user = proto::clerk::BackendUser::new(&a.user, (a.locked, a.banned), a.private_metadata);
            let data = serde_json::to_value(user).unwrap_or_default();
            let payload = crate::webhooks::envelope(event, e.at, data, e.ip.as_deref(), e.user_agent.as_deref());
            tx.set_webhook_payload(&q.msg_id, &payload).await
        }
        // Described at the first try instead.
        Err(f) => {
            tracing::warn!(fault = ?f, event, "describing a webhook's user");
            Ok(())
        }
    }
}
