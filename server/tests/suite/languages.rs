//! Languages: the emails and texts a browser is sent are in the language it
//! asks for (`Accept-Language`), read from the development outbox.

use crate::common::*;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// A browser that asks for `accept` (an `Accept-Language` value).
fn browser(s: &Server, accept: &str) -> Client {
    let mut c = Client::new(s);
    c.headers.push(("accept-language", accept.into()));
    c
}

/// The newest message to `to`, as the outbox holds it, waiting for it (some
/// are sent after the answer).
async fn message_to(s: &Server, to: &str) -> String {
    for _ in 0..100 {
        if let Some(m) = outbox_to(s, to).await {
            return m["body"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("nothing sent to {to}");
}

#[tokio::test]
async fn codes_are_emailed_and_texted_in_the_browsers_language() {
    let s = start(Opts::default());

    // A sign-up's code, in French: subject and body.
    let mut fr = browser(&s, "fr-CA,fr;q=0.9,en;q=0.5");
    let r = fr.api("sign_up/password", &[("email_address", "fr@example.com"), ("password", NEW_PASSWORD)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mail = message_to(&s, "fr@example.com").await;
    assert!(
        mail.starts_with("Subject: ") && mail.lines().next().unwrap().ends_with(" est votre code de vérification"),
        "{mail}"
    );
    assert!(mail.contains("Saisissez-le pour terminer la création de votre compte."), "{mail}");
    assert!(mail.contains("Il expire dans 10 minutes"), "{mail}");
    let code = six_digits(&mail).unwrap();
    assert_eq!(fr.api("sign_up/verify_email_code", &[("code", &code)]).await.status_field(), "complete");

    // A texted second factor, in German; its last line the same in every language.
    user(&s, "de@example.com", true, false, false).await;
    let mut de = browser(&s, "de-DE");
    assert_eq!(de.password("de@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    let r = de.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sms = outbox_to(&s, "+15555550123").await.unwrap()["body"].as_str().unwrap().to_string();
    let code = last_sms_code(&s).await;
    assert!(sms.starts_with(&format!("{code} ist Ihr Bestätigungscode. Er läuft in 10 Minuten ab.")), "{sms}");
    assert_eq!(sms.lines().last(), Some(format!("@127.0.0.1 #{code}").as_str()));
    assert_eq!(de.verify("phone_code", &code).await.status_field(), "complete");

    // A forgotten password, in Arabic (sent after the answer).
    user(&s, "ar@example.com", false, false, false).await;
    let mut ar = browser(&s, "ar");
    let r =
        ar.api("sign_in/create", &[("identifier", "ar@example.com"), ("strategy", "reset_password_email_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mail = message_to(&s, "ar@example.com").await;
    assert!(mail.contains("أدخله لإعادة تعيين كلمة المرور."), "{mail}");
    assert!(six_digits(&mail).is_some(), "{mail}");

    // A language we do not speak gets English.
    let mut es = browser(&s, "es-ES,es;q=0.9");
    let r = es.api("sign_up/password", &[("email_address", "es@example.com"), ("password", NEW_PASSWORD)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mail = message_to(&s, "es@example.com").await;
    assert!(mail.contains("Enter it to finish creating your account."), "{mail}");
}
