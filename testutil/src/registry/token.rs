//! A Bearer token server for registry token authentication (the Docker token spec), in the
//! test process.

use super::accept::AcceptLoop;
use super::http::{Head, query_pairs, read_head};
use super::tls::{openssl, self_signed_cert};
use crate::TempRoot;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The largest OAuth2 form we read.
const MAX_FORM: usize = 64 * 1024;

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
    refresh_token: Option<String>,
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
            refresh_token: None,
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

    /// Serves OAuth2 `POST /token` (`grant_type=refresh_token`) for this refresh token (what
    /// `docker login` stores as `identitytoken`): a POST with it is granted as an
    /// authenticated GET would be, one with another gets 400 `invalid_grant` (RFC 6749).
    /// Without [`credentials`](Self::credentials), GET requests with Basic credentials are
    /// then refused (the server knows no password), and so are those without any unless
    /// [`anonymous_actions`](Self::anonymous_actions) is set.
    ///
    /// Without a refresh token, POST requests get 404, as from token servers without OAuth2.
    pub fn refresh_token(mut self, token: &str) -> Self {
        self.refresh_token = Some(token.to_string());
        self
    }

    /// The `service` (the token's audience) the registry must be configured with.
    pub fn service(mut self, service: &str) -> Self {
        self.service = service.to_string();
        self
    }
}

/// A token server on `127.0.0.1:PORT`, answering `GET /token?service=S&scope=...` (scopes
/// may repeat) with `{"token", "access_token", "expires_in"}`, and with a
/// [refresh token](TokenServerOptions::refresh_token) configured the OAuth2 form
/// `POST /token` (`grant_type=refresh_token`, `refresh_token`, `client_id`, `service`,
/// `scope`s, repeated or space-separated) likewise.
///
/// Tokens are ES256 JWTs signed by a key whose self-signed certificate is both in the
/// header's `x5c` and in [`root_cert_bundle`](Self::root_cert_bundle), which is how
/// registry 2.8 (`auth.token.rootcertbundle`) verifies them. Each response closes its
/// connection.
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
    oauth2: AtomicU64,
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
            oauth2: AtomicU64::new(0),
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

    /// How many token requests it received (GET and POST), whatever their outcome.
    pub fn total_requests(&self) -> u64 {
        self.state.total.load(Ordering::SeqCst)
    }

    /// How many of them were OAuth2 `POST /token` requests, whatever their outcome.
    pub fn oauth2_requests(&self) -> u64 {
        self.state.oauth2.load(Ordering::SeqCst)
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
        let oauth2 = method == "POST" && self.options.refresh_token.is_some();
        if !(method == "GET" || oauth2) || path != "/token" {
            return respond(&mut stream, "404 Not Found", "{\"errors\":[\"not found\"]}");
        }
        self.total.fetch_add(1, Ordering::SeqCst);
        let pairs = if oauth2 {
            self.oauth2.fetch_add(1, Ordering::SeqCst);
            let form = read_body(&stream, &head)?;
            if !head
                .header("content-type")
                .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
            {
                return respond_oauth2_error(&mut stream, "invalid_request");
            }
            query_pairs(&String::from_utf8_lossy(&form))
        } else {
            query_pairs(query)
        };
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        // OAuth2 scopes are space-separated (RFC 6749); containers/image repeats the field.
        let scopes: Vec<&str> = pairs
            .iter()
            .filter(|(key, _)| key == "scope")
            .flat_map(|(_, value)| value.split(' ').filter(|s| !s.is_empty()))
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
        if value("service").is_some_and(|service| service != self.options.service) {
            return respond(
                &mut stream,
                "400 Bad Request",
                "{\"errors\":[\"unknown service\"]}",
            );
        }
        let client = if oauth2 {
            if value("grant_type") != Some("refresh_token") {
                return respond_oauth2_error(&mut stream, "unsupported_grant_type");
            }
            if value("client_id").is_none_or(str::is_empty) {
                return respond_oauth2_error(&mut stream, "invalid_request");
            }
            if value("refresh_token") != self.options.refresh_token.as_deref() {
                return respond_oauth2_error(&mut stream, "invalid_grant");
            }
            Client::User("oauth2".to_string())
        } else {
            self.authenticate(head.header("authorization"))
        };
        let (subject, allowed) = match client {
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
            // Only the refresh token authenticates: no password is right.
            (None, Some(_)) if self.options.refresh_token.is_some() => Client::Rejected,
            (None, None) if self.options.refresh_token.is_some() => {
                if self.options.anonymous_actions.is_some() {
                    Client::Anonymous
                } else {
                    Client::Rejected
                }
            }
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

/// The request body: `Content-Length` bytes, or the chunks of a chunked one (Go's HTTP
/// client sends containers/image's form chunked). At most 64 KiB, far more than a form needs.
fn read_body(stream: impl Read, head: &Head) -> io::Result<Vec<u8>> {
    let too_large = || io::Error::new(io::ErrorKind::InvalidData, "form too large");
    let cut_short = || io::Error::new(io::ErrorKind::UnexpectedEof, "form cut short");
    let mut reader = BufReader::new(head.rest.as_slice().chain(stream));
    let mut body = Vec::new();
    let chunked = head
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"));
    if !chunked {
        let length: usize = head
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if length > MAX_FORM {
            return Err(too_large());
        }
        reader.take(length as u64).read_to_end(&mut body)?;
        return if body.len() == length {
            Ok(body)
        } else {
            Err(cut_short())
        };
    }
    loop {
        let mut size_line = String::new();
        reader.by_ref().take(1024).read_line(&mut size_line)?;
        let size = size_line.trim_end().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size.trim(), 16)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
        if body.len() + size > MAX_FORM {
            return Err(too_large());
        }
        let start = body.len();
        reader.by_ref().take(size as u64).read_to_end(&mut body)?;
        if body.len() - start != size {
            return Err(cut_short());
        }
        // The CRLF after the chunk, or after the (empty) trailers of the last one.
        let mut crlf = String::new();
        reader.by_ref().take(1024).read_line(&mut crlf)?;
        if size == 0 {
            return Ok(body);
        }
    }
}

/// An RFC 6749 error answer (400 with `{"error": code}`).
fn respond_oauth2_error(stream: &mut TcpStream, code: &str) -> io::Result<()> {
    let body = serde_json::json!({ "error": code });
    respond(stream, "400 Bad Request", &body.to_string())
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
    use super::{parse_scope, read_body};
    use crate::registry::http::read_head;

    fn body_of(request: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut reader = request;
        let head = read_head(&mut reader).unwrap().unwrap();
        read_body(reader, &head)
    }

    #[test]
    fn reads_sized_and_chunked_bodies() {
        let sized = b"POST /token HTTP/1.1\r\nContent-Length: 5\r\n\r\na=b&cEXTRA";
        assert_eq!(body_of(sized).unwrap(), b"a=b&c");
        let chunked = b"POST /token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
            3\r\na=b\r\n4;x=y\r\n&c=d\r\n0\r\n\r\n";
        assert_eq!(body_of(chunked).unwrap(), b"a=b&c=d");
        let short = b"POST /token HTTP/1.1\r\nContent-Length: 9\r\n\r\na=b";
        assert!(body_of(short).is_err());
        let cut = b"POST /token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n9\r\na=b";
        assert!(body_of(cut).is_err());
    }

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
