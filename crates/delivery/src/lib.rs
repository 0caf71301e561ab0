//! Where codes and notices go: email over SMTP (lettre), SMS through an HTTP
//! provider speaking Twilio's Messages API, or, for whatever is not
//! configured, the development outbox (a table, at `/dev/outbox` and
//! `mfa-signin outbox`). Message bodies are never logged: they hold codes.

mod webhooks;
mod wording;
pub use webhooks::Webhooks;

use async_trait::async_trait;
use domain::mail::{Message, Sender};
use domain::settings::{Branding, Settings, Tls};
use domain::store::Store;
use lettre::{
    message::{Mailbox, MultiPart},
    transport::smtp::{
        authentication::Credentials,
        client::{Certificate, Tls as SmtpTls, TlsParameters},
    },
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
};
use proto::Lang;
use std::{sync::Arc, time::Duration};
use wording::Mail;

enum EmailVia {
    Outbox,
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
}

enum SmsVia {
    Outbox,
    Twilio { http: reqwest::Client, url: String, sid: String, token: String, from: String },
}

/// The configured channels, and the brand the emails carry.
pub struct Delivery {
    store: Arc<dyn Store>,
    brand: Branding,
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
        Ok(Delivery { store, brand: s.branding.clone(), email, sms })
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

impl Delivery {
    /// The development outbox: a row, in a unit of its own.
    async fn to_outbox(&self, channel: &str, to: &str, body: &str, now: i64) -> Result<(), String> {
        let tx = self.store.begin().await.map_err(|e| e.to_string())?;
        tx.push_outbox(channel, to, body, now).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())
    }
}

/// `r`, a delivery on `channel`, counted for /metrics.
fn counted(channel: &'static str, outbox: bool, r: Result<(), String>) -> Result<(), String> {
    let result = match (&r, outbox) {
        (Err(_), _) => "failed",
        (Ok(()), true) => "outbox",
        (Ok(()), false) => "sent",
    };
    domain::metrics::delivered(channel, result);
    r
}

#[async_trait]
impl Sender for Delivery {
    async fn send(&self, to: &str, lang: Lang, msg: &Message, now: i64) -> Result<(), String> {
        if msg.is_sms() {
            let body = wording::sms(&self.brand, lang, msg);
            counted("sms", matches!(self.sms, SmsVia::Outbox), self.sms(to, &body, now).await)
        } else {
            let mail = wording::email(&self.brand, lang, msg);
            counted("email", matches!(self.email, EmailVia::Outbox), self.email(to, &mail, now).await)
        }
    }

    fn send_later(self: Arc<Self>, to: Option<String>, lang: Lang, msg: Message, now: i64) {
        domain::metrics::queued(1.0);
        tokio::spawn(async move {
            let r = match to {
                Some(to) => self.send(&to, lang, &msg, now).await,
                // Worded all the same: the work must not tell.
                None => {
                    std::hint::black_box(wording::email(&self.brand, lang, &msg));
                    Ok(())
                }
            };
            if let Err(e) = r {
                tracing::error!(error = %e, "email delivery failed");
            }
            domain::metrics::queued(-1.0);
        });
    }
}

impl Delivery {
    async fn sms(&self, to: &str, body: &str, now: i64) -> Result<(), String> {
        match &self.sms {
            SmsVia::Outbox => self.to_outbox("sms", to, body, now).await,
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

    async fn email(&self, to: &str, mail: &Mail, now: i64) -> Result<(), String> {
        match &self.email {
            EmailVia::Outbox => {
                let body = format!("Subject: {}\n\n{}", mail.subject, mail.text);
                self.to_outbox("email", to, &body, now).await
            }
            EmailVia::Smtp { transport, from } => {
                let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
                let msg = lettre::Message::builder()
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use domain::policy;
    use proptest::prelude::*;

    /// The domain checks addresses without lettre; it must agree with what
    /// lettre will take when the mail is sent.
    fn agrees(addr: &str) -> bool {
        policy::address(addr) == addr.parse::<lettre::Address>().is_ok()
    }

    #[test]
    fn the_domain_address_rule_is_lettres() {
        for a in [
            "jane@example.com",
            "jane+tag@example.co.uk",
            "\"quoted local\"@example.com",
            "jane@[127.0.0.1]",
            "jane@[::1]",
            "jane@bücher.example",
            "jane@@example.com",
            "jane@",
            "@example.com",
            "jane example@example.com",
            "jane@exa mple.com",
            "jane@-example.com",
            "a@b",
            "",
            "jane@example..com",
        ] {
            assert!(agrees(a), "{a:?}: domain {} lettre {}", policy::address(a), a.parse::<lettre::Address>().is_ok());
        }
        for m in ["MFA Sign-in <no-reply@example.com>", "no-reply@example.com", "\"Jane, Inc\" <j@example.com>"] {
            assert!(policy::mailbox(m) && m.parse::<lettre::message::Mailbox>().is_ok(), "{m}");
        }
        assert!(!policy::mailbox("not a mailbox"));
    }

    proptest! {
        #[test]
        fn the_address_rules_agree_on_any_input(addr in "[a-z0-9.+\"@\\[\\]: -]{0,24}(@[a-zé0-9.-]{0,12})?") {
            prop_assert!(agrees(&addr), "{:?}", addr);
        }
    }
}
