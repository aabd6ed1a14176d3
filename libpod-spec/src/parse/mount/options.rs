//! Mount option checks: Podman's `ProcessOptions` and containers/common's `ValidateVolumeOpts`.

use crate::error::{Result, SpecError};
use nix::sys::statvfs::{FsFlags, statvfs};

/// The propagation modes, one of which at most may be given.
pub(super) const PROPAGATIONS: [&str; 8] = [
    "private",
    "rprivate",
    "shared",
    "rshared",
    "slave",
    "rslave",
    "unbindable",
    "runbindable",
];

/// Option classes of which only one member may be given.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Write,
    Size,
    Propagation,
    Mode,
    Exec,
    Suid,
    Dev,
    CopyUp,
    Bind,
    Label,
    Chown,
    Idmap,
    Copy,
}

impl Class {
    /// Podman's complaint about a second member of the class.
    fn duplicate(self) -> &'static str {
        match self {
            Class::Write => "only one of 'rw' and 'ro' can be used",
            Class::Size => "only one tmpfs size can be specified",
            Class::Propagation => "only one root propagation mode can be used",
            Class::Mode => "only one tmpfs mode can be specified",
            Class::Exec => "only one of 'noexec' and 'exec' can be used",
            Class::Suid => "only one of 'nosuid' and 'suid' can be used",
            Class::Dev => "only one of 'nodev' and 'dev' can be used",
            Class::CopyUp => "the 'tmpcopyup' or 'notmpcopyup' option can only be set once",
            Class::Bind => "only one of 'rbind' and 'bind' can be used",
            Class::Label => "only one of 'z' and 'Z' can be used",
            Class::Chown => "the 'U' option can only be set once",
            Class::Idmap => "the 'idmap' option can only be set once",
            Class::Copy => "only one of 'nocopy' and 'copy' can be used",
        }
    }
}

/// Podman's defaults for what the user did not choose: the source filesystem's `noexec`,
/// `nosuid` and `nodev`, or `nosuid` and `nodev` when there is no source (tmpfs, volumes).
fn source_defaults(field: &'static str, whole: &str, source: Option<&str>) -> Result<FsFlags> {
    let Some(source) = source else {
        return Ok(FsFlags::ST_NOSUID | FsFlags::ST_NODEV);
    };
    let stats = statvfs(source).map_err(|err| {
        SpecError::invalid(
            field,
            whole,
            // Go's words: `statfs /x: no such file or directory`.
            format!("statfs {source}: {}", go_errno(err)),
        )
    })?;
    Ok(stats.flags() & (FsFlags::ST_NOEXEC | FsFlags::ST_NOSUID | FsFlags::ST_NODEV))
}

/// Podman 4.3's `ProcessOptions`. `whole` is the user's string, for errors.
pub(super) fn process_options(
    field: &'static str,
    whole: &str,
    options: &[String],
    is_tmpfs: bool,
    source: Option<&str>,
) -> Result<Vec<String>> {
    let checked = check_options(field, whole, options, is_tmpfs)?;
    let defaults = source_defaults(field, whole, source)?;
    Ok(checked.complete(is_tmpfs, defaults))
}

/// Options that passed [`check_options`], with the classes the user chose.
pub(super) struct CheckedOptions {
    options: Vec<String>,
    chosen: Vec<Class>,
}

/// The checks of `ProcessOptions`: known options only, each class at most once.
pub(super) fn check_options(
    field: &'static str,
    whole: &str,
    options: &[String],
    is_tmpfs: bool,
) -> Result<CheckedOptions> {
    let mut chosen: Vec<Class> = Vec::new();
    let mut overlay = false;
    let mut checked = Vec::with_capacity(options.len() + 5);
    for option in options {
        let key = option.split('=').next().unwrap_or_default();
        let refuse = |reason: String| SpecError::invalid(field, whole, reason);
        let tmpfs_only = |name: &str| {
            refuse(format!(
                "the '{name}' option is only allowed with tmpfs mounts"
            ))
        };
        // Overlay volumes pass their directories through unchecked.
        if overlay && (option.contains("upperdir") || option.contains("workdir")) {
            checked.push(option.clone());
            continue;
        }
        let class = match key {
            _ if key.starts_with("idmap") => Some(Class::Idmap),
            "copy" | "nocopy" => Some(Class::Copy),
            "O" => {
                overlay = true;
                None
            }
            // Podman appends volume-opt twice (a slip); once is enough.
            "volume-opt" => None,
            "exec" | "noexec" => Some(Class::Exec),
            "suid" | "nosuid" => Some(Class::Suid),
            "dev" | "nodev" => Some(Class::Dev),
            "rw" | "ro" => Some(Class::Write),
            _ if PROPAGATIONS.contains(&key) => Some(Class::Propagation),
            "size" if !is_tmpfs => return Err(tmpfs_only("size")),
            "size" => Some(Class::Size),
            "mode" if !is_tmpfs => return Err(tmpfs_only("mode")),
            "mode" => Some(Class::Mode),
            "tmpcopyup" | "notmpcopyup" if !is_tmpfs => return Err(tmpfs_only(key)),
            "tmpcopyup" | "notmpcopyup" => Some(Class::CopyUp),
            // Often given on macOS and ignored by Docker.
            "consistency" => continue,
            "bind" | "rbind" if is_tmpfs => {
                return Err(refuse(
                    "the 'bind' and 'rbind' options are not allowed with tmpfs mounts".into(),
                ));
            }
            "bind" | "rbind" => Some(Class::Bind),
            "z" | "Z" if is_tmpfs => {
                return Err(refuse(
                    "the 'z' and 'Z' options are not allowed with tmpfs mounts".into(),
                ));
            }
            "z" | "Z" => Some(Class::Label),
            "U" => Some(Class::Chown),
            _ => return Err(refuse(format!("unknown mount option {option:?}"))),
        };
        if let Some(class) = class {
            if chosen.contains(&class) {
                return Err(refuse(format!(
                    "{}: duplicate mount option passed",
                    class.duplicate()
                )));
            }
            chosen.push(class);
        }
        // notmpcopyup only tells Podman not to add tmpcopyup; the runtime never sees it.
        if key != "notmpcopyup" {
            checked.push(option.clone());
        }
    }
    Ok(CheckedOptions {
        options: checked,
        chosen,
    })
}

impl CheckedOptions {
    /// Appends what the user did not choose, in Podman's order: `rw`, `rprivate`, the source
    /// filesystem's `noexec`, `nosuid` and `nodev`, then `tmpcopyup` or `rbind`.
    pub(super) fn complete(self, is_tmpfs: bool, defaults: FsFlags) -> Vec<String> {
        let CheckedOptions {
            mut options,
            chosen,
        } = self;
        let unchosen = |class: Class| !chosen.contains(&class);
        if unchosen(Class::Write) {
            options.push("rw".into());
        }
        if unchosen(Class::Propagation) {
            options.push("rprivate".into());
        }
        for (class, flag, name) in [
            (Class::Exec, FsFlags::ST_NOEXEC, "noexec"),
            (Class::Suid, FsFlags::ST_NOSUID, "nosuid"),
            (Class::Dev, FsFlags::ST_NODEV, "nodev"),
        ] {
            if unchosen(class) && defaults.contains(flag) {
                options.push(name.into());
            }
        }
        if is_tmpfs && unchosen(Class::CopyUp) {
            options.push("tmpcopyup".into());
        }
        if !is_tmpfs && unchosen(Class::Bind) {
            options.push("rbind".into());
        }
        options
    }
}

/// containers/common's `ValidateVolumeOpts` (as vendored by Podman 4.3), which `-v` and the
/// bind mounts of `--mount` go through before [`process_options`]: each class at most once,
/// `cached` and `delegated` dropped, anything unknown refused.
pub(super) fn validate_volume_options(
    field: &'static str,
    whole: &str,
    options: &[String],
) -> Result<Vec<String>> {
    let mut seen: Vec<&str> = Vec::new();
    let mut validated = Vec::with_capacity(options.len());
    for option in options {
        let refuse = |reason: String| SpecError::invalid(field, whole, reason);
        let class = if option.contains("upperdir") {
            "upperdir"
        } else if option.contains("workdir") {
            "workdir"
        } else if option.starts_with("idmap") {
            validated.push(option.clone());
            continue;
        } else {
            match option.as_str() {
                "noexec" | "exec" => "'noexec' or 'exec'",
                "nodev" | "dev" => "'nodev' or 'dev'",
                "nosuid" | "suid" => "'nosuid' or 'suid'",
                "rw" | "ro" => "'rw' or 'ro'",
                "z" | "Z" | "O" => "'z', 'Z', or 'O'",
                "U" => "'U'",
                "bind" | "rbind" => "'[r]bind'",
                "copy" | "nocopy" => "'copy' or 'nocopy'",
                "cached" | "delegated" => continue,
                _ if PROPAGATIONS.contains(&option.as_str()) => {
                    "'[r]shared', '[r]private', '[r]slave' or '[r]unbindable'"
                }
                _ => return Err(refuse(format!("invalid option type {option:?}"))),
            }
        };
        if seen.contains(&class) {
            let what = match class {
                "upperdir" | "workdir" => format!("1 {class} per overlay"),
                _ => format!("1 {class} option"),
            };
            return Err(refuse(format!("can only specify {what}")));
        }
        seen.push(class);
        validated.push(option.clone());
    }
    Ok(validated)
}

/// An errno as Go prints it: the C library's description, lower-cased
/// (`no such file or directory`).
fn go_errno(err: nix::errno::Errno) -> String {
    std::io::Error::from_raw_os_error(err as i32)
        .to_string()
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_lowercase()
}
