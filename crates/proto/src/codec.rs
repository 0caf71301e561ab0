//! The server-function codec (feature `server-fn`): JSON bodies, and
//! `ApiErrors` as the error type of every server function.

use serde::{de::DeserializeOwned, Serialize};
use server_fn::{
    codec::Post,
    error::{FromServerFnError, ServerFnErrorErr},
    Bytes, ContentType, Decodes, Encodes, Format, FormatType,
};

use crate::{ApiError, ApiErrors, ErrorMeta};

/// The API's bodies: JSON, as server_fn's `JsonEncoding` writes it, read on
/// the client with `serde_json::from_str`, the reader island props go through.
/// One set of decoders in the wasm instead of two (`from_slice` is another).
pub struct JsonStrEncoding;

/// The output codec of every server function: `POST`, JSON answers.
pub type JsonStr = Post<JsonStrEncoding>;

impl ContentType for JsonStrEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonStrEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonStrEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonStrEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

impl FromServerFnError for ApiErrors {
    type Encoder = JsonStrEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Transport failures on the client, decode failures on the server.
        let (status, code, message) = match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                (0, "network_error", "Could not reach the server. Check your connection.")
            }
            _ => (400, "request_invalid", "The request could not be read."),
        };
        ApiErrors {
            status,
            errors: vec![ApiError {
                code: code.into(),
                message: message.into(),
                long_message: message.into(),
                meta: ErrorMeta::default(),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fault, Status};
    #[test]
    fn serde_names_match_clerk() {
        let json = serde_json_like(&Status::NeedsSecondFactor);
        assert_eq!(json, "\"needs_second_factor\"");
    }

    fn serde_json_like<T: Serialize>(v: &T) -> String {
        // The API's own encoding, to stay honest.
        let bytes = <JsonStrEncoding as Encodes<T>>::encode(v).unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn api_bodies_round_trip_and_bad_ones_are_errors() {
        let e = ApiErrors::from(Fault::PasswordIncorrect(None));
        let bytes = <JsonStrEncoding as Encodes<ApiErrors>>::encode(&e).unwrap();
        let back: ApiErrors = <JsonStrEncoding as Decodes<ApiErrors>>::decode(bytes).unwrap();
        assert_eq!(back, e);
        let bad = Bytes::from_static(b"{\"status\": 422, \"errors\": [\xff]}");
        assert!(<JsonStrEncoding as Decodes<ApiErrors>>::decode(bad).is_err());
        let truncated = Bytes::from_static(b"{\"status\": 422");
        assert!(<JsonStrEncoding as Decodes<ApiErrors>>::decode(truncated).is_err());
    }

    #[test]
    fn decode_failures_are_client_errors() {
        let e = ApiErrors::from_server_fn_error(ServerFnErrorErr::Args("x".into()));
        assert_eq!(e.status, 400);
        assert_eq!(e.codes(), vec!["request_invalid"]);
    }
}
