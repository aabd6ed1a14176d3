//! A throwaway certificate authority, made with the `openssl` CLI.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How long the test certificates are valid: long enough for any test run.
const VALID_DAYS: &str = "2";

/// A CA (EC P-256 key and self-signed certificate) and a server certificate it signed, for
/// `127.0.0.1` and `localhost` (subject alternative names `IP:127.0.0.1`, `DNS:localhost`),
/// all as PEM files in one directory.
///
/// ```no_run
/// let tmp = libpod_testutil::TempRoot::new()?;
/// let ca = libpod_testutil::registry::TestCa::generate(tmp.path())?;
/// assert!(ca.ca_cert().exists() && ca.server_key().exists());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TestCa {
    dir: PathBuf,
}

impl TestCa {
    /// Generates the CA and the server certificate in `dir` (created if missing):
    /// `ca.crt`, `ca.key`, `server.crt`, `server.key`.
    ///
    /// # Errors
    /// When `openssl` is missing or fails (its stderr is in the error).
    pub fn generate(dir: &Path) -> io::Result<TestCa> {
        fs::create_dir_all(dir)?;
        self_signed_cert(dir, "ca", "libpod-test-ca", true)?;
        openssl(
            dir,
            &[
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        )?;
        fs::write(
            dir.join("server.ext"),
            "subjectAltName = IP:127.0.0.1, DNS:localhost\n\
             extendedKeyUsage = serverAuth\n\
             basicConstraints = critical, CA:FALSE\n",
        )?;
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                VALID_DAYS,
                "-extfile",
                "server.ext",
                "-out",
                "server.crt",
            ],
        )?;
        Ok(TestCa {
            dir: dir.to_path_buf(),
        })
    }

    /// The CA certificate (PEM): what clients must trust.
    pub fn ca_cert(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }

    /// The server certificate (PEM), signed by the CA.
    pub fn server_cert(&self) -> PathBuf {
        self.dir.join("server.crt")
    }

    /// The server certificate's private key (PEM).
    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server.key")
    }

    /// Lays out `dir/HOST/ca.crt` as `/etc/containers/certs.d` expects for a registry at
    /// `host` (`127.0.0.1:PORT`), and returns `dir/HOST`: the directory `skopeo
    /// --dest-cert-dir` takes.
    ///
    /// # Errors
    /// On any I/O error.
    pub fn certs_d(&self, dir: &Path, host: &str) -> io::Result<PathBuf> {
        let host_dir = dir.join(host);
        fs::create_dir_all(&host_dir)?;
        fs::copy(self.ca_cert(), host_dir.join("ca.crt"))?;
        Ok(host_dir)
    }
}

/// Writes `NAME.key` (EC P-256, PKCS#8 PEM) and a self-signed `NAME.crt` with common name
/// `cn` into `dir`; a CA certificate when `is_ca`.
pub(crate) fn self_signed_cert(dir: &Path, name: &str, cn: &str, is_ca: bool) -> io::Result<()> {
    let key = format!("{name}.key");
    let cert = format!("{name}.crt");
    let subject = format!("/CN={cn}");
    let constraints = if is_ca {
        "basicConstraints=critical,CA:TRUE"
    } else {
        "basicConstraints=critical,CA:FALSE"
    };
    let usage = if is_ca {
        "keyUsage=critical,keyCertSign,cRLSign"
    } else {
        "keyUsage=critical,digitalSignature"
    };
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-days",
            VALID_DAYS,
            "-subj",
            &subject,
            "-addext",
            constraints,
            "-addext",
            usage,
        ],
    )
    .map(drop)
}

/// Runs `openssl ARGS` in `dir`; its stderr goes into the error when it fails.
pub(crate) fn openssl(dir: &Path, args: &[&str]) -> io::Result<Vec<u8>> {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|err| io::Error::new(err.kind(), format!("running openssl: {err}")))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(io::Error::other(format!(
            "openssl {} failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}
