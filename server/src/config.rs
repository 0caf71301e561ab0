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
}

impl Config {
    /// `__Host-` cookies need HTTPS; development over HTTP drops the prefix.
    pub fn cookie_name(&self, name: &str) -> String {
        if self.dev {
            name.to_string()
        } else {
            format!("__Host-{name}")
        }
    }
}
