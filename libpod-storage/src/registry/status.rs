//! Turning what a registry answered (or how the connection failed) into a [`RegistryFailure`].
//!
//! Registries explain errors in a JSON body (`{"errors":[{"code":"MANIFEST_UNKNOWN",
//! "message":"manifest unknown"}]}`); its first entry becomes the failure's detail.

use crate::error::RegistryFailure;
use serde::Deserialize;
use std::io::Read;
use ureq::Body;
use ureq::http::{Response, StatusCode, header};

/// The most of an error body we read.
const MAX_ERROR_BODY: u64 = 64 << 10;

/// The failure a non-success response stands for.
pub(crate) fn failure_from_response(response: Response<Body>) -> RegistryFailure {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let mut body = Vec::new();
    let _ = response
        .into_body()
        .into_reader()
        .take(MAX_ERROR_BODY)
        .read_to_end(&mut body);
    failure_from_status(status, retry_after, &body)
}

/// The failure for `status` with an error body.
pub(crate) fn failure_from_status(
    status: StatusCode,
    retry_after: Option<u64>,
    body: &[u8],
) -> RegistryFailure {
    let detail = error_detail(body);
    match status.as_u16() {
        401 => RegistryFailure::Unauthorized(detail),
        403 => RegistryFailure::Denied(detail),
        404 => RegistryFailure::NotFound(detail),
        429 => RegistryFailure::TooManyRequests { retry_after },
        code @ 500..=599 => RegistryFailure::Server {
            status: code,
            detail,
        },
        code => RegistryFailure::UnexpectedStatus {
            status: code,
            detail,
        },
    }
}

/// A failed connection (refused, reset, TLS, timeout).
pub(crate) fn failure_from_transport(err: &ureq::Error) -> RegistryFailure {
    match err {
        ureq::Error::Timeout(which) => RegistryFailure::Timeout(which.to_string()),
        other => RegistryFailure::Connection(other.to_string()),
    }
}

/// A body read that failed after `offset` bytes: a timeout or a cut connection.
pub(crate) fn failure_from_body_read(err: &std::io::Error, offset: u64) -> RegistryFailure {
    match err.get_ref().and_then(|e| e.downcast_ref::<ureq::Error>()) {
        Some(ureq::Error::Timeout(which)) => {
            RegistryFailure::Timeout(format!("{which}, after {offset} bytes"))
        }
        _ => RegistryFailure::Connection(format!("cut after {offset} bytes: {err}")),
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// `CODE: message` from a registry error body, else its first line of text (bounded).
fn error_detail(body: &[u8]) -> String {
    if let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body)
        && let Some(first) = parsed.errors.first()
    {
        return match (first.code.is_empty(), first.message.is_empty()) {
            (false, false) => format!("{}: {}", first.code, first.message),
            (false, true) => first.code.clone(),
            _ => first.message.clone(),
        };
    }
    let text = String::from_utf8_lossy(body);
    let line = text.lines().next().unwrap_or("").trim();
    line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_become_typed_failures_with_the_registry_message() {
        let body =
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}"#;
        assert_eq!(
            failure_from_status(StatusCode::NOT_FOUND, None, body),
            RegistryFailure::NotFound("MANIFEST_UNKNOWN: manifest unknown".into())
        );
        assert_eq!(
            failure_from_status(StatusCode::UNAUTHORIZED, None, b""),
            RegistryFailure::Unauthorized(String::new())
        );
        assert_eq!(
            failure_from_status(StatusCode::FORBIDDEN, None, b"forbidden\nmore"),
            RegistryFailure::Denied("forbidden".into())
        );
        assert_eq!(
            failure_from_status(StatusCode::TOO_MANY_REQUESTS, Some(7), b"{}"),
            RegistryFailure::TooManyRequests {
                retry_after: Some(7)
            }
        );
        assert_eq!(
            failure_from_status(StatusCode::BAD_GATEWAY, None, b"<html>"),
            RegistryFailure::Server {
                status: 502,
                detail: "<html>".into()
            }
        );
        assert!(matches!(
            failure_from_status(StatusCode::IM_A_TEAPOT, None, &[0xff; 10]),
            RegistryFailure::UnexpectedStatus { status: 418, .. }
        ));
    }
}
