//! Both policies against every way out of a root: absolute links, `..` in links and in the
//! path, chains of links, and a symlinked intermediate directory.

use super::*;
use std::fs;
use std::os::unix::fs::symlink;

/// A host directory holding a secret, and a root beside it holding a decoy at the path the
/// secret has on the host: a resolution that stays inside the root reads the decoy.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    /// The host directory, absolute.
    host: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let host = dir.path().join("host");
        fs::create_dir_all(&host).unwrap();
        fs::write(host.join("secret"), "host").unwrap();
        let decoy = root.join(host.strip_prefix("/").unwrap());
        fs::create_dir_all(&decoy).unwrap();
        fs::write(decoy.join("secret"), "inside").unwrap();
        Fixture {
            _dir: dir,
            root,
            host,
        }
    }

    fn root(&self) -> Root {
        Root::open(&self.root).unwrap()
    }

    /// `../` enough times to climb from the root to `/`, and then some.
    fn climb(&self) -> String {
        "../".repeat(self.root.components().count() + 3)
    }

    fn host_relative(&self) -> String {
        self.host.strip_prefix("/").unwrap().display().to_string()
    }

    fn read(&self, rel: &str, policy: Policy) -> Result<Vec<u8>> {
        self.root().read_regular(rel, policy, 1024)
    }
}

fn refusal(result: Result<Vec<u8>>) -> String {
    match result {
        Err(err) => err
            .refusal()
            .unwrap_or_else(|| panic!("not a refusal: {err:?}")),
        Ok(bytes) => panic!("read {:?}", String::from_utf8_lossy(&bytes)),
    }
}

#[test]
fn an_absolute_link_resolves_inside_the_root_or_is_refused() {
    let fx = Fixture::new();
    symlink(fx.host.join("secret"), fx.root.join("abs")).unwrap();
    assert_eq!(fx.read("abs", Policy::InRoot).unwrap(), b"inside");
    assert_eq!(
        refusal(fx.read("abs", Policy::NoSymlinks)),
        "abs is a symbolic link, not a regular file"
    );
}

#[test]
fn a_link_climbing_with_dotdot_stops_at_the_root_or_is_refused() {
    let fx = Fixture::new();
    let target = format!("{}{}/secret", fx.climb(), fx.host_relative());
    symlink(target, fx.root.join("up")).unwrap();
    assert_eq!(fx.read("up", Policy::InRoot).unwrap(), b"inside");
    assert!(refusal(fx.read("up", Policy::NoSymlinks)).starts_with("up is a symbolic link"));
}

#[test]
fn dotdot_in_the_path_stops_at_the_root_or_is_refused() {
    let fx = Fixture::new();
    let rel = format!("{}{}/secret", fx.climb(), fx.host_relative());
    assert_eq!(fx.read(&rel, Policy::InRoot).unwrap(), b"inside");
    let err = fx.read(&rel, Policy::NoSymlinks).unwrap_err();
    assert!(matches!(err, FsError::OutsideRoot { .. }), "{err:?}");
    // An absolute path is as far out.
    let absolute = fx.host.join("secret");
    let err = fx
        .root()
        .read_regular(&absolute, Policy::NoSymlinks, 64)
        .unwrap_err();
    assert!(matches!(err, FsError::OutsideRoot { .. }), "{err:?}");
}

#[test]
fn a_chain_of_links_stays_inside_the_root_or_is_refused_at_its_first_link() {
    let fx = Fixture::new();
    fs::create_dir(fx.root.join("d")).unwrap();
    symlink("d/b", fx.root.join("a")).unwrap();
    symlink("/c", fx.root.join("d/b")).unwrap();
    symlink(
        format!("{}{}", fx.climb(), fx.host_relative()),
        fx.root.join("c"),
    )
    .unwrap();
    assert_eq!(fx.read("a/secret", Policy::InRoot).unwrap(), b"inside");
    assert_eq!(
        refusal(fx.read("a/secret", Policy::NoSymlinks)),
        "a is a symbolic link, not a directory"
    );
    assert_eq!(
        refusal(fx.read("d/b/secret", Policy::NoSymlinks)),
        "d/b is a symbolic link, not a directory"
    );
}

#[test]
fn a_symlinked_intermediate_directory_stays_inside_the_root_or_is_refused() {
    let fx = Fixture::new();
    symlink(&fx.host, fx.root.join("etc")).unwrap();
    assert_eq!(fx.read("etc/secret", Policy::InRoot).unwrap(), b"inside");
    assert_eq!(
        refusal(fx.read("etc/secret", Policy::NoSymlinks)),
        "etc is a symbolic link, not a directory"
    );
    let root = fx.root();
    let err = root.open_dir("etc", Policy::NoSymlinks).unwrap_err();
    assert_eq!(
        err.refusal().unwrap(),
        "etc is a symbolic link, not a directory"
    );
    // The directory opened in the root is the decoy's, not the host's.
    let inside = root.open_dir("etc", Policy::InRoot).unwrap();
    let secret = inside
        .read_regular("secret", Policy::NoSymlinks, 64)
        .unwrap();
    assert_eq!(secret, b"inside");
}

#[test]
fn a_file_in_the_middle_of_a_path_is_not_a_directory() {
    let fx = Fixture::new();
    fs::write(fx.root.join("file"), "x").unwrap();
    assert_eq!(
        refusal(fx.read("file/x", Policy::NoSymlinks)),
        "file is not a directory"
    );
    let err = fx.root().open_dir("file", Policy::NoSymlinks).unwrap_err();
    assert_eq!(err.refusal().unwrap(), "file is not a directory");
    // The refusal names the root too.
    assert!(
        err.to_string().contains(&fx.root.display().to_string()),
        "{err}"
    );
}

#[test]
fn a_missing_entry_is_the_system_calls_error_with_its_path() {
    let fx = Fixture::new();
    for policy in [Policy::InRoot, Policy::NoSymlinks] {
        match fx.read("missing/file", policy).unwrap_err() {
            FsError::Io { path, source, .. } => {
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
                assert_eq!(path, fx.root.join("missing/file"));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn open_at_gives_the_bare_errno() {
    let fx = Fixture::new();
    symlink(&fx.host, fx.root.join("etc")).unwrap();
    let root = fx.root();
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let beneath = open_at(root.as_fd(), Path::new("etc"), flags, Policy::NoSymlinks);
    assert_eq!(beneath.unwrap_err(), Errno::ELOOP);
    let out = open_at(root.as_fd(), Path::new(".."), flags, Policy::NoSymlinks);
    assert_eq!(out.unwrap_err(), Errno::EXDEV);
    assert!(open_at(root.as_fd(), Path::new("etc"), flags, Policy::InRoot).is_ok());
}

#[test]
fn magic_links_are_refused_by_both_policies() {
    let file = fs::File::open("/proc/self/status").unwrap();
    let rel = format!("fd/{}", std::os::fd::AsRawFd::as_raw_fd(&file));
    let proc_self = Root::open(Path::new("/proc/self")).unwrap();
    // In the root, links are followed but magic ones are not: the kernel's ELOOP.
    let err = proc_self
        .read_regular(&rel, Policy::InRoot, 1 << 20)
        .unwrap_err();
    let io: std::io::Error = err.into();
    assert_eq!(io.raw_os_error(), Some(nix::libc::ELOOP));
    // Without symlinks, it is one like any other.
    let err = proc_self
        .read_regular(&rel, Policy::NoSymlinks, 1 << 20)
        .unwrap_err();
    assert_eq!(
        err.refusal().unwrap(),
        format!("{rel} is a symbolic link, not a regular file")
    );
}

#[test]
fn ensure_dir_creates_what_is_missing_and_follows_no_symlink() {
    let fx = Fixture::new();
    let root = fx.root();
    let made = root.ensure_dir("blobs/sha256", 0o755).unwrap();
    assert_eq!(made.path(), fx.root.join("blobs/sha256"));
    assert!(fx.root.join("blobs/sha256").is_dir());
    // Again: present is fine.
    root.ensure_dir("blobs/sha256", 0o755).unwrap();
    symlink(&fx.host, fx.root.join("linked")).unwrap();
    let err = root.ensure_dir("linked/sub", 0o755).unwrap_err();
    assert_eq!(
        err.refusal().unwrap(),
        "linked is a symbolic link, not a directory"
    );
    assert!(!fx.host.join("sub").exists());
    let err = root.ensure_dir("../out", 0o755).unwrap_err();
    assert!(matches!(err, FsError::OutsideRoot { .. }), "{err:?}");
}
