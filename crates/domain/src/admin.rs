//! The operator's commands (`mfa-signin user …`): list and show accounts,
//! lock, unlock, ban, unban, reset MFA, set a password, mark it compromised, sign out, delete.
//! Each change is one unit with its audit row (`detail` names the command).
//! And the session-token keys (`mfa-signin keys …`): list, rotate; the
//! Backend API's secret keys (`mfa-signin api-keys …`): create, list, revoke.

use crate::audit::Event;
use crate::policy;
use crate::secrets::{self, SecretBox};
use crate::settings::{SessionToken, Settings};
use crate::store::{
    ApiKey, AuditEvent, Metadata, SigningKey, Store, StoreError, Tx, User, WebhookDelivery, WebhookEndpoint,
};
use crate::tokens;
use crate::webhooks;
use serde::Serialize;

/// An account as an operator sees it: no secrets.
#[derive(Clone, Debug, Serialize)]
pub struct UserInfo {
    pub id: i64,
    /// The id apps see (`sub` in session tokens).
    pub public_id: String,
    pub email: String,
    pub created_at: i64,
    /// `totp`, `phone_code`: the active second factors.
    pub factors: Vec<&'static str>,
    pub backup_codes_left: usize,
    pub password_compromised: bool,
    /// Banned: no sign-in until unbanned.
    pub banned: bool,
    /// Unix time the account's lock ends, if it is locked.
    pub locked_until: Option<i64>,
    pub sessions: usize,
}

type R<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

async fn info(store: &dyn Store, u: User, now: i64) -> R<UserInfo> {
    let mut factors = vec![];
    if u.totp_secret.is_some() {
        factors.push("totp");
    }
    if u.phone.is_some() {
        factors.push("phone_code");
    }
    let sessions = store.sessions_of(u.id).await.map_err(err)?.into_iter().filter(|s| s.expires_at > now).count();
    Ok(UserInfo {
        id: u.id,
        public_id: u.public_id,
        backup_codes_left: store.unused_backup_codes(u.id).await.map_err(err)?.len(),
        locked_until: store.locked_until(&u.email, now).await.map_err(err)?,
        email: u.email,
        created_at: u.created_at,
        factors,
        password_compromised: u.password_compromised,
        banned: u.banned,
        sessions,
    })
}

/// The account with `email` (the one email rule applies).
async fn find(store: &dyn Store, email: &str) -> R<User> {
    let email = policy::email(email).ok_or("email must be an email address")?;
    store.user_by_email(&email).await.map_err(err)?.ok_or_else(|| format!("no user {email}"))
}

pub async fn list(store: &dyn Store, limit: i64, now: i64) -> R<Vec<UserInfo>> {
    let mut out = vec![];
    for u in store.users(limit).await.map_err(err)? {
        out.push(info(store, u, now).await?);
    }
    Ok(out)
}

pub async fn show(store: &dyn Store, email: &str, now: i64) -> R<UserInfo> {
    let u = find(store, email).await?;
    info(store, u, now).await
}

/// Who makes an operator's change: the CLI on the server, or an app's
/// backend with a secret key (named in the audit row).
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    Cli,
    Key(&'a ApiKey),
    /// The user themselves, signed in (deleting their own account).
    User,
}

impl Actor<'_> {
    /// The audit row's agent.
    pub fn agent(self) -> String {
        match self {
            Actor::Cli => "admin-cli".into(),
            Actor::Key(k) => format!("api-key {} ({})", k.id, k.name),
            Actor::User => "the user".into(),
        }
    }
}

/// Runs `change` on a unit with the audit row of `event`, then commits.
async fn change<T>(
    store: &dyn Store,
    (u, by): (&User, Actor<'_>),
    event: Event,
    detail: &str,
    now: i64,
    change: impl AsyncFnOnce(&dyn Tx) -> R<T>,
) -> R<T> {
    let tx = store.begin().await.map_err(err)?;
    let out = change(tx.as_ref()).await?;
    audited(tx, (u, by), event, detail, now).await?;
    Ok(out)
}

/// Commits `tx` with the audit row of `event`. (The changes an app's
/// backend makes call it directly: their futures must be `Send`, which an
/// async closure over `&dyn Tx` cannot yet be shown to be.)
async fn audited(tx: Box<dyn Tx>, (u, by): (&User, Actor<'_>), event: Event, detail: &str, now: i64) -> R<()> {
    described(tx, (u, by), (event, None), detail, now).await
}

/// `audited`, the user described in the unit for its webhook with the
/// instance's `settings` (the events about the user's state).
async fn described(
    tx: Box<dyn Tx>,
    (u, by): (&User, Actor<'_>),
    (event, settings): (Event, Option<&Settings>),
    detail: &str,
    now: i64,
) -> R<()> {
    crate::audit::record(tx.as_ref(), settings, &audit_row((u, by), event, detail, now), None).await.map_err(err)?;
    tx.commit().await.map_err(err)
}

/// The audit row of an operator's or a backend's change to `u`.
fn audit_row((u, by): (&User, Actor<'_>), event: Event, detail: &str, now: i64) -> AuditEvent {
    AuditEvent {
        at: now,
        event: event.name().into(),
        user_id: Some(u.id),
        identifier: Some(u.email.clone()),
        ip: None,
        user_agent: Some(by.agent()),
        detail: Some(detail.into()),
    }
}

/// Lifts the account's lock for every client (and any client's own).
pub async fn unlock(store: &dyn Store, email: &str, now: i64) -> R<()> {
    unlock_user(store, &find(store, email).await?, Actor::Cli, now).await
}

pub async fn unlock_user(store: &dyn Store, u: &User, by: Actor<'_>, now: i64) -> R<()> {
    let tx = store.begin().await.map_err(err)?;
    tx.lockout_reset(&u.email).await.map_err(err)?;
    tx.lockout_reset(&crate::service::second_factor_counter(&u.email)).await.map_err(err)?;
    audited(tx, (u, by), Event::UserUnlocked, "admin unlock", now).await
}

/// `user lock`: the account locked until `until` (answered).
pub async fn lock(store: &dyn Store, settings: &Settings, email: &str, until: i64, now: i64) -> R<i64> {
    lock_user(store, &find(store, email).await?, (Actor::Cli, settings), until, now).await?;
    Ok(until)
}

/// Locks the account until `until`, as too many wrong tries would (Clerk's
/// `lockUser`): no sign-in until then or an unlock.
pub async fn lock_user(
    store: &dyn Store,
    u: &User,
    (by, settings): (Actor<'_>, &Settings),
    until: i64,
    now: i64,
) -> R<()> {
    let tx = store.begin().await.map_err(err)?;
    tx.lock_subject(&u.email, until).await.map_err(err)?;
    described(tx, (u, by), (Event::UserLocked, Some(settings)), "admin lock", now).await
}

/// `user ban` / `user unban`.
pub async fn ban(store: &dyn Store, settings: &Settings, email: &str, banned: bool, now: i64) -> R<u64> {
    ban_user(store, &find(store, email).await?, banned, (Actor::Cli, settings), now).await
}

/// Bans (Clerk's `banUser`: no sign-in on any path, every session ended)
/// or unbans (sign-in works again; no session comes back). Answers the
/// sessions ended.
pub async fn ban_user(
    store: &dyn Store,
    u: &User,
    banned: bool,
    (by, settings): (Actor<'_>, &Settings),
    now: i64,
) -> R<u64> {
    let tx = store.begin().await.map_err(err)?;
    tx.set_banned(u.id, banned).await.map_err(err)?;
    let ended = if banned { tx.delete_user_sessions(u.id).await.map_err(err)? } else { 0 };
    let (event, detail) = if banned { (Event::UserBanned, "admin ban") } else { (Event::UserUnbanned, "admin unban") };
    described(tx, (u, by), (event, Some(settings)), detail, now).await?;
    Ok(ended)
}

/// Writes `u`'s metadata `new` if it still is `old`, with its audit row;
/// false (nothing written) if it changed meanwhile.
pub async fn set_metadata_user(
    store: &dyn Store,
    u: &User,
    (old, new): (&Metadata, &Metadata),
    (by, settings): (Actor<'_>, &Settings),
    now: i64,
) -> R<bool> {
    let tx = store.begin().await.map_err(err)?;
    if !tx.set_metadata(u.id, old, new).await.map_err(err)? {
        return Ok(false);
    }
    described(tx, (u, by), (Event::UserUpdated, Some(settings)), "metadata", now).await?;
    Ok(true)
}

/// How an address change went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailChange {
    Changed,
    /// Another account has the address.
    Taken,
    /// The account's address changed meanwhile: read it again.
    Stale,
}

/// `user set-email`: the account at `email` moves to `new` (the one email rule).
pub async fn set_email(store: &dyn Store, settings: &Settings, email: &str, new: &str, now: i64) -> R<String> {
    let u = find(store, email).await?;
    let new = policy::email(new).ok_or("the new address must be an email address")?;
    match set_email_user(store, &u, &new, (Actor::Cli, settings), now).await? {
        EmailChange::Changed => Ok(new),
        EmailChange::Taken => Err(format!("another account has {new}")),
        EmailChange::Stale => Err("the account changed meanwhile: try again".into()),
    }
}

/// Changes `u`'s address to `email` (the one email rule's) if it still is
/// `u.email`, checked in the statement, with its audit row; the user's
/// lock on the old address stays there.
pub async fn set_email_user(
    store: &dyn Store,
    u: &User,
    email: &str,
    (by, settings): (Actor<'_>, &Settings),
    now: i64,
) -> R<EmailChange> {
    let tx = store.begin().await.map_err(err)?;
    match tx.set_email(u.id, &u.email, email).await {
        Ok(true) => {}
        Ok(false) => return Ok(EmailChange::Stale),
        Err(StoreError::Conflict) => return Ok(EmailChange::Taken),
        Err(e) => return Err(err(e)),
    }
    let row = AuditEvent { identifier: Some(email.into()), ..audit_row((u, by), Event::UserUpdated, "email", now) };
    crate::audit::record(tx.as_ref(), Some(settings), &row, None).await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    Ok(EmailChange::Changed)
}

/// Removes every second factor and ends the sessions: the next sign-in
/// gets `setup-mfa` where MFA is required.
pub async fn reset_mfa(store: &dyn Store, email: &str, now: i64) -> R<u64> {
    reset_mfa_user(store, &find(store, email).await?, Actor::Cli, now).await
}

pub async fn reset_mfa_user(store: &dyn Store, u: &User, by: Actor<'_>, now: i64) -> R<u64> {
    let tx = store.begin().await.map_err(err)?;
    tx.reset_mfa(u.id).await.map_err(err)?;
    let ended = tx.delete_user_sessions(u.id).await.map_err(err)?;
    audited(tx, (u, by), Event::UserMfaReset, "admin reset-mfa", now).await?;
    Ok(ended)
}

/// Sets a new password under the sign-up policy and ends the sessions.
pub async fn set_password(store: &dyn Store, email: &str, password: &str, require_mfa: bool, now: i64) -> R<u64> {
    let u = find(store, email).await?;
    // The length rule follows the user's factors, as at sign-up.
    let has_mfa = u.totp_secret.is_some() || u.phone.is_some();
    policy::check(password, &u.email, require_mfa || has_mfa).map_err(|f| f.message())?;
    let hash = secrets::hash_password_async(password.to_string()).await?;
    set_password_user(store, &u, &hash, Actor::Cli, now).await
}

/// Sets `u`'s password to `hash` (of a password the caller checked against
/// the policy) and ends the sessions.
pub async fn set_password_user(store: &dyn Store, u: &User, hash: &str, by: Actor<'_>, now: i64) -> R<u64> {
    let tx = store.begin().await.map_err(err)?;
    tx.set_password(u.id, hash, false).await.map_err(err)?;
    let ended = tx.delete_user_sessions(u.id).await.map_err(err)?;
    audited(tx, (u, by), Event::PasswordChanged, "admin set-password", now).await?;
    Ok(ended)
}

/// Marks the password compromised (the next session gets `reset-password`)
/// and ends the sessions.
pub async fn mark_compromised(store: &dyn Store, email: &str, now: i64) -> R<u64> {
    let u = find(store, email).await?;
    change(store, (&u, Actor::Cli), Event::PasswordMarkedCompromised, "admin mark-compromised", now, async |tx| {
        tx.set_compromised(u.id).await.map_err(err)?;
        tx.delete_user_sessions(u.id).await.map_err(err)
    })
    .await
}

/// Ends every session of the account.
pub async fn sign_out(store: &dyn Store, email: &str, now: i64) -> R<u64> {
    let u = find(store, email).await?;
    change(store, (&u, Actor::Cli), Event::UserSignedOut, "admin sign-out", now, async |tx| {
        tx.delete_user_sessions(u.id).await.map_err(err)
    })
    .await
}

/// Deletes the account and all it holds (the audit trail stays).
pub async fn delete(store: &dyn Store, email: &str, now: i64) -> R<()> {
    delete_user(store, &find(store, email).await?, Actor::Cli, now).await
}

pub async fn delete_user(store: &dyn Store, u: &User, by: Actor<'_>, now: i64) -> R<()> {
    let tx = store.begin().await.map_err(err)?;
    // Recorded first: its webhook names the user by the id its row holds.
    let how = if matches!(by, Actor::User) { "deleted by the user" } else { "admin delete" };
    let row = audit_row((u, by), Event::UserDeleted, how, now);
    crate::audit::record(tx.as_ref(), None, &row, None).await.map_err(err)?;
    tx.lockout_reset(&u.email).await.map_err(err)?;
    tx.lockout_reset(&crate::service::second_factor_counter(&u.email)).await.map_err(err)?;
    if !tx.delete_user(u.id).await.map_err(err)? {
        return Err(format!("no user {}", u.email));
    }
    tx.commit().await.map_err(err)
}

/// A session-token key as an operator sees it: no private half.
#[derive(Clone, Debug, Serialize)]
pub struct KeyInfo {
    pub kid: String,
    /// `RS256` or `EdDSA`.
    pub alg: String,
    /// `signing`, `next` (published, signs from `signs_from`), `idle` (of
    /// another algorithm than the configured one: published, signing
    /// nothing until a rotation retires it), `retired` (published until its
    /// last token expired) or `gone`.
    pub state: &'static str,
    pub created_at: i64,
    pub signs_from: i64,
    pub signs_until: Option<i64>,
    /// An RSA key's public half as PEM: Clerk's `jwtKey` (`CLERK_JWT_KEY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
}

/// The keys, newest first.
pub async fn keys(store: &dyn Store, t: &SessionToken, now: i64) -> R<Vec<KeyInfo>> {
    let keys = store.signing_keys().await.map_err(err)?;
    let signing = tokens::signer(&keys, t.algorithm, now).map(|k| k.kid.clone());
    Ok(keys
        .iter()
        .map(|k| {
            let state = match () {
                _ if signing.as_ref() == Some(&k.kid) => "signing",
                _ if k.signs_from > now => "next",
                _ if k.alg != t.algorithm.name() && k.signs_until.is_none() => "idle",
                _ if tokens::published(k, now, t.lifetime) => "retired",
                _ => "gone",
            };
            KeyInfo::of(k, state)
        })
        .collect())
}

impl KeyInfo {
    fn of(k: &SigningKey, state: &'static str) -> KeyInfo {
        KeyInfo {
            kid: k.kid.clone(),
            alg: k.alg.clone(),
            state,
            created_at: k.created_at,
            signs_from: k.signs_from,
            signs_until: k.signs_until,
            pem: tokens::pem(k),
        }
    }
}

/// Rotation: a new key of the configured algorithm, published now, signs
/// from `PUBLISH_AHEAD` seconds on (when every node and every app's JWKS
/// cache has it); the old ones (of either algorithm) sign until then and
/// stay published until their last token has expired. Keys past that are
/// deleted.
pub async fn rotate_keys(store: &dyn Store, sealer: &SecretBox, t: &SessionToken, now: i64) -> R<KeyInfo> {
    let k = tokens::new_key(sealer, t.algorithm, now, now + tokens::PUBLISH_AHEAD)?;
    let lifetime = t.lifetime;
    let tx = store.begin().await.map_err(err)?;
    tx.delete_keys_until(now - lifetime - tokens::KEY_REFRESH).await.map_err(err)?;
    tx.rotate_to(&k).await.map_err(err)?;
    let row = AuditEvent {
        at: now,
        event: Event::SigningKeyRotated.name().into(),
        user_agent: Some("admin-cli".into()),
        detail: Some(k.kid.clone()),
        ..Default::default()
    };
    tx.audit(&row).await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    Ok(KeyInfo::of(&k, "next"))
}

/// Longest name of a secret key (characters).
const MAX_KEY_NAME: usize = 64;

/// The audit row of an operator's change to a secret key.
fn key_row(event: Event, k: &ApiKey, now: i64) -> AuditEvent {
    AuditEvent {
        at: now,
        event: event.name().into(),
        user_agent: Some("admin-cli".into()),
        detail: Some(format!("{} {}", k.id, k.name)),
        ..Default::default()
    }
}

/// A new secret key for the Backend API, named `name`: the key itself
/// (`sk_live_…`) is answered once and never stored, only its hash.
pub async fn create_api_key(store: &dyn Store, name: &str, now: i64) -> R<(ApiKey, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_KEY_NAME {
        return Err(format!("a key needs a name of 1 to {MAX_KEY_NAME} characters"));
    }
    let secret = format!("{}{}", secrets::API_KEY_PREFIX, secrets::token());
    let k = ApiKey {
        id: format!("ak_{}", &secrets::token()[..24]),
        name: name.into(),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    let tx = store.begin().await.map_err(err)?;
    tx.insert_api_key(&k, &secrets::token_key(&secret)).await.map_err(err)?;
    tx.audit(&key_row(Event::ApiKeyCreated, &k, now)).await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    Ok((k, secret))
}

/// Every secret key, revoked ones too, newest first.
pub async fn api_keys(store: &dyn Store) -> R<Vec<ApiKey>> {
    store.api_keys().await.map_err(err)
}

/// Revokes the key `id`: refused from the next request on.
pub async fn revoke_api_key(store: &dyn Store, id: &str, now: i64) -> R<ApiKey> {
    let k = store.api_keys().await.map_err(err)?.into_iter().find(|k| k.id == id && k.revoked_at.is_none());
    let k = k.ok_or_else(|| format!("no live key {id}"))?;
    let tx = store.begin().await.map_err(err)?;
    if !tx.revoke_api_key(&k.id, now).await.map_err(err)? {
        return Err(format!("no live key {id}"));
    }
    tx.audit(&key_row(Event::ApiKeyRevoked, &k, now)).await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    Ok(ApiKey { revoked_at: Some(now), ..k })
}

/// A new webhook endpoint: `url` (checked: `webhooks::check_url`), the
/// event types it wants (none: all), and a fresh `whsec_…` secret, sealed
/// in the store and answered in clear this once.
pub async fn add_webhook(
    store: &dyn Store,
    sealer: &SecretBox,
    (url, events): (&str, &[String]),
    allow_private: bool,
    (by, now): (Actor<'_>, i64),
) -> R<(WebhookEndpoint, String)> {
    let url = webhooks::check_url(url, allow_private)?;
    let events = webhooks::events(events)?;
    let secret = webhooks::new_secret();
    let e =
        WebhookEndpoint { id: webhooks::new_id("ep_"), url, secret: sealer.seal(&secret)?, events, created_at: now };
    let tx = store.begin().await.map_err(err)?;
    tx.insert_webhook_endpoint(&e).await.map_err(err)?;
    tx.audit(&endpoint_row(Event::WebhookAdded, &e, (by, now))).await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    Ok((e, secret))
}

/// Every webhook endpoint, oldest first.
pub async fn webhooks(store: &dyn Store) -> R<Vec<WebhookEndpoint>> {
    store.webhook_endpoints().await.map_err(err)
}

/// Removes endpoint `id` with its queue; None if there is none.
pub async fn remove_webhook(store: &dyn Store, id: &str, (by, now): (Actor<'_>, i64)) -> R<Option<WebhookEndpoint>> {
    let Some(e) = store.webhook_endpoint(id).await.map_err(err)? else { return Ok(None) };
    let tx = store.begin().await.map_err(err)?;
    if !tx.delete_webhook_endpoint(id).await.map_err(err)? {
        return Ok(None);
    }
    tx.audit(&endpoint_row(Event::WebhookRemoved, &e, (by, now))).await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    Ok(Some(e))
}

/// The newest deliveries, of one state (`pending`, `delivered`, `dead`) if given.
pub async fn deliveries(store: &dyn Store, state: Option<&str>, limit: i64) -> R<Vec<WebhookDelivery>> {
    if state.is_some_and(|s| !["pending", "delivered", "dead"].contains(&s)) {
        return Err("a delivery's state is pending, delivered or dead".into());
    }
    store.deliveries(state, limit.clamp(1, 1000)).await.map_err(err)
}

/// Sends delivery `id` (or every delivery of message `msg_…`) again, now,
/// with a fresh schedule: a dead one too. Answers how many.
pub async fn replay_delivery(store: &dyn Store, id: &str, now: i64) -> R<u64> {
    let tx = store.begin().await.map_err(err)?;
    let n = tx.replay_delivery(id.trim(), now).await.map_err(err)?;
    if n == 0 {
        return Err(format!("no delivery {id}"));
    }
    tx.commit().await.map_err(err)?;
    Ok(n)
}

/// The audit row of a change to a webhook endpoint, in its maker's name.
fn endpoint_row(event: Event, e: &WebhookEndpoint, (by, now): (Actor<'_>, i64)) -> AuditEvent {
    AuditEvent {
        at: now,
        event: event.name().into(),
        user_agent: Some(by.agent()),
        detail: Some(format!("{} {} {}", e.id, e.url, e.events)),
        ..Default::default()
    }
}
