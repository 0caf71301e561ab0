//! Server configuration: command-line flags, each with an environment variable.

use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Development mode over plain HTTP: cookies lose `__Host-`/`Secure`,
    /// and `/dev/outbox` and `/dev/users` are served. Never in production.
    #[arg(long, env = "MFA_DEV", global = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub dev: bool,

    /// The origin browsers use to reach this server (e.g. https://auth.example.com):
    /// links, texted codes' domain line and the token issuer use it, and
    /// state-changing requests from any other origin are refused. Required
    /// outside --dev unless `allowed_hosts` is set; in --dev the default is the
    /// request's own Host.
    #[arg(long, env = "MFA_ORIGIN", global = true)]
    pub origin: Option<String>,

    /// The instance settings file (see settings.toml). Default: `settings.toml`
    /// in the working directory, if there is one.
    #[arg(long = "settings", env = "MFA_SETTINGS", global = true)]
    pub settings_file: Option<std::path::PathBuf>,

    /// `origin`, parsed once at load.
    #[arg(skip)]
    pub own_origin: Option<web::origin::Origin>,

    /// The settings' `redirect_origins`, parsed once at load.
    #[arg(skip)]
    pub redirect_origins: Vec<web::origin::Origin>,

    /// The settings' `allowed_origins` (CORS on /v1), parsed once at load.
    #[arg(skip)]
    pub allowed_origins: Vec<web::origin::Origin>,

    /// The instance settings, loaded from the file and the environment.
    #[arg(skip)]
    pub settings: domain::settings::Settings,

    /// Where the settings came from, for the start-up log.
    #[arg(skip)]
    pub settings_source: String,

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
    /// Loads the settings file and environment; refuses what cannot work.
    pub fn load(&mut self) -> Result<(), String> {
        let (path, required) = match &self.settings_file {
            Some(p) => (p.clone(), true),
            None => (std::path::PathBuf::from("settings.toml"), false),
        };
        self.settings = crate::settings_file::load(&path, required)?;
        self.settings_source = if path.exists() {
            format!("instance settings from {} (and MFA_* variables)", path.display())
        } else {
            "no settings file: built-in defaults (and MFA_* variables)".into()
        };
        if let Some(o) = &self.origin {
            match web::origin::Origin::parse(o) {
                Some((origin, rest)) if rest.is_empty() || rest == "/" => self.own_origin = Some(origin),
                _ => return Err(format!("MFA_ORIGIN must be an origin, scheme://host[:port]: {o:?}")),
            }
        }
        self.redirect_origins = origins("redirect_origins", &self.settings.redirect_origins)?;
        self.allowed_origins = origins("allowed_origins", &self.settings.allowed_origins)?;
        if self.settings.test_mode && !self.dev {
            return Err("`test_mode` (MFA_TEST_MODE) works only in development mode (--dev)".into());
        }
        Ok(())
    }

    /// Serving outside development needs the origin links are made from:
    /// `MFA_ORIGIN`, or the hosts whose names links may use.
    pub fn check_serving(&self) -> Result<(), String> {
        if self.dev || self.own_origin.is_some() || !self.settings.allowed_hosts.is_empty() {
            return Ok(());
        }
        Err("outside --dev, MFA_ORIGIN (the origin browsers use, e.g. https://auth.example.com) or \
             `allowed_hosts` (MFA_ALLOWED_HOSTS) is required: links in emails, texted codes and session \
             tokens must not come from a request's Host header"
            .into())
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
        let key = domain::secrets::token();
        std::fs::write(&path, &key).map_err(|e| format!("{}: {e}", path.display()))?;
        tracing::warn!(path = %path.display(), "development secret key created");
        Ok(key)
    }

    /// What the use cases need of the configuration.
    pub fn instance(&self) -> domain::service::Instance {
        domain::service::Instance { dev: self.dev, settings: self.settings.clone() }
    }
}

/// A list of origins from the settings, each `scheme://host[:port]`.
fn origins(key: &str, list: &[String]) -> Result<Vec<web::origin::Origin>, String> {
    list.iter()
        .map(|o| match web::origin::Origin::parse(o) {
            Some((origin, "")) => Ok(origin),
            _ => Err(format!("{key}: not an origin, scheme://host[:port]: {o:?}")),
        })
        .collect()
}
