//! `GET /v1/environment`: the instance's settings in the shape Clerk's SDKs
//! load first, built from `Settings` (nothing of it is stored).

use super::Service;
use crate::brand::{Rgb, DEFAULT_ACCENT};
use crate::policy;
use crate::request::Request;
use proto::v1::*;
use proto::Strategy;

impl Service {
    pub fn environment(&self, req: &Request) -> EnvironmentView {
        let s = &self.cfg.settings;
        let on = &s.second_factors;
        let page = |path: &str| format!("{}{path}", req.origin);
        let any_second = on.phone_code || on.totp || on.backup_code || s.passkeys.second_factor;
        let min = if s.require_mfa { policy::MIN_WITH_MFA } else { policy::MIN_WITHOUT_MFA };
        let accent = s.branding.accent.as_deref().and_then(Rgb::parse).unwrap_or(DEFAULT_ACCENT);
        let off = Attribute::default();
        let second = |enabled: bool, strategy: Strategy| Attribute {
            enabled,
            used_for_second_factor: enabled,
            second_factors: if enabled { vec![strategy] } else { vec![] },
            ..Attribute::default()
        };
        let mut email_first = vec![];
        if s.email_code_sign_in {
            email_first.push(Strategy::EmailCode);
        }
        let attributes = [
            (
                "email_address",
                Attribute {
                    enabled: true,
                    required: true,
                    verifications: vec![Strategy::EmailCode],
                    used_for_first_factor: true,
                    first_factors: email_first,
                    verify_at_sign_up: true,
                    ..Attribute::default()
                },
            ),
            (
                "phone_number",
                Attribute { verifications: vec![Strategy::PhoneCode], ..second(on.phone_code, Strategy::PhoneCode) },
            ),
            (
                "password",
                Attribute {
                    enabled: true,
                    required: true,
                    used_for_first_factor: true,
                    first_factors: vec![Strategy::Password],
                    ..Attribute::default()
                },
            ),
            ("authenticator_app", second(on.totp, Strategy::Totp)),
            ("backup_code", second(on.backup_code, Strategy::BackupCode)),
            (
                "passkey",
                Attribute {
                    enabled: s.passkeys.sign_in || s.passkeys.second_factor,
                    used_for_first_factor: s.passkeys.sign_in,
                    first_factors: if s.passkeys.sign_in { vec![Strategy::Passkey] } else { vec![] },
                    ..second(s.passkeys.second_factor, Strategy::Passkey)
                },
            ),
            ("username", off.clone()),
            ("first_name", off.clone()),
            ("last_name", off.clone()),
            ("web3_wallet", off),
        ]
        .into_iter()
        .map(|(name, a)| (name.to_string(), a))
        .collect();
        EnvironmentView {
            object: "environment".into(),
            id: "env_main".into(),
            auth_config: AuthConfig {
                object: "auth_config".into(),
                id: "aac_main".into(),
                single_session_mode: true,
                reverification: true,
            },
            display_config: DisplayConfig {
                object: "display_config".into(),
                id: "display_config_main".into(),
                instance_environment_type: if self.cfg.dev { "development" } else { "production" }.into(),
                application_name: s.branding.name.clone(),
                logo_image_url: s.branding.logo.as_deref().map(|l| if l.starts_with('/') { page(l) } else { l.into() }),
                theme: Theme { general: ThemeGeneral { color: accent.hex() } },
                preferred_sign_in_strategy: "password".into(),
                home_url: page("/"),
                sign_in_url: page("/sign-in"),
                sign_up_url: page("/sign-up"),
                user_profile_url: page("/account"),
                after_sign_in_url: page("/"),
                after_sign_up_url: page("/"),
                after_sign_out_one_url: page("/sign-in"),
                after_sign_out_all_url: page("/sign-in"),
                branded: false,
                show_devmode_warning: false,
            },
            user_settings: UserSettings {
                attributes,
                sign_in: SignInSettings {
                    second_factor: SecondFactorSettings { required: s.require_mfa, enabled: any_second },
                },
                sign_up: SignUpSettings {
                    mode: "public".into(),
                    progressive: true,
                    mfa: Required { required: s.require_mfa },
                    ..SignUpSettings::default()
                },
                password_settings: PasswordSettings {
                    min_length: min as u32,
                    max_length: policy::MAX as u32,
                    ..PasswordSettings::default()
                },
                passkey_settings: PasskeySettings {
                    allow_autofill: s.passkeys.sign_in,
                    show_sign_in_button: s.passkeys.sign_in,
                },
                username_settings: UsernameSettings { min_length: 4, max_length: 64 },
                actions: Actions::default(),
                social: Default::default(),
                enterprise_sso: EnterpriseSso::default(),
                attack_protection: AttackProtection { enumeration_protection: Toggle { enabled: true } },
            },
            organization_settings: OrganizationSettings::default(),
            maintenance_mode: false,
            client_debug_mode: false,
        }
    }
}
