//! Podman's exit codes and error wording.
//!
//! Podman exits 125 when the error is its own (usage errors included), 126 when the container's
//! command cannot be invoked, 127 when it is not found, and with the container's code
//! otherwise; a few verbs have codes of their own (`rm` and `rmi` exit 1 when what they were
//! asked to remove does not exist). Its messages go to stderr as `Error: ...`, in the words of
//! libpod's error values (`no container with name or ID "x" found: no such container`).

use clap::error::{ContextKind, ContextValue, ErrorKind};
use libpod_core::CoreError;
use libpod_spec::SpecError;
use libpod_storage::StorageError;
use std::error::Error;
use std::fmt;

/// Podman's exit code for its own errors.
pub const OWN_ERROR: u8 = 125;
/// Podman's exit code when the container's command exists but cannot be run.
pub const CANNOT_INVOKE: u8 = 126;
/// Podman's exit code when the container's command is not found.
pub const NOT_FOUND: u8 = 127;

/// An error already in Podman's words, with the exit code Podman gives it.
#[derive(Debug)]
pub struct Exit {
    /// The process's exit code.
    pub code: u8,
    /// The message, without `Error: `.
    pub message: String,
}

impl Exit {
    /// An error with this code and message.
    pub fn new(code: u8, message: impl Into<String>) -> Exit {
        Exit {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Exit {}

/// The message (without `Error: `) and exit code Podman would give `err`.
pub fn report(err: &(dyn Error + 'static)) -> (String, u8) {
    if let Some(exit) = err.downcast_ref::<Exit>() {
        return (exit.message.clone(), exit.code);
    }
    if let Some(core) = err.downcast_ref::<CoreError>()
        && let Some(known) = core_error(core)
    {
        return known;
    }
    if let Some(storage) = err.downcast_ref::<StorageError>()
        && let Some(message) = storage_error(storage)
    {
        return (message, OWN_ERROR);
    }
    let spec = err
        .downcast_ref::<SpecError>()
        .or(match err.downcast_ref::<CoreError>() {
            Some(CoreError::InvalidSpec(spec)) => Some(spec),
            _ => None,
        });
    if let Some(message) = spec.and_then(spec_error) {
        return (message, OWN_ERROR);
    }
    (chain(err), OWN_ERROR)
}

/// A `-v`, `--mount` or `--tmpfs` refusal as Podman words it: the reason alone, without
/// the flag and value in front.
fn spec_error(err: &SpecError) -> Option<String> {
    match err {
        SpecError::InvalidValue {
            field: "mount" | "volume" | "tmpfs",
            reason,
            ..
        } => Some(reason.clone()),
        _ => None,
    }
}

/// `err` and its sources, joined with `: ` as Go's wrapped errors print.
pub fn chain(err: &(dyn Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}

fn core_error(err: &CoreError) -> Option<(String, u8)> {
    Some(match err {
        CoreError::ContainerNotFound(name) => (no_such_container(name), OWN_ERROR),
        CoreError::NameInUse(name) => (name_in_use(name, None), OWN_ERROR),
        CoreError::Storage(storage) => (storage_error(storage)?, OWN_ERROR),
        CoreError::OciRuntime {
            runtime,
            op,
            message,
            ..
        } => {
            // Podman classifies the runtime's message the same way (ocicni's
            // getOCIRuntimeError): "not found" and "no such file" are 127, "permission denied"
            // is 126, and the classification is appended to the runtime's words.
            let lower = message.to_lowercase();
            let (code, what) = if lower.contains("executable file not found")
                || lower.contains("no such file or directory")
            {
                (
                    NOT_FOUND,
                    "OCI runtime attempted to invoke a command that was not found",
                )
            } else if lower.contains("permission denied")
                || lower.contains("operation not permitted")
            {
                (CANNOT_INVOKE, "OCI permission denied")
            } else {
                (OWN_ERROR, "OCI runtime error")
            };
            (
                format!("{runtime}: {runtime} {op} failed: {message}: {what}"),
                code,
            )
        }
        // specgen's Validate, as `create --pod` reports it.
        CoreError::NetworkOnPodMember { .. } => {
            (format!("invalid config provided: {err}"), OWN_ERROR)
        }
        // The library words exposed ports' refusals as Podman does.
        CoreError::InvalidOption {
            option: "expose",
            reason,
        } => (reason.clone(), OWN_ERROR),
        _ => return None,
    })
}

fn storage_error(err: &StorageError) -> Option<String> {
    Some(match err {
        StorageError::ImageNotKnown(name) => format!("{name}: image not known"),
        StorageError::InvalidReference { reason, .. } if reason.contains("lowercase") => {
            "repository name must be lowercase".to_string()
        }
        StorageError::InvalidReference { .. } => "invalid reference format".to_string(),
        _ => return None,
    })
}

/// libpod's `ErrNoSuchCtr` with the name asked for.
pub fn no_such_container(name: &str) -> String {
    format!("no container with name or ID {name:?} found: no such container")
}

/// libpod's `ErrCtrExists` as `podman create --name` reports it, naming the holder's ID when
/// it is known.
pub fn name_in_use(name: &str, holder: Option<&str>) -> String {
    let by = holder.map(|id| format!(" by {id}")).unwrap_or_default();
    format!(
        "creating container storage: the container name {name:?} is already in use{by}. You have to remove that container to be able to reuse that name: that name is already in use"
    )
}

/// A command-line error as Podman reports it (`Error: unknown flag: --bogus` and
/// `See 'podman ps --help'`), with Podman's exit code 125; `--help` and `--version` print
/// and exit 0.
pub fn usage(err: &clap::Error, subcommand: Option<&str>) -> u8 {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            return 0;
        }
        _ => {}
    }
    let message = match (err.kind(), err.get(ContextKind::InvalidArg)) {
        (ErrorKind::UnknownArgument, Some(ContextValue::String(arg))) if arg.starts_with('-') => {
            format!("unknown flag: {arg}")
        }
        (ErrorKind::InvalidSubcommand, Some(ContextValue::String(arg))) => {
            format!("unrecognized command `podctl {arg}`")
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        }
    };
    eprintln!("Error: {message}");
    match subcommand {
        Some(sub) => eprintln!("See 'podctl {sub} --help'"),
        None => eprintln!("See 'podctl --help'"),
    }
    OWN_ERROR
}
