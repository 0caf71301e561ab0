//! What a use case knows of the request that asked for it, and the token
//! changes it answers with. The HTTP edge (`web`) fills one from the
//! headers and turns its changes into `Set-Cookie`; the domain sees no HTTP.

use crate::secrets::SecretBox;
use std::net::IpAddr;

/// A token the client keeps for us (a cookie in a browser).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Jar {
    /// The long-lived client: which browser this is (client trust).
    Client,
    /// The sign-in attempt in progress.
    SignIn,
    /// The sign-up in progress.
    SignUp,
    /// The session.
    Session,
    /// The latest session token (a JWT), for apps on this site: given,
    /// never read back (not in `ALL`).
    Token,
}

impl Jar {
    /// The tokens a request carries to us.
    pub const ALL: [Jar; 4] = [Jar::Client, Jar::SignIn, Jar::SignUp, Jar::Session];

    /// The cookie's name (without the `__Host-` prefix the edge adds).
    pub fn name(self) -> &'static str {
        match self {
            Jar::Client => "client",
            Jar::SignIn => "sign_in",
            Jar::SignUp => "sign_up",
            Jar::Session => "session",
            Jar::Token => "__session",
        }
    }
}

/// A token to give the client (`max_age` seconds), or to take back (`None`).
#[derive(Clone, PartialEq, Eq)]
pub struct Change {
    pub jar: Jar,
    pub set: Option<(String, i64)>,
}

/// Tokens are credentials: a log line or a panic message shows which jar
/// changed, never the value.
impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = self.set.as_ref().map(|(_, max_age)| ("<redacted>", max_age));
        f.debug_struct("Change").field("jar", &self.jar).field("set", &set).finish()
    }
}

/// One request as the use cases see it.
#[derive(Clone)]
pub struct Request {
    /// When it came in (Unix seconds): the one reading of the clock that
    /// every rule of this request uses.
    pub now: i64,
    /// The client's address (the edge applies the trusted-proxy rule).
    pub ip: IpAddr,
    pub user_agent: Option<String>,
    /// The origin the edge answers this request as (`MFA_ORIGIN`, or a Host
    /// it allows): every link, texted code's domain line and token issuer.
    pub origin: String,
    /// The language the client reads: the best of ours for its
    /// `Accept-Language`.
    pub lang: proto::Lang,
    /// The device model a native client names (Clerk's SDKs send
    /// `X-Device-Model`), for the sessions list.
    pub device: Option<String>,
    /// The web origin a browser sent the request from (`Origin`), once the
    /// edge has checked it is this server's or an allowed one: a session
    /// token's `azp`.
    pub party: Option<String>,
    carried: Vec<(Jar, String)>,
    changes: Vec<Change>,
}

/// Everything but the tokens, which show as the jars they are in.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let carried: Vec<Jar> = self.carried.iter().map(|(jar, _)| *jar).collect();
        f.debug_struct("Request")
            .field("now", &self.now)
            .field("ip", &self.ip)
            .field("user_agent", &self.user_agent)
            .field("origin", &self.origin)
            .field("lang", &self.lang)
            .field("device", &self.device)
            .field("party", &self.party)
            .field("carried", &carried)
            .field("changes", &self.changes)
            .finish()
    }
}

/// Longer than any token we hand out: not ours.
const MAX_TOKEN: usize = 128;

/// A client that is not a browser keeps one **client token** instead of
/// the cookies (`Authorization: Bearer ct_…`): a handle to its row in
/// `native_clients`, which holds every token its cookies would (each
/// sealed), so every copy of the token sees the same state. Clerk's SDKs
/// keep the token of whichever answer arrives last; a late answer to a read
/// that overlapped a sign-in step then still names the signed-in client.
/// The handle is the client's id sealed with the instance key: opaque, and
/// sealed afresh (rotated) in each answer. What the row holds is checked as
/// the cookies are (a revoked session is dead for every copy).
pub mod client_token {
    use super::{Jar, SecretBox, MAX_TOKEN};

    /// Inside the seal: no other sealed value (a TOTP secret) opens as one.
    const LABEL: &str = "client-handle\n";
    /// Tokens made before the state moved to the database held the tokens
    /// themselves; one still opens, so its client keeps its session.
    const LEGACY: &str = "client-token\n";
    const PREFIX: &str = "ct_";
    /// Longer than any client token: refused unread.
    pub const MAX_LEN: usize = 1024;

    /// What a client token names.
    #[derive(Debug, PartialEq, Eq)]
    pub enum Opened {
        /// The id of a client's row.
        Handle(String),
        /// An older token's own tokens.
        Legacy(Vec<(Jar, String)>),
    }

    /// What a client token names; `None` if it is not one of ours.
    pub fn open(keys: &SecretBox, token: &str) -> Option<Opened> {
        if token.len() > MAX_LEN {
            return None;
        }
        let plain = keys.open(&format!("v1:{}", token.strip_prefix(PREFIX)?))?;
        if let Some(id) = plain.strip_prefix(LABEL) {
            return (!id.is_empty() && id.len() <= MAX_TOKEN).then(|| Opened::Handle(id.into()));
        }
        let values: Vec<&str> = plain.strip_prefix(LEGACY)?.split('.').collect();
        if values.len() != Jar::ALL.len() || values.iter().any(|v| v.len() > MAX_TOKEN) {
            return None;
        }
        let carried = Jar::ALL.into_iter().zip(values).filter(|(_, v)| !v.is_empty());
        Some(Opened::Legacy(carried.map(|(j, v)| (j, v.into())).collect()))
    }

    /// A client token for the client `id`, sealed afresh.
    pub fn seal(keys: &SecretBox, id: &str) -> Option<String> {
        let sealed = keys.seal(&format!("{LABEL}{id}")).ok()?;
        Some(format!("{PREFIX}{}", sealed.strip_prefix("v1:")?))
    }

    /// A token in the older form (the tokens inside), as a client made
    /// before the upgrade still holds one: for the upgrade's tests.
    #[doc(hidden)]
    pub fn seal_legacy(keys: &SecretBox, carried: &[(Jar, &str)]) -> Option<String> {
        let value = |j: Jar| carried.iter().find(|(c, _)| *c == j).map_or("", |(_, v)| *v);
        let values: Vec<&str> = Jar::ALL.iter().map(|j| value(*j)).collect();
        let sealed = keys.seal(&format!("{LEGACY}{}", values.join("."))).ok()?;
        Some(format!("{PREFIX}{}", sealed.strip_prefix("v1:")?))
    }
}

impl Request {
    /// A request at `now` from `ip` carrying `tokens` (empty ones and ones
    /// too long to be ours are dropped).
    pub fn new(now: i64, ip: IpAddr, user_agent: Option<&str>, origin: String, tokens: Vec<(Jar, String)>) -> Request {
        let clip = |s: &str| s.chars().take(256).collect::<String>();
        Request {
            now,
            ip,
            user_agent: user_agent.map(clip),
            origin,
            lang: proto::Lang::En,
            device: None,
            party: None,
            carried: tokens.into_iter().filter(|(_, v)| !v.is_empty() && v.len() <= MAX_TOKEN).collect(),
            changes: Vec::new(),
        }
    }

    /// The request carrying `tokens` besides (a native client's, read from
    /// its row once the edge has built the request).
    pub fn carrying(mut self, tokens: Vec<(Jar, String)>) -> Request {
        let ours = tokens.into_iter().filter(|(_, v)| !v.is_empty() && v.len() <= MAX_TOKEN);
        self.carried.extend(ours);
        self
    }

    /// The language the client reads (the edge chooses it).
    pub fn with_lang(mut self, lang: proto::Lang) -> Request {
        self.lang = lang;
        self
    }

    /// The device model a native client sent: printable, at most 64 characters.
    pub fn with_device(mut self, model: Option<&str>) -> Request {
        self.device = model
            .map(|m| m.trim().chars().filter(|c| !c.is_control()).take(64).collect::<String>())
            .filter(|m| !m.is_empty());
        self
    }

    /// The checked web origin the request came from (`party`).
    pub fn with_party(mut self, origin: Option<String>) -> Request {
        self.party = origin;
        self
    }

    /// The token in `jar`: one changed earlier in this request wins over the
    /// one it carried (a form post without JavaScript finalizes the attempt
    /// it just created).
    pub fn token(&self, jar: Jar) -> Option<&str> {
        match self.changes.iter().rev().find(|c| c.jar == jar) {
            Some(c) => c.set.as_ref().map(|(v, _)| v.as_str()),
            None => self.carried.iter().find(|(j, _)| *j == jar).map(|(_, v)| v.as_str()),
        }
    }

    pub fn set(&mut self, jar: Jar, value: &str, max_age: i64) {
        self.changes.push(Change { jar, set: Some((value.to_string(), max_age)) });
    }

    pub fn clear(&mut self, jar: Jar) {
        self.changes.push(Change { jar, set: None });
    }

    /// What to tell the client, in order.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_in_this_request_wins_over_what_it_carried() {
        let ip = IpAddr::from([127, 0, 0, 1]);
        let long = "x".repeat(MAX_TOKEN + 1);
        let mut r =
            Request::new(0, ip, Some("UA"), String::new(), vec![(Jar::SignIn, "old".into()), (Jar::Session, long)]);
        assert_eq!(r.token(Jar::SignIn), Some("old"));
        assert_eq!(r.token(Jar::Session), None, "too long to be ours");
        r.set(Jar::SignIn, "new", 600);
        assert_eq!(r.token(Jar::SignIn), Some("new"));
        r.clear(Jar::SignIn);
        assert_eq!(r.token(Jar::SignIn), None);
        assert_eq!(r.changes().len(), 2);
        assert_eq!(Jar::ALL.map(Jar::name), ["client", "sign_in", "sign_up", "session"]);
        let lang = Request::new(0, ip, None, String::new(), vec![]).with_lang(proto::Lang::De).lang;
        assert_eq!(lang, proto::Lang::De);
    }

    #[test]
    fn debug_output_names_the_jars_but_holds_no_token() {
        let ip = IpAddr::from([127, 0, 0, 1]);
        let carried = vec![(Jar::Client, "client-secret-1".into()), (Jar::Session, "session-secret-2".into())];
        let mut r = Request::new(0, ip, Some("UA"), "https://auth.example".into(), carried);
        r.set(Jar::SignIn, "attempt-secret-3", 600);
        r.clear(Jar::Session);
        for shown in [format!("{r:?}"), format!("{r:#?}"), format!("{:?}", r.changes())] {
            for secret in ["client-secret-1", "session-secret-2", "attempt-secret-3"] {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
        }
        let shown = format!("{r:?}");
        assert!(
            shown.contains("Client") && shown.contains("SignIn") && shown.contains("https://auth.example"),
            "{shown}"
        );
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_client_token_names_its_client_and_nothing_else_opens_as_one() {
        let keys = SecretBox::from_hex(&"11".repeat(32)).unwrap();
        let t = client_token::seal(&keys, "c0ffee").unwrap();
        assert!(t.starts_with("ct_") && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{t}");
        assert_eq!(client_token::open(&keys, &t), Some(client_token::Opened::Handle("c0ffee".into())));
        // Rotated: sealed afresh each time, the same client inside.
        let again = client_token::seal(&keys, "c0ffee").unwrap();
        assert_ne!(again, t);
        assert_eq!(client_token::open(&keys, &again), client_token::open(&keys, &t));
        // An older token: the tokens it holds.
        let legacy = client_token::seal_legacy(&keys, &[(Jar::Client, "c1"), (Jar::Session, "s1")]).unwrap();
        let carried = vec![(Jar::Client, "c1".to_string()), (Jar::Session, "s1".to_string())];
        assert_eq!(client_token::open(&keys, &legacy), Some(client_token::Opened::Legacy(carried)));
        // Another key, an altered token, another sealed value: not ours.
        let other = SecretBox::from_hex(&"22".repeat(32)).unwrap();
        assert_eq!(client_token::open(&other, &t), None);
        let mut altered = t.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(client_token::open(&keys, &String::from_utf8(altered).unwrap()), None);
        let totp = keys.seal("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(client_token::open(&keys, &format!("ct_{}", &totp[3..])), None);
        assert_eq!(client_token::open(&keys, &"ct_0".repeat(400)), None);
    }
}
