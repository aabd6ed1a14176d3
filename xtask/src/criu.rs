//! A CRIU that works on this kernel, for checkpoint and restore (runc runs `criu` from PATH).
//!
//! Debian 12's CRIU 3.17 fails its own `criu check` on newer kernels (Linux 6.18: "vdso:
//! Failed to fill self vdso symtable"). When the host's CRIU fails, CRIU 4.1.1 is built from
//! Debian trixie's source tarball (fetched from the Debian archive, its SHA-256 pinned) into
//! `target/host-tools/`, once, and `cargo xtask test` puts its directory first on PATH.
//!
//! One upstream fix is applied first, from `xtask/patches/` (its SHA-256 pinned too): CRIU
//! commit 4b73985955ecc01604d8ed1247605a5875042e4c ("criu/sockets: Restrict SO_PASSCRED and
//! SO_PASSSEC to supported families", fixing checkpoint-restore/criu issue 2705, released in
//! CRIU 4.2). Linux 6.16+ refuses those options on IP sockets, so 4.1.1 as released cannot
//! dump a TCP socket there (`--tcp-established`). (Both 4.1.1 and 4.2 log "Can't setup
//! RLIMIT_NOFILE for self" where CAP_SYS_RESOURCE is missing, as on this VM, and go on: the
//! message is not why a restore fails.)

use crate::{Result, check, show, workspace_root};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The CRIU release built, Debian trixie's.
const VERSION: &str = "4.1.1";
/// Its upstream tarball in the Debian archive.
const TARBALL_URL: &str = "http://deb.debian.org/debian/pool/main/c/criu/criu_4.1.1.orig.tar.xz";
/// The tarball's SHA-256, as trixie's Sources index lists it.
const TARBALL_SHA256: &str = "f80a66cb3726bb2116266d4759ce3bcbfab7abdb6b6d430bf20dd41911717afe";
/// Upstream fixes applied to the unpacked source, in order: each a `git format-patch` of a
/// CRIU commit, in `xtask/patches/`, with its SHA-256.
const PATCHES: &[(&str, &str)] = &[(
    "criu-4.1.1-so-passcred-family.patch",
    "6712a7b1e5842da493c5a1cd4b2c122d0f37b740d706d287d241fd62b0dd0af4",
)];
/// The build's name under `target/host-tools/`: a new one whenever the patches change, so
/// that a CRIU built without them is not taken for one built with them.
const BUILD_NAME: &str = "criu-4.1.1-issue2705";

/// Makes sure a CRIU that passes `criu check` is at hand: `None` when the host's does, else
/// the directory of one built here, to put first on PATH. A build that fails, or a CRIU that still fails its check, is reported and `None`
/// returned: checkpoint tests then fail with CRIU's own words, which say why.
pub fn ensure() -> Result<Option<PathBuf>> {
    if passes_check(Path::new("criu")) {
        return Ok(None);
    }
    let dir = tools_dir();
    let built = dir.join("criu");
    if !built.exists() {
        eprintln!(
            "xtask: the host's CRIU fails `criu check`; building CRIU {VERSION} with {} upstream fix(es)",
            PATCHES.len()
        );
        build(&dir)?;
    }
    if passes_check(&built) {
        Ok(Some(dir))
    } else {
        eprintln!(
            "xtask: CRIU {VERSION} at {} fails `criu check` too: checkpoint and restore will \
             report why",
            built.display()
        );
        Ok(None)
    }
}

/// PATH with `dir` first.
pub fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut parts = vec![dir.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(parts).expect("PATH entries have no colon")
}

/// Where the built CRIU goes.
fn tools_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from);
    target.join("host-tools").join(BUILD_NAME)
}

/// Whether `criu check` passes with this binary.
fn passes_check(criu: &Path) -> bool {
    Command::new(criu)
        .arg("check")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Fetches, verifies, unpacks and builds CRIU; its binary ends as `dir/criu`.
fn build(dir: &Path) -> Result {
    let work = dir.with_file_name(format!("{BUILD_NAME}-build"));
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    let tarball = work.join("criu.tar.xz");
    run(Command::new("curl")
        .args(["-fsSL", "--retry", "3", "-o"])
        .arg(&tarball)
        .arg(TARBALL_URL))?;
    verify(&tarball, TARBALL_SHA256).map_err(|err| format!("{TARBALL_URL}: {err}"))?;
    run(Command::new("tar")
        .arg("-xf")
        .arg(&tarball)
        .arg("-C")
        .arg(&work))?;
    let source = work.join(format!("criu-{VERSION}"));
    for (name, digest) in PATCHES {
        let patch = workspace_root().join("xtask/patches").join(name);
        verify(&patch, digest)?;
        run(Command::new("patch")
            .args(["-p1", "--forward", "--batch", "-i"])
            .arg(&patch)
            .current_dir(&source))?;
    }
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    // Only the binary: no docs, no Python tools.
    run(Command::new("make")
        .arg(format!("-j{jobs}"))
        .arg("criu")
        .current_dir(&source))?;
    std::fs::create_dir_all(dir)?;
    std::fs::copy(source.join("criu/criu"), dir.join("criu"))?;
    std::fs::remove_dir_all(&work)?;
    Ok(())
}

/// Runs `command` as [`step`](crate::step) does, its header on stderr: `cargo xtask criu`'s
/// stdout is the directory alone.
fn run(command: &mut Command) -> Result {
    let shown = show(command);
    eprintln!("==> {shown}");
    let status = command
        .stdout(Stdio::null())
        .status()
        .map_err(|err| format!("running {shown}: {err}"))?;
    check(&shown, status)
}

/// Fails unless `file`'s SHA-256 is `expected`.
fn verify(file: &Path, expected: &str) -> Result {
    let digest = sha256(file)?;
    if digest == expected {
        Ok(())
    } else {
        Err(format!("{}: SHA-256 {digest}, expected {expected}", file.display()).into())
    }
}

/// The hex SHA-256 of `file`, by coreutils' `sha256sum`.
fn sha256(file: &Path) -> Result<String> {
    let output = Command::new("sha256sum").arg(file).output()?;
    if !output.status.success() {
        return Err(format!("sha256sum {}: {}", file.display(), output.status).into());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_criu_comes_first_on_path() {
        let path = path_with(Path::new("/opt/criu"));
        let first = std::env::split_paths(&path).next();
        assert_eq!(first.as_deref(), Some(Path::new("/opt/criu")));
    }

    #[test]
    fn the_patches_are_the_pinned_ones() {
        for (name, digest) in PATCHES {
            let patch = workspace_root().join("xtask/patches").join(name);
            verify(&patch, digest).unwrap();
        }
    }

    #[test]
    fn a_file_with_another_digest_fails_its_check() {
        let patch = workspace_root().join("xtask/patches").join(PATCHES[0].0);
        let err = verify(&patch, TARBALL_SHA256).unwrap_err().to_string();
        assert!(err.contains(&format!("expected {TARBALL_SHA256}")), "{err}");
    }
}
