//! Bearer tokens (the distribution token protocol): fetched from the challenge's realm for a
//! set of scopes, with the user's credentials when there are any, and cached per scope set
//! until shortly before they expire.

use super::auth_file::Credentials;
use super::challenge::Challenge;
use super::client::{RegistryClient, basic_authorization};
use super::status::{failure_from_response, failure_from_transport};
use crate::error::{RegistryFailure, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ureq::http::{Request, header};

/// Tokens are renewed this long before they expire.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);
/// The distribution spec's default lifetime when the server gives none.
const DEFAULT_LIFETIME: u64 = 60;
/// The most of a token response we read.
const MAX_TOKEN_RESPONSE: u64 = 1 << 20;

/// Cached tokens by scope set. Fetches for one cache are serialised, so concurrent layer
/// downloads share one token instead of each asking for its own.
#[derive(Default)]
pub(crate) struct TokenCache {
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl TokenCache {
    /// The cached token for `scopes`, or a new one from `fetch`.
    pub fn get_or_fetch(
        &self,
        scopes: &[String],
        fetch: impl FnOnce() -> Result<(String, Duration)>,
    ) -> Result<String> {
        let key = scopes.join(" ");
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, expires)) = tokens.get(&key)
            && Instant::now() + EXPIRY_MARGIN < *expires
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = fetch()?;
        tokens.insert(key, (token.clone(), Instant::now() + lifetime));
        Ok(token)
    }

    /// Drops the token for `scopes` (the registry refused it).
    pub fn forget(&self, scopes: &[String]) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens.remove(&scopes.join(" "));
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    token: Option<String>,
    access_token: Option<String>,
    expires_in: Option<u64>,
}

/// Asks the challenge's realm for a token covering `scopes`.
pub(crate) fn fetch(
    client: &RegistryClient,
    challenge: &Challenge,
    scopes: &[String],
    credentials: Option<Credentials>,
) -> Result<(String, Duration)> {
    let reference = scopes.first().map_or("", String::as_str);
    let invalid =
        |reason: String| client.error("token", reference, RegistryFailure::InvalidResponse(reason));
    let Some(realm) = challenge.param("realm").filter(|r| !r.is_empty()) else {
        return Err(invalid("Bearer challenge without a realm".into()));
    };
    let mut url = realm.to_string();
    let mut separator = if url.contains('?') { '&' } else { '?' };
    let service = challenge.param("service").into_iter();
    let params = service
        .map(|s| ("service", s))
        .chain(scopes.iter().map(|s| ("scope", s.as_str())));
    for (name, value) in params {
        url.push(separator);
        url.push_str(name);
        url.push('=');
        url.push_str(&query_escape(value));
        separator = '&';
    }
    let mut request = Request::get(&url);
    if let Some(credentials) = &credentials {
        request = request.header(header::AUTHORIZATION, basic_authorization(credentials));
    }
    let request = request
        .body(())
        .map_err(|e| invalid(format!("bad token realm {realm:?}: {e}")))?;
    let response = client
        .with_retries(|| client.agent().run(request.clone()))
        .map_err(|e| client.error("token", reference, failure_from_transport(&e)))?;
    if !response.status().is_success() {
        return Err(client.error("token", reference, failure_from_response(response)));
    }
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_TOKEN_RESPONSE)
        .read_to_end(&mut body)
        .map_err(|e| {
            client.error(
                "token",
                reference,
                RegistryFailure::Connection(e.to_string()),
            )
        })?;
    let parsed: TokenResponse =
        serde_json::from_slice(&body).map_err(|e| invalid(format!("token response: {e}")))?;
    let token = parsed
        .token
        .or(parsed.access_token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid("token response without a token".into()))?;
    if token.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(invalid("token with spaces or control characters".into()));
    }
    // The spec's minimum is 60 s; a shorter lifetime means 60 s.
    let lifetime = parsed
        .expires_in
        .unwrap_or(DEFAULT_LIFETIME)
        .max(DEFAULT_LIFETIME);
    Ok((token, Duration::from_secs(lifetime)))
}

/// Percent-encodes a query value (everything but RFC 3986's unreserved characters).
pub(crate) fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(
            query_escape("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush"
        );
        assert_eq!(query_escape("plain-._~"), "plain-._~");
    }

    #[test]
    fn a_cached_token_is_reused_until_forgotten() {
        let cache = TokenCache::default();
        let scopes = vec!["repository:a:pull".to_string()];
        let mut fetches = 0;
        for _ in 0..3 {
            let token = cache
                .get_or_fetch(&scopes, || {
                    fetches += 1;
                    Ok(("t1".into(), Duration::from_secs(300)))
                })
                .unwrap();
            assert_eq!(token, "t1");
        }
        assert_eq!(fetches, 1);
        cache.forget(&scopes);
        cache
            .get_or_fetch(&scopes, || {
                fetches += 1;
                Ok(("t2".into(), Duration::from_secs(300)))
            })
            .unwrap();
        assert_eq!(fetches, 2);
    }

    #[test]
    fn a_token_about_to_expire_is_fetched_again() {
        let cache = TokenCache::default();
        let scopes = vec!["repository:a:pull".to_string()];
        let mut fetches = 0;
        for _ in 0..2 {
            cache
                .get_or_fetch(&scopes, || {
                    fetches += 1;
                    Ok(("t".into(), Duration::from_secs(5)))
                })
                .unwrap();
        }
        assert_eq!(fetches, 2);
    }
}
