//! What a page without JavaScript shows once after a plain form post: the
//! new backup codes (they ride the redirect in a flash cookie, sealed to
//! the session for a minute), and an authenticator app's pending secret.

use super::super::Service;
use super::{public_id, Open};
use crate::request::Request;
use proto::*;

/// Inside the seal: no other sealed value (a TOTP secret, a client token)
/// opens as codes.
const LABEL: &str = "shown-once\n";
/// Long enough for the browser to follow the redirect (the flash cookie's
/// own lifetime).
const SHOWN_FOR: i64 = 60;

/// What is sealed: the session, the deadline, the codes.
fn plain(session: &str, until: i64, codes: &[String]) -> String {
    format!("{LABEL}{session}\n{until}\n{}", codes.join(" "))
}

/// The codes in `plain`, if it was made for `session` and `now` is before
/// its deadline.
fn codes(plain: &str, session: &str, now: i64) -> Option<Vec<String>> {
    let mut lines = plain.strip_prefix(LABEL)?.splitn(3, '\n');
    let (sealed_for, until, codes) = (lines.next()?, lines.next()?, lines.next()?);
    let until: i64 = until.parse().ok()?;
    (sealed_for == session && now < until).then(|| codes.split_whitespace().map(String::from).collect())
}

impl Service {
    /// New backup codes, sealed for the one page after this request's plain
    /// form post; `None` without a session (or codes).
    pub async fn seal_codes(&self, req: &Request, codes: &[String]) -> Option<String> {
        if codes.is_empty() {
            return None;
        }
        let c = self.current(req, Open::Any).await.ok()?;
        self.keys.seal(&plain(&public_id(&c.key), req.now + SHOWN_FOR, codes)).ok()
    }

    /// The codes `sealed` holds, if this request's session sealed them
    /// within the minute; none otherwise.
    pub async fn open_codes(&self, req: &Request, sealed: &str) -> Vec<String> {
        let Some(plain) = self.keys.open(sealed) else { return vec![] };
        let Ok(c) = self.current(req, Open::Any).await else { return vec![] };
        codes(&plain, &public_id(&c.key), req.now).unwrap_or_default()
    }

    /// The authenticator app being added (after `totp_start`), for the page
    /// that shows it; only while changes are allowed, as starting it is.
    pub async fn totp_pending(&self, req: &Request) -> Result<Option<super::TotpSecret>, Fault> {
        let c = self.current(req, Open::AndTask(TASK_SETUP_MFA)).await?;
        if self.recent(&c).is_err() || !self.cfg.settings.second_factors.totp {
            return Ok(None);
        }
        let Some(sealed) = &c.user.pending_totp_secret else { return Ok(None) };
        let secret = self.keys.open(sealed).ok_or(Fault::Unavailable)?;
        self.totp_setup(&c.user.email, secret).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_open_only_for_their_session_and_minute() {
        let made = vec!["abcd-efgh".to_string(), "ijkl-mnop".to_string()];
        let p = plain("sess_a", 1_060, &made);
        assert_eq!(codes(&p, "sess_a", 1_000), Some(made.clone()));
        assert_eq!(codes(&p, "sess_a", 1_059), Some(made));
        assert_eq!(codes(&p, "sess_a", 1_060), None, "a minute late");
        assert_eq!(codes(&p, "sess_b", 1_000), None, "another session");
        assert_eq!(codes("sess_a\n1060\nabcd-efgh", "sess_a", 1_000), None, "not labelled");
        assert_eq!(codes(&format!("{LABEL}sess_a\nsoon\nx"), "sess_a", 1_000), None);
    }
}
