//! The storage ports: the rows the domain reads and writes, one read and one
//! write trait per table, `Store` (the pool: reads and `begin`) and `Tx` (a
//! transaction: the writes, and a `commit` that consumes it). The store
//! crate implements them for SQLite and PostgreSQL. Every check-and-change
//! is one conditional statement: concurrent requests are settled by the
//! database, not by process memory. The steps of a sign-in run as units of
//! work: one commit per step rather than one per statement.

use crate::flow::{Attempt, SignUp};
use async_trait::async_trait;
use proto::{SignUpStatus, Status};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists")]
    Conflict,
    /// The database's own failure, as text (the store crate's errors stay there).
    #[error("database: {0}")]
    Db(String),
    #[error("migration: {0}")]
    Migrate(String),
    #[error("transaction already committed")]
    Committed,
    #[error("transactions do not nest")]
    Nested,
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A user row. Holds secrets: never serialized.
#[derive(Clone)]
pub struct User {
    pub id: i64,
    /// The account's language tag, if known (`User::language`).
    pub lang: Option<String>,
    /// `user_…`: the id apps see (`sub` in session tokens).
    pub public_id: String,
    pub email: String,
    pub password_hash: String,
    pub phone: Option<String>,
    pub totp_secret: Option<String>,
    pub created_at: i64,
    /// `totp` or `phone_code`: offered first at sign-in.
    pub default_factor: Option<String>,
    /// Sealed TOTP secret awaiting its first code.
    pub pending_totp_secret: Option<String>,
    /// Phone number awaiting its SMS code.
    pub pending_phone: Option<String>,
    /// Marked compromised: the next session gets the `reset-password` task.
    pub password_compromised: bool,
    /// Holds at least one passkey.
    pub has_passkey: bool,
    /// Banned: signs in no more (`Unit::admit`).
    pub banned: bool,
    /// The three metadata objects, as stored (`metadata`).
    pub public_metadata: String,
    pub private_metadata: String,
    pub unsafe_metadata: String,
}

impl User {
    pub fn metadata(&self) -> Metadata {
        Metadata {
            public: self.public_metadata.clone(),
            private: self.private_metadata.clone(),
            unsafe_: self.unsafe_metadata.clone(),
        }
    }

    /// The language its notices are written in: the account's, else
    /// `asking` (the browser's).
    pub fn language(&self, asking: proto::Lang) -> proto::Lang {
        self.lang.as_deref().and_then(proto::Lang::from_tag).unwrap_or(asking)
    }
}

/// A user's three metadata objects as stored: JSON text (`metadata::text`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    pub public: String,
    pub private: String,
    pub unsafe_: String,
}

impl Default for Metadata {
    fn default() -> Metadata {
        Metadata { public: "{}".into(), private: "{}".into(), unsafe_: "{}".into() }
    }
}

/// Who a user is to apps: their public id and email (session tokens,
/// forward auth), without the factors a `User` read gathers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub public_id: String,
    pub email: String,
    pub created_at: i64,
    /// What a claims template may put in the token (`claims`).
    pub public_metadata: String,
    pub unsafe_metadata: String,
}

/// What the password step reads before the hash, in one statement: the user,
/// whether they have an unused backup code, and whether the browser's client
/// is one they trust.
#[derive(Clone)]
pub struct Subject {
    pub user: User,
    pub has_backup: bool,
    pub client_known: bool,
}

pub struct NewUser {
    pub public_id: String,
    pub email: String,
    /// Ours, an imported hash, or empty: none (`secrets::NO_PASSWORD`).
    pub password_hash: String,
    pub phone: Option<String>,
    pub totp_secret: Option<String>,
    pub created_at: i64,
    pub metadata: Metadata,
    /// An imported user's id in the system they came from (`clerk:user_…`).
    pub source_id: Option<String>,
    /// The account's language: the browser's at sign-up.
    pub lang: Option<proto::Lang>,
}

pub struct BackupCode {
    pub id: i64,
    pub salt: String,
    pub code_hash: String,
}

pub struct OneTimeCode {
    pub id: i64,
    pub code_hash: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub failures: i64,
    pub used: bool,
}

pub struct Session {
    pub user_id: i64,
    pub created_at: i64,
    pub last_active_at: i64,
    pub expires_at: i64,
    /// A pending session's task (`setup-mfa`).
    pub task: Option<String>,
    /// When the password or a second factor was last entered.
    pub verified_at: i64,
    /// When this session last verified the first factor (sign-in, a
    /// password re-verification), and a second factor (None: never).
    pub first_factor_at: i64,
    pub second_factor_at: Option<i64>,
}

/// A key that signs session tokens. Published from `created_at`; signs from
/// `signs_from` until `signs_until` (None: no successor yet).
#[derive(Clone, Debug)]
pub struct SigningKey {
    pub kid: String,
    /// `RS256` or `EdDSA` (`tokens::Alg`).
    pub alg: String,
    /// The public key, base64url: an RSA key's modulus (its exponent is
    /// always 65537), an Ed25519 key's 32 bytes.
    pub public_key: String,
    /// The private key, sealed under the instance's secret key.
    pub private_key: String,
    pub created_at: i64,
    pub signs_from: i64,
    pub signs_until: Option<i64>,
}

/// A native client's tokens (each sealed under the instance key), as its
/// row in `native_clients` holds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NativeClient {
    pub client: Option<String>,
    pub sign_in: Option<String>,
    pub sign_up: Option<String>,
    pub session: Option<String>,
}

/// A passkey (WebAuthn credential). `passkey`: webauthn-rs's record as JSON.
/// Serialized without the row ids (an export's form: `import::ours`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Passkey {
    #[serde(skip)]
    pub id: i64,
    /// `pk_…`: the id the pages and the API use.
    pub public_id: String,
    #[serde(skip)]
    pub user_id: i64,
    /// base64url, as browsers send it.
    pub credential_id: String,
    pub name: String,
    pub passkey: String,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A use of a passkey to record: its record after the use, new counter and flag.
pub struct PasskeyUse<'a> {
    pub id: i64,
    pub passkey: &'a str,
    pub sign_count: i64,
    pub backup_state: bool,
    pub now: i64,
}

/// A client (browser) a user completed a sign-in on, with where and when
/// it was last used.
#[derive(Clone, Debug)]
pub struct TrustedClient {
    pub client_key: String,
    pub trusted_at: i64,
    pub last_used_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The model a native client named (`X-Device-Model`).
    pub device: Option<String>,
}

/// Where a trusted client was just used from.
pub struct ClientUse<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The model a native client named.
    pub device: Option<&'a str>,
}

/// A session as its user's session list shows it.
pub struct SessionRow {
    pub key: String,
    pub created_at: i64,
    pub last_active_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub task: Option<String>,
    /// The model a native client named (`X-Device-Model`).
    pub device: Option<String>,
}

pub struct NewSession<'a> {
    pub key: &'a str,
    /// `sess_…`, from the key (`service::public_id`).
    pub public_id: &'a str,
    pub task: Option<&'a str>,
    pub user_id: i64,
    pub now: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub device: Option<String>,
    /// A second factor was verified on the way to this session.
    pub second_factor: bool,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub body: String,
    pub created_at: i64,
}

/// One line of the audit trail.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct AuditEvent {
    pub at: i64,
    pub event: String,
    pub user_id: Option<i64>,
    pub identifier: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

/// Reads of `users`: accounts, with their factors as the domain reads them, and the clients they trust.
#[async_trait]
pub trait Users: Send + Sync {
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// The user with `email` as the password step needs them; `client_key`
    /// None: a browser with no client cookie, known to nobody.
    async fn sign_in_subject(&self, email: &str, client_key: Option<&str>) -> Result<Option<Subject>>;
    async fn user(&self, id: i64) -> Result<Option<User>>;
    async fn identity(&self, id: i64) -> Result<Option<Identity>>;
    /// Users with a second factor, none of them of an enabled type (1 = on).
    async fn users_on_disabled_factors(&self, totp_on: i64, phone_on: i64) -> Result<i64>;
    /// Accounts by id, for operators.
    async fn users(&self, limit: i64) -> Result<Vec<User>>;
    /// The next `limit` users after the id `after`, by id (an export's pages:
    /// users made meanwhile come last, none twice).
    async fn users_after(&self, after: i64, limit: i64) -> Result<Vec<User>>;
    /// The user an app knows as `public_id` (`user_…`).
    async fn user_by_public_id(&self, public_id: &str) -> Result<Option<User>>;
    /// A page of accounts, newest first (the Backend API's list).
    async fn users_page(&self, limit: i64, offset: i64) -> Result<Vec<User>>;
    async fn user_count(&self) -> Result<i64>;
    /// The clients `user_id` trusts, last used first.
    async fn trusted_clients(&self, user_id: i64) -> Result<Vec<TrustedClient>>;
    /// The kinds of hashes not our own still stored: each one's first
    /// seven characters (`$2b$10$`: bcrypt, cost 10).
    async fn imported_hash_kinds(&self) -> Result<Vec<String>>;
    /// The user imported from `source_id` (`clerk:user_…`), if any.
    async fn imported(&self, source_id: &str) -> Result<Option<i64>>;
    /// Where the user was imported from, if they were.
    async fn source_of(&self, user_id: i64) -> Result<Option<String>>;
}

/// Writes to `users`: accounts, with their factors as the domain reads them, and the clients they trust.
#[async_trait]
pub trait UsersWrite: Send + Sync {
    async fn create_user(&self, u: &NewUser) -> Result<i64>;
    async fn set_default_factor(&self, user_id: i64, factor: Option<&str>) -> Result<()>;
    /// `user_id` completed a sign-in on the client `client_key` (the password
    /// step reads this back through `sign_in_subject`).
    /// Also records the use (`at`) when it was trusted before.
    async fn trust_client(&self, client_key: &str, user_id: i64, now: i64, at: &ClientUse<'_>) -> Result<()>;
    /// Forgets a trusted client: it proves itself again. False if none.
    async fn untrust_client(&self, client_key: &str, user_id: i64) -> Result<bool>;
    /// Replaces the password hash; `compromised` marks it for the
    /// `reset-password` task (a new password clears the mark).
    async fn set_password(&self, user_id: i64, hash: &str, compromised: bool) -> Result<()>;
    async fn set_compromised(&self, user_id: i64) -> Result<bool>;
    /// Swaps the hash `old` for `new` (the same password, hashed as ours);
    /// false if the hash changed meanwhile.
    async fn rehash_password(&self, user_id: i64, old: &str, new: &str) -> Result<bool>;
    /// Bans or unbans; false if no such user.
    async fn set_banned(&self, user_id: i64, banned: bool) -> Result<bool>;
    /// The language the account's notices are written in (a tag).
    async fn set_lang(&self, user_id: i64, lang: &str) -> Result<()>;
    /// Changes the user's address from `old` to `new`: false if it is no
    /// longer `old`; `Conflict` if another account has `new`.
    async fn set_email(&self, user_id: i64, old: &str, new: &str) -> Result<bool>;
    /// Replaces the metadata if it still is `old` (false: it changed
    /// meanwhile, or no such user): a merge read before loses nothing.
    async fn set_metadata(&self, user_id: i64, old: &Metadata, new: &Metadata) -> Result<bool>;
    /// Removes every second factor (credentials, backup codes, the default).
    async fn reset_mfa(&self, user_id: i64) -> Result<()>;
    /// Deletes the account and everything that belongs to it; false if none.
    async fn delete_user(&self, user_id: i64) -> Result<bool>;
}

/// Writes to `credentials`: the second factors, one row each (read with the user).
#[async_trait]
pub trait CredentialsWrite: Send + Sync {
    /// Records `step` as the last accepted TOTP step; false if it (or a later
    /// one) was accepted before: a replay.
    async fn advance_totp(&self, user_id: i64, step: i64) -> Result<bool>;
    async fn set_pending_totp(&self, user_id: i64, sealed: Option<&str>, now: i64) -> Result<()>;
    /// Makes the pending secret (still `sealed`) the user's; `step` counts as used.
    async fn confirm_totp(&self, user_id: i64, sealed: &str, step: i64) -> Result<bool>;
    async fn set_pending_phone(&self, user_id: i64, phone: Option<&str>, now: i64) -> Result<()>;
    async fn confirm_phone(&self, user_id: i64, phone: &str) -> Result<bool>;
    /// Removes the authenticator app; with `keep_one`, only while the phone
    /// remains. False if nothing was removed.
    async fn remove_totp(&self, user_id: i64, keep_one: bool) -> Result<bool>;
    /// Removes the phone; with `keep_one`, only while the app remains.
    async fn remove_phone(&self, user_id: i64, keep_one: bool) -> Result<bool>;
}

/// Reads of `passkeys`.
#[async_trait]
pub trait Passkeys: Send + Sync {
    async fn passkeys_of(&self, user_id: i64) -> Result<Vec<Passkey>>;
    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<Passkey>>;
}

/// Writes to `passkeys` and `webauthn_challenges`.
#[async_trait]
pub trait PasskeysWrite: Send + Sync {
    /// False if the credential is registered already.
    async fn insert_passkey(&self, p: &Passkey) -> Result<bool>;
    /// Records a use only if the counter moved forward (or the authenticator
    /// keeps none: both 0). False: the counter went back (a cloned
    /// authenticator) or stood still.
    async fn use_passkey(&self, u: &PasskeyUse<'_>) -> Result<bool>;
    async fn rename_passkey(&self, user_id: i64, public_id: &str, name: &str) -> Result<bool>;
    /// Removes a passkey; with `keep_one`, only while another factor (a
    /// passkey or a credential) remains. False if nothing was removed.
    async fn remove_passkey(&self, user_id: i64, public_id: &str, keep_one: bool) -> Result<bool>;
    /// Stores a ceremony's state for (key, purpose), replacing any before.
    async fn put_challenge(&self, key: &str, purpose: &str, state: &str, expires_at: i64) -> Result<()>;
    /// Takes (deletes and returns) a live ceremony's state: one answer each.
    async fn take_challenge(&self, key: &str, purpose: &str, now: i64) -> Result<Option<String>>;
}

/// Reads of `backup_codes`: hashed, single use.
#[async_trait]
pub trait BackupCodes: Send + Sync {
    async fn unused_backup_codes(&self, user_id: i64) -> Result<Vec<BackupCode>>;
}

/// Writes to `backup_codes`: hashed, single use.
#[async_trait]
pub trait BackupCodesWrite: Send + Sync {
    /// Replaces the user's whole set of backup codes.
    async fn set_backup_codes(&self, user_id: i64, codes: &[(String, String)]) -> Result<()>;
    /// Marks a code used; false if it already was (a lost race).
    async fn use_backup_code(&self, id: i64, now: i64) -> Result<bool>;
}

/// Reads of `sign_in_attempts`: the sign-in state machine, stored.
#[async_trait]
pub trait Attempts: Send + Sync {
    async fn attempt(&self, key: &str) -> Result<Option<Attempt>>;
}

/// Writes to `sign_in_attempts`: the sign-in state machine, stored.
#[async_trait]
pub trait AttemptsWrite: Send + Sync {
    async fn insert_attempt(&self, key: &str, a: &Attempt) -> Result<()>;
    /// Saves `a` only if the stored status is still `from`.
    async fn update_attempt(&self, key: &str, from: Status, a: &Attempt) -> Result<bool>;
    async fn delete_attempt(&self, key: &str) -> Result<()>;
    /// Deletes a complete attempt and returns it; at most one caller wins.
    async fn take_complete_attempt(&self, key: &str) -> Result<Option<Attempt>>;
}

/// Reads of `one_time_codes`: emailed and texted codes, hashed.
#[async_trait]
pub trait Codes: Send + Sync {
    async fn code(&self, attempt_key: &str, purpose: &str) -> Result<Option<OneTimeCode>>;
}

/// Writes to `one_time_codes`: emailed and texted codes, hashed.
#[async_trait]
pub trait CodesWrite: Send + Sync {
    /// Stores a new code for (attempt, purpose), replacing the old one, unless
    /// the old one was sent after `not_after` (too soon to resend).
    async fn put_code(
        &self,
        attempt_key: &str,
        purpose: &str,
        code_hash: &str,
        now: i64,
        expires_at: i64,
        not_after: i64,
    ) -> Result<bool>;
    async fn delete_code(&self, id: i64) -> Result<()>;
    /// Counts a wrong try, up to `max`; returns the new count.
    async fn fail_code(&self, id: i64, max: i64) -> Result<i64>;
    /// Uses the code once; false if it was used or locked meanwhile.
    async fn consume_code(&self, id: i64, now: i64, max: i64) -> Result<bool>;
}

/// Reads of `sessions`.
#[async_trait]
pub trait Sessions: Send + Sync {
    /// The session behind `key`; none if its user is banned.
    async fn session(&self, key: &str) -> Result<Option<Session>>;
    async fn sessions_of(&self, user_id: i64) -> Result<Vec<SessionRow>>;
    /// The session an app names by its public id (`sess_…`): (key, user).
    async fn session_by_public_id(&self, public_id: &str) -> Result<Option<(String, i64)>>;
    /// Keys of sessions made before public ids were stored (at most `limit`).
    async fn sessions_without_ids(&self, limit: i64) -> Result<Vec<String>>;
}

/// Writes to `sessions`.
#[async_trait]
pub trait SessionsWrite: Send + Sync {
    /// Writes the session unless its user is banned (false then): one
    /// statement, so a ban committing meanwhile cannot be missed.
    async fn insert_session(&self, s: &NewSession<'_>) -> Result<bool>;
    /// Stores the public id of a session made before they were stored.
    async fn set_session_id(&self, key: &str, public_id: &str) -> Result<()>;
    /// Sets or clears (None: the session becomes active) a session's task.
    async fn set_task(&self, key: &str, task: Option<&str>) -> Result<()>;
    /// A re-verification: with the first factor, or (`second_factor`) a second.
    async fn session_verified(&self, key: &str, now: i64, second_factor: bool) -> Result<()>;
    /// Ends one of `user_id`'s sessions; false if it was not theirs.
    async fn delete_user_session(&self, key: &str, user_id: i64) -> Result<bool>;
    async fn delete_other_sessions(&self, user_id: i64, keep: &str) -> Result<u64>;
    /// Ends every session of `user_id`.
    async fn delete_user_sessions(&self, user_id: i64) -> Result<u64>;
    async fn touch_session(&self, key: &str, now: i64) -> Result<()>;
    async fn delete_session(&self, key: &str) -> Result<()>;
}

/// Reads of `signing_keys`: the keys of session tokens, shared by every node.
#[async_trait]
pub trait SigningKeys: Send + Sync {
    /// Every key, newest `signs_from` first.
    async fn signing_keys(&self) -> Result<Vec<SigningKey>>;
}

/// Writes to `signing_keys`.
#[async_trait]
pub trait SigningKeysWrite: Send + Sync {
    /// Adds `k` unless some key of its algorithm signs at `now` (`k` is the
    /// first key of its algorithm): false then.
    async fn add_first_key(&self, k: &SigningKey, now: i64) -> Result<bool>;
    /// Rotation: every key without a successor (of any algorithm) signs
    /// until `k.signs_from`; `k` is added.
    async fn rotate_to(&self, k: &SigningKey) -> Result<()>;
    /// Deletes keys whose last token expired before `before`.
    async fn delete_keys_until(&self, before: i64) -> Result<u64>;
}

/// A secret key of the Backend API: what is known of it but the key (only
/// its hash is stored, beside this).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ApiKey {
    /// `ak_…`: names the key in lists and audit rows.
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Reads of `api_keys`: the Backend API's secret keys.
#[async_trait]
pub trait ApiKeys: Send + Sync {
    /// The unrevoked key whose hash is `key_hash`.
    async fn api_key(&self, key_hash: &str) -> Result<Option<ApiKey>>;
    /// Every key, revoked ones too, newest first.
    async fn api_keys(&self) -> Result<Vec<ApiKey>>;
}

/// Writes to `api_keys`.
#[async_trait]
pub trait ApiKeysWrite: Send + Sync {
    async fn insert_api_key(&self, k: &ApiKey, key_hash: &str) -> Result<()>;
    /// Revokes key `id`; false if there is no such unrevoked key.
    async fn revoke_api_key(&self, id: &str, now: i64) -> Result<bool>;
    /// Records a use (at most one write a minute).
    async fn touch_api_key(&self, id: &str, now: i64) -> Result<()>;
}

/// A webhook endpoint: where an app's backend hears of changes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WebhookEndpoint {
    /// `ep_…`.
    pub id: String,
    pub url: String,
    /// The `whsec_…` secret, sealed (never serialized).
    #[serde(skip)]
    pub secret: String,
    /// The event types it wants, space-separated, or `*`.
    pub events: String,
    pub created_at: i64,
}

/// An event queued for an endpoint (`Webhooks`): what the change was; the
/// payload is made at the first try.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Queued {
    /// `msg_…`: one per event, the same for every endpoint and try.
    pub msg_id: String,
    /// The webhook event type (`user.created`).
    pub event: String,
    /// The user's row id (the queue keeps the public id, read in the statement).
    pub user_id: Option<i64>,
    /// The session's public id (`sess_…`), for session events.
    pub session_id: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub at: i64,
}

/// A row of the delivery queue.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WebhookDelivery {
    pub id: i64,
    pub msg_id: String,
    pub endpoint_id: String,
    pub event: String,
    /// `user_…`.
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub at: i64,
    #[serde(skip)]
    pub payload: Option<String>,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
    pub done_at: Option<i64>,
}

/// Reads of `webhook_endpoints` and `webhook_deliveries`.
#[async_trait]
pub trait Webhooks: Send + Sync {
    async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>>;
    async fn webhook_endpoint(&self, id: &str) -> Result<Option<WebhookEndpoint>>;
    /// Pending deliveries due by `now`, oldest due first.
    async fn due_deliveries(&self, now: i64, limit: i64) -> Result<Vec<WebhookDelivery>>;
    /// The newest deliveries, of one `state` if given.
    async fn deliveries(&self, state: Option<&str>, limit: i64) -> Result<Vec<WebhookDelivery>>;
}

/// Writes to `webhook_endpoints` and `webhook_deliveries`.
#[async_trait]
pub trait WebhooksWrite: Send + Sync {
    async fn insert_webhook_endpoint(&self, e: &WebhookEndpoint) -> Result<()>;
    /// Removes endpoint `id` and its queue; false if there is none.
    async fn delete_webhook_endpoint(&self, id: &str) -> Result<bool>;
    /// Queues `q` for every endpoint that wants its type; answers how many.
    async fn enqueue_webhook(&self, q: &Queued) -> Result<u64>;
    /// Writes the payload of every delivery of message `msg_id` (in the
    /// unit that queued it).
    async fn set_webhook_payload(&self, msg_id: &str, payload: &str) -> Result<()>;
    /// Takes delivery `id` for a try if it is still pending and due at
    /// `due` (as read): it is not due again before `lease_until`; writes
    /// `payload` unless it has one. False: another node took it.
    async fn claim_delivery(&self, id: i64, due: i64, lease_until: i64, payload: &str) -> Result<bool>;
    /// The try's outcome: `delivered`, `dead`, or `pending` again at `next_at`.
    async fn finish_delivery(&self, id: i64, state: &str, next_at: i64, error: Option<&str>, now: i64) -> Result<()>;
    /// Makes delivery `id` (or every row of message `msg_…`) pending and
    /// due at `now`, with its tries counted afresh; answers how many.
    async fn replay_delivery(&self, id: &str, now: i64) -> Result<u64>;
}

/// Reads of `native_clients`: what native clients carry, by client id.
#[async_trait]
pub trait NativeClients: Send + Sync {
    /// The client `id`'s tokens, unless it has expired by `now`.
    async fn native_client(&self, id: &str, now: i64) -> Result<Option<NativeClient>>;
}

/// Writes to `native_clients`.
#[async_trait]
pub trait NativeClientsWrite: Send + Sync {
    /// Sets client `id`'s tokens in the `jars` given (sealed; None:
    /// cleared), making its row if it has none (or only an expired one),
    /// and keeps the row until `expires_at`. Other jars are left as they
    /// are: two requests of one client that change different jars do not
    /// undo each other.
    async fn keep_native_tokens(
        &self,
        id: &str,
        jars: &[(crate::request::Jar, Option<String>)],
        now: i64,
        expires_at: i64,
    ) -> Result<()>;
}

/// Reads of `sign_ups`: the sign-up state machine, stored.
#[async_trait]
pub trait SignUps: Send + Sync {
    async fn sign_up(&self, key: &str) -> Result<Option<SignUp>>;
}

/// Writes to `sign_ups`: the sign-up state machine, stored.
#[async_trait]
pub trait SignUpsWrite: Send + Sync {
    async fn insert_sign_up(&self, key: &str, s: &SignUp) -> Result<()>;
    /// Saves `s` only if the stored status is still `from`.
    async fn update_sign_up(&self, key: &str, from: SignUpStatus, s: &SignUp) -> Result<bool>;
    /// Deletes a complete sign-up and returns it; at most one caller wins.
    async fn take_complete_sign_up(&self, key: &str) -> Result<Option<SignUp>>;
    async fn delete_sign_up(&self, key: &str) -> Result<()>;
}

/// Reads of `lockouts` and `rate_limits`: the counters every try goes through.
#[async_trait]
pub trait Limits: Send + Sync {
    /// Until when `subject` is locked, if it is.
    async fn locked_until(&self, subject: &str, now: i64) -> Result<Option<i64>>;
    /// Did the client `client_key` prove the address of the locked `subject`?
    async fn unlocked(&self, subject: &str, client_key: &str, now: i64) -> Result<bool>;
}

/// Writes to `lockouts` and `rate_limits`: the counters every try goes through.
#[async_trait]
pub trait LimitsWrite: Send + Sync {
    /// Counts one try against `subject` before it is checked, so parallel
    /// tries can never exceed `max`: Ok(tries counted, this one included),
    /// or Err(until) while locked. The try that reaches `max` starts a lock
    /// of `lock_secs`.
    async fn lockout_reserve(
        &self,
        subject: &str,
        now: i64,
        max: i64,
        lock_secs: i64,
    ) -> Result<std::result::Result<i64, i64>>;
    /// The reserved try was right: take it back (the count is not reset),
    /// lifting a lock that only this try's reservation had set.
    async fn lockout_release(&self, subject: &str, max: i64) -> Result<()>;
    /// A sign-in completed: forget the failures.
    async fn lockout_reset(&self, subject: &str) -> Result<()>;
    /// An operator locks `subject` until `until`, whatever its count.
    async fn lock_subject(&self, subject: &str, until: i64) -> Result<()>;
    /// The client `client_key` proved the address of `subject`: its tries
    /// count apart from the lock until `until`.
    async fn unlock_client(&self, subject: &str, client_key: &str, until: i64) -> Result<()>;
    /// Counts a request in the fixed window; returns (hits, window_start).
    async fn rate_hit(&self, bucket: &str, client: &str, now: i64, window: i64) -> Result<(i64, i64)>;
}

/// Reads of `audit_log`.
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEvent>>;
    /// A page of the trail, newest first, with how many rows `f` matches.
    async fn audit_page(&self, f: &AuditFilter<'_>, limit: i64, offset: i64) -> Result<(Vec<AuditEntry>, i64)>;
    /// Rows from `since` on, after row `after` (0: from the first), oldest
    /// first: an export's pages.
    async fn audit_after(&self, since: i64, after: i64, limit: i64) -> Result<Vec<AuditEntry>>;
}

/// Which audit rows a page holds: each filter applies when given.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuditFilter<'a> {
    /// The user's public id (`user_…`).
    pub user_id: Option<&'a str>,
    /// The event's name (`session.revoked`).
    pub event: Option<&'a str>,
}

/// An audit row as an app's backend reads it: the user by public id.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// The row's number: its place in the trail.
    pub id: i64,
    pub at: i64,
    pub event: String,
    pub user_id: Option<String>,
    pub identifier: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

/// Writes to `audit_log`.
#[async_trait]
pub trait AuditLogWrite: Send + Sync {
    async fn audit(&self, e: &AuditEvent) -> Result<()>;
}

/// Reads of `outbox`: the development sender's messages.
#[async_trait]
pub trait Outbox: Send + Sync {
    async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>>;
}

/// Writes to `outbox`: the development sender's messages.
#[async_trait]
pub trait OutboxWrite: Send + Sync {
    async fn push_outbox(&self, channel: &str, recipient: &str, body: &str, now: i64) -> Result<()>;
}

/// What a readiness probe asks of the database.
#[async_trait]
pub trait Health: Send + Sync {
    /// Whether the schema is the one this build knows: every migration it
    /// has applied, none it does not have.
    async fn schema_current(&self) -> Result<bool>;
}

/// What `/metrics` reports of the data and the pool, read at a scrape.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gauges {
    /// Sessions not yet expired at `now`.
    pub sessions: i64,
    /// Webhook deliveries waiting for a try (due or scheduled).
    pub webhook_backlog: i64,
    /// The pool's open connections, and those of them idle.
    pub pool_open: u32,
    pub pool_idle: u32,
}

/// The numbers behind `Gauges`.
#[async_trait]
pub trait Stats: Send + Sync {
    async fn gauges(&self, now: i64) -> Result<Gauges>;
}

/// The store: one repository per table (the traits above), read on the
/// pool; writes only in a transaction (`Tx`).
#[async_trait]
pub trait Store:
    Users
    + Passkeys
    + BackupCodes
    + Attempts
    + Codes
    + Sessions
    + SignUps
    + Limits
    + AuditLog
    + Outbox
    + SigningKeys
    + NativeClients
    + ApiKeys
    + Webhooks
    + Health
    + Stats
    + Send
    + Sync
    + 'static
{
    /// A unit of work: the only way to write. Its writes become visible
    /// together at `Tx::commit` (one WAL flush per request, not one per
    /// statement), and roll back if it is dropped first. SQLite units run
    /// one at a time.
    async fn begin(&self) -> Result<Box<dyn Tx>>;
}

/// A transaction: reads see its own writes; `commit` consumes it.
///
/// Writes exist only here. On the pool they do not compile:
///
/// ```compile_fail,E0599
/// use domain::store::prelude::*;
/// async fn write_on_the_pool(store: &dyn Store) {
///     let _ = store.delete_session("key").await;
/// }
/// ```
///
/// nor does a use of a transaction after its commit:
///
/// ```compile_fail,E0382
/// use domain::store::prelude::*;
/// async fn use_after_commit(tx: Box<dyn Tx>) {
///     let _ = tx.commit().await;
///     let _ = tx.delete_session("key").await;
/// }
/// ```
///
/// while the same write inside one does:
///
/// ```
/// use domain::store::prelude::*;
/// async fn write_in_a_unit(store: &dyn Store) -> domain::store::Result<()> {
///     let tx = store.begin().await?;
///     tx.delete_session("key").await?;
///     tx.commit().await
/// }
/// ```
#[async_trait]
pub trait Tx:
    Store
    + UsersWrite
    + CredentialsWrite
    + PasskeysWrite
    + BackupCodesWrite
    + AttemptsWrite
    + CodesWrite
    + SessionsWrite
    + SignUpsWrite
    + LimitsWrite
    + AuditLogWrite
    + OutboxWrite
    + SigningKeysWrite
    + NativeClientsWrite
    + ApiKeysWrite
    + WebhooksWrite
{
    async fn commit(self: Box<Self>) -> Result<()>;
    /// Deletes what has expired by `now`, and audit rows from before
    /// `audit_before` (the retention); returns the number of rows.
    async fn sweep(&self, now: i64, audit_before: i64) -> Result<u64>;
}

/// Every repository trait, for calling their methods on a `Store` or a `Tx`.
pub mod prelude {
    pub use super::{
        ApiKeys, ApiKeysWrite, Attempts, AttemptsWrite, AuditLog, AuditLogWrite, BackupCodes, BackupCodesWrite, Codes,
        CodesWrite, CredentialsWrite, Health, Limits, LimitsWrite, NativeClients, NativeClientsWrite, Outbox,
        OutboxWrite, Passkeys, PasskeysWrite, Sessions, SessionsWrite, SignUps, SignUpsWrite, SigningKeys,
        SigningKeysWrite, Stats, Store, Tx, Users, UsersWrite, Webhooks, WebhooksWrite,
    };
}
