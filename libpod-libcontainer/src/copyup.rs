//! Podman's `tmpcopyup` tmpfs option (runc's extension: the image's files at the mount point
//! are copied into the new tmpfs). Podman adds it to every tmpfs it makes (`--tmpfs`,
//! `--mount type=tmpfs`, `--read-only`'s /tmp, /var/tmp and /run); libcontainer 0.7 does not
//! know it and passes it to the kernel as tmpfs data, which fails the create ("failed to
//! prepare rootfs"). Copying up nothing is a no-op, so where the mount point is missing or an
//! empty directory in the root filesystem the option is dropped from the bundle's
//! config.json before the create; over files it is refused by name.

use crate::errors::{self, unsupported};
use libpod_core::{CoreError, Result};
use libpod_fs::{Durability, FsError, Policy, Root};
use serde_json::Value;
use std::os::fd::{AsFd, AsRawFd};
use std::path::Path;

/// The option, as Podman writes it.
const TMPCOPYUP: &str = "tmpcopyup";

/// Drops `tmpcopyup` from the mounts of the bundle's config.json whose mount point holds
/// nothing to copy; refuses those over files. The file is rewritten (atomically, every other
/// byte of meaning kept: edited as JSON, not through a typed spec) only when an option was
/// dropped.
pub(crate) fn prepare(id: &str, bundle: &Path) -> Result<()> {
    let path = bundle.join("config.json");
    let text = std::fs::read(&path).map_err(|err| errors::io("reading", &path, err))?;
    if !contains(&text, TMPCOPYUP.as_bytes()) {
        return Ok(());
    }
    let bad =
        |err: serde_json::Error| errors::oci(id, "create", format!("{}: {err}", path.display()));
    let mut spec: Value = serde_json::from_slice(&text).map_err(bad)?;
    let Some(root) = spec.pointer("/root/path").and_then(Value::as_str) else {
        return Ok(());
    };
    let root = bundle.join(root);
    let Some(mounts) = spec.get_mut("mounts").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    let mut dropped = false;
    for mount in mounts {
        let destination = mount
            .get("destination")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let Some(options) = mount.get_mut("options").and_then(Value::as_array_mut) else {
            continue;
        };
        let before = options.len();
        options.retain(|option| option.as_str() != Some(TMPCOPYUP));
        if options.len() == before {
            continue;
        }
        if !nothing_to_copy(&root, Path::new(&destination.unwrap_or_default()))? {
            return Err(unsupported(
                id,
                "tmpcopyup over files (a tmpfs on a directory of the image that is not empty)",
            ));
        }
        dropped = true;
    }
    if !dropped {
        return Ok(());
    }
    let json = serde_json::to_vec(&spec).map_err(bad)?;
    libpod_fs::replace(&path, &json, 0o600, Durability::Volatile).map_err(CoreError::from)
}

/// Whether `destination` in the root filesystem `root` is missing or an empty directory
/// (resolved as the container would: symlinks inside the root).
fn nothing_to_copy(root: &Path, destination: &Path) -> Result<bool> {
    let rel = destination.strip_prefix("/").unwrap_or(destination);
    let dir = match Root::open(root).and_then(|root| root.open_dir(rel, Policy::InRoot)) {
        Ok(dir) => dir,
        Err(FsError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(true);
        }
        // A file there: nothing is copied onto a file; the mount's own error is the
        // runtime's to report.
        Err(FsError::WrongType { .. }) => return Ok(true),
        Err(err) => return Err(err.into()),
    };
    let listing = format!("/proc/self/fd/{}", dir.as_fd().as_raw_fd());
    let mut entries =
        std::fs::read_dir(&listing).map_err(|err| errors::io("listing", destination, err))?;
    Ok(entries.next().is_none())
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oci_spec::runtime::{MountBuilder, RootBuilder, Spec, SpecBuilder};

    fn bundle(dir: &Path, mounts: &[(&str, &[&str])]) -> std::path::PathBuf {
        let rootfs = dir.join("rootfs");
        std::fs::create_dir_all(rootfs.join("empty")).unwrap();
        std::fs::create_dir_all(rootfs.join("full")).unwrap();
        std::fs::write(rootfs.join("full/file"), "x").unwrap();
        let mounts = mounts
            .iter()
            .map(|(dest, options)| {
                MountBuilder::default()
                    .destination(dest)
                    .typ("tmpfs")
                    .source("tmpfs")
                    .options(options.iter().map(|o| o.to_string()).collect::<Vec<_>>())
                    .build()
                    .unwrap()
            })
            .collect::<Vec<_>>();
        let spec = SpecBuilder::default()
            .root(RootBuilder::default().path("rootfs").build().unwrap())
            .mounts(mounts)
            .build()
            .unwrap();
        spec.save(dir.join("config.json")).unwrap();
        dir.to_path_buf()
    }

    fn options(bundle: &Path) -> Vec<Vec<String>> {
        let spec = Spec::load(bundle.join("config.json")).unwrap();
        spec.mounts()
            .clone()
            .unwrap()
            .iter()
            .map(|m| m.options().clone().unwrap_or_default())
            .collect()
    }

    #[test]
    fn tmpcopyup_of_nothing_is_dropped_and_over_files_refused() {
        let tmp = libpod_testutil::TempRoot::new().unwrap();
        let dir = bundle(
            tmp.path(),
            &[
                ("/empty", &["rw", "nosuid", "tmpcopyup"]),
                ("/missing", &["tmpcopyup", "size=1m"]),
                ("/other", &["rw"]),
            ],
        );
        prepare("ctr", &dir).unwrap();
        assert_eq!(
            options(&dir),
            [vec!["rw", "nosuid"], vec!["size=1m"], vec!["rw"]]
        );

        let tmp = libpod_testutil::TempRoot::new().unwrap();
        let dir = bundle(tmp.path(), &[("/full", &["rw", "tmpcopyup"])]);
        let err = prepare("ctr", &dir).unwrap_err();
        assert!(
            matches!(err, CoreError::RuntimeUnsupported { .. }),
            "{err:?}"
        );
        assert_eq!(options(&dir), [vec!["rw", "tmpcopyup"]]);
    }
}
