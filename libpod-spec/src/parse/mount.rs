//! `-v SRC:DEST[:OPTIONS]`, `--tmpfs DEST[:OPTIONS]` and `--mount type=...`.

use crate::error::Result;
use oci_spec::runtime::Mount;

/// A mount request: a spec mount ready to use, or a volume that the runtime must provide.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum VolumeMount {
    /// A bind or tmpfs mount, options already completed as Podman completes them.
    Mount(Mount),
    /// A named volume (`-v data:/data`), created or looked up by the runtime.
    Named {
        /// The volume's name.
        name: String,
        /// The path inside the container.
        destination: String,
        /// The user's options (`ro`, `z`, ...).
        options: Vec<String>,
    },
    /// An anonymous volume (`-v /data`).
    Anonymous {
        /// The path inside the container.
        destination: String,
        /// The user's options.
        options: Vec<String>,
    },
}

/// Parses a `-v`/`--volume` string. An absolute source is a bind mount; a name is a volume.
///
/// ```
/// use libpod_spec::parse::{parse_volume, VolumeMount};
/// match parse_volume("/srv/data:/data:ro").unwrap() {
///     VolumeMount::Mount(m) => assert_eq!(m.options().as_ref().unwrap(), &["ro", "rprivate", "rbind"]),
///     _ => unreachable!(),
/// }
/// assert!(parse_volume("/srv:relative").is_err());
/// ```
pub fn parse_volume(value: &str) -> Result<VolumeMount> {
    let _ = value;
    todo!("helper D")
}

/// Parses a `--tmpfs DEST[:OPTIONS]` string.
///
/// ```
/// use libpod_spec::parse::parse_tmpfs;
/// let m = parse_tmpfs("/tmp:rw,size=64m").unwrap();
/// assert_eq!(m.options().as_ref().unwrap(), &["rw", "size=64m", "rprivate", "nosuid", "nodev", "tmpcopyup"]);
/// ```
pub fn parse_tmpfs(value: &str) -> Result<Mount> {
    let _ = value;
    todo!("helper D")
}

/// Parses a `--mount type=bind|tmpfs|volume|devpts,...` string.
pub fn parse_mount(value: &str) -> Result<VolumeMount> {
    let _ = value;
    todo!("helper D")
}

/// Completes mount options as Podman's `ProcessOptions` does: checks for duplicates and
/// unknown options, then adds `rw`, `rprivate`, the source filesystem's `noexec`/`nosuid`/`nodev`,
/// `tmpcopyup` for tmpfs and `rbind` for binds where the user did not choose.
pub fn process_mount_options(
    options: &[String],
    is_tmpfs: bool,
    source: Option<&str>,
) -> Result<Vec<String>> {
    let _ = (options, is_tmpfs, source);
    todo!("helper D")
}
