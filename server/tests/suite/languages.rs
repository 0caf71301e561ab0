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
    let mail = message_with(&s, "ar@example.com", "أدخله لإعادة تعيين كلمة المرور.").await;
    assert!(six_digits(&mail).is_some(), "{mail}");

    // A language we do not speak gets English.
    let mut es = browser(&s, "es-ES,es;q=0.9");
    let r = es.api("sign_up/password", &[("email_address", "es@example.com"), ("password", NEW_PASSWORD)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mail = message_to(&s, "es@example.com").await;
    assert!(mail.contains("Enter it to finish creating your account."), "{mail}");
}

/// The newest message to `to` once it holds `words`, waiting for it (the
/// flows below send theirs after the answer).
async fn message_with(s: &Server, to: &str, words: &str) -> String {
    for _ in 0..100 {
        let body = message_to(s, to).await;
        if body.contains(words) {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("nothing to {to} saying {words:?}; the last: {}", message_to(s, to).await);
}

#[tokio::test]
async fn notices_are_written_in_the_accounts_language_codes_in_the_browsers() {
    let s = start(Opts::default());
    // An account made in German.
    let mut de = browser(&s, "de");
    let r = de.api("sign_up/password", &[("email_address", "konto@example.com"), ("password", NEW_PASSWORD)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let code = six_digits(&message_to(&s, "konto@example.com").await).unwrap();
    assert_eq!(de.api("sign_up/verify_email_code", &[("code", &code)]).await.status_field(), "complete");

    // Its password reset from a browser asking for English: the code in
    // English (whoever is at that screen reads it)...
    let mut en = browser(&s, "en-GB");
    let r = en
        .api("sign_in/create", &[("identifier", "konto@example.com"), ("strategy", "reset_password_email_code")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mail = message_with(&s, "konto@example.com", "Enter it to reset your password.").await;
    let code = six_digits(&mail).unwrap();
    let r = en.api("sign_in/attempt_first_factor", &[("strategy", "reset_password_email_code"), ("code", &code)]).await;
    assert_eq!(r.status_field(), "needs_new_password", "{}", r.text);
    let r = en.api("sign_in/reset_password", &[("password", "another brand new passphrase")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // ...and the notice to the account's owner in the account's language.
    let notice = message_with(&s, "konto@example.com", "Subject: Ihr Passwort wurde geändert").await;
    assert!(notice.contains("ein neues Passwort wurde festgelegt"), "{notice}");
}

/// `/v1` words its errors in the client's language: the codes, fields and
/// numbers are the same in any, and `Content-Language` says which.
#[tokio::test]
async fn v1_errors_are_worded_in_the_clients_language() {
    let s = start(Opts::default());
    let mut n = Native::new(&s);
    n.headers.push(("accept-language", "de-AT, de;q=0.9".into()));
    let r = n.post("/client/sign_ins", serde_json::json!({ "identifier": "", "password": "" })).await;
    assert_eq!((r.status, r.codes()), (422, vec!["form_param_missing"; 2]), "{}", r.text);
    let messages: Vec<&str> =
        r.body["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["Geben Sie Ihre E-Mail-Adresse ein.", "Geben Sie Ihr Passwort ein."], "{}", r.text);
    assert_eq!(r.body["errors"][0]["long_message"], messages[0]);
    assert_eq!(r.headers["content-language"], "de");

    // A sign-up's password too short: its bound in the meta and the words.
    let mut ar = Native::new(&s);
    ar.headers.push(("accept-language", "ar".into()));
    let r =
        ar.post("/client/sign_ups", serde_json::json!({ "email_address": "a@example.com", "password": "short" })).await;
    assert_eq!((r.status, r.code()), (422, "form_password_length_too_short"), "{}", r.text);
    assert_eq!(r.body["errors"][0]["meta"]["min_length"], 15);
    assert_eq!(r.body["errors"][0]["message"], "يجب أن تتكون كلمة المرور من 15 حرفًا على الأقل.", "{}", r.text);
    assert_eq!(r.headers["content-language"], "ar");

    // No language asked for: English, as Clerk answers.
    let mut en = Native::new(&s);
    let r = en.post("/client/sign_ins", serde_json::json!({ "identifier": "", "password": "x" })).await;
    assert_eq!(r.body["errors"][0]["message"], "Enter your email address.", "{}", r.text);
}

/// The pages are in the browser's language, and say so (`lang`, `dir`,
/// `Content-Language`, `Vary`); the server functions word their errors in
/// it; the page's islands get only that language's words.
#[tokio::test]
async fn pages_and_their_errors_are_in_the_browsers_language() {
    let s = start(Opts::default());
    let mut ar = browser(&s, "ar-EG,ar;q=0.9");
    let page = ar.get("/sign-in").await;
    assert_eq!(page.headers["content-language"], "ar");
    assert!(page.headers["vary"].to_str().unwrap().contains("Accept-Language"), "{:?}", page.headers);
    assert!(page.text.contains(r#"<html lang="ar" dir="rtl">"#), "{}", page.text);
    assert!(page.text.contains("<h1>تسجيل الدخول إلى My App</h1>"), "{}", page.text);
    // The islands' words: a script of this language only, named by its
    // content, cached for good, compressed; none of it in the page.
    assert!(!page.text.contains("verify-account"), "{}", page.text);
    let src = page.text.split(r#"<script defer src=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(src.starts_with("/words/ar.js?v="), "{src}");
    let script = ar.get(&src).await;
    assert_eq!(script.status, 200);
    assert!(script.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(script.headers["cache-control"], "public, max-age=31536000, immutable");
    assert!(script.text.starts_with("window.__words={"), "{}", script.text);
    assert!(
        script.text.contains(r#""verify-account":"تحقّق من حسابك""#) && !script.text.contains("Verify your account")
    );
    let r = ar.raw(|h, base| h.get(format!("{base}{src}")).header("accept-encoding", "br")).await;
    assert_eq!(r.headers["content-encoding"], "br");
    assert_eq!(ar.get("/words/xx.js").await.status, 404);

    let r = ar.api("sign_in/password", &[("identifier", "nobody@example.com"), ("password", "wrong")]).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("عنوان البريد الإلكتروني أو كلمة المرور غير صحيحة."), "{}", r.text);
    assert!(r.text.contains("form_password_incorrect"), "the code stays: {}", r.text);

    // A language we do not speak, or none: English.
    let page = browser(&s, "es").get("/sign-up").await;
    assert_eq!(page.headers["content-language"], "en");
    assert!(page.text.contains(r#"<html lang="en" dir="ltr">"#) && page.text.contains("Create your account"));
}

/// The pages' language menu: a plain form post, kept in a cookie that wins
/// over `Accept-Language`; signed in, kept on the account too, whose
/// notices follow it.
#[tokio::test]
async fn the_menu_chooses_the_language_and_a_signed_in_choice_stays_with_the_account() {
    let s = start(Opts::default());
    let mut en = browser(&s, "en-US");
    let page = format!("{}/sign-up", s.base);
    // Without JavaScript: the form posts, the same page comes back.
    let r = en
        .raw(|h, base| {
            h.post(format!("{base}/api/language"))
                .header("accept", "text/html")
                .header("referer", &page)
                .form(&[("lang", "fr")])
        })
        .await;
    assert_eq!(r.status, 302, "{}", r.text);
    assert!(r.headers["location"].to_str().unwrap().starts_with(&page), "{:?}", r.headers);
    assert!(
        r.set_cookies().iter().any(|c| c.starts_with("lang=fr;") && c.contains("Max-Age=31536000")),
        "{:?}",
        r.set_cookies()
    );
    let p = en.get("/sign-up").await;
    assert_eq!(p.headers["content-language"], "fr");
    assert!(
        p.text.contains("Créez votre compte") && p.text.contains(r#"<option value="fr" lang="fr" selected"#),
        "{}",
        p.text
    );
    // A language we do not speak is refused, in the language chosen.
    let r = en.api("language", &[("lang", "xx")]).await;
    assert_eq!((r.status, r.code()), (400, "request_invalid"), "{}", r.text);
    assert_eq!(r.headers["content-language"], "fr");

    // Signed in: German, on the account. Its owner's notices are then in
    // German whatever the browser that causes them asks for.
    user(&s, "menu@example.com", false, false, false).await;
    let mut c = browser(&s, "en-US");
    assert_eq!(c.password("menu@example.com", PASSWORD).await.status_field(), "complete");
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    let r = c.api("language", &[("lang", "de-AT")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(c.get("/").await.text.contains("<h1>Willkommen</h1>"));
    let mut other = browser(&s, "en-GB");
    let r = other
        .api("sign_in/create", &[("identifier", "menu@example.com"), ("strategy", "reset_password_email_code")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let code = six_digits(&message_with(&s, "menu@example.com", "Enter it to reset your password.").await).unwrap();
    let r =
        other.api("sign_in/attempt_first_factor", &[("strategy", "reset_password_email_code"), ("code", &code)]).await;
    assert_eq!(r.status_field(), "needs_new_password", "{}", r.text);
    assert_eq!(other.api("sign_in/reset_password", &[("password", NEW_PASSWORD)]).await.status, 200);
    message_with(&s, "menu@example.com", "Subject: Ihr Passwort wurde geändert").await;
}

/// Clerk's SDKs name the client's language in a sign-in's or sign-up's
/// `locale`: that attempt's code and errors are in it.
#[tokio::test]
async fn v1_takes_the_locale_clerks_sdks_send() {
    let s = start(Opts::default());
    let mut n = Native::new(&s);
    let r = n
        .post(
            "/client/sign_ups",
            serde_json::json!({ "email_address": "loc@example.com", "password": "short", "locale": "fr-FR" }),
        )
        .await;
    assert_eq!(r.code(), "form_password_length_too_short", "{}", r.text);
    assert_eq!(r.body["errors"][0]["message"], "Le mot de passe doit compter au moins 15 caractères.", "{}", r.text);
    assert_eq!(r.headers["content-language"], "fr");
    let r = n
        .post(
            "/client/sign_ups",
            serde_json::json!({ "email_address": "loc@example.com", "password": NEW_PASSWORD, "locale": "fr-FR", "timezone": "Europe/Paris" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(message_to(&s, "loc@example.com")
        .await
        .contains("Saisissez-le pour terminer la création de votre compte."));
    // Not one of ours: the request's language.
    let r =
        n.post("/client/sign_ins", serde_json::json!({ "identifier": "", "password": "x", "locale": "es-ES" })).await;
    assert_eq!(r.body["errors"][0]["message"], "Enter your email address.", "{}", r.text);
}
