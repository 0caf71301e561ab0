//! Instance settings: the equivalent of Clerk's dashboard, and the rules
//! their values must keep. The server reads them from one TOML file and the
//! environment (`server/src/settings_file.rs`); every key is documented in
//! the shipped `settings.toml`.

use crate::brand::{self, Rgb};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Users must have a second factor (password minimum 8, not 15).
    pub require_mfa: bool,
    /// A new device of a user without MFA proves itself with an email code.
    pub client_trust: bool,
    /// Development only: test phones and emails get no message and accept 424242.
    pub test_mode: bool,
    /// An emailed code may stand for the password (`email_code` first factor).
    pub email_code_sign_in: bool,
    /// Origins besides this server's that a sign-in may send the browser back
    /// to (`redirect_url`), e.g. apps behind forward auth.
    pub redirect_origins: Vec<String>,
    /// Other web origins that may call `/v1` from their pages (CORS with
    /// credentials), e.g. an SPA or an Expo web build on its own domain.
    pub allowed_origins: Vec<String>,
    /// Host names (no scheme, no port) this server answers for besides its
    /// origin's; outside development every other `Host` is refused. Without
    /// an origin (`MFA_ORIGIN`), links use the name a request came by.
    pub allowed_hosts: Vec<String>,
    pub second_factors: SecondFactors,
    pub passkeys: Passkeys,
    pub codes: Codes,
    pub lockout: Lockout,
    pub rate_limits: RateLimits,
    pub sessions: Sessions,
    pub session_token: SessionToken,
    pub email: Email,
    pub sms: Sms,
    pub branding: Branding,
    pub webhooks: Webhooks,
    pub audit: Audit,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SecondFactors {
    pub phone_code: bool,
    pub totp: bool,
    pub backup_code: bool,
}

/// Passkeys (WebAuthn): each use can be switched off on its own.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Passkeys {
    /// Sign in with a passkey alone (it satisfies MFA).
    pub sign_in: bool,
    /// A passkey as the second factor after the password.
    pub second_factor: bool,
    /// Users may add passkeys on the security page (and in setup-mfa).
    pub manage: bool,
    /// The relying-party id; default: the host of the origin browsers use.
    pub rp_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Codes {
    pub ttl: i64,
    pub resend_after: i64,
    pub max_failures: i64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Lockout {
    pub threshold: i64,
    pub seconds: i64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    pub create: i64,
    pub verify: i64,
    pub window: i64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Sessions {
    pub idle: i64,
    pub lifetime: i64,
    /// Seconds a password or second factor entered in a session allows changes.
    pub reverification: i64,
}

/// Session tokens (JWTs) for apps' backends.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SessionToken {
    /// Seconds a token is valid: also how long a revoked session's tokens live on.
    pub lifetime: i64,
    /// Put the user's email address in the token.
    pub email_claim: bool,
    /// `RS256` (RSA-2048, what Clerk's backend SDK verifies) or `EdDSA`.
    pub algorithm: crate::tokens::Alg,
    /// Custom claims: a template with `{{user.…}}` shortcodes (`claims`).
    pub claims: crate::metadata::Object,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[allow(clippy::enum_variant_names)] // `tls = "tls"` in the file
pub enum Tls {
    /// Plain SMTP: only for a relay on the same host or network.
    None,
    #[default]
    Starttls,
    /// Implicit TLS (SMTPS, usually port 465).
    Tls,
}

/// Email over SMTP. Holds a credential: never serialized.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Email {
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub tls: Tls,
    /// A PEM file of an extra certificate authority to trust (an internal relay).
    pub ca_file: Option<std::path::PathBuf>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

/// The look of the pages and messages (Clerk's "Customization").
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Branding {
    /// The application's name: "Sign in to {name}", and in emails.
    pub name: String,
    /// A logo above the forms: a path on this server, or an https URL.
    pub logo: Option<String>,
    /// The logo on the dark theme (the same kinds of address); default:
    /// `logo`.
    pub logo_dark: Option<String>,
    /// The accent (#rrggbb) of buttons and links in the light theme.
    pub accent: Option<String>,
    /// The dark theme's accent; default: derived from `accent`.
    pub accent_dark: Option<String>,
}

/// Webhook deliveries (endpoints are made with the CLI or the Backend API).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Webhooks {
    /// Endpoints may be plain `http` and name loopback, private and
    /// link-local addresses: development and tests only (SSRF otherwise).
    pub allow_private: bool,
    /// Seconds between tries; after the last, a delivery is dead until replayed.
    pub retry: Vec<i64>,
    /// Seconds a try waits for the endpoint's answer.
    pub timeout: i64,
}

/// The audit trail.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Audit {
    /// Days a row is kept; older ones are swept.
    pub retention_days: i64,
}

/// SMS through an HTTP provider speaking Twilio's Messages API.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Sms {
    pub base_url: String,
    pub account_sid: Option<String>,
    pub auth_token: Option<String>,
    pub from: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            require_mfa: true,
            client_trust: true,
            test_mode: false,
            email_code_sign_in: false,
            redirect_origins: Vec::new(),
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            second_factors: SecondFactors { phone_code: true, totp: true, backup_code: true },
            passkeys: Passkeys { sign_in: true, second_factor: true, manage: true, rp_id: None },
            codes: Codes { ttl: 600, resend_after: 30, max_failures: 5 },
            lockout: Lockout { threshold: 10, seconds: 3600 },
            rate_limits: RateLimits { create: 5, verify: 3, window: 10 },
            sessions: Sessions { idle: 3600, lifetime: 86400, reverification: 600 },
            session_token: SessionToken {
                lifetime: 60,
                email_claim: false,
                algorithm: crate::tokens::Alg::RS256,
                claims: Default::default(),
            },
            email: Email::default(),
            sms: Sms::default(),
            branding: Branding::default(),
            webhooks: Webhooks { allow_private: false, retry: crate::webhooks::RETRY.to_vec(), timeout: 15 },
            audit: Audit { retention_days: 365 },
        }
    }
}

macro_rules! defaults {
    ($($t:ty => $e:expr),* $(,)?) => {
        $(impl Default for $t {
            fn default() -> Self {
                $e
            }
        })*
    };
}

defaults! {
    SecondFactors => Settings::default().second_factors,
    Passkeys => Settings::default().passkeys,
    Codes => Settings::default().codes,
    Lockout => Settings::default().lockout,
    RateLimits => Settings::default().rate_limits,
    Sessions => Settings::default().sessions,
    SessionToken => Settings::default().session_token,
    Webhooks => Settings::default().webhooks,
    Audit => Settings::default().audit,
    Email => Email {
        smtp_host: None,
        smtp_port: None,
        tls: Tls::Starttls,
        ca_file: None,
        username: None,
        password: None,
        from: "Sign-in <no-reply@localhost>".into(),
    },
    Branding => Branding { name: "My App".into(), logo: None, logo_dark: None, accent: None, accent_dark: None },
    Sms => Sms {
        base_url: "https://api.twilio.com".into(),
        account_sid: None,
        auth_token: None,
        from: None,
    },
}

/// `http(s)://host[:port]`, nothing after (the edge parses it for real).
fn origin_like(o: &str) -> bool {
    let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty() && !r.contains(['/', '?', '#', '@', '\\']) && !r.chars().any(char::is_whitespace)
    })
}

/// A DNS name or IP address, as a `Host` names it without its port.
fn host_like(h: &str) -> bool {
    let v6 = h.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
    match v6 {
        Some(ip) => ip.parse::<std::net::Ipv6Addr>().is_ok(),
        None => !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')),
    }
}

impl Settings {
    /// Refuses values that would weaken the defences or cannot work.
    pub fn validate(&self) -> Result<(), String> {
        if self.lockout.threshold < 5 {
            return Err("`lockout.threshold` must be at least 5".into());
        }
        for (key, v) in [
            ("lockout.seconds", self.lockout.seconds),
            ("rate_limits.create", self.rate_limits.create),
            ("rate_limits.verify", self.rate_limits.verify),
            ("rate_limits.window", self.rate_limits.window),
            ("codes.ttl", self.codes.ttl),
            ("codes.resend_after", self.codes.resend_after),
            ("codes.max_failures", self.codes.max_failures),
            ("sessions.idle", self.sessions.idle),
            ("sessions.lifetime", self.sessions.lifetime),
            ("sessions.reverification", self.sessions.reverification),
            ("session_token.lifetime", self.session_token.lifetime),
            ("audit.retention_days", self.audit.retention_days),
        ] {
            if v < 1 {
                return Err(format!("`{key}` must be a positive number"));
            }
        }
        // A token outlives its session's end by up to its lifetime.
        if self.session_token.lifetime > 600 {
            return Err(
                "`session_token.lifetime` must be at most 600 seconds (a revoked session's tokens live on)".into()
            );
        }
        crate::claims::check(&self.session_token.claims)?;
        for (key, list) in [("redirect_origins", &self.redirect_origins), ("allowed_origins", &self.allowed_origins)] {
            if let Some(o) = list.iter().find(|o| !origin_like(o)) {
                return Err(format!("`{key}`: {o:?} is not an origin, scheme://host[:port]"));
            }
        }
        if let Some(h) = self.allowed_hosts.iter().find(|h| !host_like(h)) {
            return Err(format!("`allowed_hosts`: {h:?} is not a host name (no scheme, no port)"));
        }
        if !(1..=60).contains(&self.webhooks.timeout) {
            return Err("`webhooks.timeout` must be 1 to 60 seconds".into());
        }
        if self.webhooks.retry.len() > 20 || self.webhooks.retry.iter().any(|s| !(1..=86400).contains(s)) {
            return Err("`webhooks.retry` is at most 20 waits of 1 to 86400 seconds".into());
        }
        if self.codes.ttl > 600 {
            return Err("`codes.ttl` must be at most 600 seconds (NIST SP 800-63B)".into());
        }
        if !(self.second_factors.phone_code || self.second_factors.totp) && self.require_mfa {
            return Err("`require_mfa` needs `second_factors.phone_code` or `second_factors.totp`".into());
        }
        if !crate::policy::mailbox(&self.email.from) {
            return Err(format!("`email.from` is not a mailbox: {:?}", self.email.from));
        }
        if let Some(h) = &self.email.smtp_host {
            if h.trim().is_empty() {
                return Err("`email.smtp_host` is empty".into());
            }
        }
        if self.email.username.is_some() != self.email.password.is_some() {
            return Err("`email.username` and `email.password` go together".into());
        }
        let sms = [&self.sms.account_sid, &self.sms.auth_token, &self.sms.from];
        if sms.iter().any(|v| v.is_some()) && !sms.iter().all(|v| v.is_some()) {
            return Err("`sms.account_sid`, `sms.auth_token` and `sms.from` go together".into());
        }
        if !(self.sms.base_url.starts_with("https://") || self.sms.base_url.starts_with("http://")) {
            return Err(format!("`sms.base_url` must be an http(s) URL: {:?}", self.sms.base_url));
        }
        self.branding.validate()
    }

    /// Is real SMS delivery configured?
    pub fn sms_configured(&self) -> bool {
        self.sms.account_sid.is_some()
    }
}

impl Branding {
    fn validate(&self) -> Result<(), String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
            return Err("`branding.name` must be 1 to 60 characters, on one line".into());
        }
        for (key, logo) in [("logo", &self.logo), ("logo_dark", &self.logo_dark)] {
            if let Some(l) = logo.as_deref().filter(|l| !brand::logo_ok(l)) {
                return Err(format!(
                    "`branding.{key}` must be a path on this server (/logo.svg) or an https URL: {l:?}"
                ));
            }
        }
        if self.logo_dark.is_some() && self.logo.is_none() {
            return Err("`branding.logo_dark` is the dark theme's: set `branding.logo` too".into());
        }
        let colour = |key: &str, v: &Option<String>| -> Result<Option<Rgb>, String> {
            v.as_deref()
                .map(|c| Rgb::parse(c.trim()).ok_or_else(|| format!("`{key}` must be a colour, #rrggbb: {c:?}")))
                .transpose()
        };
        let accent = colour("branding.accent", &self.accent)?;
        let dark = colour("branding.accent_dark", &self.accent_dark)?;
        if let Some(e) = accent.and_then(brand::light_fault) {
            return Err(format!("`branding.accent`: {e}"));
        }
        if let Some(e) = dark.and_then(brand::dark_fault) {
            return Err(format!("`branding.accent_dark`: {e}"));
        }
        Ok(())
    }

    /// The stylesheet over the built-in accents, if any is set.
    pub fn stylesheet(&self) -> Option<String> {
        let parse = |v: &Option<String>| v.as_deref().and_then(|c| Rgb::parse(c.trim()));
        let dark = parse(&self.accent_dark);
        match parse(&self.accent) {
            Some(a) => Some(brand::stylesheet(a, dark)),
            // Only the dark one: the light theme keeps the built-in accent.
            None => dark.map(|d| brand::stylesheet(brand::DEFAULT_ACCENT, Some(d))),
        }
    }
}
