//! What is sent: the messages (from the templates) and the port they go
//! through (`Sender`). Where they go is the delivery crate's.

use async_trait::async_trait;

/// An email in both forms.
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[async_trait]
pub trait Sender: Send + Sync + 'static {
    /// Delivers a text message; the error is logged, never shown to the user.
    async fn send_sms(&self, to: &str, body: &str, now: i64) -> Result<(), String>;
    async fn send_email(&self, to: &str, mail: &Mail, now: i64) -> Result<(), String>;
    /// Sends after the caller has answered, logging a failure: for a message
    /// whose sending time must not tell whether an account exists.
    fn send_email_later(self: std::sync::Arc<Self>, to: String, mail: Mail, now: i64);
}

/// Fills `{{name}}` slots; values are HTML-escaped for HTML templates.
pub fn render(template: &str, vars: &[(&str, &str)], html: bool) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        let v = if html { escape_html(v) } else { v.to_string() };
        out = out.replace(&format!("{{{{{k}}}}}"), &v);
    }
    out
}

pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A verification code email. `purpose` completes "Enter it to …".
pub fn code_mail(code: &str, purpose: &str, minutes: i64) -> Mail {
    let m = minutes.to_string();
    let vars = [("code", code), ("purpose", purpose), ("minutes", m.as_str())];
    Mail {
        subject: format!("{code} is your verification code"),
        text: render(include_str!("../templates/code.txt"), &vars, false),
        html: render(include_str!("../templates/code.html"), &vars, true),
    }
}

/// The notice an address's owner gets when someone signs up with it again.
/// An SMS code. The last line binds it to this site, as WebOTP and phones'
/// one-time-code autofill read it (`@host #code`): a phished page on another
/// host is not offered the code.
pub fn sms_code(code: &str, minutes: i64, host: &str) -> String {
    format!("{code} is your verification code. It expires in {minutes} minutes. Don't share it.\n\n@{host} #{code}")
}

/// The host of an origin (`https://auth.example.com:8443` → `auth.example.com`),
/// as the domain-bound line of an SMS names it.
pub fn origin_host(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    }
}

pub fn account_exists_mail(sign_in_link: &str) -> Mail {
    let vars = [("link", sign_in_link)];
    Mail {
        subject: "Someone tried to sign up with your email address".into(),
        text: render(include_str!("../templates/account-exists.txt"), &vars, false),
        html: render(include_str!("../templates/account-exists.html"), &vars, true),
    }
}

/// The notice a user gets after their password changed (or was reset).
pub fn password_changed_mail(link: &str) -> Mail {
    let what = "a new password was set";
    let vars = [("what", what), ("link", link)];
    Mail {
        subject: "Your password was changed".into(),
        text: render(include_str!("../templates/notice.txt"), &vars, false),
        html: render(include_str!("../templates/notice.html"), &vars, true),
    }
}

/// The notice a user gets after each change to their second factors.
pub fn notice_mail(what: &str, link: &str) -> Mail {
    let vars = [("what", what), ("link", link)];
    Mail {
        subject: "Your sign-in settings changed".into(),
        text: render(include_str!("../templates/notice.txt"), &vars, false),
        html: render(include_str!("../templates/notice.html"), &vars, true),
    }
}

/// Test mode's reserved destinations: +1 XXX 555-0100 to 0199, and emails
/// containing `+clerk_test`.
pub fn is_test_recipient(to: &str) -> bool {
    if to.contains('@') {
        return to.to_lowercase().contains("+clerk_test");
    }
    let digits: String = to.chars().filter(char::is_ascii_digit).collect();
    if !to.trim_start().starts_with("+1") || digits.len() != 11 {
        return false;
    }
    let line: u32 = digits[7..].parse().unwrap_or(0);
    &digits[4..7] == "555" && (100..=199).contains(&line)
}

/// The code test mode accepts.
pub const TEST_CODE: &str = "424242";

#[cfg(test)]
mod tests {
    #[test]
    fn sms_codes_end_with_the_domain_bound_line() {
        let body = sms_code("123456", 10, origin_host("https://auth.example.com:8443/x"));
        assert!(body.starts_with("123456 is your verification code."), "{body}");
        assert_eq!(body.lines().last(), Some("@auth.example.com #123456"));
        assert_eq!(origin_host("http://127.0.0.1:3000"), "127.0.0.1");
        assert_eq!(origin_host("http://[::1]:3000"), "::1");
    }

    use super::*;

    #[test]
    fn test_recipients() {
        assert!(is_test_recipient("+15555550100"));
        assert!(is_test_recipient("+1 (201) 555-0199"));
        assert!(!is_test_recipient("+15555550200"));
        assert!(!is_test_recipient("+15555550099"));
        assert!(!is_test_recipient("+445555550100"));
        assert!(!is_test_recipient("+12015550100123"));
        assert!(is_test_recipient("jane+clerk_test@example.com"));
        assert!(is_test_recipient("Jane+Clerk_Test@example.com"));
        assert!(!is_test_recipient("jane@example.com"));
    }

    #[test]
    fn templates_fill_and_escape() {
        let m = code_mail("123456", "finish signing up", 10);
        assert!(m.subject.starts_with("123456"));
        assert!(m.text.contains("123456") && m.text.contains("10 minutes") && m.text.contains("finish signing up"));
        assert!(m.html.contains("123456") && !m.html.contains("{{"));
        let m = account_exists_mail("https://x.test/sign-in?a=1&b=<2>");
        assert!(m.text.contains("https://x.test/sign-in?a=1&b=<2>"));
        assert!(m.html.contains("a=1&amp;b=&lt;2&gt;"));
    }
}
