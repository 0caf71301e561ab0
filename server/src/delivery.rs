//! Where codes and notices go: email over SMTP (lettre), SMS through an HTTP
//! provider speaking Twilio's Messages API, or, for whatever is not
//! configured, the development outbox (a table, at `/dev/outbox` and
//! `mfa-signin outbox`). Message bodies are never logged: they hold codes.

use crate::settings::{Settings, Tls};
use crate::store::Store;
use async_trait::async_trait;
use lettre::{
    message::{Mailbox, MultiPart},
    transport::smtp::{
        authentication::Credentials,
        client::{Certificate, Tls as SmtpTls, TlsParameters},
    },
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use std::{sync::Arc, time::Duration};

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
pub fn account_exists_mail(sign_in_link: &str) -> Mail {
    let vars = [("link", sign_in_link)];
    Mail {
        subject: "Someone tried to sign up with your email address".into(),
        text: render(include_str!("../templates/account-exists.txt"), &vars, false),
        html: render(include_str!("../templates/account-exists.html"), &vars, true),
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

enum EmailVia {
    Outbox,
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
}

enum SmsVia {
    Outbox,
    Twilio { http: reqwest::Client, url: String, sid: String, token: String, from: String },
}

/// The configured channels.
pub struct Delivery {
    store: Arc<dyn Store>,
    email: EmailVia,
    sms: SmsVia,
}

impl Delivery {
    pub fn new(store: Arc<dyn Store>, s: &Settings) -> Result<Delivery, String> {
        let email = match &s.email.smtp_host {
            None => EmailVia::Outbox,
            Some(host) => {
                type T = AsyncSmtpTransport<Tokio1Executor>;
                // Certificates are checked against the web PKI roots, plus
                // `ca_file` when set.
                let params = || -> Result<TlsParameters, String> {
                    let mut b = TlsParameters::builder(host.clone());
                    if let Some(path) = &s.email.ca_file {
                        let pem = std::fs::read(path).map_err(|e| format!("email.ca_file {}: {e}", path.display()))?;
                        let ca = Certificate::from_pem(&pem).map_err(|e| format!("email.ca_file: {e}"))?;
                        b = b.add_root_certificate(ca);
                    }
                    b.build().map_err(|e| format!("email.tls: {e}"))
                };
                let builder = match s.email.tls {
                    Tls::None => T::builder_dangerous(host).port(s.email.smtp_port.unwrap_or(25)),
                    Tls::Starttls => T::builder_dangerous(host)
                        .port(s.email.smtp_port.unwrap_or(587))
                        .tls(SmtpTls::Required(params()?)),
                    Tls::Tls => T::builder_dangerous(host)
                        .port(s.email.smtp_port.unwrap_or(465))
                        .tls(SmtpTls::Wrapper(params()?)),
                };
                let builder = match (&s.email.username, &s.email.password) {
                    (Some(u), Some(p)) => builder.credentials(Credentials::new(u.clone(), p.clone())),
                    _ => builder,
                };
                let from = s.email.from.parse().map_err(|e| format!("email.from: {e}"))?;
                EmailVia::Smtp { transport: builder.timeout(Some(Duration::from_secs(15))).build(), from }
            }
        };
        let sms = match (&s.sms.account_sid, &s.sms.auth_token, &s.sms.from) {
            (Some(sid), Some(token), Some(from)) => SmsVia::Twilio {
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(15))
                    .build()
                    .map_err(|e| format!("sms: {e}"))?,
                url: format!("{}/2010-04-01/Accounts/{sid}/Messages.json", s.sms.base_url.trim_end_matches('/')),
                sid: sid.clone(),
                token: token.clone(),
                from: from.clone(),
            },
            _ => SmsVia::Outbox,
        };
        Ok(Delivery { store, email, sms })
    }

    /// One line for start-up: where messages go.
    pub fn describe(&self) -> (String, bool) {
        let email = match &self.email {
            EmailVia::Outbox => "email: development outbox".to_string(),
            EmailVia::Smtp { .. } => "email: SMTP".to_string(),
        };
        let sms = match &self.sms {
            SmsVia::Outbox => "SMS: development outbox",
            SmsVia::Twilio { .. } => "SMS: HTTP provider (Twilio API)",
        };
        let outbox = matches!(self.email, EmailVia::Outbox) || matches!(self.sms, SmsVia::Outbox);
        (format!("{email}; {sms}"), outbox)
    }
}

#[async_trait]
impl Sender for Delivery {
    async fn send_sms(&self, to: &str, body: &str, now: i64) -> Result<(), String> {
        match &self.sms {
            SmsVia::Outbox => self.store.push_outbox("sms", to, body, now).await.map_err(|e| e.to_string()),
            SmsVia::Twilio { http, url, sid, token, from } => {
                let r = http
                    .post(url)
                    .basic_auth(sid, Some(token))
                    .form(&[("To", to), ("From", from.as_str()), ("Body", body)])
                    .send()
                    .await
                    .map_err(|e| format!("sms provider unreachable: {}", e.without_url()))?;
                if r.status().is_success() {
                    return Ok(());
                }
                // Twilio's error carries its own code; never our body.
                let status = r.status().as_u16();
                let err: serde_json::Value = r.json().await.unwrap_or_default();
                Err(format!("sms provider answered {status} (code {})", err["code"]))
            }
        }
    }

    async fn send_email(&self, to: &str, mail: &Mail, now: i64) -> Result<(), String> {
        match &self.email {
            EmailVia::Outbox => {
                let body = format!("Subject: {}\n\n{}", mail.subject, mail.text);
                self.store.push_outbox("email", to, &body, now).await.map_err(|e| e.to_string())
            }
            EmailVia::Smtp { transport, from } => {
                let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
                let msg = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(mail.subject.clone())
                    .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
                    .map_err(|e| format!("building the email: {e}"))?;
                transport.send(msg).await.map(|_| ()).map_err(|e| format!("smtp: {e}"))
            }
        }
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
