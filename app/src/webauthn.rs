//! The browser half of a passkey ceremony: the server's options (JSON) in,
//! the credential's JSON out, through `PublicKeyCredential`'s own JSON
//! methods (no hand-written base64 or buffer conversion). Browser only: on
//! the server these answer an error.

/// `navigator.credentials.create()` with the options of `user/passkeys`.
pub async fn create(options: &str) -> Result<String, String> {
    imp::ceremony("create", "parseCreationOptionsFromJSON", options).await
}

/// `navigator.credentials.get()` with a sign-in's passkey challenge; a
/// `mediation` beside `publicKey` (autofill) is passed on.
pub async fn get(options: &str) -> Result<String, String> {
    imp::ceremony("get", "parseRequestOptionsFromJSON", options).await
}

/// Can this browser offer passkeys in the email field's autofill?
pub async fn autofill_available() -> bool {
    imp::autofill_available().await
}

/// Has this device a passkey authenticator of its own (fingerprint, face,
/// screen lock)? Then a passkey is the factor to suggest.
pub async fn platform_available() -> bool {
    imp::asks("isUserVerifyingPlatformAuthenticatorAvailable").await
}

/// Does this browser do WebAuthn with JSON options at all?
pub fn supported() -> bool {
    imp::supported()
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::{Function, Object, Reflect, JSON};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn text(e: JsValue) -> String {
        Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_else(|| "Error".into())
    }

    fn method(on: &JsValue, name: &str) -> Result<Function, String> {
        Reflect::get(on, &name.into()).map_err(text)?.dyn_into::<Function>().map_err(|_| format!("no {name}"))
    }

    fn pkc() -> Result<JsValue, String> {
        Reflect::get(&js_sys::global(), &"PublicKeyCredential".into()).map_err(text)
    }

    pub fn supported() -> bool {
        pkc().is_ok_and(|p| !p.is_undefined() && method(&p, "parseRequestOptionsFromJSON").is_ok())
    }

    pub async fn autofill_available() -> bool {
        asks("isConditionalMediationAvailable").await
    }

    /// `PublicKeyCredential.<name>()`, a promise of a boolean; false if
    /// the browser has no such method.
    pub async fn asks(name: &str) -> bool {
        let Ok(p) = pkc() else { return false };
        let Ok(f) = method(&p, name) else { return false };
        let Ok(promise) = f.call0(&p) else { return false };
        match JsFuture::from(js_sys::Promise::from(promise)).await {
            Ok(v) => v.as_bool().unwrap_or(false),
            Err(_) => false,
        }
    }

    pub async fn ceremony(call: &str, parse: &str, options: &str) -> Result<String, String> {
        let opts = JSON::parse(options).map_err(text)?;
        let pk = Reflect::get(&opts, &"publicKey".into()).map_err(text)?;
        let p = pkc()?;
        let parsed = method(&p, parse)?.call1(&p, &pk).map_err(text)?;
        let arg = Object::new();
        Reflect::set(&arg, &"publicKey".into(), &parsed).map_err(text)?;
        let mediation = Reflect::get(&opts, &"mediation".into()).map_err(text)?;
        if mediation.is_string() {
            Reflect::set(&arg, &"mediation".into(), &mediation).map_err(text)?;
        }
        let nav = Reflect::get(&js_sys::global(), &"navigator".into()).map_err(text)?;
        let creds = Reflect::get(&nav, &"credentials".into()).map_err(text)?;
        let promise = method(&creds, call)?.call1(&creds, &arg).map_err(text)?;
        let cred = JsFuture::from(js_sys::Promise::from(promise)).await.map_err(text)?;
        if cred.is_null() {
            return Err("NotAllowedError".into());
        }
        let json = method(&cred, "toJSON")?.call0(&cred).map_err(text)?;
        JSON::stringify(&json).map_err(text)?.as_string().ok_or_else(|| "NotAllowedError".into())
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn supported() -> bool {
        false
    }

    pub async fn autofill_available() -> bool {
        false
    }

    pub async fn asks(_: &str) -> bool {
        false
    }

    pub async fn ceremony(_: &str, _: &str, _: &str) -> Result<String, String> {
        Err("NotSupportedError".into())
    }
}
