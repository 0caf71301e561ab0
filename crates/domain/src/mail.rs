//! What is sent: a typed `Message`, and the port it goes through
//! (`Sender`). How it is worded (per channel, later per language) and
//! where it goes are the delivery crate's.

use async_trait::async_trait;
use proto::Lang;
use std::sync::Arc;

/// What a message says. The domain names it and its data; the words are
/// delivery's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A one-time code by email, for `purpose`, good for `minutes`.
    EmailCode { code: String, purpose: CodeFor, minutes: i64 },
    /// A one-time code by text message. `host` is this site's, for the
    /// domain-bound last line (`@host #code`) that WebOTP and phones'
    /// one-time-code autofill read: a phished page on another host is not
    /// offered the code.
    SmsCode { code: String, minutes: i64, host: String },
    /// Someone signed up with this address, which has an account; `link`
    /// signs in.
    AccountExists { link: String },
    /// The account's security changed; `link` reviews it.
    Changed { change: Change, link: String },
}

impl Message {
    /// Goes by text message, not email.
    pub fn is_sms(&self) -> bool {
        matches!(self, Message::SmsCode { .. })
    }
}

/// What an emailed code lets its reader do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeFor {
    /// `needs_client_trust`: sign in on a new device.
    ThisDevice,
    /// Finish a sign-up.
    SignUp,
    /// Set a new password.
    ResetPassword,
    /// Sign in without the password.
    SignIn,
    /// Sign in to a locked account on this device.
    Unlock,
}

/// A change to an account's security, told to its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    PasswordSet,
    AppAdded,
    PhoneAdded,
    AppRemoved,
    PhoneRemoved,
    BackupCodesRemoved,
    BackupCodesMade,
    PasskeyAdded,
    PasskeyRemoved,
    /// The default second factor is now the authenticator app.
    DefaultIsApp,
    /// The default second factor is now text-message codes.
    DefaultIsPhone,
    AccountDeleted,
    /// By the app's administrators (the Backend API).
    EmailChanged,
    /// Every second factor, by the app's administrators.
    FactorsRemoved,
}

impl Change {
    pub const ALL: [Change; 14] = [
        Change::PasswordSet,
        Change::AppAdded,
        Change::PhoneAdded,
        Change::AppRemoved,
        Change::PhoneRemoved,
        Change::BackupCodesRemoved,
        Change::BackupCodesMade,
        Change::PasskeyAdded,
        Change::PasskeyRemoved,
        Change::DefaultIsApp,
        Change::DefaultIsPhone,
        Change::AccountDeleted,
        Change::EmailChanged,
        Change::FactorsRemoved,
    ];
}

#[async_trait]
pub trait Sender: Send + Sync + 'static {
    /// Words `msg` in `lang` and delivers it to `to` (an address, or a
    /// phone number for an SMS). The error is logged, never shown to the
    /// user.
    async fn send(&self, to: &str, lang: Lang, msg: &Message, now: i64) -> Result<(), String>;
    /// Words and sends `msg` after the caller has answered, logging a
    /// failure: for a message whose making and sending must not tell
    /// whether an account exists. `to: None` (an address without one)
    /// words it all the same, and sends it nowhere.
    fn send_later(self: Arc<Self>, to: Option<String>, lang: Lang, msg: Message, now: i64);
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
    fn origin_hosts() {
        assert_eq!(origin_host("https://auth.example.com:8443/x"), "auth.example.com");
        assert_eq!(origin_host("http://127.0.0.1:3000"), "127.0.0.1");
        assert_eq!(origin_host("http://[::1]:3000"), "::1");
    }

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
}
