//! The trust store lookup over fake root directories laid out as each distribution does.

use super::*;
use std::os::unix::fs::symlink;
use std::process::Command;
use tempfile::TempDir;

/// Two self-signed certificates made by the `openssl` CLI: `a.pem` and `b.pem`.
struct Certs {
    dir: TempDir,
}

impl Certs {
    fn new() -> Certs {
        let dir = TempDir::new().unwrap();
        for name in ["a", "b"] {
            let status = Command::new("openssl")
                .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
                .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
                .args(["-subj", &format!("/CN={name}")])
                .args([
                    "-keyout",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.pem"),
                ])
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(status.status.success(), "{status:?}");
        }
        Certs { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.pem"))
    }

    fn der(&self, name: &str) -> Vec<u8> {
        let path = self.path(name);
        read_certificates(&path, &fs::read(&path).unwrap()).unwrap()[0]
            .der()
            .to_vec()
    }

    /// Copies certificate `name` to `absolute` under `root`.
    fn place(&self, root: &Path, absolute: &str, name: &str) {
        let path = under(root, absolute);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::copy(self.path(name), path).unwrap();
    }
}

fn no_env(_: &str) -> Option<OsString> {
    None
}

fn ders(roots: &SystemRoots) -> Vec<Vec<u8>> {
    roots
        .certificates
        .iter()
        .map(|c| c.der().to_vec())
        .collect()
}

#[test]
fn each_distributions_bundle_is_found() {
    let certs = Certs::new();
    for bundle in [
        "/etc/ssl/certs/ca-certificates.crt",                // Debian
        "/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // RHEL 7+
        "/etc/ssl/ca-bundle.pem",                            // SUSE
        "/etc/ssl/cert.pem",                                 // Alpine
    ] {
        let root = TempDir::new().unwrap();
        certs.place(root.path(), bundle, "a");
        let roots = load_system_roots(root.path(), no_env).unwrap();
        assert_eq!(ders(&roots), [certs.der("a")], "{bundle}");
        assert_eq!(roots.searched.last(), Some(&under(root.path(), bundle)));
    }
}

#[test]
fn the_first_bundle_wins_and_its_directory_is_not_read_again() {
    let certs = Certs::new();
    let root = TempDir::new().unwrap();
    certs.place(root.path(), "/etc/ssl/certs/ca-certificates.crt", "a");
    certs.place(root.path(), "/etc/ssl/certs/extra.pem", "b");
    certs.place(root.path(), "/etc/ssl/cert.pem", "b");
    let roots = load_system_roots(root.path(), no_env).unwrap();
    assert_eq!(ders(&roots), [certs.der("a")]);
}

#[test]
fn without_a_bundle_the_certificate_directories_are_read() {
    // SLES 10/11: one file per CA, plus OpenSSL hash links that must not count twice.
    let certs = Certs::new();
    let root = TempDir::new().unwrap();
    certs.place(root.path(), "/etc/ssl/certs/a.pem", "a");
    certs.place(root.path(), "/etc/pki/tls/certs/b.pem", "b");
    fs::write(
        under(root.path(), "/etc/ssl/certs/README"),
        "not a certificate",
    )
    .unwrap();
    symlink("a.pem", under(root.path(), "/etc/ssl/certs/1234abcd.0")).unwrap();
    let roots = load_system_roots(root.path(), no_env).unwrap();
    assert_eq!(ders(&roots), [certs.der("a"), certs.der("b")]);
}

#[test]
fn ssl_cert_file_and_dir_are_honoured_as_go_does() {
    let certs = Certs::new();
    let root = TempDir::new().unwrap();
    certs.place(root.path(), "/etc/ssl/certs/ca-certificates.crt", "a");
    let dir_one = certs.dir.path().join("one");
    let dir_two = certs.dir.path().join("two");
    for (dir, name) in [(&dir_one, "a"), (&dir_two, "b")] {
        fs::create_dir(dir).unwrap();
        fs::copy(certs.path(name), dir.join("ca.pem")).unwrap();
    }
    let file = certs.path("b");
    let dirs = std::env::join_paths([&dir_one, &dir_two]).unwrap();
    // SSL_CERT_FILE replaces the bundles; SSL_CERT_DIR's directories are read as well.
    let roots = load_system_roots(root.path(), |name| match name {
        "SSL_CERT_FILE" => Some(file.clone().into()),
        "SSL_CERT_DIR" => Some(dirs.clone()),
        _ => None,
    })
    .unwrap();
    assert_eq!(ders(&roots), [certs.der("b"), certs.der("a")]);
    assert_eq!(roots.searched, [file, dir_one, dir_two]);
}

#[test]
fn an_empty_trust_store_is_no_error_here_but_lists_where_it_looked() {
    let root = TempDir::new().unwrap();
    let roots = load_system_roots(root.path(), no_env).unwrap();
    assert!(roots.certificates.is_empty());
    let expected: Vec<PathBuf> = SYSTEM_CA_BUNDLES
        .iter()
        .chain(SYSTEM_CA_DIRS)
        .map(|path| under(root.path(), path))
        .collect();
    assert_eq!(roots.searched, expected);
}
