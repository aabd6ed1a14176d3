//! certs.d rules with certificates made by the `openssl` CLI, and real TLS handshakes with
//! `openssl s_server`.

use super::super::system_roots::SystemRoots;
use super::*;
use crate::registry::test_support::{ServerGuard, free_port};
use std::process::Command;
use tempfile::TempDir;

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA (`ca.crt`), a server certificate for 127.0.0.1 (`server.crt`, `server.key`) and a
/// client certificate (`client.crt`, `client.key`), all P-256, in `dir`.
fn make_pki(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=libpod test CA"];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.crt"]);
    ca.extend(["-addext", "basicConstraints=critical,CA:TRUE"]);
    ca.extend(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(dir, &ca);
    for (name, extensions) in [
        (
            "server",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        ),
        ("client", "extendedKeyUsage=clientAuth\n"),
    ] {
        let (key, csr, crt, ext) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
            format!("{name}.ext"),
        );
        fs::write(
            dir.join(&ext),
            format!("basicConstraints=CA:FALSE\n{extensions}"),
        )
        .unwrap();
        let subject = format!("/CN={name}");
        let mut req = vec!["req", "-new", "-subj", &subject];
        req.extend(ec);
        req.extend(["-keyout", &key, "-out", &csr]);
        openssl(dir, &req);
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-set_serial",
                "2",
                "-days",
                "2",
                "-out",
                &crt,
                "-extfile",
                &ext,
            ],
        );
    }
}

struct Fixture {
    tmp: TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = TempDir::new().unwrap();
        fs::create_dir(tmp.path().join("pki")).unwrap();
        make_pki(&tmp.path().join("pki"));
        Fixture { tmp }
    }
    fn pki(&self, name: &str) -> PathBuf {
        self.tmp.path().join("pki").join(name)
    }
    /// A certs.d directory (`certs-N`), with `files` (name in certs.d/HOST, PKI file) for
    /// `host`.
    fn certs_d(&self, n: u32, host: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.tmp.path().join(format!("certs-{n}"));
        let host_dir = dir.join(host);
        fs::create_dir_all(&host_dir).unwrap();
        for (name, source) in files {
            fs::copy(self.pki(source), host_dir.join(name)).unwrap();
        }
        dir
    }
}

fn der(path: &Path) -> Vec<u8> {
    let pem = fs::read(path).unwrap();
    read_certificates(path, &pem).unwrap()[0].der().to_vec()
}

fn root_ders(config: &TlsConfig) -> Vec<Vec<u8>> {
    match config.root_certs() {
        RootCerts::Specific(certs) => certs.iter().map(|c| c.der().to_vec()).collect(),
        other => panic!("unexpected roots {other:?}"),
    }
}

#[test]
fn default_certs_dirs_are_podmans() {
    assert_eq!(
        certs_dirs_for_home(Some(Path::new("/home/u"))),
        [
            "/home/u/.config/containers/certs.d",
            "/etc/containers/certs.d",
            "/etc/docker/certs.d"
        ]
        .map(PathBuf::from)
    );
    assert_eq!(default_certs_dirs().len(), 3);
}

#[test]
fn host_ca_is_added_to_system_roots_for_that_host_and_port_only() {
    let fixture = Fixture::new();
    let certs_d = fixture.certs_d(1, "127.0.0.1:5000", &[("ca.crt", "ca.crt")]);
    let system = system_roots().unwrap().certificates.len();
    let ca = der(&fixture.pki("ca.crt"));

    let config = tls_config("127.0.0.1:5000", std::slice::from_ref(&certs_d), false).unwrap();
    let roots = root_ders(&config);
    assert_eq!(roots.len(), system + 1);
    assert!(roots.contains(&ca));
    assert!(config.client_cert().is_none());
    assert!(!config.disable_verification());

    for other in ["127.0.0.1", "127.0.0.1:5001", "localhost:5000"] {
        let roots = root_ders(&tls_config(other, std::slice::from_ref(&certs_d), false).unwrap());
        assert_eq!(roots.len(), system, "{other}");
        assert!(!roots.contains(&ca), "{other}");
    }
}

#[test]
fn first_certs_dir_with_the_host_wins() {
    let fixture = Fixture::new();
    let empty = fixture.tmp.path().join("no-such-dir");
    let first = fixture.certs_d(1, "r.example", &[]);
    let second = fixture.certs_d(2, "r.example", &[("ca.crt", "ca.crt")]);
    let system = system_roots().unwrap().certificates.len();
    // containers/image reads only the first existing HOST directory, even if empty.
    let config = tls_config("r.example", &[empty.clone(), first, second.clone()], false).unwrap();
    assert_eq!(root_ders(&config).len(), system);
    let config = tls_config("r.example", &[empty, second], false).unwrap();
    assert_eq!(root_ders(&config).len(), system + 1);
}

#[test]
fn client_certificate_pairs() {
    let fixture = Fixture::new();
    let pair = fixture.certs_d(
        1,
        "h",
        &[("client.cert", "client.crt"), ("client.key", "client.key")],
    );
    let config = tls_config("h", &[pair], false).unwrap();
    let client = config.client_cert().expect("a client certificate");
    assert_eq!(client.certs()[0].der(), der(&fixture.pki("client.crt")));

    let lone_cert = fixture.certs_d(2, "h", &[("client.cert", "client.crt")]);
    match tls_config("h", std::slice::from_ref(&lone_cert), false) {
        Err(StorageError::Certificate { path, reason }) => {
            assert_eq!(path, lone_cert.join("h/client.cert"));
            assert!(reason.contains("client.key"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let lone_key = fixture.certs_d(3, "h", &[("client.key", "client.key")]);
    match tls_config("h", std::slice::from_ref(&lone_key), false) {
        Err(StorageError::Certificate { path, reason }) => {
            assert_eq!(path, lone_key.join("h/client.key"));
            assert!(reason.contains("client.cert"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // A key file without a key in it.
    let no_key = fixture.certs_d(4, "h", &[("c.cert", "client.crt"), ("c.key", "client.crt")]);
    assert!(matches!(
        tls_config("h", &[no_key], false),
        Err(StorageError::Certificate { path, .. }) if path.ends_with("h/c.key")
    ));
}

#[test]
fn bad_pem_is_an_error_naming_the_file() {
    let fixture = Fixture::new();
    let dir = fixture.certs_d(1, "h", &[]);
    let bad = dir.join("h/bad.crt");
    for content in [
        "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMIIB\n",
        "not a certificate\n",
    ] {
        fs::write(&bad, content).unwrap();
        match tls_config("h", std::slice::from_ref(&dir), false) {
            Err(StorageError::Certificate { path, .. }) => assert_eq!(path, bad),
            other => panic!("{content:?}: {other:?}"),
        }
    }
    // The system bundle too, when $SSL_CERT_FILE names a bad one.
    let roots_with = |file: &Path| {
        let file = file.as_os_str().to_owned();
        load_system_roots(Path::new("/nonexistent"), move |name| {
            (name == "SSL_CERT_FILE").then(|| file.clone())
        })
    };
    assert_eq!(roots_with(&bad).unwrap_err().0, bad);
    let missing = dir.join("missing.pem");
    assert_eq!(roots_with(&missing).unwrap_err().0, missing);
    assert!(
        !roots_with(&fixture.pki("ca.crt"))
            .unwrap()
            .certificates
            .is_empty()
    );
}

#[test]
fn no_trusted_certificate_at_all_is_an_error_unless_insecure() {
    let fixture = Fixture::new();
    let empty = SystemRoots::default();
    let dir = fixture.certs_d(1, "h:5000", &[("ca.crt", "ca.crt")]);
    let err = tls_config_with("other", std::slice::from_ref(&dir), false, &empty).unwrap_err();
    assert!(
        matches!(&err, StorageError::NoTrustedCertificates { registry, .. } if registry == "other"),
        "{err}"
    );
    // A certs.d CA is enough; insecure needs none.
    tls_config_with("h:5000", std::slice::from_ref(&dir), false, &empty).unwrap();
    tls_config_with("other", &[dir], true, &empty).unwrap();
}

#[test]
fn host_names_cannot_leave_certs_d() {
    for host in ["", ".", "..", "../etc", "a/b"] {
        assert!(matches!(
            tls_config(host, &[PathBuf::from("/etc/containers/certs.d")], false),
            Err(StorageError::InvalidValue { .. })
        ));
    }
}

#[test]
fn insecure_disables_verification() {
    let config = tls_config("h", &[], true).unwrap();
    assert!(config.disable_verification());
}

/// GET https://127.0.0.1:PORT/ with `config`; the status or the error's text.
fn get(config: TlsConfig, port: u16) -> Result<u16, String> {
    let agent = ureq::Agent::config_builder()
        .tls_config(config)
        .proxy(None)
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build()
        .new_agent();
    agent
        .get(format!("https://127.0.0.1:{port}/"))
        .call()
        .map(|response| response.status().as_u16())
        .map_err(|err| err.to_string())
}

fn s_server(fixture: &Fixture, port: u16, require_client_cert: bool) -> ServerGuard {
    let mut command = Command::new("openssl");
    command
        .arg("s_server")
        .arg("-accept")
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(fixture.pki("server.crt"))
        .arg("-key")
        .arg(fixture.pki("server.key"))
        .arg("-www");
    if require_client_cert {
        command
            .arg("-Verify")
            .arg("1")
            .arg("-CAfile")
            .arg(fixture.pki("ca.crt"));
    }
    ServerGuard::start(command, port)
}

#[test]
fn handshake_with_openssl_server() {
    let fixture = Fixture::new();
    let port = free_port();
    let _server = s_server(&fixture, port, false);
    let host = format!("127.0.0.1:{port}");
    let with_ca = fixture.certs_d(1, &host, &[("ca.crt", "ca.crt")]);
    let without = fixture.certs_d(2, "127.0.0.1", &[("ca.crt", "ca.crt")]);

    assert_eq!(
        get(tls_config(&host, &[with_ca], false).unwrap(), port),
        Ok(200)
    );
    let err = get(
        tls_config(&host, std::slice::from_ref(&without), false).unwrap(),
        port,
    )
    .unwrap_err();
    assert!(err.contains("UnknownIssuer"), "{err}");
    assert_eq!(
        get(tls_config(&host, &[without], true).unwrap(), port),
        Ok(200)
    );
}

#[test]
fn handshake_with_client_certificate() {
    let fixture = Fixture::new();
    let port = free_port();
    let _server = s_server(&fixture, port, true);
    let host = format!("127.0.0.1:{port}");
    let ca_only = fixture.certs_d(1, &host, &[("ca.crt", "ca.crt")]);
    let with_client = fixture.certs_d(
        2,
        &host,
        &[
            ("ca.crt", "ca.crt"),
            ("me.cert", "client.crt"),
            ("me.key", "client.key"),
        ],
    );
    assert_eq!(
        get(tls_config(&host, &[with_client], false).unwrap(), port),
        Ok(200)
    );
    assert!(get(tls_config(&host, &[ca_only], false).unwrap(), port).is_err());
}
