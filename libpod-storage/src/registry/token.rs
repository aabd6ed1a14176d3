//! Bearer tokens (the distribution token protocol): fetched from the challenge's realm for a
//! set of scopes, with the user's credentials when there are any, and cached per scope set
//! until shortly before they expire. Credentials with an identity token (an OAuth2 refresh
//! token, what `docker login` stores for some registries) get theirs with an OAuth2 POST
//! instead of a GET with the password.

use super::auth_file::Credentials;
use super::challenge::Challenge;
use super::client::{RegistryClient, basic_authorization};
use super::status::{
    failure_from_body_read, failure_from_response, failure_from_status, failure_from_transport,
};
use crate::error::{RegistryFailure, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ureq::Body;
use ureq::http::{Request, Response, StatusCode, header};

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

/// The `client_id` of OAuth2 token requests: containers/image's, so registries that tell
/// clients apart treat us as Podman.
const OAUTH2_CLIENT_ID: &str = "containers/image";

/// Asks the challenge's realm for a token covering `scopes`: with an OAuth2 POST exchanging
/// the credentials' identity token when they carry one, else with a GET (Basic credentials
/// if there are any), as containers/image does.
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
    let service = challenge.param("service").filter(|s| !s.is_empty());
    let params = service
        .map(|s| ("service", s))
        .into_iter()
        .chain(scopes.iter().map(|s| ("scope", s.as_str())));
    let identity_token = credentials
        .as_ref()
        .and_then(|c| c.identity_token.as_deref());
    let response = if let Some(refresh_token) = identity_token {
        // The realm's own query stays in the URL and is repeated in the form, as Go's
        // `URL.Query()` makes containers/image do.
        let mut form = realm.split_once('?').map_or("", |(_, q)| q).to_string();
        let oauth = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", OAUTH2_CLIENT_ID),
        ];
        append_params(&mut form, params.chain(oauth));
        tracing::debug!(%realm, ?scopes, "requesting an OAuth2 token with the identity token");
        let request = Request::post(realm)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .map_err(|e| invalid(format!("bad token realm {realm:?}: {e}")))?;
        client.with_retries(|| client.agent().run(request.clone()))
    } else {
        let mut url = realm.to_string();
        if !url.contains('?') {
            url.push('?');
        }
        // containers/image names the account too; some token servers scope by it.
        let account = credentials
            .as_ref()
            .map(|c| ("account", c.username.as_str()))
            .filter(|(_, user)| !user.is_empty());
        append_params(&mut url, params.chain(account));
        let mut request = Request::get(&url);
        if let Some(credentials) = &credentials {
            request = request.header(header::AUTHORIZATION, basic_authorization(credentials));
        }
        let request = request
            .body(())
            .map_err(|e| invalid(format!("bad token realm {realm:?}: {e}")))?;
        client.with_retries(|| client.agent().run(request.clone()))
    }
    .map_err(|e| client.error("token", reference, failure_from_transport(&e)))?;
    let status = response.status();
    if !status.is_success() {
        let failure = if identity_token.is_some() && status == StatusCode::BAD_REQUEST {
            oauth2_failure(response)
        } else {
            failure_from_response(response)
        };
        return Err(client.error("token", reference, failure));
    }
    let mut body = Vec::new();
    let read = response
        .into_body()
        .into_reader()
        .take(MAX_TOKEN_RESPONSE)
        .read_to_end(&mut body);
    if let Err(err) = read {
        let failure = failure_from_body_read(&err, body.len() as u64);
        return Err(client.error("token", reference, failure));
    }
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

/// Appends `name=value` pairs, escaped, to a query string or form body (`&` between pairs;
/// nothing before the first one when `out` is empty or ends in `?`).
fn append_params<'a>(out: &mut String, params: impl IntoIterator<Item = (&'a str, &'a str)>) {
    for (name, value) in params {
        if !(out.is_empty() || out.ends_with('?') || out.ends_with('&')) {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(&query_escape(value));
    }
}

/// OAuth2 errors in a 400 answer to a token POST (RFC 6749 section 5.2).
#[derive(Deserialize)]
struct OAuth2Error {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// The failure for a 400 answer to a token POST. RFC 6749 token servers refuse a bad,
/// expired or revoked refresh token with 400 `invalid_grant` (and an unknown client with
/// `invalid_client`): those mean the identity token does not authenticate us, so they are
/// [`RegistryFailure::Unauthorized`] as a 401 would be.
fn oauth2_failure(response: Response<Body>) -> RegistryFailure {
    let mut body = Vec::new();
    let _ = response
        .into_body()
        .into_reader()
        .take(MAX_TOKEN_RESPONSE)
        .read_to_end(&mut body);
    oauth2_failure_from_body(&body)
}

fn oauth2_failure_from_body(body: &[u8]) -> RegistryFailure {
    match serde_json::from_slice::<OAuth2Error>(body) {
        Ok(err) if matches!(err.error.as_str(), "invalid_grant" | "invalid_client") => {
            RegistryFailure::Unauthorized(if err.error_description.is_empty() {
                err.error
            } else {
                format!("{}: {}", err.error, err.error_description)
            })
        }
        _ => failure_from_status(StatusCode::BAD_REQUEST, None, body),
    }
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
#[path = "token_tests.rs"]
mod tests;
