//! The instance settings as an operator writes them: one TOML file
//! (`settings.toml`, every key documented there) and `MFA_*` environment
//! variables over it. An unknown key or a bad value stops start-up with a
//! message naming the key, or the variable that set it; the rules the
//! values keep are the domain's (`Settings::validate`).

use domain::settings::Settings;
use std::path::Path;

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Text,
    /// Comma-separated.
    List,
    /// Comma-separated whole numbers.
    Ints,
}

/// Environment variables that override a key of the file.
const OVERRIDES: &[(&str, &str, Kind)] = &[
    ("MFA_REQUIRE_MFA", "require_mfa", Kind::Bool),
    ("MFA_CLIENT_TRUST", "client_trust", Kind::Bool),
    ("MFA_TEST_MODE", "test_mode", Kind::Bool),
    ("MFA_EMAIL_CODE_SIGN_IN", "email_code_sign_in", Kind::Bool),
    ("MFA_REDIRECT_ORIGINS", "redirect_origins", Kind::List),
    ("MFA_ALLOWED_ORIGINS", "allowed_origins", Kind::List),
    ("MFA_ALLOWED_HOSTS", "allowed_hosts", Kind::List),
    ("MFA_PHONE_CODE", "second_factors.phone_code", Kind::Bool),
    ("MFA_TOTP", "second_factors.totp", Kind::Bool),
    ("MFA_BACKUP_CODE", "second_factors.backup_code", Kind::Bool),
    ("MFA_PASSKEY_SIGN_IN", "passkeys.sign_in", Kind::Bool),
    ("MFA_PASSKEY_SECOND_FACTOR", "passkeys.second_factor", Kind::Bool),
    ("MFA_PASSKEY_MANAGE", "passkeys.manage", Kind::Bool),
    ("MFA_PASSKEY_RP_ID", "passkeys.rp_id", Kind::Text),
    ("MFA_CODE_TTL", "codes.ttl", Kind::Int),
    ("MFA_RESEND_AFTER", "codes.resend_after", Kind::Int),
    ("MFA_CODE_MAX_FAILURES", "codes.max_failures", Kind::Int),
    ("MFA_LOCKOUT_THRESHOLD", "lockout.threshold", Kind::Int),
    ("MFA_LOCKOUT_SECONDS", "lockout.seconds", Kind::Int),
    ("MFA_RATE_CREATE", "rate_limits.create", Kind::Int),
    ("MFA_RATE_VERIFY", "rate_limits.verify", Kind::Int),
    ("MFA_RATE_WINDOW", "rate_limits.window", Kind::Int),
    ("MFA_SESSION_IDLE", "sessions.idle", Kind::Int),
    ("MFA_SESSION_LIFETIME", "sessions.lifetime", Kind::Int),
    ("MFA_REVERIFICATION", "sessions.reverification", Kind::Int),
    ("MFA_TOKEN_LIFETIME", "session_token.lifetime", Kind::Int),
    ("MFA_TOKEN_EMAIL_CLAIM", "session_token.email_claim", Kind::Bool),
    ("MFA_TOKEN_ALGORITHM", "session_token.algorithm", Kind::Text),
    ("MFA_SMTP_HOST", "email.smtp_host", Kind::Text),
    ("MFA_SMTP_PORT", "email.smtp_port", Kind::Int),
    ("MFA_SMTP_TLS", "email.tls", Kind::Text),
    ("MFA_SMTP_CA_FILE", "email.ca_file", Kind::Text),
    ("MFA_SMTP_USERNAME", "email.username", Kind::Text),
    ("MFA_SMTP_PASSWORD", "email.password", Kind::Text),
    ("MFA_EMAIL_FROM", "email.from", Kind::Text),
    ("MFA_SMS_BASE_URL", "sms.base_url", Kind::Text),
    ("MFA_SMS_ACCOUNT_SID", "sms.account_sid", Kind::Text),
    ("MFA_SMS_AUTH_TOKEN", "sms.auth_token", Kind::Text),
    ("MFA_SMS_FROM", "sms.from", Kind::Text),
    ("MFA_APP_NAME", "branding.name", Kind::Text),
    ("MFA_LOGO", "branding.logo", Kind::Text),
    ("MFA_LOGO_DARK", "branding.logo_dark", Kind::Text),
    ("MFA_ACCENT", "branding.accent", Kind::Text),
    ("MFA_ACCENT_DARK", "branding.accent_dark", Kind::Text),
    ("MFA_WEBHOOKS_ALLOW_PRIVATE", "webhooks.allow_private", Kind::Bool),
    ("MFA_WEBHOOKS_RETRY", "webhooks.retry", Kind::Ints),
    ("MFA_WEBHOOKS_TIMEOUT", "webhooks.timeout", Kind::Int),
    ("MFA_AUDIT_RETENTION_DAYS", "audit.retention_days", Kind::Int),
];

fn env_value(name: &str, raw: &str, kind: Kind) -> Result<toml::Value, String> {
    let v = raw.trim();
    match kind {
        Kind::Bool => match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(toml::Value::Boolean(true)),
            "0" | "false" | "no" | "off" => Ok(toml::Value::Boolean(false)),
            _ => Err(format!("{name}: expected true or false, got {v:?}")),
        },
        Kind::Int => v
            .parse::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| format!("{name}: expected a whole number, got {v:?}")),
        Kind::Text => Ok(toml::Value::String(v.to_string())),
        Kind::List => Ok(toml::Value::Array(
            v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| toml::Value::String(s.into())).collect(),
        )),
        Kind::Ints => v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<i64>().map(toml::Value::Integer))
            .collect::<Result<Vec<_>, _>>()
            .map(toml::Value::Array)
            .map_err(|_| format!("{name}: expected whole numbers separated by commas, got {v:?}")),
    }
}

/// Parses settings `text`, then applies `env` overrides; every error
/// names the key (or variable) at fault.
pub fn parse(text: &str, origin: &str, env: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
    let mut table: toml::Table = text.parse().map_err(|e| format!("{origin}: {e}"))?;
    for (var, key, kind) in OVERRIDES {
        let Some(raw) = env(var) else { continue };
        let value = env_value(var, &raw, *kind)?;
        let (section, leaf) = match key.split_once('.') {
            Some((s, l)) => (Some(s), l),
            None => (None, *key),
        };
        let target = match section {
            None => &mut table,
            Some(s) => {
                let entry = table.entry(s).or_insert_with(|| toml::Value::Table(Default::default()));
                entry.as_table_mut().ok_or_else(|| format!("{origin}: `{s}` must be a table"))?
            }
        };
        target.insert(leaf.to_string(), value);
    }
    let s: Settings = serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
        let path = e.path().to_string();
        let var = OVERRIDES.iter().find(|(_, k, _)| *k == path).map(|(v, _, _)| *v);
        let via = var.filter(|v| env(v).is_some()).map(|v| format!(" (from {v})")).unwrap_or_default();
        format!("{origin}: `{path}`{via}: {}", e.inner())
    })?;
    s.validate().map_err(|e| {
        // Name the variable too when it set the value at fault.
        let via: Vec<&str> = OVERRIDES
            .iter()
            .filter(|(var, key, _)| e.contains(&format!("`{key}`")) && env(var).is_some())
            .map(|(var, _, _)| *var)
            .collect();
        if via.is_empty() {
            format!("{origin}: {e}")
        } else {
            format!("{origin}: {e} (from {})", via.join(", "))
        }
    })?;
    Ok(s)
}

/// Reads the file at `path` (missing is fine when `required` is false).
pub fn load(path: &Path, required: bool) -> Result<Settings, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => String::new(),
        Err(e) => return Err(format!("settings file {}: {e}", path.display())),
    };
    parse(&text, &path.display().to_string(), |k| std::env::var(k).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::settings::Tls;

    fn parse(text: &str, env: &[(&str, &str)]) -> Result<Settings, String> {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        super::parse(text, "test.toml", |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn the_shipped_file_documents_the_defaults() {
        let text = include_str!("../../settings.toml");
        assert_eq!(parse(text, &[]).unwrap(), Settings::default());
        // Every key appears in it (as a setting or a commented example).
        for (_, key, _) in OVERRIDES {
            let leaf = key.rsplit('.').next().unwrap_or(key);
            assert!(
                text.lines().any(|l| l.trim_start_matches(['#', ' ']).starts_with(&format!("{leaf} ="))),
                "settings.toml does not document `{key}`"
            );
        }
    }

    #[test]
    fn branding_is_checked() {
        let s = parse("[branding]\nname = \"Acme\"\nlogo = \"/acme.svg\"\naccent = \"#6D28D9\"\n", &[]).unwrap();
        assert_eq!(s.branding.name, "Acme");
        let css = s.branding.stylesheet().unwrap_or_default();
        assert!(css.contains("--accent:#6d28d9;"), "{css}");
        assert_eq!(Settings::default().branding.stylesheet(), None, "no stylesheet for the built-in look");
        for (text, key) in [
            ("[branding]\nname = \"\"\n", "branding.name"),
            ("[branding]\nname = \"A\\nB\"\n", "branding.name"),
            ("[branding]\nlogo = \"javascript:alert(1)\"\n", "branding.logo"),
            ("[branding]\nlogo = \"/a.svg\"\nlogo_dark = \"//evil.example/a.svg\"\n", "branding.logo_dark"),
            ("[branding]\nlogo_dark = \"/dark.svg\"\n", "branding.logo_dark"),
            ("[branding]\naccent = \"blue\"\n", "branding.accent"),
            ("[branding]\naccent = \"#ffd700\"\n", "branding.accent"),
            ("[branding]\naccent_dark = \"#1f4fd6\"\n", "branding.accent_dark"),
        ] {
            let e = parse(text, &[]).unwrap_err();
            assert!(e.contains(key), "{text}: {e}");
        }
        let e = parse("", &[("MFA_ACCENT", "#eeeeee")]).unwrap_err();
        assert!(e.contains("branding.accent") && e.contains("MFA_ACCENT"), "{e}");
        assert_eq!(parse("", &[("MFA_APP_NAME", "Acme")]).unwrap().branding.name, "Acme");
        let dark = parse("", &[("MFA_LOGO", "/a.svg"), ("MFA_LOGO_DARK", "/a-dark.svg")]).unwrap();
        assert_eq!(dark.branding.logo_dark.as_deref(), Some("/a-dark.svg"));
    }

    #[test]
    fn empty_means_defaults() {
        assert_eq!(parse("", &[]).unwrap(), Settings::default());
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = parse("[codes]\nttl = 300\nlifetime = 3\n", &[]).unwrap_err();
        assert!(e.contains("lifetime"), "{e}");
        let e = parse("requier_mfa = true\n", &[]).unwrap_err();
        assert!(e.contains("requier_mfa"), "{e}");
    }

    #[test]
    fn bad_values_are_named() {
        let e = parse("[codes]\nttl = \"ten\"\n", &[]).unwrap_err();
        assert!(e.contains("codes.ttl"), "{e}");
        let e = parse("[lockout]\nthreshold = 3\n", &[]).unwrap_err();
        assert!(e.contains("lockout.threshold"), "{e}");
        let e = parse("[email]\ntls = \"ssl\"\n", &[]).unwrap_err();
        assert!(e.contains("email.tls"), "{e}");
        let e = parse("[email]\nfrom = \"not a mailbox\"\n", &[]).unwrap_err();
        assert!(e.contains("email.from"), "{e}");
        let e = parse("[sms]\naccount_sid = \"AC1\"\n", &[]).unwrap_err();
        assert!(e.contains("sms.auth_token"), "{e}");
        let e = parse("[codes]\nttl = 3600\n", &[]).unwrap_err();
        assert!(e.contains("codes.ttl"), "{e}");
        let e = parse("[session_token]\nlifetime = 3600\n", &[]).unwrap_err();
        assert!(e.contains("session_token.lifetime"), "{e}");
        for bad in ["app.example.com", "https://app.example.com/path", "javascript:alert(1)", "https://"] {
            let e = parse(&format!("redirect_origins = [{bad:?}]\n"), &[]).unwrap_err();
            assert!(e.contains("redirect_origins"), "{e}");
            let e = parse(&format!("allowed_origins = [{bad:?}]\n"), &[]).unwrap_err();
            assert!(e.contains("allowed_origins"), "{e}");
        }
        for bad in ["https://auth.example", "auth.example:443", "auth.example/x", "", "a b"] {
            let e = parse(&format!("allowed_hosts = [{bad:?}]\n"), &[]).unwrap_err();
            assert!(e.contains("allowed_hosts"), "{e}");
        }
        let s = parse("", &[("MFA_ALLOWED_HOSTS", "auth.example, 10.0.0.5, [::1]")]).unwrap();
        assert_eq!(s.allowed_hosts, ["auth.example", "10.0.0.5", "[::1]"]);
    }

    #[test]
    fn environment_overrides_the_file() {
        let s =
            parse("client_trust = true\n[codes]\nttl = 300\n", &[("MFA_CODE_TTL", "120"), ("MFA_CLIENT_TRUST", "0")])
                .unwrap();
        assert_eq!(s.codes.ttl, 120);
        assert!(!s.client_trust);
        let s = parse("", &[("MFA_SMTP_HOST", "mail.test"), ("MFA_SMTP_TLS", "none")]).unwrap();
        assert_eq!((s.email.smtp_host.as_deref(), s.email.tls), (Some("mail.test"), Tls::None));
        let s = parse("", &[("MFA_REDIRECT_ORIGINS", "https://a.example, http://b.example:8080")]).unwrap();
        assert_eq!(s.redirect_origins, ["https://a.example", "http://b.example:8080"]);
        let e = parse("", &[("MFA_LOCKOUT_THRESHOLD", "ten")]).unwrap_err();
        assert!(e.contains("MFA_LOCKOUT_THRESHOLD"), "{e}");
        let e = parse("", &[("MFA_LOCKOUT_THRESHOLD", "4")]).unwrap_err();
        assert!(e.contains("lockout.threshold") && e.contains("MFA_LOCKOUT_THRESHOLD"), "{e}");
        let e = parse("", &[("MFA_SMTP_TLS", "ssl")]).unwrap_err();
        assert!(e.contains("email.tls") && e.contains("MFA_SMTP_TLS"), "{e}");
    }
}
