//! What the service counts, for `/metrics`. Names follow Prometheus'
//! conventions (`mfa_` first, `_total` on counters, seconds); labels take
//! only the values listed here, never an address, user or path. Through
//! the `metrics` facade: nothing is kept until the server installs its
//! exporter (`[metrics] addr`).

use crate::audit::Event;

pub const SIGN_IN_ATTEMPTS: &str = "mfa_sign_in_attempts_total";
pub const SIGN_IN_REFUSALS: &str = "mfa_sign_in_refusals_total";
pub const SECOND_FACTOR: &str = "mfa_second_factor_verifications_total";
pub const LOCKOUTS: &str = "mfa_lockouts_total";
pub const SESSIONS_CREATED: &str = "mfa_sessions_created_total";
pub const RATE_LIMITED: &str = "mfa_rate_limited_total";
pub const TOKENS_ISSUED: &str = "mfa_session_tokens_issued_total";
pub const PASSWORD_HASH: &str = "mfa_password_hash_duration_seconds";
pub const DELIVERIES: &str = "mfa_deliveries_total";
pub const WEBHOOK_TRIES: &str = "mfa_webhook_attempts_total";
pub const DELIVERIES_QUEUED: &str = "mfa_deliveries_queued";

/// Every metric the service moves, with its help text.
pub const COUNTERS: [(&str, &str); 9] = [
    (SIGN_IN_ATTEMPTS, "First-factor sign-in tries, by strategy and outcome."),
    (SIGN_IN_REFUSALS, "Sign-ins refused before a factor was checked, by reason."),
    (SECOND_FACTOR, "Second-factor verifications, by strategy and result."),
    (LOCKOUTS, "Accounts locked after too many wrong tries."),
    (SESSIONS_CREATED, "Sessions started."),
    (RATE_LIMITED, "Requests refused by a per-IP rate limit, by limit."),
    (TOKENS_ISSUED, "Session tokens (JWTs) signed."),
    (DELIVERIES, "Codes and links sent, by channel and result."),
    (WEBHOOK_TRIES, "Webhook delivery tries, by result."),
];

/// A counter's name and labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Count {
    pub name: &'static str,
    pub labels: Vec<(&'static str, &'static str)>,
}

impl Count {
    fn new(name: &'static str, labels: &[(&'static str, &'static str)]) -> Count {
        Count { name, labels: labels.to_vec() }
    }

    /// Adds one.
    pub fn add(&self) {
        metrics::counter!(self.name, &self.labels).increment(1);
    }
}

/// The counter an audited event moves once its unit commits (`detail`:
/// the audit row's, the strategy where there is one).
pub fn counted(event: Event, detail: Option<&str>) -> Option<Count> {
    use Event::*;
    let outcome = |ok| if ok { "ok" } else { "failed" };
    Some(match event {
        SignInPasswordOk | SignInPasswordFailed => {
            Count::new(SIGN_IN_ATTEMPTS, &[("strategy", "password"), ("outcome", outcome(event == SignInPasswordOk))])
        }
        SignInFirstFactorOk | SignInFirstFactorFailed => Count::new(
            SIGN_IN_ATTEMPTS,
            &[("strategy", strategy(detail)), ("outcome", outcome(event == SignInFirstFactorOk))],
        ),
        SignInPasskeyOk | SignInPasskeyFailed => {
            Count::new(SIGN_IN_ATTEMPTS, &[("strategy", "passkey"), ("outcome", outcome(event == SignInPasskeyOk))])
        }
        SignInSecondFactorOk | SignInSecondFactorFailed => Count::new(
            SECOND_FACTOR,
            &[("strategy", strategy(detail)), ("result", outcome(event == SignInSecondFactorOk))],
        ),
        SignInRefusedLocked => Count::new(SIGN_IN_REFUSALS, &[("reason", "locked")]),
        SignInRefusedBanned => Count::new(SIGN_IN_REFUSALS, &[("reason", "banned")]),
        UserLocked => Count::new(LOCKOUTS, &[]),
        SessionCreated => Count::new(SESSIONS_CREATED, &[]),
        _ => return None,
    })
}

/// A strategy named in an audit row, as a label: one of Clerk's names, or
/// "other" (a label never takes a value from outside this list).
fn strategy(detail: Option<&str>) -> &'static str {
    const KNOWN: [&str; 8] = [
        "totp",
        "phone_code",
        "backup_code",
        "email_code",
        "passkey",
        "reset_password_email_code",
        "unlock_email_code",
        "email_link",
    ];
    detail.and_then(|d| KNOWN.into_iter().find(|k| *k == d)).unwrap_or("other")
}

/// A request refused by the per-IP limit `bucket`.
pub fn rate_limited(bucket: &str) {
    let limit = match bucket {
        "create" => "create",
        "verify" => "verify",
        "send" => "send",
        _ => "other",
    };
    metrics::counter!(RATE_LIMITED, "limit" => limit).increment(1);
}

/// A session token signed.
pub fn token_issued() {
    metrics::counter!(TOKENS_ISSUED).increment(1);
}

/// Time argon2id took for one password (`op`: "hash" or "verify").
pub fn password_hashed(op: &'static str, seconds: f64) {
    metrics::histogram!(PASSWORD_HASH, "op" => op).record(seconds);
}

/// A message handed to its channel ("email", "sms"): "sent", "failed", or
/// "outbox" (no provider configured).
pub fn delivered(channel: &'static str, result: &'static str) {
    metrics::counter!(DELIVERIES, "channel" => channel, "result" => result).increment(1);
}

/// Emails handed over but not yet sent (`+1.0` queued, `-1.0` done).
pub fn queued(change: f64) {
    metrics::gauge!(DELIVERIES_QUEUED).increment(change);
}

/// A webhook try: "delivered", "failed" (tried again later) or "dead".
pub fn webhook_tried(result: &'static str) {
    metrics::counter!(WEBHOOK_TRIES, "result" => result).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audited_events_count_with_bounded_labels() {
        let c = counted(Event::SignInSecondFactorFailed, Some("totp")).unwrap();
        assert_eq!(c, Count::new(SECOND_FACTOR, &[("strategy", "totp"), ("result", "failed")]));
        let c = counted(Event::SignInPasswordOk, None).unwrap();
        assert_eq!(c.labels, vec![("strategy", "password"), ("outcome", "ok")]);
        // A label never carries what a request sent.
        let c = counted(Event::SignInFirstFactorFailed, Some("alice@example.com")).unwrap();
        assert_eq!(c.labels, vec![("strategy", "other"), ("outcome", "failed")]);
        assert_eq!(counted(Event::UserLocked, None).unwrap().name, LOCKOUTS);
        assert_eq!(counted(Event::WebhookAdded, None), None);
    }

    #[test]
    fn names_follow_prometheus_conventions() {
        for (name, help) in COUNTERS {
            assert!(name.starts_with("mfa_") && name.ends_with("_total"), "{name}");
            assert!(!help.is_empty());
        }
        assert!(PASSWORD_HASH.ends_with("_seconds"));
    }
}
