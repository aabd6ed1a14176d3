//! `-v SRC:DEST[:OPTIONS]`, `--tmpfs DEST[:OPTIONS]` and `--mount type=...`.

mod csv;
mod flag;
mod options;

use super::paths::clean_path;
use crate::error::{Result, SpecError};
use oci_spec::runtime::Mount;
use options::{process_options, validate_volume_options};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A mount request: a spec mount ready to use, or a volume that the runtime must provide.
///
/// Options are completed as Podman completes them (`rw`, `rprivate`, ...). As in Podman, `U`
/// (chown the source), `z` and `Z` (relabel it) stay in the options for the runtime to act
/// on; Podman's libpod acts on them and leaves them out of the spec it writes.
///
/// It is serde data, so that a container's record keeps its mounts parsed: the bind options
/// that depend on the source's filesystem are decided once, when the container is created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VolumeMount {
    /// A bind, tmpfs or devpts mount, options already completed as Podman completes them.
    Mount(Mount),
    /// A named volume (`-v data:/data`), created or looked up by the runtime.
    Named {
        /// The volume's name.
        name: String,
        /// The path inside the container.
        destination: String,
        /// The options for the bind mount of the volume, completed as Podman completes them
        /// (`-v data:/data:ro` gives `ro`, `rprivate`, `nosuid`, `nodev`, `rbind`).
        options: Vec<String>,
    },
    /// An anonymous volume (`-v /data`).
    Anonymous {
        /// The path inside the container.
        destination: String,
        /// The options, completed as for a named volume.
        options: Vec<String>,
    },
}

/// Podman's `ValidateVolumeCtrDir`: the destination must be given and absolute.
fn check_destination(field: &'static str, whole: &str, destination: &str) -> Result<()> {
    if destination.is_empty() {
        return Err(SpecError::invalid(
            field,
            whole,
            "container directory cannot be empty",
        ));
    }
    if !destination.starts_with('/') {
        return Err(SpecError::invalid(
            field,
            whole,
            format!("invalid container path {destination:?}, must be an absolute path"),
        ));
    }
    Ok(())
}

/// Checks a volume name as Podman does when it creates the volume, naming the whole option.
fn check_volume_name(field: &'static str, whole: &str, name: &str) -> Result<()> {
    super::check_name(field, name).map_err(|_| {
        SpecError::invalid(
            field,
            whole,
            format!(
                "volume name {name:?} must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 253 bytes)"
            ),
        )
    })
}

/// A spec mount from its parts.
fn spec_mount(destination: &str, typ: &str, source: &str, options: Option<Vec<String>>) -> Mount {
    let mut mount = Mount::default();
    mount
        .set_destination(PathBuf::from(destination))
        .set_typ(Some(typ.to_string()))
        .set_source(Some(PathBuf::from(source)))
        .set_options(options);
    mount
}

/// A bind mount of an absolute host path; the source filesystem decides the default options.
fn bind_mount(
    field: &'static str,
    whole: &str,
    source: &str,
    destination: &str,
    options: &[String],
) -> Result<Mount> {
    if !source.starts_with('/') {
        return Err(SpecError::invalid(
            field,
            whole,
            format!("the source {source:?} must be an absolute path"),
        ));
    }
    let source = clean_path(source);
    let options = process_options(field, whole, options, false, Some(&source))?;
    Ok(spec_mount(destination, "bind", &source, Some(options)))
}

fn split_options(text: &str) -> Vec<String> {
    text.split(',').map(str::to_string).collect()
}

/// Parses a `-v`/`--volume` string. An absolute source is a bind mount; a name is a volume.
///
/// As Podman 4.3: `[SOURCE:]DESTINATION[:OPTIONS]`, options separated by commas and checked
/// as `ValidateVolumeOpts` then `ProcessOptions` check them; the bind source is cleaned and
/// its filesystem (which must exist) decides `noexec`, `nosuid` and `nodev`; the destination
/// is kept as written. Not supported: relative sources (Podman resolves `./dir` against its
/// working directory) and overlay volumes (`O`), which need the runtime's storage.
///
/// ```
/// use libpod_spec::parse::{parse_volume, VolumeMount};
/// match parse_volume("/:/host:ro").unwrap() {
///     VolumeMount::Mount(m) => assert_eq!(m.options().as_ref().unwrap(), &["ro", "rprivate", "rbind"]),
///     _ => unreachable!(),
/// }
/// assert!(parse_volume("/srv:relative").is_err());
/// ```
pub fn parse_volume(value: &str) -> Result<VolumeMount> {
    const FIELD: &str = "volume";
    let parts: Vec<&str> = value.split(':').collect();
    if parts.len() > 3 {
        return Err(SpecError::invalid(
            FIELD,
            value,
            format!("{value}: incorrect volume format, should be [host-dir:]ctr-dir[:option]"),
        ));
    }
    let (source, destination) = match parts.len() {
        1 => ("", parts[0]),
        _ => (parts[0], parts[1]),
    };
    let options = match parts.get(2) {
        Some(text) => validate_volume_options(FIELD, value, &split_options(text))?,
        None => Vec::new(),
    };
    if parts.len() > 1 && source.is_empty() {
        return Err(SpecError::invalid(
            FIELD,
            value,
            "host directory cannot be empty",
        ));
    }
    check_destination(FIELD, value, destination)?;
    if options.iter().any(|option| option == "O") {
        return Err(SpecError::invalid(
            FIELD,
            value,
            "overlay volumes ('O') are not supported",
        ));
    }
    if source.starts_with('/') {
        return bind_mount(FIELD, value, source, destination, &options).map(VolumeMount::Mount);
    }
    if source.starts_with('.') {
        return Err(SpecError::invalid(
            FIELD,
            value,
            format!("relative host path {source:?} is not supported, give an absolute path"),
        ));
    }
    let options = process_options(FIELD, value, &options, false, None)?;
    let destination = destination.to_string();
    if source.is_empty() {
        return Ok(VolumeMount::Anonymous {
            destination,
            options,
        });
    }
    check_volume_name(FIELD, value, source)?;
    Ok(VolumeMount::Named {
        name: source.to_string(),
        destination,
        options,
    })
}

/// Parses a `--tmpfs DEST[:OPTIONS]` string.
///
/// As Podman 4.3: the destination is cleaned, anything after a second `:` is ignored, and the
/// options are completed with `rw`, `rprivate`, `nosuid`, `nodev` and `tmpcopyup` unless
/// chosen otherwise.
///
/// ```
/// use libpod_spec::parse::parse_tmpfs;
/// let m = parse_tmpfs("/tmp:rw,size=64m").unwrap();
/// assert_eq!(m.options().as_ref().unwrap(), &["rw", "size=64m", "rprivate", "nosuid", "nodev", "tmpcopyup"]);
/// ```
pub fn parse_tmpfs(value: &str) -> Result<Mount> {
    const FIELD: &str = "tmpfs";
    let mut parts = value.split(':');
    let destination = parts.next().unwrap_or_default();
    check_destination(FIELD, value, destination)?;
    let options = parts.next().map(split_options).unwrap_or_default();
    let options = process_options(FIELD, value, &options, true, None)?;
    Ok(spec_mount(
        &clean_path(destination),
        "tmpfs",
        "tmpfs",
        Some(options),
    ))
}

/// Parses a `--mount type=bind|tmpfs|volume|devpts,...` string.
///
/// The string is read as one CSV record, as Podman reads it, and each type takes the keys
/// Podman's `--mount` takes (`src`/`source`, `dst`/`destination`/`target`, `ro`/`readonly`,
/// `bind-propagation`, `tmpfs-size`, `volume-opt`, ...). Destinations are cleaned; a bind
/// source must be absolute (Podman resolves a relative one against its working directory)
/// and defaults to the destination. Image mounts (`type=image`) are not supported.
///
/// ```
/// use libpod_spec::parse::{parse_mount, VolumeMount};
/// match parse_mount("type=tmpfs,dst=/m2,tmpfs-size=1m").unwrap() {
///     VolumeMount::Mount(m) => assert_eq!(
///         m.options().as_ref().unwrap(),
///         &["size=1m", "rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]
///     ),
///     _ => unreachable!(),
/// }
/// assert!(parse_mount("type=bind,src=/tmp").is_err());
/// ```
pub fn parse_mount(value: &str) -> Result<VolumeMount> {
    flag::parse(value)
}

/// Completes mount options as Podman's `ProcessOptions` does: checks for duplicates and
/// unknown options, then adds `rw`, `rprivate`, the source filesystem's `noexec`/`nosuid`/`nodev`,
/// `tmpcopyup` for tmpfs and `rbind` for binds where the user did not choose.
///
/// Without a source (tmpfs, volumes) the filesystem defaults are `nosuid` and `nodev`. A
/// source that cannot be `statfs`'ed is an error. `notmpcopyup` and `consistency` are dropped.
///
/// ```
/// use libpod_spec::parse::process_mount_options;
/// let options = process_mount_options(&["ro".into()], false, None).unwrap();
/// assert_eq!(options, ["ro", "rprivate", "nosuid", "nodev", "rbind"]);
/// assert!(process_mount_options(&["size=1m".into()], false, None).is_err());
/// ```
pub fn process_mount_options(
    options: &[String],
    is_tmpfs: bool,
    source: Option<&str>,
) -> Result<Vec<String>> {
    process_options("mount", &options.join(","), options, is_tmpfs, source)
}

#[cfg(test)]
#[path = "mount_tests.rs"]
mod tests;
