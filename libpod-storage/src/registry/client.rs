//! One registry host: its connection settings (TLS, plain HTTP for insecure registries), the
//! `/v2/` ping that learns how it authenticates, and requests with the right credentials.
//!
//! A client is cheap to share between threads (`Arc`): layer blobs are fetched in parallel
//! through one client, which keeps its pooled connections and bearer tokens.

use super::auth_file::Credentials;
use super::challenge::{Challenge, parse_challenges};
use super::status::{failure_from_response, failure_from_transport};
use super::token::TokenCache;
use super::{RegistryOptions, tls};
use crate::error::{RegistryFailure, Result, StorageError};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use ureq::config::RedirectAuthHeaders;
use ureq::http::{self, Method, Request, Response, StatusCode};
use ureq::{Agent, Body};

/// How the registry wants to be authenticated, learnt from its `/v2/` answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AuthScheme {
    /// `/v2/` answered 200: no authentication.
    None,
    /// HTTP Basic with the user's credentials.
    Basic,
    /// Bearer tokens from a token server.
    Bearer(Challenge),
}

/// What the ping learnt.
#[derive(Debug)]
struct Endpoint {
    base: String,
    auth: AuthScheme,
}

/// A connection to one registry host.
pub struct RegistryClient {
    registry: String,
    insecure: bool,
    agent: Agent,
    endpoint: OnceLock<Endpoint>,
    options: RegistryOptions,
    credentials: Mutex<HashMap<String, Option<Credentials>>>,
    tokens: TokenCache,
}

/// One request to the registry: method, path under the host, the repository it concerns (for
/// credentials and token scopes) and the actions it needs (`pull`, `pull,push`).
pub(crate) struct Call<'a> {
    pub method: Method,
    pub path: String,
    pub repository: &'a str,
    pub actions: &'a str,
    pub headers: Vec<(&'static str, String)>,
    /// Extra token scopes (a cross-repository mount also needs `pull` on the source).
    pub extra_scopes: Vec<String>,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, path: String, repository: &'a str, actions: &'a str) -> Self {
        Call {
            method,
            path,
            repository,
            actions,
            headers: Vec::new(),
            extra_scopes: Vec::new(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl RegistryClient {
    /// A client for `registry` (`HOST[:PORT]`). `insecure` allows plain HTTP and unverified TLS
    /// (registries.conf `insecure = true`, or `--tls-verify=false`).
    pub fn new(registry: &str, insecure: bool, options: &RegistryOptions) -> Result<Self> {
        let tls = tls::tls_config(registry, &options.certs_dirs, insecure)?;
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            // A peer that stops sending or reading mid-body must not hang a pull or push.
            .timeout_per_read(Some(options.io_timeout))
            .timeout_per_write(Some(options.io_timeout))
            .timeout_recv_body(options.body_timeout)
            .timeout_send_body(options.body_timeout)
            // Credentials stay with the registry: a redirect (to a CDN, say) gets none.
            .redirect_auth_headers(RedirectAuthHeaders::Never)
            .max_idle_connections_per_host(16)
            .user_agent(concat!("libpod-rs/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(RegistryClient {
            registry: registry.to_string(),
            insecure,
            agent: Agent::new_with_config(config),
            endpoint: OnceLock::new(),
            options: options.clone(),
            credentials: Mutex::new(HashMap::new()),
            tokens: TokenCache::default(),
        })
    }

    /// The registry host this client talks to.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// How many times a cut connection is retried.
    pub(crate) fn retries(&self) -> u32 {
        self.options.retries
    }

    /// A typed error about `reference` for `operation`.
    pub(crate) fn error(
        &self,
        operation: &'static str,
        reference: &str,
        failure: RegistryFailure,
    ) -> StorageError {
        StorageError::Registry {
            registry: self.registry.clone(),
            reference: reference.to_string(),
            operation,
            failure,
        }
    }

    /// Pings `/v2/` once (HTTPS first; plain HTTP too when insecure) and learns the auth scheme.
    pub fn ping(&self) -> Result<()> {
        self.endpoint().map(|_| ())
    }

    fn endpoint(&self) -> Result<&Endpoint> {
        if let Some(endpoint) = self.endpoint.get() {
            return Ok(endpoint);
        }
        let endpoint = self.discover()?;
        Ok(self.endpoint.get_or_init(|| endpoint))
    }

    fn discover(&self) -> Result<Endpoint> {
        let schemes: &[&str] = if self.insecure {
            &["https", "http"]
        } else {
            &["https"]
        };
        let mut last = None;
        for (i, scheme) in schemes.iter().enumerate() {
            let base = format!("{scheme}://{}", self.registry);
            let request = Request::get(format!("{base}/v2/"))
                .body(())
                .expect("a valid request");
            // With another scheme left to try, a failure moves on at once.
            let attempt = if i + 1 < schemes.len() {
                self.agent.run(request)
            } else {
                self.with_retries(|| self.agent.run(request.clone()))
            };
            match attempt {
                Ok(response) => return self.endpoint_from_ping(base, response),
                Err(err) => {
                    tracing::debug!(registry = %self.registry, scheme, error = %err, "ping failed");
                    last = Some(err);
                }
            }
        }
        let err = last.expect("at least one scheme is tried");
        Err(self.error("ping", "/v2/", failure_from_transport(&err)))
    }

    fn endpoint_from_ping(&self, base: String, response: Response<Body>) -> Result<Endpoint> {
        let auth = match response.status() {
            status if status.is_success() => AuthScheme::None,
            StatusCode::UNAUTHORIZED => {
                let challenges = www_authenticate(&response);
                if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
                    AuthScheme::Bearer(bearer.clone())
                } else if challenges.iter().any(|c| c.scheme == "basic") {
                    AuthScheme::Basic
                } else {
                    return Err(self.error(
                        "ping",
                        "/v2/",
                        RegistryFailure::InvalidResponse(
                            "401 without a Basic or Bearer challenge".into(),
                        ),
                    ));
                }
            }
            _ => return Err(self.error("ping", "/v2/", failure_from_response(response))),
        };
        tracing::debug!(registry = %self.registry, %base, ?auth, "registry endpoint");
        Ok(Endpoint { base, auth })
    }

    /// The credentials for `repository`: the explicit ones, else the auth files' (looked up
    /// once per repository).
    pub(crate) fn credentials(&self, repository: &str) -> Result<Option<Credentials>> {
        if let Some(explicit) = &self.options.credentials {
            return Ok(Some(explicit.clone()));
        }
        let mut cache = self.credentials.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = cache.get(repository) {
            return Ok(found.clone());
        }
        let found = self
            .options
            .auth_files()
            .lookup(&self.registry, repository)?;
        cache.insert(repository.to_string(), found.clone());
        Ok(found)
    }

    /// Sends `call` with the right credentials: on a 401 with a cached token, the token is
    /// dropped and the call made once more with a fresh one. Statuses are not judged here.
    ///
    /// `body` makes the request body afresh for every attempt. A `path` that is a whole URL
    /// (upload locations) is used as it is, and gets credentials only when it is on the
    /// registry's own origin (scheme, host and port): an upload URL on another host, or on
    /// plain HTTP where the registry answered HTTPS, gets no `Authorization`, as Docker
    /// authenticates only the hosts it has pinged.
    pub(crate) fn send<B: ureq::AsSendBody>(
        &self,
        call: &Call<'_>,
        mut body: impl FnMut() -> Result<B>,
    ) -> Result<Response<Body>> {
        let endpoint = self.endpoint()?;
        let url = if call.path.starts_with("https://") || call.path.starts_with("http://") {
            call.path.clone()
        } else {
            format!("{}{}", endpoint.base, call.path)
        };
        let authenticate = same_origin(&endpoint.base, &url);
        if !authenticate {
            tracing::debug!(registry = %self.registry, %url, "not sending credentials off the registry's origin");
        }
        let mut refreshed = false;
        loop {
            let mut builder = Request::builder().method(call.method.clone()).uri(&url);
            for (name, value) in &call.headers {
                builder = builder.header(*name, value);
            }
            if authenticate && let Some(authorization) = self.authorization(&endpoint.auth, call)? {
                builder = builder.header(http::header::AUTHORIZATION, authorization);
            }
            let request = builder.body(()).map_err(|e| {
                self.error(
                    "request",
                    call.repository,
                    RegistryFailure::InvalidResponse(format!("bad request URL {url}: {e}")),
                )
            })?;
            let mut tries = 0;
            let response = loop {
                let (parts, ()) = request.clone().into_parts();
                match self.agent.run(Request::from_parts(parts, body()?)) {
                    Ok(response) => break response,
                    Err(err) if tries < self.options.retries && is_transient(&err) => {
                        tries += 1;
                        tracing::debug!(registry = %self.registry, error = %err, tries, "retrying");
                        std::thread::sleep(backoff(tries));
                    }
                    Err(err) => {
                        let failure = failure_from_transport(&err);
                        return Err(self.error("request", call.repository, failure));
                    }
                }
            };
            if response.status() == StatusCode::UNAUTHORIZED
                && authenticate
                && !refreshed
                && matches!(endpoint.auth, AuthScheme::Bearer(_))
            {
                refreshed = true;
                self.tokens.forget(&scopes(call));
                continue;
            }
            return Ok(response);
        }
    }

    fn authorization(&self, auth: &AuthScheme, call: &Call<'_>) -> Result<Option<String>> {
        match auth {
            AuthScheme::None => Ok(None),
            AuthScheme::Basic => Ok(self
                .credentials(call.repository)?
                .map(|c| basic_authorization(&c))),
            AuthScheme::Bearer(challenge) => {
                let scopes = scopes(call);
                let token = self.tokens.get_or_fetch(&scopes, || {
                    super::token::fetch(
                        self,
                        challenge,
                        &scopes,
                        self.credentials(call.repository)?,
                    )
                })?;
                Ok(Some(format!("Bearer {token}")))
            }
        }
    }

    /// Runs `attempt`, retrying transport errors (not statuses) with a short backoff.
    pub(crate) fn with_retries<T>(
        &self,
        mut attempt: impl FnMut() -> std::result::Result<T, ureq::Error>,
    ) -> std::result::Result<T, ureq::Error> {
        let mut tries = 0;
        loop {
            match attempt() {
                Err(err) if tries < self.options.retries && is_transient(&err) => {
                    tries += 1;
                    tracing::debug!(registry = %self.registry, error = %err, tries, "retrying");
                    std::thread::sleep(backoff(tries));
                }
                other => return other,
            }
        }
    }

    pub(crate) fn agent(&self) -> &Agent {
        &self.agent
    }
}

/// Whether `url` has the scheme, host and port of `base` (`scheme://host[:port]`), default
/// ports counted: the only place credentials go.
fn same_origin(base: &str, url: &str) -> bool {
    let origin = |text: &str| {
        let uri: http::Uri = text.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let port = uri.port_u16().or(match scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        })?;
        Some((scheme, uri.host()?.to_ascii_lowercase(), port))
    };
    matches!((origin(base), origin(url)), (Some(a), Some(b)) if a == b)
}

/// The token scopes a call needs.
fn scopes(call: &Call<'_>) -> Vec<String> {
    let mut scopes = vec![format!("repository:{}:{}", call.repository, call.actions)];
    scopes.extend(call.extra_scopes.iter().cloned());
    scopes
}

pub(crate) fn basic_authorization(credentials: &Credentials) -> String {
    use base64::Engine as _;
    let pair = format!("{}:{}", credentials.username, credentials.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

pub(crate) fn www_authenticate(response: &Response<Body>) -> Vec<Challenge> {
    response
        .headers()
        .get_all(http::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(parse_challenges)
        .collect()
}

/// Connection-level failures worth another try: resets, cuts and timeouts. A refused
/// connection, a TLS failure or a plain-HTTP answer to HTTPS are not.
fn is_transient(err: &ureq::Error) -> bool {
    use std::io::ErrorKind::*;
    match err {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof | TimedOut
        ),
        _ => false,
    }
}

/// 100 ms, 200 ms, 400 ms, ... capped at 2 s.
pub(crate) fn backoff(tries: u32) -> Duration {
    Duration::from_millis((100u64 << tries.min(5).saturating_sub(1)).min(2000))
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn credentials_stay_on_the_registry_origin() {
        let base = "https://registry.example:5000";
        for (url, same) in [
            (
                "https://registry.example:5000/v2/x/blobs/uploads/u?_state=s",
                true,
            ),
            ("https://REGISTRY.example:5000/v2/", true),
            ("https://registry.example:5001/v2/x/blobs/uploads/u", false),
            ("https://storage.example:5000/upload", false),
            ("http://registry.example:5000/v2/", false),
            ("not a url", false),
        ] {
            assert_eq!(same_origin(base, url), same, "{url}");
        }
        // Default ports count: 443 for https, 80 for http.
        assert!(same_origin("https://quay.io", "https://quay.io:443/v2/"));
        assert!(same_origin("http://127.0.0.1", "http://127.0.0.1:80/v2/"));
        // A downgrade to plain HTTP is another origin even on the same host and port.
        assert!(!same_origin("https://quay.io", "http://quay.io:443/v2/"));
    }
}
