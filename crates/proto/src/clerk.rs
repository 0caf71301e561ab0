//! Clerk's Frontend API shapes, for Clerk's own SDKs (`@clerk/clerk-js`,
//! `@clerk/expo`, the iOS and Android SDKs), built from our views. `/v1`
//! answers in them when a request says it comes from one of those SDKs
//! (`server/src/v1`, `Dialect`): resources in `{ response, client }`, times
//! in milliseconds, the session with its user and its tasks.
//!
//! Ours stay as they are for every other client (`crates/client`, the
//! OpenAPI document): they carry the same facts.

use crate::{PasskeyView, SessionInfo, SessionView, SignInView, SignUpView, Strategy, UserView};
use serde::Serialize;

/// Seconds (ours) to milliseconds (Clerk's).
fn ms(seconds: i64) -> i64 {
    seconds.saturating_mul(1000)
}

/// Clerk's envelope of a resource: the resource, and the client after the
/// call (the SDKs update their state from it).
#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    pub response: T,
    pub client: Option<Client>,
}

#[derive(Debug, Serialize)]
pub struct Client {
    pub object: &'static str,
    pub id: String,
    pub sessions: Vec<Session>,
    pub sign_in: Option<SignInView>,
    pub sign_up: Option<SignUpView>,
    pub last_active_session_id: Option<String>,
    pub cookie_expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Client {
    /// `id`: an opaque id for this client (a hash of its token, the same
    /// while it lasts); `user`: the session's user, if there is a session;
    /// `now`: the request's time. No row records when a browser's client
    /// began, so it dates from its session, else from now.
    pub fn new(id: String, c: crate::v1::ClientView, user: Option<&UserView>, now: i64) -> Client {
        let began = c.sessions.iter().map(|s| s.created_at).min().unwrap_or(now);
        let sessions: Vec<Session> = c.sessions.into_iter().filter_map(|s| Session::new(s, user)).collect();
        Client {
            object: "client",
            id,
            last_active_session_id: sessions.first().map(|s| s.id.clone()),
            sessions,
            sign_in: c.sign_in,
            sign_up: c.sign_up,
            cookie_expires_at: None,
            created_at: ms(began),
            updated_at: ms(now),
        }
    }
}

/// A session task (`setup-mfa`, `reset-password`).
#[derive(Debug, Serialize)]
pub struct Task {
    pub key: String,
}

#[derive(Debug, Serialize)]
pub struct Session {
    pub object: &'static str,
    pub id: String,
    pub status: String,
    pub tasks: Option<Vec<Task>>,
    pub user: User,
    pub public_user_data: PublicUserData,
    pub last_active_token: Option<()>,
    pub last_active_organization_id: Option<String>,
    pub actor: Option<()>,
    pub factor_verification_age: Option<[i64; 2]>,
    pub last_active_at: i64,
    pub expire_at: i64,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Session {
    /// The session with its user (`None` if `user` is not this session's).
    pub fn new(s: SessionView, user: Option<&UserView>) -> Option<Session> {
        let user = user.filter(|u| u.id == s.user_id)?;
        Some(Session {
            object: "session",
            public_user_data: PublicUserData::of(user),
            user: User::from(user),
            tasks: s.current_task.map(|key| vec![Task { key }]),
            id: s.id,
            status: s.status,
            last_active_token: None,
            last_active_organization_id: None,
            actor: None,
            factor_verification_age: None,
            last_active_at: ms(s.last_active_at),
            expire_at: ms(s.expire_at),
            abandon_at: ms(s.expire_at),
            created_at: ms(s.created_at),
            updated_at: ms(s.last_active_at),
        })
    }
}

/// A session of the user's list (`user.getSessions()`), with where it was
/// last used.
#[derive(Debug, Serialize)]
pub struct SessionWithActivities {
    pub object: &'static str,
    pub id: String,
    pub status: &'static str,
    pub last_active_at: i64,
    pub latest_activity: Activity,
    pub actor: Option<()>,
}

/// Where a session was last used: the browser, and the device's model or
/// system (a native app's platform when it names no model).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub object: &'static str,
    pub id: String,
    pub browser_name: Option<String>,
    pub device_type: Option<String>,
    pub ip_address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub is_mobile: bool,
}

impl Activity {
    fn of(s: &SessionInfo) -> Activity {
        let d = &s.device;
        let platform = || match d.native {
            Some(crate::Native::Android) => Some("Android"),
            Some(crate::Native::Ios) => Some("iOS"),
            _ => d.os.map(crate::Os::name),
        };
        let device = d.model.clone().or_else(|| platform().map(String::from));
        let browser = d.browser.map(|b| b.name().to_string());
        let mobile = d.is_mobile();
        Activity {
            object: "session_activity",
            id: format!("sess_activity_{}", s.id.trim_start_matches("sess_")),
            browser_name: browser,
            device_type: device,
            ip_address: s.ip.clone(),
            city: None,
            country: None,
            is_mobile: mobile,
        }
    }
}

impl From<&SessionInfo> for SessionWithActivities {
    fn from(s: &SessionInfo) -> SessionWithActivities {
        SessionWithActivities {
            object: "session",
            id: s.id.clone(),
            status: "active",
            last_active_at: ms(s.last_active_at),
            latest_activity: Activity::of(s),
            actor: None,
        }
    }
}

/// A session as Clerk's Backend API answers it (`@clerk/backend`'s
/// `Session`).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackendSession {
    pub object: &'static str,
    pub id: String,
    pub client_id: Option<String>,
    pub user_id: String,
    pub status: &'static str,
    pub last_active_at: i64,
    pub expire_at: i64,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub latest_activity: Activity,
}

impl BackendSession {
    /// `s` of `user_id`, `status` (`active`, `revoked`), ending at `expire_at`
    /// if unused (Unix seconds).
    pub fn new(s: &SessionInfo, user_id: &str, status: &'static str, expire_at: i64) -> BackendSession {
        BackendSession {
            object: "session",
            id: s.id.clone(),
            client_id: None,
            user_id: user_id.into(),
            status,
            last_active_at: ms(s.last_active_at),
            expire_at: ms(expire_at),
            abandon_at: ms(expire_at),
            created_at: ms(s.created_at),
            updated_at: ms(s.last_active_at),
            latest_activity: Activity::of(s),
        }
    }
}

/// A page of a list with its total (`{ data, total_count }`).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub data: Vec<T>,
    pub total_count: i64,
}

#[derive(Debug, Serialize)]
pub struct PublicUserData {
    pub identifier: String,
    pub user_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub image_url: String,
    pub has_image: bool,
}

impl PublicUserData {
    fn of(u: &UserView) -> PublicUserData {
        PublicUserData {
            identifier: u.email.clone(),
            user_id: u.id.clone(),
            first_name: None,
            last_name: None,
            image_url: String::new(),
            has_image: false,
        }
    }
}

/// How an identifier or factor was verified (all of a user's are).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub status: &'static str,
    pub strategy: Strategy,
    pub attempts: Option<u32>,
    pub expire_at: Option<i64>,
}

impl Verification {
    fn verified(strategy: Strategy) -> Verification {
        Verification { status: "verified", strategy, attempts: None, expire_at: None }
    }
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailAddress {
    pub object: &'static str,
    pub id: String,
    pub email_address: String,
    pub verification: Verification,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub linked_to: Vec<()>,
    pub matches_sso_connection: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneNumber {
    pub object: &'static str,
    pub id: String,
    /// Masked, as our pages show it.
    pub phone_number: String,
    pub reserved_for_second_factor: bool,
    pub default_second_factor: bool,
    pub verification: Verification,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub linked_to: Vec<()>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Passkey {
    pub object: &'static str,
    pub id: String,
    pub name: String,
    pub last_used_at: Option<i64>,
    pub verification: Verification,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&PasskeyView> for Passkey {
    fn from(p: &PasskeyView) -> Passkey {
        Passkey {
            object: "passkey",
            id: p.id.clone(),
            name: p.name.clone(),
            last_used_at: p.last_used_at.map(ms),
            verification: Verification::verified(Strategy::Passkey),
            created_at: ms(p.created_at),
            updated_at: ms(p.last_used_at.unwrap_or(p.created_at)),
        }
    }
}

/// Clerk's `User`: the identifiers and factors; no names, images or
/// organizations here.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub object: &'static str,
    pub id: String,
    pub external_id: Option<String>,
    pub primary_email_address_id: String,
    pub primary_phone_number_id: Option<String>,
    pub primary_web3_wallet_id: Option<String>,
    pub email_addresses: Vec<EmailAddress>,
    pub phone_numbers: Vec<PhoneNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub web3_wallets: Vec<()>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub external_accounts: Vec<()>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub enterprise_accounts: Vec<()>,
    pub passkeys: Vec<Passkey>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub organization_memberships: Vec<()>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub image_url: String,
    pub has_image: bool,
    pub password_enabled: bool,
    pub totp_enabled: bool,
    pub backup_code_enabled: bool,
    pub two_factor_enabled: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub public_metadata: crate::Metadata,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub unsafe_metadata: crate::Metadata,
    pub last_sign_in_at: Option<i64>,
    pub create_organization_enabled: bool,
    pub delete_self_enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The id of a user's identifier, from the user's id (`user_x` → `idn_email_x`).
pub fn identifier_id(user_id: &str, kind: &str) -> String {
    format!("idn_{kind}_{}", user_id.strip_prefix("user_").unwrap_or(user_id))
}

impl From<&UserView> for User {
    fn from(u: &UserView) -> User {
        let email_id = identifier_id(&u.id, "email");
        let phone = u.factors.iter().find(|f| f.strategy == Strategy::PhoneCode);
        let phone_numbers: Vec<PhoneNumber> = phone
            .map(|f| PhoneNumber {
                object: "phone_number",
                id: identifier_id(&u.id, "phone"),
                phone_number: f.safe_identifier.clone().unwrap_or_default(),
                reserved_for_second_factor: true,
                default_second_factor: f.default,
                verification: Verification::verified(Strategy::PhoneCode),
                linked_to: vec![],
            })
            .into_iter()
            .collect();
        let totp = u.has(Strategy::Totp);
        User {
            object: "user",
            id: u.id.clone(),
            external_id: None,
            primary_phone_number_id: phone_numbers.first().map(|p| p.id.clone()),
            primary_email_address_id: email_id.clone(),
            primary_web3_wallet_id: None,
            email_addresses: vec![EmailAddress {
                object: "email_address",
                id: email_id,
                email_address: u.email.clone(),
                verification: Verification::verified(Strategy::EmailCode),
                linked_to: vec![],
                matches_sso_connection: false,
            }],
            two_factor_enabled: totp || !phone_numbers.is_empty() || u.backup_codes_remaining > 0,
            phone_numbers,
            web3_wallets: vec![],
            external_accounts: vec![],
            enterprise_accounts: vec![],
            passkeys: u.passkeys.iter().map(Passkey::from).collect(),
            organization_memberships: vec![],
            username: None,
            first_name: None,
            last_name: None,
            image_url: String::new(),
            has_image: false,
            password_enabled: u.password_enabled,
            totp_enabled: totp,
            backup_code_enabled: u.backup_codes_remaining > 0,
            public_metadata: u.public_metadata.clone(),
            unsafe_metadata: u.unsafe_metadata.clone(),
            last_sign_in_at: None,
            create_organization_enabled: false,
            delete_self_enabled: false,
            created_at: ms(u.created_at),
            updated_at: ms(u.created_at),
        }
    }
}

/// A user as Clerk's Backend API answers it (`@clerk/backend`'s `User`):
/// Clerk's user, its phone number whole, and its lock.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackendUser {
    #[serde(flatten)]
    pub user: User,
    pub banned: bool,
    pub locked: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub private_metadata: crate::Metadata,
}

impl BackendUser {
    /// `u` as an app's backend reads it (its phone unmasked), `locked` or
    /// `banned` or not, with the backend's own metadata.
    pub fn new(u: &UserView, (locked, banned): (bool, bool), private_metadata: crate::Metadata) -> BackendUser {
        BackendUser { user: User::from(u), banned, locked, private_metadata }
    }
}

/// A count (`users.getCount()`).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotalCount {
    pub object: &'static str,
    pub total_count: i64,
}

impl TotalCount {
    pub fn new(total_count: i64) -> TotalCount {
        TotalCount { object: "total_count", total_count }
    }
}

/// `user.createTOTP()` and `verifyTOTP()`: the authenticator app, its
/// secret while it is new, its backup codes once verified (the first time).
#[derive(Debug, Serialize)]
pub struct Totp {
    pub object: &'static str,
    pub id: String,
    pub secret: Option<String>,
    pub uri: Option<String>,
    pub verified: bool,
    pub backup_codes: Option<Vec<String>>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Totp {
    /// `now`: Unix seconds.
    pub fn new(user_id: &str, setup: Option<crate::TotpSetup>, backup_codes: Vec<String>, now: i64) -> Totp {
        let verified = setup.is_none();
        let (secret, uri) = setup.map(|s| (s.secret, s.uri)).unzip();
        Totp {
            object: "totp",
            id: identifier_id(user_id, "totp"),
            secret,
            uri,
            verified,
            backup_codes: Some(backup_codes).filter(|c| !c.is_empty()),
            created_at: ms(now),
            updated_at: ms(now),
        }
    }
}

/// `user.createBackupCode()`: the new codes, shown once.
#[derive(Debug, Serialize)]
pub struct BackupCodes {
    pub object: &'static str,
    pub id: String,
    pub codes: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl BackupCodes {
    pub fn new(user_id: &str, codes: Vec<String>, now: i64) -> BackupCodes {
        BackupCodes {
            object: "backup_code",
            id: identifier_id(user_id, "backup_code"),
            codes,
            created_at: ms(now),
            updated_at: ms(now),
        }
    }
}

/// `users.disableUserMFA(id)`: whose factors went.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MfaDisabled {
    pub user_id: String,
}

/// A row of the audit trail, as the Backend API lists it (ours: Clerk has
/// none); `at` in milliseconds, the user by public id (none once deleted).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub object: &'static str,
    pub at: i64,
    pub event: String,
    pub user_id: Option<String>,
    pub identifier: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

/// A webhook endpoint (ours: Clerk manages its endpoints in Svix's portal).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub object: &'static str,
    /// `ep_…`.
    pub id: String,
    pub url: String,
    /// The event types it hears, or `["*"]` for all.
    pub events: Vec<String>,
    pub created_at: i64,
    /// The `whsec_…` signing secret: only in the answer that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl WebhookEndpoint {
    /// An endpoint whose events are stored space-separated; times in seconds.
    pub fn new(id: &str, url: &str, events: &str, created_at: i64, secret: Option<String>) -> WebhookEndpoint {
        WebhookEndpoint {
            object: "webhook_endpoint",
            id: id.into(),
            url: url.into(),
            events: events.split(' ').filter(|e| !e.is_empty()).map(String::from).collect(),
            created_at: ms(created_at),
            secret,
        }
    }
}

/// What a `DELETE` answers (`disableTOTP()`: `{ object: "totp", deleted: true }`).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deleted {
    pub object: &'static str,
    pub id: String,
    pub deleted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FactorView, Strategy};

    fn user() -> UserView {
        UserView {
            id: "user_abc".into(),
            email: "ann@example.com".into(),
            created_at: 1_700_000_000,
            factors: vec![
                FactorView {
                    strategy: Strategy::PhoneCode, safe_identifier: Some("+1•••0123".into()), default: true
                },
                FactorView { strategy: Strategy::Totp, safe_identifier: None, default: false },
            ],
            backup_codes_remaining: 3,
            ..UserView::default()
        }
    }

    #[test]
    fn a_session_carries_its_user_and_tasks_with_times_in_milliseconds() {
        let s = SessionView {
            object: "session".into(),
            status: "pending".into(),
            current_task: Some("setup-mfa".into()),
            user_id: "user_abc".into(),
            id: "sid1".into(),
            email: "ann@example.com".into(),
            created_at: 1_700_000_000,
            last_active_at: 1_700_000_060,
            expire_at: 1_700_003_600,
            second_factors: vec![],
        };
        let u = user();
        let json = serde_json::to_value(Session::new(s.clone(), Some(&u))).unwrap();
        assert_eq!(json["user"]["id"], "user_abc");
        assert_eq!(json["tasks"], serde_json::json!([{ "key": "setup-mfa" }]));
        assert_eq!(json["created_at"], 1_700_000_000_000_i64);
        assert_eq!(json["last_active_at"], 1_700_000_060_000_i64);
        assert_eq!(json["public_user_data"]["identifier"], "ann@example.com");
        // Another user's view is never put in a session.
        let other = UserView { id: "user_other".into(), ..user() };
        assert!(Session::new(s, Some(&other)).is_none());
    }

    #[test]
    fn a_user_lists_identifiers_and_factors_as_clerk_does() {
        let json = serde_json::to_value(User::from(&user())).unwrap();
        assert_eq!(json["primary_email_address_id"], "idn_email_abc");
        assert_eq!(json["email_addresses"][0]["email_address"], "ann@example.com");
        assert_eq!(json["email_addresses"][0]["verification"]["status"], "verified");
        assert_eq!(json["phone_numbers"][0]["default_second_factor"], true);
        assert_eq!(json["primary_phone_number_id"], "idn_phone_abc");
        assert_eq!((json["totp_enabled"].as_bool(), json["backup_code_enabled"].as_bool()), (Some(true), Some(true)));
        assert_eq!(json["two_factor_enabled"], true);
        assert_eq!(json["created_at"], 1_700_000_000_000_i64);
    }
}
