//! mfa-signin: the server (axum + leptos) and its admin CLI.
// The page types nest deeply (islands inside Suspense inside routes).
#![recursion_limit = "256"]

mod backend;
mod config;
mod metrics;
mod routes;
mod settings_file;
mod v1;

use clap::{Parser, Subcommand};
use domain::clock::{Clock, SystemClock};
use domain::service::Busy;
use domain::{admin, secrets, users};
use std::{net::SocketAddr, path::Path, process::ExitCode, sync::Arc};

#[derive(Parser)]
#[command(name = "mfa-signin", version, about = "Self-hosted sign-in with multi-factor authentication")]
struct Cli {
    #[command(flatten)]
    cfg: config::Config,

    /// Database URL. SQLite files are created on first use.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/mfa-signin.db", global = true)]
    database_url: String,

    /// Print JSON (for scripts) instead of lines, from any command.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the server (the default).
    Serve(Serve),
    /// Bring the database's schema up to this build's, then exit (before
    /// starting the nodes of a rolling upgrade with `serve --no-migrate`).
    Migrate,
    /// Copy the database to a new FILE while it serves (SQLite; a
    /// consistent snapshot). Restore: stop the server, put FILE in the
    /// database's place.
    Backup { file: std::path::PathBuf },
    /// Manage users.
    #[command(subcommand)]
    User(UserCmd),
    /// Create the demo user if missing, give it fresh backup codes, print it.
    Demo,
    /// Session-token signing keys.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// The Backend API's secret keys (`sk_live_…`), for an app's backend.
    #[command(subcommand, name = "api-keys")]
    ApiKeys(ApiKeysCmd),
    /// Webhook endpoints and their deliveries.
    #[command(subcommand)]
    Webhooks(WebhooksCmd),
    /// Print the audit trail as JSON, newest first (or export it: `--since`).
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Export instead: every row from this Unix time on, oldest first,
        /// as JSON lines (for a SIEM; users by public id).
        #[arg(long)]
        since: Option<i64>,
    },
    /// Import users from another system's export: a dry run that writes
    /// nothing unless `--apply`; run again, it skips who is already here.
    Import {
        /// The export's kind: `clerk` (the Dashboard's CSV of users),
        /// `better-auth` (its user, account and twoFactor tables as JSON),
        /// `supabase` (`auth.users` as CSV; `--factors` for its MFA),
        /// `mfa-signin` (another instance's `export`), `json` (the generic
        /// format: JSON lines naming each password's hasher).
        source: ImportSource,
        file: std::path::PathBuf,
        /// better-auth's secret, which seals its two-factor secrets and
        /// backup codes (needed when any user has them).
        #[arg(long, env = "BETTER_AUTH_SECRET", hide_env_values = true)]
        better_auth_secret: Option<String>,
        /// Supabase's `auth.mfa_factors` as CSV, beside `auth.users`.
        #[arg(long)]
        factors: Option<std::path::PathBuf>,
        /// The key `mfa-signin export --with-secrets` sealed them under.
        #[arg(long, env = "MFA_EXPORT_KEY", hide_env_values = true)]
        key: Option<String>,
        /// Write the users (else only report what would be done).
        #[arg(long)]
        apply: bool,
    },
    /// Write every user as a JSON line to stdout: who they are and which
    /// factors they have; with `--with-secrets`, what signs them in too,
    /// sealed under `--key` (for `import mfa-signin` on another instance).
    Export {
        #[arg(long, requires = "key")]
        with_secrets: bool,
        /// 64 hex characters (`openssl rand -hex 32`), not the instance's
        /// own key: the new instance is given it to open the secrets.
        #[arg(long, env = "MFA_EXPORT_KEY", hide_env_values = true)]
        key: Option<String>,
    },
    /// Print the development outbox, newest first.
    Outbox {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum ImportSource {
    Clerk,
    BetterAuth,
    Supabase,
    MfaSignin,
    /// The generic format (docs/migrate.md): JSON lines with a
    /// `password_hasher` and `password_digest`.
    Json,
}

#[derive(clap::Args, Default)]
struct Serve {
    /// Address to listen on (default: `site-addr` from the Leptos config).
    #[arg(long, env = "MFA_ADDR")]
    addr: Option<SocketAddr>,
    /// Create the demo user if missing and print its credentials.
    #[arg(long, env = "MFA_DEMO", value_parser = clap::builder::FalseyValueParser::new())]
    demo: bool,
    /// Leave the schema as it is, and refuse to start unless it is this
    /// build's (after `mfa-signin migrate`; for rolling upgrades).
    #[arg(long, env = "MFA_NO_MIGRATE", value_parser = clap::builder::FalseyValueParser::new())]
    no_migrate: bool,
    /// Serve Prometheus metrics at `/metrics` on this address (off
    /// without it; keep it off the public network).
    #[arg(long, env = "MFA_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// The site (wasm, CSS, assets): default `site/` beside the binary, as
    /// the release build is copied; else Leptos.toml's `site-root`.
    #[arg(long, env = "MFA_SITE_ROOT")]
    site_root: Option<String>,
    /// Leptos runtime config, read when present (not needed beside a
    /// deployed binary: `site/` is found without it).
    #[arg(long, env = "LEPTOS_CONFIG", default_value = "Leptos.toml")]
    leptos_config: String,
}

#[derive(Subcommand)]
enum KeysCmd {
    /// List the keys: signing, next, idle, retired (still in the JWKS), gone.
    List,
    /// Make a new key of the configured algorithm: published now, signing a
    /// minute later on every node; the old keys stay in the JWKS until their
    /// last token expired.
    Rotate,
    /// Print the signing RSA key's public half as PEM: Clerk's `jwtKey`
    /// (`CLERK_JWT_KEY`), for verifying without fetching the JWKS.
    Pem,
}

#[derive(Subcommand)]
enum ApiKeysCmd {
    /// Make a key: printed once, stored only as its hash.
    Create {
        /// What the key is for (shown in lists and audit rows).
        #[arg(long)]
        name: String,
    },
    /// List the keys (never the keys themselves): name, made, last used, revoked.
    List,
    /// Revoke a key by its id (`ak_…`): refused from the next request on.
    Revoke { id: String },
}

#[derive(Subcommand)]
enum WebhooksCmd {
    /// Add an endpoint: its signing secret (`whsec_…`) is printed once.
    Add {
        /// Where deliveries go (https, a public address).
        #[arg(long)]
        url: String,
        /// The event types it wants, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        events: Vec<String>,
    },
    /// List the endpoints (never their secrets).
    List,
    /// Remove an endpoint (`ep_…`) and its queued deliveries.
    Remove { id: String },
    /// The newest deliveries: pending, delivered or dead.
    Deliveries {
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Send a delivery again now (its number, or `msg_…` for every endpoint's).
    Replay { id: String },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create a user; prints the TOTP secret and backup codes once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// E.164 phone number for SMS codes, e.g. +15555550100.
        #[arg(long)]
        phone: Option<String>,
        /// Enrol an authenticator app (TOTP).
        #[arg(long)]
        totp: bool,
        /// Generate backup codes.
        #[arg(long)]
        backup_codes: bool,
    },
    /// List users (no secrets).
    List {
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Show one user: factors, lock, sessions.
    Show { email: String },
    /// Lift the user's lockout for every client.
    Unlock { email: String },
    /// Lock the account as too many wrong tries would: no sign-in until the
    /// lock ends or `user unlock`.
    Lock {
        email: String,
        /// How long (default: the lockout setting, `lockout.seconds`).
        #[arg(long)]
        minutes: Option<i64>,
    },
    /// Ban the user: no sign-in on any path until `user unban`; every
    /// session ends.
    Ban { email: String },
    /// Lift a ban (the sessions it ended stay ended).
    Unban { email: String },
    /// Remove every second factor and end the sessions (the next sign-in
    /// gets `setup-mfa` where MFA is required).
    ResetMfa { email: String },
    /// Set a new password (the password policy applies) and end the sessions.
    SetPassword {
        email: String,
        #[arg(long, env = "MFA_NEW_PASSWORD")]
        password: String,
    },
    /// Change the user's address (sessions stay; a lock on the old address
    /// does not follow).
    SetEmail {
        email: String,
        /// The new address.
        #[arg(long = "to")]
        to: String,
    },
    /// Mark the password compromised (the next session gets the
    /// `reset-password` task) and end the sessions.
    MarkCompromised { email: String },
    /// Delete the user and all they hold (the audit trail stays).
    Delete { email: String },
    /// End all of the user's sessions.
    SignOut { email: String },
}

/// What an admin command prints: JSON for scripts, else a line.
fn report(json: bool, v: serde_json::Value, line: String) {
    if json {
        println!("{v}");
    } else {
        println!("{line}");
    }
}

async fn user_cmd(
    cmd: UserCmd,
    json: bool,
    store: &dyn domain::store::Store,
    settings: &domain::settings::Settings,
) -> Result<(), String> {
    let require_mfa = settings.require_mfa;
    use serde_json::json;
    let now = SystemClock.now();
    match cmd {
        UserCmd::Create { .. } => Err("handled by run".into()),
        UserCmd::List { limit } => {
            let users = admin::list(store, limit, now).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users).map_err(|e| e.to_string())?);
            } else {
                for u in users {
                    let locked = if u.locked_until.is_some() { " locked" } else { "" };
                    let banned = if u.banned { " banned" } else { "" };
                    println!("#{} {} [{}]{locked}{banned}", u.id, u.email, u.factors.join(", "));
                }
            }
            Ok(())
        }
        UserCmd::Show { email } => {
            let u = admin::show(store, &email, now).await?;
            let line = format!(
                "#{} {}
  factors: {}
  backup codes left: {}
  password compromised: {}
  banned: {}
  locked until: {}
  sessions: {}",
                u.id,
                u.email,
                u.factors.join(", "),
                u.backup_codes_left,
                u.password_compromised,
                u.banned,
                u.locked_until.map(proto::utc).unwrap_or_else(|| "not locked".into()),
                u.sessions
            );
            report(json, serde_json::to_value(&u).map_err(|e| e.to_string())?, line);
            Ok(())
        }
        UserCmd::Unlock { email } => {
            admin::unlock(store, &email, now).await?;
            report(json, json!({ "email": email, "unlocked": true }), format!("{email}: unlocked"));
            Ok(())
        }
        UserCmd::Lock { email, minutes } => {
            let secs = minutes.map(|m| m.saturating_mul(60)).unwrap_or(settings.lockout.seconds);
            if secs <= 0 {
                return Err("a lock lasts a minute at least".into());
            }
            let until = admin::lock(store, settings, &email, now.saturating_add(secs), now).await?;
            let line = format!("{email}: locked until {}", proto::utc(until));
            report(json, json!({ "email": email, "locked_until": until }), line);
            Ok(())
        }
        UserCmd::Ban { email } => {
            let n = admin::ban(store, settings, &email, true, now).await?;
            let line = format!("{email}: banned, {n} sessions ended");
            report(json, json!({ "email": email, "banned": true, "sessions_ended": n }), line);
            Ok(())
        }
        UserCmd::Unban { email } => {
            admin::ban(store, settings, &email, false, now).await?;
            report(json, json!({ "email": email, "banned": false }), format!("{email}: unbanned"));
            Ok(())
        }
        UserCmd::ResetMfa { email } => {
            let n = admin::reset_mfa(store, &email, now).await?;
            let line = format!("{email}: second factors removed, {n} sessions ended");
            report(json, json!({ "email": email, "mfa_reset": true, "sessions_ended": n }), line);
            Ok(())
        }
        UserCmd::SetPassword { email, password } => {
            let n = admin::set_password(store, &email, &password, require_mfa, now).await?;
            let line = format!("{email}: password set, {n} sessions ended");
            report(json, json!({ "email": email, "password_set": true, "sessions_ended": n }), line);
            Ok(())
        }
        UserCmd::SetEmail { email, to } => {
            let to = admin::set_email(store, settings, &email, &to, now).await?;
            report(json, json!({ "email": to, "was": email }), format!("{email}: now {to}"));
            Ok(())
        }
        UserCmd::MarkCompromised { email } => {
            let n = admin::mark_compromised(store, &email, now).await?;
            let line = format!("{email}: password marked compromised, {n} sessions ended");
            report(json, json!({ "email": email, "password_compromised": true, "sessions_ended": n }), line);
            Ok(())
        }
        UserCmd::Delete { email } => {
            admin::delete(store, &email, now).await?;
            report(json, json!({ "email": email, "deleted": true }), format!("{email}: deleted"));
            Ok(())
        }
        UserCmd::SignOut { email } => {
            let n = admin::sign_out(store, &email, now).await?;
            report(json, json!({ "email": email, "sessions_ended": n }), format!("{email}: {n} sessions ended"));
            Ok(())
        }
    }
}

async fn keys_cmd(
    cmd: KeysCmd,
    json: bool,
    store: &dyn domain::store::Store,
    sealer: &secrets::SecretBox,
    t: &domain::settings::SessionToken,
) -> Result<(), String> {
    let now = SystemClock.now();
    let keys = match cmd {
        KeysCmd::List => admin::keys(store, t, now).await?,
        KeysCmd::Rotate => vec![admin::rotate_keys(store, sealer, t, now).await?],
        KeysCmd::Pem => {
            let keys = admin::keys(store, t, now).await?;
            let signing = keys.into_iter().find(|k| k.state == "signing");
            let pem = signing.and_then(|k| k.pem).ok_or("no RSA key signs yet: the first token makes one")?;
            print!("{pem}");
            return Ok(());
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&keys).map_err(|e| e.to_string())?);
    } else {
        for k in keys {
            println!("{} {} {} signs from {}", k.kid, k.alg, k.state, proto::utc(k.signs_from));
        }
    }
    Ok(())
}

async fn api_keys_cmd(cmd: ApiKeysCmd, json: bool, store: &dyn domain::store::Store) -> Result<(), String> {
    let now = SystemClock.now();
    let when = |t: Option<i64>| t.map(proto::utc).unwrap_or_else(|| "never".into());
    match cmd {
        ApiKeysCmd::Create { name } => {
            let (k, secret) = admin::create_api_key(store, &name, now).await?;
            let line = format!("{} {}\n{secret}\n(shown once: keep it in your backend's secrets)", k.id, k.name);
            let v = serde_json::json!({ "id": k.id, "name": k.name, "secret_key": secret, "created_at": k.created_at });
            report(json, v, line);
        }
        ApiKeysCmd::List => {
            let keys = admin::api_keys(store).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&keys).map_err(|e| e.to_string())?);
            }
            for k in keys.iter().filter(|_| !json) {
                let revoked = k.revoked_at.map(|t| format!(", revoked {}", proto::utc(t))).unwrap_or_default();
                println!(
                    "{} {}: made {}, last used {}{revoked}",
                    k.id,
                    k.name,
                    proto::utc(k.created_at),
                    when(k.last_used_at)
                );
            }
        }
        ApiKeysCmd::Revoke { id } => {
            let k = admin::revoke_api_key(store, &id, now).await?;
            report(json, serde_json::to_value(&k).map_err(|e| e.to_string())?, format!("{} {}: revoked", k.id, k.name));
        }
    }
    Ok(())
}

async fn webhooks_cmd(
    cmd: WebhooksCmd,
    json: bool,
    store: &dyn domain::store::Store,
    keys: impl FnOnce() -> Result<secrets::SecretBox, String>,
    settings: &domain::settings::Settings,
) -> Result<(), String> {
    let now = SystemClock.now();
    let to_json = |v: &domain::store::WebhookEndpoint| serde_json::to_value(v).map_err(|e| e.to_string());
    match cmd {
        WebhooksCmd::Add { url, events } => {
            let allow = settings.webhooks.allow_private;
            let (e, secret) =
                admin::add_webhook(store, &keys()?, (&url, &events), allow, (admin::Actor::Cli, now)).await?;
            let line = format!(
                "{} {} ({})\n{secret}\n(shown once: your backend verifies deliveries with it)",
                e.id, e.url, e.events
            );
            let mut v = to_json(&e)?;
            v["secret"] = secret.into();
            report(json, v, line);
        }
        WebhooksCmd::List => {
            let list = admin::webhooks(store).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?);
            }
            for e in list.iter().filter(|_| !json) {
                println!("{} {} ({}), made {}", e.id, e.url, e.events, proto::utc(e.created_at));
            }
        }
        WebhooksCmd::Remove { id } => {
            let e = admin::remove_webhook(store, &id, (admin::Actor::Cli, now)).await?;
            let e = e.ok_or_else(|| format!("no webhook endpoint {id}"))?;
            report(json, to_json(&e)?, format!("{} {}: removed", e.id, e.url));
        }
        WebhooksCmd::Deliveries { state, limit } => {
            let list = admin::deliveries(store, state.as_deref(), limit).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?);
            }
            for d in list.iter().filter(|_| !json) {
                let error = d.last_error.as_deref().map(|e| format!(": {e}")).unwrap_or_default();
                println!(
                    "#{} {} {} to {}: {} after {} tries{error}",
                    d.id, d.msg_id, d.event, d.endpoint_id, d.state, d.attempts
                );
            }
        }
        WebhooksCmd::Replay { id } => {
            let n = admin::replay_delivery(store, &id, now).await?;
            report(json, serde_json::json!({ "replayed": n }), format!("{n} deliveries due again"));
        }
    }
    Ok(())
}

const DEMO_EMAIL: &str = "demo@example.com";
const DEMO_PASSWORD: &str = "correct horse battery staple";
const DEMO_PHONE: &str = "+15555550100";

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // stdout is for the CLI's output (JSON for scripts): logs go to stderr.
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match std::env::var("MFA_LOG_FORMAT").as_deref() {
        // One JSON object a line, with the request's span (its id) in it.
        Ok("json") => logs.json().with_current_span(true).with_span_list(false).init(),
        // Colours only on a terminal, so log files stay plain text.
        Ok("text") | Err(_) => logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init(),
        Ok(other) => {
            eprintln!("error: MFA_LOG_FORMAT is text or json, not {other:?}");
            return ExitCode::FAILURE;
        }
    }
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open_store(url: &str, schema: store::Schema) -> Result<Arc<dyn domain::store::Store>, String> {
    if let Some(path) = url.strip_prefix("sqlite://").and_then(|p| p.split('?').next()) {
        if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    store::open_with(url, schema).await.map_err(|e| format!("opening the database: {e}"))
}

fn print_created(c: &users::Created, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(c).unwrap_or_default());
        return;
    }
    println!("user #{} {}", c.id, c.email);
    if let Some(p) = &c.phone {
        println!("  phone (SMS codes): {p}");
    }
    if let (Some(s), Some(u)) = (&c.totp_secret, &c.otpauth_uri) {
        println!("  TOTP secret: {s}\n  otpauth URI: {u}");
    }
    if !c.backup_codes.is_empty() {
        println!("  backup codes (each works once):");
        for code in &c.backup_codes {
            println!("    {code}");
        }
    }
}

fn print_import(r: &domain::import::Report, file: &Path) {
    let would = if r.applied { "imported" } else { "would import" };
    if !r.applied {
        println!("dry run: nothing written (--apply imports)");
    }
    println!("{} ({} export): {} rows", file.display(), r.source, r.rows);
    println!(
        "{would} {}: {} with a password, {} without (they set one with \"Forgot password\"); \
         {} with an authenticator app, {} with a phone for text-message codes, {} with backup codes, \
         {} with passkeys",
        r.imported,
        r.with_password,
        r.without_password,
        r.with_totp,
        r.with_phone,
        r.with_backup_codes,
        r.with_passkeys
    );
    println!("already here from an earlier import: {}", r.already_imported);
    if !r.refused.is_empty() {
        println!("refused {}:", r.refused.len());
    }
    for f in &r.refused {
        let id = f.source_id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default();
        println!("  line {}{id}: {} [{}]", f.line, f.reason, f.reason.code());
    }
    for (what, n) in &r.not_kept {
        println!("not kept: {what} ({n} rows)");
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let mut cli = cli;
    cli.cfg.load()?;
    let cmd = cli.cmd.take().unwrap_or_else(|| Cmd::Serve(Serve::default_from_env()));
    let keys = || secrets::SecretBox::from_hex(&cli.cfg.secret_key_hex()?);
    let schema = match &cmd {
        Cmd::Serve(s) if s.no_migrate => store::Schema::Check,
        _ => store::Schema::Migrate,
    };
    let store = open_store(&cli.database_url, schema).await?;
    let json = cli.json;
    match cmd {
        Cmd::Backup { file } => {
            store::backup(&cli.database_url, &file).await.map_err(|e| e.to_string())?;
            report(json, serde_json::json!({ "backup": file }), format!("backed up to {}", file.display()));
            Ok(())
        }
        Cmd::Migrate => {
            report(json, serde_json::json!({ "migrated": true }), "the schema is this build's".into());
            Ok(())
        }
        Cmd::User(UserCmd::Create { email, password, phone, totp, backup_codes }) => {
            let spec = users::Spec {
                email,
                password,
                phone,
                totp,
                backup_codes,
                password_compromised: false,
                agent: None,
                metadata: Default::default(),
            };
            let c = users::create(
                store.as_ref(),
                &keys()?,
                spec,
                cli.cfg.settings.require_mfa,
                SystemClock.now(),
                Some(&cli.cfg.settings),
            )
            .await
            .map_err(|e| e.to_string())?;
            print_created(&c, json);
            Ok(())
        }
        Cmd::User(cmd) => user_cmd(cmd, json, store.as_ref(), &cli.cfg.settings).await,
        Cmd::Demo => demo_user(store.as_ref(), &keys()?, &cli.cfg.settings, json).await,
        Cmd::ApiKeys(cmd) => api_keys_cmd(cmd, json, store.as_ref()).await,
        Cmd::Webhooks(cmd) => webhooks_cmd(cmd, json, store.as_ref(), keys, &cli.cfg.settings).await,
        Cmd::Keys(cmd) => keys_cmd(cmd, json, store.as_ref(), &keys()?, &cli.cfg.settings.session_token).await,
        Cmd::Audit { since: Some(since), .. } => {
            use std::io::Write;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut after = 0;
            loop {
                let rows = store.audit_after(since, after, 1000).await.map_err(|e| e.to_string())?;
                let Some(last) = rows.last() else { break };
                after = last.id;
                for r in &rows {
                    let line = serde_json::to_string(r).map_err(|e| e.to_string())?;
                    writeln!(out, "{line}").map_err(|e| e.to_string())?;
                }
            }
            out.flush().map_err(|e| e.to_string())
        }
        Cmd::Audit { limit, .. } => {
            let events = store.audit_log(limit).await.map_err(|e| e.to_string())?;
            println!("{}", serde_json::to_string_pretty(&events).unwrap_or_default());
            Ok(())
        }
        Cmd::Import { source, file, better_auth_secret, factors, key, apply } => {
            let open = |f: &Path| {
                let text = std::fs::File::open(f).map_err(|e| format!("{}: {e}", f.display()))?;
                Ok::<_, String>(std::io::BufReader::new(text))
            };
            let text = open(&file)?;
            let (name, read) = match source {
                ImportSource::Clerk => ("clerk", domain::import::clerk::read(text)?),
                ImportSource::BetterAuth => {
                    ("better-auth", domain::import::better_auth::read(text, better_auth_secret.as_deref())?)
                }
                ImportSource::Supabase => {
                    let factors = factors.as_deref().map(open).transpose()?;
                    ("supabase", domain::import::supabase::read(text, factors)?)
                }
                ImportSource::Json => ("json", domain::import::json::read(text)?),
                ImportSource::MfaSignin => {
                    let key = key.as_deref().map(secrets::SecretBox::from_hex).transpose()?;
                    ("mfa-signin", domain::import::ours::read(text, key.as_ref())?)
                }
            };
            let report = domain::import::run(store.as_ref(), &keys()?, name, read, apply, SystemClock.now())
                .await
                .map_err(|e| e.to_string())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
            } else {
                print_import(&report, &file);
            }
            Ok(())
        }
        Cmd::Export { with_secrets, key } => {
            let seal = key.filter(|_| with_secrets).as_deref().map(secrets::SecretBox::from_hex).transpose()?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let n = domain::import::ours::export(store.as_ref(), &keys()?, seal.as_ref(), &mut out).await?;
            std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
            eprintln!("{n} users exported{}", if seal.is_some() { ", secrets sealed under the key" } else { "" });
            Ok(())
        }
        Cmd::Outbox { limit } => {
            let msgs = store.outbox(limit).await.map_err(|e| e.to_string())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&msgs).unwrap_or_default());
            } else {
                for m in msgs {
                    println!("#{} {} {} to {}: {}", m.id, m.created_at, m.channel, m.recipient, m.body);
                }
            }
            Ok(())
        }
        Cmd::Serve(s) => {
            let keys = keys()?;
            serve(cli.cfg, store, keys, s).await
        }
    }
}

impl Serve {
    /// cargo-leptos starts the binary without arguments: read the environment.
    fn default_from_env() -> Serve {
        Serve::parse_from_env()
    }

    fn parse_from_env() -> Serve {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            s: Serve,
        }
        Only::try_parse_from(["serve"]).map(|o| o.s).unwrap_or_default()
    }
}

async fn demo_user(
    store: &dyn domain::store::Store,
    keys: &secrets::SecretBox,
    settings: &domain::settings::Settings,
    json: bool,
) -> Result<(), String> {
    let spec = users::Spec {
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
        phone: Some(DEMO_PHONE.into()),
        totp: true,
        backup_codes: true,
        password_compromised: false,
        agent: None,
        metadata: Default::default(),
    };
    let created = match users::create(store, keys, spec, false, SystemClock.now(), None).await {
        Ok(c) => c,
        Err(users::CreateError::Exists) => {
            // Backup codes are stored hashed: show a fresh set each start.
            let u = store.user_by_email(DEMO_EMAIL).await.map_err(|e| e.to_string())?.ok_or("demo user vanished")?;
            let tx = store.begin().await.map_err(|e| e.to_string())?;
            let codes = users::regenerate_backup_codes(tx.as_ref(), u.id, SystemClock.now())
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            let secret = u.totp_secret.as_deref().and_then(|s| keys.open(s));
            users::Created {
                id: u.id,
                otpauth_uri: None,
                email: u.email,
                phone: u.phone,
                totp_secret: secret,
                backup_codes: codes,
            }
        }
        Err(e) => return Err(e.to_string()),
    };
    // The authenticator app lists it under the app's name.
    let issuer = users::issuer(Some(settings));
    let otpauth_uri = created.totp_secret.as_deref().and_then(|s| secrets::totp_uri(s, DEMO_EMAIL, &issuer));
    let created = users::Created { otpauth_uri, ..created };
    if json {
        let mut v = serde_json::to_value(&created).map_err(|e| e.to_string())?;
        v["password"] = DEMO_PASSWORD.into();
        println!("{v}");
        return Ok(());
    }
    println!("\nDemo user — sign in with:\n  email:    {DEMO_EMAIL}\n  password: {DEMO_PASSWORD}");
    print_created(&created, false);
    println!();
    Ok(())
}

/// Where the site is and how its files are named. Under cargo-leptos the
/// LEPTOS_* environment describes the build; else Leptos.toml if there is
/// one (the source tree); else the release build's layout, the binary with
/// `site/` (and cargo-leptos' `hash.txt`) beside it. `--site-root` wins.
fn site_options(s: &Serve) -> Result<leptos::config::LeptosOptions, String> {
    use leptos::config::{get_configuration, Env, LeptosOptions};
    let beside = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf));
    let from_file = Path::new(&s.leptos_config).exists();
    let mut o = if std::env::var_os("LEPTOS_OUTPUT_NAME").is_some() {
        get_configuration(None).map_err(|e| format!("leptos config (LEPTOS_*): {e}"))?.leptos_options
    } else if from_file {
        get_configuration(Some(&s.leptos_config))
            .map_err(|e| format!("leptos config ({}): {e}", s.leptos_config))?
            .leptos_options
    } else {
        let site = beside.as_ref().map(|d| d.join("site")).unwrap_or_else(|| "site".into());
        LeptosOptions::builder()
            .output_name(option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("mfa-signin"))
            .site_root(site.to_string_lossy().as_ref())
            .env(Env::PROD)
            .build()
    };
    if let Some(root) = &s.site_root {
        o.site_root = root.as_str().into();
    }
    // cargo-leptos writes `hash.txt` beside the binary when it names the
    // site's files by their content (`hash-files`): those are served as
    // cached for good.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        o.hash_files = beside.is_some_and(|d| d.join(o.hash_file.as_ref()).is_file());
    }
    Ok(o)
}

async fn serve(
    cfg: config::Config,
    store: Arc<dyn domain::store::Store>,
    keys: secrets::SecretBox,
    s: Serve,
) -> Result<(), String> {
    cfg.check_serving()?;
    let leptos_options = site_options(&s)?;
    let exporter = s.metrics_addr.map(|_| metrics::install()).transpose()?;
    let addr = s.addr.unwrap_or(leptos_options.site_addr);

    if s.demo {
        demo_user(store.as_ref(), &keys, &cfg.settings, false).await?;
    }
    if cfg.dev {
        tracing::warn!(
            "DEVELOPMENT MODE: plain-HTTP cookies without __Host-/Secure; codes go to the outbox at /dev/outbox"
        );
    }
    tracing::info!("{}", cfg.settings_source);
    warn_switched_off_factors(&cfg, store.as_ref()).await;
    let delivery = delivery::Delivery::new(store.clone(), &cfg.settings)?;
    let (channels, outbox) = delivery.describe();
    if outbox {
        tracing::warn!(
            "{channels}: whatever is not configured goes to the development outbox (settings.toml: [email], [sms])"
        );
    } else {
        tracing::info!("{channels}");
    }
    if cfg.settings.test_mode {
        tracing::warn!("TEST MODE: +1 XXX 555-01XX phones and +clerk_test emails get no message and accept 424242");
    }
    let cfg = Arc::new(cfg);
    // Expired attempts, sign-ups, codes, sessions and locks, and audit rows
    // past their retention, are deleted now and then.
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (sweeper, sweep_clock) = (store.clone(), clock.clone());
    let audit_kept = cfg.settings.audit.retention_days.saturating_mul(86_400);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            let swept = async {
                let tx = sweeper.begin().await?;
                let now = sweep_clock.now();
                tx.sweep(now, now.saturating_sub(audit_kept)).await?;
                tx.commit().await
            };
            if let Err(e) = swept.await {
                tracing::warn!(error = %e, "sweep");
            }
        }
    });
    let webhooks = delivery::Webhooks::new(&cfg.settings)?;
    if cfg.settings.webhooks.allow_private {
        tracing::warn!("webhooks.allow_private: webhook endpoints may be plain http and name private addresses");
    }
    let sender = Arc::new(delivery);
    let instance = Arc::new(cfg.instance());

    let service = Arc::new(domain::service::Service::new(store, sender, instance, Arc::new(keys), clock.clone())?);
    // The first session-token key is made now if there is none.
    match service.jwks(clock.now()).await {
        Ok(jwks) => tracing::info!(keys = jwks.keys.len(), "session tokens: JWKS at /.well-known/jwks.json"),
        Err(e) => tracing::warn!(error = ?e, "session-token keys"),
    }
    // Sessions from before their public ids were stored get them now (the
    // Backend API finds sessions by them).
    match service.fill_session_ids().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(sessions = n, "public ids stored for sessions made before the upgrade"),
        Err(e) => tracing::warn!(error = ?e, "storing sessions' public ids"),
    }
    // Imported hashes slower than ours set a floor under every password
    // check (no timing tells their users apart); it falls as they are
    // re-hashed, checked every five minutes. Set before the first request.
    if let Err(e) = service.calibrate().await {
        tracing::warn!(error = ?e, "password check floor");
    }
    let calibrated = service.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = calibrated.calibrate().await {
                tracing::warn!(error = ?e, "password check floor");
            }
        }
    });
    // Webhooks: every node starts a round of the queue's due deliveries
    // each second (a try is leased in the database, so no two nodes send
    // the same one); a round still busy with an endpoint leaves it alone.
    let (deliverer, webhooks, busy) = (service.clone(), Arc::new(webhooks), Arc::new(Busy::default()));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (service, webhooks, busy) = (deliverer.clone(), webhooks.clone(), busy.clone());
            tokio::spawn(async move {
                if let Err(e) = service.deliver_webhooks(webhooks.as_ref(), &busy).await {
                    tracing::warn!(error = ?e, "webhook deliveries");
                }
            });
        }
    });
    let edge = Arc::new(web::Edge {
        dev: cfg.dev,
        trusted_proxies: cfg.trusted_proxies.clone(),
        own_origin: cfg.own_origin.clone(),
        allowed_hosts: cfg.settings.allowed_hosts.clone(),
        redirect_origins: cfg.redirect_origins.clone(),
        allowed_origins: cfg.allowed_origins.clone(),
        img_origin: {
            let b = &cfg.settings.branding;
            let mut origins: Vec<String> =
                [&b.logo, &b.logo_dark].into_iter().filter_map(|l| domain::brand::logo_origin(l.as_deref()?)).collect();
            origins.dedup();
            (!origins.is_empty()).then(|| origins.join(" "))
        },
        clock,
    });
    if let (Some(addr), Some(handle)) = (s.metrics_addr, exporter.clone()) {
        metrics::serve(addr, handle, service.clone(), edge.clock.clone()).await?;
    }
    let state =
        routes::AppState { leptos_options, api: app::api::Api { service, edge }, cfg, metrics: exporter.is_some() };
    let app = routes::router(state);

    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("bind {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{local}");
    // No Nagle delay: a response written in two pieces (headers, then a
    // file body) otherwise waits ~40 ms for the client's delayed ACK.
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "TCP_NODELAY");
        }
    });
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(stopped())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("stopped: every request in flight was answered");
    Ok(())
}

/// Ctrl-C or SIGTERM (systemd, Kubernetes and Docker stop with it): new
/// connections are refused and the requests in flight finish first.
async fn stopped() {
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM cannot be watched");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
    tracing::info!("stopping: new connections refused, requests in flight finish");
}

/// A switched-off second-factor type still serves the users who have no
/// enabled one (`Factors::usable`): start-up says how many rely on it.
async fn warn_switched_off_factors(cfg: &config::Config, store: &dyn domain::store::Store) {
    let on = &cfg.settings.second_factors;
    let off: Vec<&str> = [("totp", on.totp), ("phone_code", on.phone_code)]
        .into_iter()
        .filter_map(|(name, enabled)| (!enabled).then_some(name))
        .collect();
    if off.is_empty() {
        return;
    }
    match store.users_on_disabled_factors(i64::from(on.totp), i64::from(on.phone_code)).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            users = n,
            off = %off.join(","),
            "second-factor types are switched off, but these users have no other factor: \
             they keep signing in with it until they add an enabled one"
        ),
        Err(e) => tracing::warn!(error = %e, "counting the users of switched-off factor types"),
    }
}
