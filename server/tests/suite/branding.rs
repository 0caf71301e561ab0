//! The instance's branding (`[branding]`): the name in the heading and in
//! emails, the logo and the policy that lets it load, the accents' stylesheet.

use crate::common::*;

fn branded() -> Opts {
    Opts::default()
        .with("MFA_APP_NAME", "Acme & Co")
        .with("MFA_LOGO", "https://cdn.example.com/acme.svg")
        .with("MFA_LOGO_DARK", "https://img.example.net/acme-dark.svg")
        .with("MFA_ACCENT", "#6d28d9")
}

/// The `href` of the page's brand stylesheet, if it links one.
fn brand_href(page: &str) -> Option<String> {
    let at = page.find("/brand.css?v=")?;
    Some(page[at..].split('"').next()?.to_string())
}

#[tokio::test]
async fn pages_and_emails_carry_the_brand() {
    let s = start(branded());
    let mut c = Client::new(&s);
    let page = c.get("/sign-in").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Sign in to Acme &amp; Co"), "{}", page.text);
    assert!(page.text.contains("Welcome back! Please sign in to continue."));
    // The logo, and the dark theme's in its place there.
    let logo = page.text.split(r#"<picture class="logo">"#).nth(1).and_then(|p| p.split("</picture>").next());
    let logo = logo.unwrap_or_else(|| panic!("no logo: {}", page.text));
    assert!(
        logo.contains(
            r#"<source srcset="https://img.example.net/acme-dark.svg" media="(prefers-color-scheme: dark)">"#
        ),
        "{logo}"
    );
    assert!(logo.contains(r#"<img src="https://cdn.example.com/acme.svg" alt="" height="40">"#), "{logo}");
    // The logos' origins, and only they, join the image policy.
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("img-src 'self' https://cdn.example.com https://img.example.net;"), "{csp}");

    let href = brand_href(&page.text).expect("a brand stylesheet");
    let css = c.get(&href).await;
    assert_eq!(css.status, 200);
    assert_eq!(css.headers["content-type"], "text/css");
    assert!(css.headers["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(css.text.starts_with(":root{--accent:#6d28d9;"), "{}", css.text);
    assert!(css.text.contains("prefers-color-scheme: dark"), "{}", css.text);

    // Emails name the app; their HTML escapes it.
    let r = c
        .api("sign_up/password", &[("email_address", "acme-user@example.com"), ("password", "a brand new passphrase")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mail = outbox_to(&s, "acme-user@example.com").await.expect("the code email");
    let body = mail["body"].as_str().unwrap();
    assert!(body.contains("Your Acme & Co verification code is"), "{body}");
}

#[tokio::test]
async fn the_built_in_look_links_no_brand_stylesheet() {
    let s = start(Opts::default());
    let mut c = Client::new(&s);
    let page = c.get("/sign-in").await;
    assert!(page.text.contains("Sign in to My App"), "{}", page.text);
    assert_eq!(brand_href(&page.text), None);
    assert!(!page.text.contains(r#"class="logo""#), "no logo by default");
    assert_eq!(c.get("/brand.css").await.status, 404);
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("img-src 'self';"), "{csp}");
}
