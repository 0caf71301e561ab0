//! Real delivery: email through a real SMTP server (nodemailer's smtp-server,
//! started here), SMS through a local HTTP server speaking Twilio's Messages
//! API that records what it gets.

use crate::common::*;
use axum::{extract::State, http::HeaderMap, routing::post, Form, Router};
use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
};

struct Sink {
    child: std::process::Child,
    port: u16,
    mails: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_sink() -> Sink {
    smtp_sink_with(&[])
}

fn smtp_sink_with(env: &[(&str, &str)]) -> Sink {
    let script = workspace().join("end2end/tools/smtp-sink.mjs");
    assert!(
        workspace().join("end2end/node_modules/smtp-server").is_dir(),
        "the test SMTP server is missing: run scripts/setup.sh"
    );
    let mut child = Command::new("node")
        .arg(script)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let port = first["port"].as_u64().unwrap() as u16;
    let mails = Arc::new(Mutex::new(vec![]));
    let sink = mails.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(serde_json::from_str(&line).unwrap());
        }
    });
    Sink { child, port, mails }
}

fn smtp_opts(port: u16, password: &str) -> Opts {
    Opts::default()
        .with("MFA_SMTP_HOST", "127.0.0.1")
        .with("MFA_SMTP_PORT", &port.to_string())
        .with("MFA_SMTP_TLS", "none")
        .with("MFA_SMTP_USERNAME", "user")
        .with("MFA_SMTP_PASSWORD", password)
        .with("MFA_EMAIL_FROM", "Acme Sign-in <auth@acme.test>")
}

async fn wait_for_mail(sink: &Sink, to: &str) -> serde_json::Value {
    for _ in 0..100 {
        if let Some(m) = sink.mails.lock().unwrap().iter().rev().find(|m| m["to"][0] == to) {
            return m.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no mail to {to}");
}

#[tokio::test]
async fn sign_up_codes_go_out_over_smtp() {
    let sink = smtp_sink();
    let s = start(smtp_opts(sink.port, "secret"));
    let mut c = Client::new(&s);
    let r = c
        .api("sign_up/password", &[("email_address", "smtp@example.com"), ("password", "a brand new passphrase")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mail = wait_for_mail(&sink, "smtp@example.com").await;
    assert_eq!(mail["from"], "auth@acme.test");
    let raw = mail["raw"].as_str().unwrap();
    // Plain text and HTML, from the templates.
    assert!(raw.contains("multipart/alternative") && raw.contains("text/plain") && raw.contains("text/html"), "{raw}");
    let subject = raw.lines().find(|l| l.starts_with("Subject:")).unwrap();
    let code = six_digits(subject).expect("the code in the subject");
    // Nothing went to the outbox, and the code is in no log line.
    assert!(outbox_to(&s, "smtp@example.com").await.is_none());
    let r = c.api("sign_up/verify_email_code", &[("code", &code)]).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert!(!s.logs.lock().unwrap().contains(&code), "a code reached the logs");
}

#[tokio::test]
async fn an_smtp_failure_is_a_clear_retryable_error() {
    let sink = smtp_sink();
    let s = start(smtp_opts(sink.port, "wrong"));
    let mut c = Client::new(&s);
    let r = c
        .api("sign_up/password", &[("email_address", "fail@example.com"), ("password", "a brand new passphrase")])
        .await;
    assert_eq!((r.status, r.code()), (503, "delivery_failed"), "{}", r.text);
    assert!(s.logged(&["delivery failed"]).await, "logged");
    // Retry at once: no resend wait, since nothing was sent.
    let r = c.api("sign_up/send_email_code", &[]).await;
    assert_eq!(r.code(), "delivery_failed", "{}", r.text);
}

/// A certificate authority and a certificate it signed for `localhost`, as
/// PEM files in a fresh directory: (ca, cert, key).
fn certificates() -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    certificates_for("localhost")
}

/// The same for `name`.
pub(crate) fn certificates_for(name: &str) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A name of its own: a leaf whose issuer is its own subject reads as
    // self-signed to OpenSSL (curl).
    ca.distinguished_name.push(DnType::CommonName, "mfa-signin test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![name.to_string()]).unwrap().signed_by(&leaf_key, &issuer).unwrap();
    let dir = std::env::temp_dir().join(format!("mfa-tls-{name}-{}-{}", std::process::id(), unix()));
    std::fs::create_dir_all(&dir).unwrap();
    let paths = (dir.join("ca.pem"), dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, leaf.pem()).unwrap();
    std::fs::write(&paths.2, leaf_key.serialize_pem()).unwrap();
    paths
}

#[tokio::test]
async fn starttls_and_implicit_tls_verify_the_server_certificate() {
    let (ca, cert, key) = certificates();
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    for mode in ["starttls", "tls"] {
        let sink = smtp_sink_with(&[("SMTP_TLS", mode), ("SMTP_CERT", cert), ("SMTP_KEY", key)]);
        let opts = smtp_opts(sink.port, "secret").with("MFA_SMTP_HOST", "localhost").with("MFA_SMTP_TLS", mode);
        // Trusting the relay's CA: delivered, over TLS.
        let s = start(opts.clone().with("MFA_SMTP_CA_FILE", ca.to_str().unwrap()));
        let mut c = Client::new(&s);
        let to = format!("{mode}@example.com");
        let r = c.api("sign_up/password", &[("email_address", &to), ("password", "a brand new passphrase")]).await;
        assert_eq!(r.status, 200, "{mode}: {}", r.text);
        let mail = wait_for_mail(&sink, &to).await;
        assert_eq!(mail["secure"], true, "{mode}: sent over TLS");
        // Not trusting it: the certificate is refused, nothing is sent.
        let s = start(opts);
        let r = Client::new(&s)
            .api(
                "sign_up/password",
                &[("email_address", "untrusted@example.com"), ("password", "a brand new passphrase")],
            )
            .await;
        assert_eq!(r.code(), "delivery_failed", "{mode}: {}", r.text);
        assert!(!sink.mails.lock().unwrap().iter().any(|m| m["to"][0] == "untrusted@example.com"));
    }
}

/// One request the fake SMS provider got: its path and form fields.
type Request = (String, HashMap<String, String>);

#[derive(Clone, Default)]
struct Recorded {
    requests: Arc<Mutex<Vec<Request>>>,
    fail: Arc<Mutex<bool>>,
}

async fn messages(
    State(rec): State<Recorded>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (axum::http::StatusCode, String) {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    rec.requests.lock().unwrap().push((auth, form));
    if *rec.fail.lock().unwrap() {
        return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, r#"{"code":20500,"message":"down"}"#.into());
    }
    (axum::http::StatusCode::CREATED, r#"{"sid":"SM123","status":"queued"}"#.into())
}

async fn twilio() -> (String, Recorded) {
    let rec = Recorded::default();
    let app = Router::new().route("/2010-04-01/Accounts/AC123/Messages.json", post(messages)).with_state(rec.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), rec)
}

#[tokio::test]
async fn sms_codes_go_through_the_twilio_api() {
    let (url, rec) = twilio().await;
    let opts = Opts::default()
        .with("MFA_SMS_BASE_URL", &url)
        .with("MFA_SMS_ACCOUNT_SID", "AC123")
        .with("MFA_SMS_AUTH_TOKEN", "tok")
        .with("MFA_SMS_FROM", "+15005550006");
    let s = start(opts);
    user(&s, "sms@example.com", true, false, false).await;
    let mut c = Client::new(&s);
    assert_eq!(c.password("sms@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (auth, form) = rec.requests.lock().unwrap().last().cloned().expect("a request");
    // Basic auth with the account SID and token: "AC123:tok".
    assert_eq!(auth, "Basic QUMxMjM6dG9r");
    assert_eq!(form["To"], "+15555550123");
    assert_eq!(form["From"], "+15005550006");
    let code = six_digits(&form["Body"]).unwrap();
    assert!(outbox_to(&s, "+15555550123").await.is_none());
    assert_eq!(c.verify("phone_code", &code).await.status_field(), "complete");
    assert!(!s.logs.lock().unwrap().contains(&code), "a code reached the logs");

    // The provider fails: a clear, retryable error; then it works again.
    *rec.fail.lock().unwrap() = true;
    let mut c = Client::new(&s);
    c.password("sms@example.com", PASSWORD).await;
    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!((r.status, r.code()), (503, "delivery_failed"), "{}", r.text);
    *rec.fail.lock().unwrap() = false;
    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.status, 200, "retry at once: {}", r.text);
}

/// The mail as its reader's client shows it: the subject decoded, the text
/// and HTML parts.
fn read_mail(raw: &str) -> (String, String, String) {
    let m = mailparse::parse_mail(raw.as_bytes()).unwrap();
    let subject = m.headers.iter().find(|h| h.get_key() == "Subject").unwrap().get_value();
    let part = |kind: &str| {
        m.subparts.iter().find(|p| p.ctype.mimetype == kind).map(|p| p.get_body().unwrap()).unwrap_or_default()
    };
    (subject, part("text/plain"), part("text/html"))
}

/// Read from the SMTP server: a sign-up's code in the language of the
/// browser that asked, subject, text and HTML (`lang`, `dir`).
#[tokio::test]
async fn codes_go_out_over_smtp_in_the_browsers_language() {
    let sink = smtp_sink();
    let s = start(smtp_opts(sink.port, "secret"));
    for (lang, to, subject, text, html) in [
        (
            "fr-FR",
            "smtp-fr@example.com",
            " est votre code de vérification",
            "Saisissez-le pour terminer la création de votre compte.",
            r#"lang="fr" dir="ltr""#,
        ),
        ("ar", "smtp-ar@example.com", " هو رمز التحقق الخاص بك", "رمز التحقق الخاص بك في", r#"lang="ar" dir="rtl""#),
    ] {
        let mut c = Client::new(&s);
        c.headers.push(("accept-language", lang.into()));
        let r = c.api("sign_up/password", &[("email_address", to), ("password", "a brand new passphrase")]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let mail = wait_for_mail(&sink, to).await;
        let (got_subject, got_text, got_html) = read_mail(mail["raw"].as_str().unwrap());
        let code = six_digits(&got_subject).expect("the code in the subject");
        assert_eq!(got_subject, format!("{code}{subject}"));
        assert!(got_text.contains(text) && got_text.contains(&code), "{got_text}");
        assert!(got_html.contains(html) && got_html.contains(&code), "{got_html}");
    }
}
