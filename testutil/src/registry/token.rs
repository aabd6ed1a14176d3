//! A Bearer token server for registry token authentication (the Docker token spec), in the
//! test process.

use super::accept::AcceptLoop;
use super::http::{query_pairs, read_head};
use super::tls::{openssl, self_signed_cert};
use crate::TempRoot;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a token is valid, in seconds (`expires_in`).
pub const TOKEN_LIFETIME_SECS: u64 = 300;

/// What a [`TokenServer`] accepts and grants.
///
/// ```
/// use libpod_testutil::registry::TokenServerOptions;
/// // user/secret may pull and push; anonymous clients may only pull.
/// let options = TokenServerOptions::default()
///     .credentials("user", "secret")
///     .anonymous_actions(&["pull"]);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct TokenServerOptions {
    service: String,
    issuer: String,
    credentials: Option<(String, String)>,
    granted_actions: Option<Vec<String>>,
    anonymous_actions: Option<Vec<String>>,
}

impl Default for TokenServerOptions {
    /// Service `libpod-test-registry`, issuer `libpod-test-token-issuer`, no credentials
    /// (every client gets what it asks for).
    fn default() -> Self {
        TokenServerOptions {
            service: "libpod-test-registry".to_string(),
            issuer: "libpod-test-token-issuer".to_string(),
            credentials: None,
            granted_actions: None,
            anonymous_actions: None,
        }
    }
}

impl TokenServerOptions {
    /// Requires Basic credentials `user:password`: wrong ones get 401, and so do requests
    /// without any unless [`anonymous_actions`](Self::anonymous_actions) is set.
    pub fn credentials(mut self, user: &str, password: &str) -> Self {
        self.credentials = Some((user.to_string(), password.to_string()));
        self
    }

    /// Grants authenticated clients (all clients when no credentials are configured) at most
    /// these actions of those they request (default: all they request).
    pub fn granted_actions(mut self, actions: &[&str]) -> Self {
        self.granted_actions = Some(actions.iter().map(ToString::to_string).collect());
        self
    }

    /// With credentials configured, gives clients that send none a token with at most these
    /// actions (default: they get 401).
    pub fn anonymous_actions(mut self, actions: &[&str]) -> Self {
        self.anonymous_actions = Some(actions.iter().map(ToString::to_string).collect());
        self
    }

    /// The `service` (the token's audience) the registry must be configured with.
    pub fn service(mut self, service: &str) -> Self {
        self.service = service.to_string();
        self
    }
}

/// A token server on `127.0.0.1:PORT`, answering `GET /token?service=S&scope=...` (scopes
/// may repeat) with `{"token", "access_token", "expires_in", "issued_at"}`.
///
/// Tokens are ES256 JWTs signed by a key whose self-signed certificate is both in the
/// header's `x5c` and in [`root_cert_bundle`](Self::root_cert_bundle), which is how
/// registry 2.8 (`auth.token.rootcertbundle`) verifies them. Each response closes its
/// connection. Only `GET` is served (no OAuth2 `POST`).
///
/// ```no_run
/// use libpod_testutil::registry::{RegistryOptions, TestRegistry, TokenServer, TokenServerOptions};
/// let tokens = TokenServer::start(TokenServerOptions::default().credentials("u", "p"))?;
/// let registry = TestRegistry::start(RegistryOptions::default().token(&tokens))?;
/// // ... pull from registry.host() ...
/// assert!(tokens.requests_for_scope("repository:busybox:pull") <= 1);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TokenServer {
    // Field order: stop accepting before the key directory goes.
    accept: AcceptLoop,
    state: Arc<State>,
    dir: TempRoot,
}

#[derive(Debug)]
struct State {
    options: TokenServerOptions,
    key: EcdsaKeyPair,
    cert_der_b64: String,
    rng: SystemRandom,
    requests_by_scope: Mutex<HashMap<String, usize>>,
    total: AtomicU64,
    issued: AtomicU64,
}

impl TokenServer {
    /// Generates the signing key and certificate (with `openssl`) and starts serving.
    ///
    /// # Errors
    /// When `openssl` fails, the key cannot be loaded, or no port can be bound.
    pub fn start(options: TokenServerOptions) -> io::Result<TokenServer> {
        let dir = TempRoot::new()?;
        self_signed_cert(dir.path(), "token", "libpod-test-token-signer", false)?;
        let key_der = openssl(
            dir.path(),
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                "token.key",
                "-outform",
                "DER",
            ],
        )?;
        let cert_der = openssl(dir.path(), &["x509", "-in", "token.crt", "-outform", "DER"])?;
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &key_der, &rng)
            .map_err(|err| io::Error::other(format!("loading the token key: {err}")))?;
        let state = Arc::new(State {
            options,
            key,
            cert_der_b64: STANDARD.encode(cert_der),
            rng,
            requests_by_scope: Mutex::new(HashMap::new()),
            total: AtomicU64::new(0),
            issued: AtomicU64::new(0),
        });
        let handler_state = Arc::clone(&state);
        let accept = AcceptLoop::start("token-server", move |stream| {
            if let Err(err) = handler_state.serve(stream) {
                eprintln!("token server: {err}");
            }
        })?;
        Ok(TokenServer { accept, state, dir })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.accept.addr()
    }

    /// The realm for the registry's `WWW-Authenticate`: `http://127.0.0.1:PORT/token`.
    pub fn realm(&self) -> String {
        format!("http://{}/token", self.addr())
    }

    /// The service name (the tokens' audience).
    pub fn service(&self) -> &str {
        &self.state.options.service
    }

    /// The issuer (`iss`) of the tokens.
    pub fn issuer(&self) -> &str {
        &self.state.options.issuer
    }

    /// The configured credentials, if any.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        let (user, password) = self.state.options.credentials.as_ref()?;
        Some((user, password))
    }

    /// The PEM certificate bundle the registry must trust (`rootcertbundle`).
    pub fn root_cert_bundle(&self) -> PathBuf {
        self.dir.path().join("token.crt")
    }

    /// How many token requests named exactly this scope (e.g.
    /// `repository:busybox:pull`), whatever their outcome; requests without a scope count
    /// under `""`.
    pub fn requests_for_scope(&self, scope: &str) -> usize {
        let counts = lock(&self.state.requests_by_scope);
        counts.get(scope).copied().unwrap_or(0)
    }

    /// How many token requests it received, whatever their outcome.
    pub fn total_requests(&self) -> u64 {
        self.state.total.load(Ordering::SeqCst)
    }

    /// How many tokens it issued.
    pub fn tokens_issued(&self) -> u64 {
        self.state.issued.load(Ordering::SeqCst)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whom a request authenticated as.
enum Client {
    User(String),
    Anonymous,
    Rejected,
}

impl State {
    fn serve(&self, mut stream: TcpStream) -> io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let Some(head) = read_head(&mut stream)? else {
            return Ok(());
        };
        let mut parts = head.start_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if method != "GET" || path != "/token" {
            return respond(&mut stream, "404 Not Found", "{\"errors\":[\"not found\"]}");
        }
        self.total.fetch_add(1, Ordering::SeqCst);
        let pairs = query_pairs(query);
        let scopes: Vec<&str> = pairs
            .iter()
            .filter(|(key, _)| key == "scope")
            .map(|(_, value)| value.as_str())
            .collect();
        {
            let mut counts = lock(&self.requests_by_scope);
            if scopes.is_empty() {
                *counts.entry(String::new()).or_default() += 1;
            }
            for scope in &scopes {
                *counts.entry((*scope).to_string()).or_default() += 1;
            }
        }
        let service = pairs.iter().find(|(key, _)| key == "service");
        if service.is_some_and(|(_, value)| *value != self.options.service) {
            return respond(
                &mut stream,
                "400 Bad Request",
                "{\"errors\":[\"unknown service\"]}",
            );
        }
        let (subject, allowed) = match self.authenticate(head.header("authorization")) {
            Client::Rejected => {
                return respond(
                    &mut stream,
                    "401 Unauthorized",
                    "{\"errors\":[\"invalid credentials\"]}",
                );
            }
            Client::User(user) => (user, self.options.granted_actions.as_ref()),
            Client::Anonymous => (String::new(), self.options.anonymous_actions.as_ref()),
        };
        let access: Vec<serde_json::Value> = scopes
            .iter()
            .filter_map(|scope| parse_scope(scope))
            .map(|(kind, name, actions)| {
                let granted: Vec<&str> = actions
                    .into_iter()
                    .filter(|action| allowed.is_none_or(|list| list.iter().any(|a| a == action)))
                    .collect();
                serde_json::json!({"type": kind, "name": name, "actions": granted})
            })
            .collect();
        let token = self.sign(&subject, access)?;
        self.issued.fetch_add(1, Ordering::SeqCst);
        let body = serde_json::json!({
            "token": token,
            "access_token": token,
            "expires_in": TOKEN_LIFETIME_SECS,
        });
        respond(&mut stream, "200 OK", &body.to_string())
    }

    fn authenticate(&self, authorization: Option<&str>) -> Client {
        let basic = authorization
            .and_then(|value| value.strip_prefix("Basic "))
            .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
            .and_then(|decoded| String::from_utf8(decoded).ok());
        match (&self.options.credentials, basic) {
            (Some((user, password)), Some(sent)) => {
                if sent == format!("{user}:{password}") {
                    Client::User(user.clone())
                } else {
                    Client::Rejected
                }
            }
            (Some(_), None) if self.options.anonymous_actions.is_none() => Client::Rejected,
            (Some(_), None) => Client::Anonymous,
            (None, Some(sent)) => Client::User(
                sent.split_once(':')
                    .map_or(sent.clone(), |(u, _)| u.to_string()),
            ),
            (None, None) => Client::User(String::new()),
        }
    }

    fn sign(&self, subject: &str, access: Vec<serde_json::Value>) -> io::Result<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(io::Error::other)?
            .as_secs();
        let serial = self.issued.load(Ordering::SeqCst);
        let header = serde_json::json!({
            "typ": "JWT",
            "alg": "ES256",
            "x5c": [self.cert_der_b64],
        });
        let claims = serde_json::json!({
            "iss": self.options.issuer,
            "sub": subject,
            "aud": self.options.service,
            "exp": now + TOKEN_LIFETIME_SECS,
            "nbf": now.saturating_sub(5),
            "iat": now,
            "jti": format!("libpod-test-{now}-{serial}"),
            "access": access,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .key
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|err| io::Error::other(format!("signing a token: {err}")))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }
}

/// Splits `TYPE:NAME:ACTION,ACTION` (the name may hold colons, e.g. a port).
fn parse_scope(scope: &str) -> Option<(&str, &str, Vec<&str>)> {
    let (kind, rest) = scope.split_once(':')?;
    let (name, actions) = rest.rsplit_once(':')?;
    Some((
        kind,
        name,
        actions.split(',').filter(|a| !a.is_empty()).collect(),
    ))
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::parse_scope;

    #[test]
    fn parses_scopes() {
        assert_eq!(
            parse_scope("repository:library/busybox:pull,push"),
            Some(("repository", "library/busybox", vec!["pull", "push"]))
        );
        assert_eq!(
            parse_scope("registry:catalog:*"),
            Some(("registry", "catalog", vec!["*"]))
        );
        assert_eq!(parse_scope("nonsense"), None);
    }
}
