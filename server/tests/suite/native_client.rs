//! The native client crate and the seed's terminal app on it, against the
//! real server: password, the SMS code read from the outbox (or the
//! authenticator app's), a session; the client token kept in a 0600 file.

use crate::common::*;
use client::seed::{MfaSignIn, UiState};
use client::{Clerk, Keychain, MfaType};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn keychain(name: &str) -> (std::path::PathBuf, Keychain) {
    let dir = std::env::temp_dir().join(format!("native-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("client-token");
    (file.clone(), Keychain::at(file))
}

#[tokio::test]
async fn the_seeds_view_model_signs_in_with_the_sms_code_and_with_totp() {
    let s = start(Opts::default());
    user(&s, "sms@example.com", true, false, false).await;
    let (file, k) = keychain("sms");
    let clerk = Clerk::new(&s.base, k).unwrap().with_device_model("iPhone15,2");
    let mut view = MfaSignIn::new(&clerk);
    let status = view.submit("sms@example.com", PASSWORD).await.unwrap();
    assert_eq!(
        (status.as_str(), view.state(), view.kind()),
        ("needs_second_factor", UiState::NeedsSecondFactor, MfaType::PhoneCode)
    );
    let code = last_sms_code(&s).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let e = view.verify(wrong).await.unwrap_err();
    assert_eq!((e.code(), view.state()), (Some("form_code_incorrect"), UiState::NeedsSecondFactor));
    assert_eq!(view.verify(&code).await.unwrap().as_str(), "complete");
    assert_eq!(view.state(), UiState::Verified);
    let session = clerk.session().await.unwrap().expect("signed in");
    assert_eq!(session.email, "sms@example.com");
    assert_eq!(clerk.get_token(&session).await.unwrap().split('.').count(), 3);
    // The token file: the owner's alone, holding a client token.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("ct_"));
    // Another run of the app (a new Clerk on the same keychain) is still signed in.
    let again = Clerk::new(&s.base, Keychain::at(&file)).unwrap();
    assert_eq!(again.user().await.unwrap().email, "sms@example.com");
    let sessions = reqwest::Client::new()
        .get(format!("{}/v1/me/sessions/active", s.base))
        .bearer_auth(std::fs::read_to_string(&file).unwrap())
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(sessions[0]["device"]["model"], "iPhone15,2");
    again.sign_out(&session).await.unwrap();
    assert_eq!(again.session().await.unwrap(), None);

    let u = user(&s, "totp@example.com", false, true, false).await;
    let (_, k) = keychain("totp");
    let clerk = Clerk::new(&s.base, k).unwrap();
    let mut view = MfaSignIn::new(&clerk);
    view.submit("totp@example.com", PASSWORD).await.unwrap();
    assert_eq!((view.state(), view.kind()), (UiState::NeedsSecondFactor, MfaType::Totp));
    view.verify(&totp_at(u["totp_secret"].as_str().unwrap(), unix())).await.unwrap();
    assert_eq!(view.state(), UiState::Verified);
    let e = MfaSignIn::new(&clerk).submit("totp@example.com", "wrong password").await.unwrap_err();
    assert_eq!(e.code(), Some("session_exists"), "already signed in on this client");
}

/// Output of a child, gathered as it comes.
fn gather(mut out: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    seen
}

async fn wait_for(seen: &Mutex<String>, what: &str) {
    let start = Instant::now();
    while !seen.lock().unwrap().contains(what) {
        assert!(start.elapsed() < Duration::from_secs(20), "no {what:?} in {:?}", seen.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_terminal_app_runs_the_seeds_flow_in_a_pseudo_terminal() {
    let s = start(Opts::default());
    user(&s, "tty@example.com", true, false, false).await;
    let (file, _) = keychain("tty");
    let exe = std::env::current_exe().unwrap();
    let app = exe.parent().unwrap().parent().unwrap().join("examples").join("mfa_sign_in");
    assert!(app.exists(), "{} (`cargo test` builds it)", app.display());
    let command =
        format!("{} --base {} --token-file {} --device 'Test terminal'", app.display(), s.base, file.display());
    // `script` gives the app a pseudo-terminal: the password prompt turns echo off.
    let mut child = std::process::Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux)");
    let seen = gather(child.stdout.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    wait_for(&seen, "Email: ").await;
    stdin.write_all(b"tty@example.com\n").unwrap();
    wait_for(&seen, "Password: ").await;
    stdin.write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    wait_for(&seen, "Code: ").await;
    let code = last_sms_code(&s).await;
    stdin.write_all(format!("{code}\n").as_bytes()).unwrap();
    wait_for(&seen, "Verified").await;
    wait_for(&seen, "for tty@example.com").await;
    let status = child.wait().unwrap();
    assert!(status.success());
    let out = seen.lock().unwrap().clone();
    assert!(out.contains("[Next]") && out.contains("[Verify]"), "{out}");
    assert!(!out.contains(PASSWORD), "the password is not echoed: {out}");
    let token = std::fs::read_to_string(&file).unwrap();
    let r = reqwest::Client::new()
        .get(format!("{}/v1/me/sessions/active", s.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let sessions: serde_json::Value = r.json().await.unwrap();
    assert_eq!(sessions[0]["device"]["model"], "Test terminal");
}
