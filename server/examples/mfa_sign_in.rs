//! The seed's native sign-in (`MFASignInView`) in a terminal, on the native
//! client crate: Email, Password, "Next"; Code, "Verify"; "Verified". The
//! client token is kept in `--token-file` (mode 0600), as a keychain would.
//!
//!     cargo run -p server --example mfa_sign_in -- --base http://127.0.0.1:3000

use client::seed::{MfaSignIn, UiState};
use client::{Clerk, Keychain};
use std::io::{BufRead, IsTerminal, Write};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn line(prompt: &str) -> Option<String> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut s = String::new();
    match std::io::stdin().lock().read_line(&mut s) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(s.trim().to_string()),
    }
}

/// Not echoed on a terminal (a `SecureField`).
fn secret(prompt: &str) -> Option<String> {
    if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt).ok()
    } else {
        line(prompt)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let base = arg("--base").unwrap_or_else(|| "http://127.0.0.1:3000".into());
    let file = arg("--token-file").unwrap_or_else(|| ".mfa-client-token".into());
    let clerk = match Clerk::new(&base, Keychain::at(file)) {
        Ok(c) => c.with_device_model(&arg("--device").unwrap_or_else(|| "Terminal".into())),
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut view = MfaSignIn::new(&clerk);
    loop {
        match view.state() {
            UiState::Unverified => {
                let (Some(email), Some(password)) = (line("Email: "), secret("Password: ")) else { break };
                println!("[Next]");
                match view.submit(&email, &password).await {
                    Ok(status) if view.state() == UiState::Unverified => println!("{}", status.as_str()),
                    Ok(_) => {}
                    Err(e) => println!("{e}"),
                }
            }
            UiState::NeedsSecondFactor => {
                let Some(code) = line("Code: ") else { break };
                println!("[Verify]");
                match view.verify(&code).await {
                    Ok(status) if view.state() != UiState::Verified => println!("{}", status.as_str()),
                    Ok(_) => {}
                    Err(e) => println!("{e}"),
                }
            }
            UiState::Verified => {
                println!("Verified");
                // `dump(clerk.session)`.
                if let Ok(Some(s)) = clerk.session().await {
                    println!("session {} for {}", s.id, s.email);
                }
                return std::process::ExitCode::SUCCESS;
            }
        }
    }
    std::process::ExitCode::FAILURE
}
