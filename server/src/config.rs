//! Server configuration: command-line flags, each with an environment variable.

use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Development mode over plain HTTP: cookies lose `__Host-`/`Secure`,
    /// and `/dev/outbox` and `/dev/users` are served. Never in production.
    #[arg(long, env = "MFA_DEV", global = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub dev: bool,

    /// The origin browsers use to reach this server (e.g. https://auth.example.com);
    /// state-changing requests from any other origin are refused. Default: the
    /// request's own Host.
    #[arg(long, env = "MFA_ORIGIN", global = true)]
    pub origin: Option<String>,

    /// Lifetime of an SMS code, in seconds.
    #[arg(long, env = "MFA_CODE_TTL", default_value_t = 600, global = true)]
    pub code_ttl: i64,

    /// Seconds before a new SMS code may be sent.
    #[arg(long, env = "MFA_RESEND_AFTER", default_value_t = 30, global = true)]
    pub resend_after: i64,

    /// Wrong tries a code allows before it is void.
    #[arg(long, env = "MFA_CODE_MAX_FAILURES", default_value_t = 5, global = true)]
    pub code_max_failures: i64,

    /// Idle timeout of a session, in seconds.
    #[arg(long, env = "MFA_SESSION_IDLE", default_value_t = 3600, global = true)]
    pub session_idle: i64,

    /// Absolute lifetime of a session, in seconds.
    #[arg(long, env = "MFA_SESSION_LIFETIME", default_value_t = 86400, global = true)]
    pub session_lifetime: i64,

    /// Failed tries (password, codes, TOTP, backup codes) before lockout; at least 5.
    #[arg(long, env = "MFA_LOCKOUT_THRESHOLD", default_value_t = 10, global = true)]
    pub lockout_threshold: i64,

    /// How long a lockout lasts, in seconds.
    #[arg(long, env = "MFA_LOCKOUT_SECONDS", default_value_t = 3600, global = true)]
    pub lockout_seconds: i64,

    /// Sign-in attempts (password steps) per client IP per window.
    #[arg(long, env = "MFA_RATE_CREATE", default_value_t = 5, global = true)]
    pub rate_create: i64,

    /// Code sends and verifications per client IP per window.
    #[arg(long, env = "MFA_RATE_VERIFY", default_value_t = 3, global = true)]
    pub rate_verify: i64,

    /// The rate-limit window, in seconds.
    #[arg(long, env = "MFA_RATE_WINDOW", default_value_t = 10, global = true)]
    pub rate_window: i64,

    /// Reverse proxies whose X-Forwarded-For is believed (comma-separated IPs).
    /// Without them the client IP is the socket's peer.
    #[arg(long, env = "MFA_TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Key that encrypts TOTP secrets at rest: 64 hex characters. Keep it out
    /// of the database's backups. Required outside --dev.
    #[arg(long, env = "MFA_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,

    /// A file holding the secret key (instead of MFA_SECRET_KEY).
    #[arg(long, env = "MFA_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<std::path::PathBuf>,
}

impl Config {
    /// Refuses settings that would weaken the defences.
    pub fn validate(&self) -> Result<(), String> {
        if self.lockout_threshold < 5 {
            return Err("lockout threshold (MFA_LOCKOUT_THRESHOLD) must be at least 5".into());
        }
        for (name, v) in [
            ("MFA_LOCKOUT_SECONDS", self.lockout_seconds),
            ("MFA_RATE_CREATE", self.rate_create),
            ("MFA_RATE_VERIFY", self.rate_verify),
            ("MFA_RATE_WINDOW", self.rate_window),
            ("MFA_CODE_TTL", self.code_ttl),
            ("MFA_CODE_MAX_FAILURES", self.code_max_failures),
            ("MFA_SESSION_IDLE", self.session_idle),
            ("MFA_SESSION_LIFETIME", self.session_lifetime),
        ] {
            if v < 1 {
                return Err(format!("{name} must be a positive number"));
            }
        }
        Ok(())
    }

    /// The key for secrets at rest: from the config; in development, from a
    /// key file made once under the user's config directory (not next to
    /// the data).
    pub fn secret_key_hex(&self) -> Result<String, String> {
        if let Some(k) = &self.secret_key {
            return Ok(k.trim().to_string());
        }
        if let Some(path) = &self.secret_key_file {
            return std::fs::read_to_string(path)
                .map(|k| k.trim().to_string())
                .map_err(|e| format!("secret key file {}: {e}", path.display()));
        }
        if !self.dev {
            return Err("MFA_SECRET_KEY or MFA_SECRET_KEY_FILE is required outside --dev \
                        (64 hex characters; e.g. `openssl rand -hex 32`)"
                .into());
        }
        let dir = std::env::var_os("XDG_CONFIG_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".config")))
            .unwrap_or_else(std::env::temp_dir)
            .join("mfa-signin");
        let path = dir.join("dev-secret.key");
        if let Ok(k) = std::fs::read_to_string(&path) {
            return Ok(k.trim().to_string());
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let key = crate::secrets::token();
        std::fs::write(&path, &key).map_err(|e| format!("{}: {e}", path.display()))?;
        tracing::warn!(path = %path.display(), "development secret key created");
        Ok(key)
    }

    /// `__Host-` cookies need HTTPS; development over HTTP drops the prefix.
    pub fn cookie_name(&self, name: &str) -> String {
        if self.dev {
            name.to_string()
        } else {
            format!("__Host-{name}")
        }
    }
}
