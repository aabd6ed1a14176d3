//! Running the host's `docker-registry` on a free port of 127.0.0.1.

use super::tls::TestCa;
use super::token::TokenServer;
use crate::TempRoot;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The registry binary (Debian's `docker-registry`, distribution 2.8).
pub const REGISTRY_BINARY: &str = "/usr/bin/docker-registry";

/// How long [`TestRegistry::start`] waits for `/v2/` to answer.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// How a [`TestRegistry`] authenticates clients.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum RegistryAuth {
    /// Anyone may pull and push.
    #[default]
    None,
    /// HTTP Basic against an htpasswd file (bcrypt) holding one user.
    Htpasswd {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// Bearer tokens from a [`TokenServer`] (`auth.token`).
    Token {
        /// The token endpoint (`realm`).
        realm: String,
        /// The token audience (`service`).
        service: String,
        /// The trusted token issuer (`issuer`).
        issuer: String,
        /// The certificates that sign tokens (`rootcertbundle`).
        root_cert_bundle: PathBuf,
        /// The token server's credentials, for `skopeo --dest-creds`.
        credentials: Option<(String, String)>,
    },
}

/// How to run a [`TestRegistry`]: plain HTTP without authentication by default.
///
/// ```no_run
/// use libpod_testutil::registry::{RegistryOptions, TestCa, TestRegistry};
/// let tmp = libpod_testutil::TempRoot::new()?;
/// let ca = TestCa::generate(&tmp.path().join("ca"))?;
/// let registry = TestRegistry::start(RegistryOptions::default().tls(&ca).htpasswd("u", "p"))?;
/// assert!(registry.url().starts_with("https://127.0.0.1:"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    tls: Option<TestCa>,
    auth: RegistryAuth,
}

impl RegistryOptions {
    /// Serves HTTPS with the CA's server certificate (valid for 127.0.0.1 and localhost).
    pub fn tls(mut self, ca: &TestCa) -> Self {
        self.tls = Some(ca.clone());
        self
    }

    /// Requires HTTP Basic authentication as `user:password`.
    pub fn htpasswd(mut self, user: &str, password: &str) -> Self {
        self.auth = RegistryAuth::Htpasswd {
            user: user.to_string(),
            password: password.to_string(),
        };
        self
    }

    /// Requires Bearer tokens issued by `server`.
    pub fn token(mut self, server: &TokenServer) -> Self {
        self.auth = RegistryAuth::Token {
            realm: server.realm(),
            service: server.service().to_string(),
            issuer: server.issuer().to_string(),
            root_cert_bundle: server.root_cert_bundle(),
            credentials: server
                .credentials()
                .map(|(user, password)| (user.to_string(), password.to_string())),
        };
        self
    }
}

/// A running `docker-registry` with filesystem storage in a temporary directory, deletes
/// enabled, listening on `127.0.0.1:PORT` only.
///
/// Dropping it kills the registry (by PID), waits for it and removes the directory.
#[derive(Debug)]
pub struct TestRegistry {
    child: Child,
    port: u16,
    options: RegistryOptions,
    dir: TempRoot,
}

impl TestRegistry {
    /// Writes the configuration, starts the registry and waits (up to 10 s) until `/v2/`
    /// answers.
    ///
    /// # Errors
    /// When the registry cannot be started, exits, or does not answer in time; the error
    /// holds its stderr.
    pub fn start(options: RegistryOptions) -> io::Result<TestRegistry> {
        let mut dir = TempRoot::new()?;
        // Another process may take the port between our probe and the registry's bind.
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            let config = dir.path().join("config.yml");
            fs::write(&config, config_yaml(dir.path(), port, &options)?)?;
            let stderr = fs::File::create(dir.path().join("registry.log"))?;
            let child = Command::new(REGISTRY_BINARY)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .map_err(|err| {
                    io::Error::new(err.kind(), format!("running {REGISTRY_BINARY}: {err}"))
                })?;
            let mut registry = TestRegistry {
                child,
                port,
                options: options.clone(),
                dir,
            };
            match registry.wait_ready() {
                Ok(()) => return Ok(registry),
                Err(err) if registry.log().contains("address already in use") => {
                    last_error = Some(err);
                    registry.stop();
                    dir = TempRoot::new()?;
                    drop(registry);
                }
                Err(err) => return Err(err),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("registry did not start")))
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `127.0.0.1:PORT` as a socket address (for [`FaultProxy::start`](super::FaultProxy::start)).
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        let scheme = if self.is_tls() { "https" } else { "http" };
        format!("{scheme}://{}", self.host())
    }

    /// Whether it serves HTTPS.
    pub fn is_tls(&self) -> bool {
        self.options.tls.is_some()
    }

    /// The CA that signed its certificate, when it serves HTTPS.
    pub fn ca(&self) -> Option<&TestCa> {
        self.options.tls.as_ref()
    }

    /// How it authenticates clients.
    pub fn auth(&self) -> &RegistryAuth {
        &self.options.auth
    }

    /// The `user:password` a client needs (htpasswd, or the token server's), if any.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        match &self.options.auth {
            RegistryAuth::Htpasswd { user, password }
            | RegistryAuth::Token {
                credentials: Some((user, password)),
                ..
            } => Some((user, password)),
            _ => None,
        }
    }

    /// Lays out `dir/127.0.0.1:PORT/ca.crt` (the `certs.d` layout) and returns
    /// `dir/127.0.0.1:PORT`.
    ///
    /// # Errors
    /// When the registry does not serve HTTPS, or on any I/O error.
    pub fn certs_d(&self, dir: &Path) -> io::Result<PathBuf> {
        let ca = self.ca().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "registry does not serve TLS")
        })?;
        ca.certs_d(dir, &self.host())
    }

    /// The registry's temporary directory (config, storage under `data/`, `registry.log`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// What the registry wrote to stderr so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Polls `GET /v2/` until any HTTP answer comes (a TLS listener answers plain HTTP
    /// with 400, which is enough to know it is up).
    fn wait_ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(io::Error::other(format!(
                    "docker-registry exited ({status}): {}",
                    self.log().trim()
                )));
            }
            if answers_http(self.port) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "docker-registry on port {} did not answer /v2/ within {START_TIMEOUT:?}: {}",
                        self.port,
                        self.log().trim()
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Err(err) = self.child.kill()
            && err.kind() != io::ErrorKind::InvalidInput
        {
            eprintln!("TestRegistry: killing pid {}: {err}", self.child.id());
        }
        let _ = self.child.wait();
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port that was free a moment ago.
fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn answers_http(port: u16) -> bool {
    let attempt = || -> io::Result<bool> {
        let mut stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(1)))?;
        stream.write_all(b"GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut start = [0u8; 5];
        stream.read_exact(&mut start)?;
        Ok(&start == b"HTTP/")
    };
    attempt().unwrap_or(false)
}

/// The registry's `config.yml`; writes the htpasswd file beside it when needed.
fn config_yaml(dir: &Path, port: u16, options: &RegistryOptions) -> io::Result<String> {
    let data = dir.join("data");
    fs::create_dir_all(&data)?;
    let mut yaml = format!(
        "version: 0.1\n\
         log:\n  level: warn\n  accesslog:\n    disabled: true\n\
         storage:\n  filesystem:\n    rootdirectory: {data}\n  delete:\n    enabled: true\n\
         http:\n  addr: 127.0.0.1:{port}\n  secret: libpod-test-registry\n",
        data = data.display()
    );
    if let Some(ca) = &options.tls {
        yaml.push_str(&format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            ca.server_cert().display(),
            ca.server_key().display()
        ));
    }
    match &options.auth {
        RegistryAuth::None => {}
        RegistryAuth::Htpasswd { user, password } => {
            let hash = bcrypt::hash(password, 4)
                .map_err(|err| io::Error::other(format!("bcrypt: {err}")))?;
            let path = dir.join("htpasswd");
            fs::write(&path, format!("{user}:{hash}\n"))?;
            yaml.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: libpod-test-registry\n    path: {}\n",
                path.display()
            ));
        }
        RegistryAuth::Token {
            realm,
            service,
            issuer,
            root_cert_bundle,
            ..
        } => yaml.push_str(&format!(
            "auth:\n  token:\n    realm: {realm}\n    service: {service}\n    issuer: {issuer}\n    \
             rootcertbundle: {}\n",
            root_cert_bundle.display()
        )),
    }
    Ok(yaml)
}
