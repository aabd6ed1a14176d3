//! `--change` instructions (`CMD`, `ENTRYPOINT`, `ENV`, `WORKDIR`, `USER`, `LABEL`, `EXPOSE`,
//! `VOLUME`, `STOPSIGNAL`) applied to an image config, as `podman import --change` does.
//!
//! Podman 4.3 (containers/common's `ImageConfigFromChanges`) is followed where it matches
//! Dockerfile semantics; where it does not, Dockerfile semantics win:
//!
//! - `ENV A=1 B=2` sets two variables (Podman sets one, `A` = `1 B=2`), `ENV A x y` sets `A` to
//!   `x y` (Podman: a variable named `A x y`), and a variable set again replaces the old entry.
//! - `LABEL a=1 b=2` sets two labels (Podman: `a` = `1 b=2`).
//! - `EXPOSE` takes several ports and `sctp`; `WORKDIR /abs` replaces the directory instead of
//!   being appended to it; `STOPSIGNAL` numbers must be 1 to 64.
//! - `ONBUILD` is refused: Podman accepts it and then drops it, as OCI configs have no such field.
//!
//! As in Podman, `STOPSIGNAL SIGQUIT` is stored as `"3"`, `CMD` with an empty shell form is
//! `["/bin/sh", "-c"]`, and `$VAR` references are not expanded.
//!
//! ```
//! use libpod_storage::config_changes::apply_changes;
//! use oci_spec::image::Config;
//! let mut config = Config::default();
//! apply_changes(&mut config, &[
//!     "CMD echo hello".to_string(),
//!     "env A=1 B=\"two words\"".to_string(),
//!     "STOPSIGNAL SIGQUIT".to_string(),
//! ])?;
//! assert_eq!(config.cmd().as_deref(), Some(&["/bin/sh".to_string(), "-c".into(), "echo hello".into()][..]));
//! assert_eq!(config.env().as_deref(), Some(&["A=1".to_string(), "B=two words".into()][..]));
//! assert_eq!(config.stop_signal().as_deref(), Some("3"));
//! # Ok::<(), libpod_storage::StorageError>(())
//! ```

#[path = "config_changes_words.rs"]
mod words;

use crate::error::{Result, StorageError};
use oci_spec::image::Config;
use words::{parse_signal, split_assignment, split_words, unquote};

/// Applies each instruction, in order, to `config`. A malformed or unsupported instruction is
/// an [`InvalidValue`](crate::StorageError::InvalidValue) error naming it.
pub fn apply_changes(config: &mut Config, changes: &[String]) -> Result<()> {
    for change in changes {
        apply_change(config, change)
            .map_err(|reason| StorageError::invalid("change", change.as_str(), reason))?;
    }
    Ok(())
}

fn apply_change(config: &mut Config, change: &str) -> std::result::Result<(), String> {
    let trimmed = change.trim_start();
    // Dockerfile form `KEY value`; Podman also takes `KEY=value` when there is no space.
    let (instruction, value) = match trimmed.split_once(|c: char| c.is_ascii_whitespace()) {
        Some((instruction, value)) => (instruction, value.trim()),
        None => trimmed
            .split_once('=')
            .map(|(instruction, value)| (instruction, value.trim()))
            .ok_or("must be formatted as INSTRUCTION VALUE")?,
    };
    match instruction.to_ascii_uppercase().as_str() {
        "USER" => set_user(config, value),
        "EXPOSE" => expose(config, value),
        "ENV" => set_env(config, value),
        "ENTRYPOINT" => {
            config.set_entrypoint(command(value, false));
            Ok(())
        }
        "CMD" => {
            config.set_cmd(command(value, true));
            Ok(())
        }
        "VOLUME" => add_volumes(config, value),
        "WORKDIR" => set_workdir(config, value),
        "LABEL" => set_labels(config, value),
        "STOPSIGNAL" => {
            config.set_stop_signal(Some(parse_signal(value)?.to_string()));
            Ok(())
        }
        _ => Err(format!("unsupported instruction {instruction:?}")),
    }
}

fn set_user(config: &mut Config, value: &str) -> std::result::Result<(), String> {
    if value.is_empty() {
        return Err("USER needs a value".into());
    }
    config.set_user(Some(value.to_string()));
    Ok(())
}

/// `EXPOSE 80 443/tcp 53/udp 9/sctp`: ports 1-65535, protocol tcp (default), udp or sctp.
fn expose(config: &mut Config, value: &str) -> std::result::Result<(), String> {
    let items: Vec<&str> = value.split_ascii_whitespace().collect();
    if items.is_empty() {
        return Err("EXPOSE needs at least one port".into());
    }
    let mut ports = config.exposed_ports().clone().unwrap_or_default();
    for item in items {
        let (port, protocol) = item.split_once('/').unwrap_or((item, "tcp"));
        let port: u16 = port
            .parse()
            .ok()
            .filter(|port| *port != 0)
            .ok_or_else(|| format!("EXPOSE port {port:?} is not a number from 1 to 65535"))?;
        let protocol = protocol.to_ascii_lowercase();
        if !matches!(protocol.as_str(), "tcp" | "udp" | "sctp") {
            return Err(format!(
                "EXPOSE protocol {protocol:?} is not tcp, udp or sctp"
            ));
        }
        push_unique(&mut ports, format!("{port}/{protocol}"));
    }
    config.set_exposed_ports(Some(ports));
    Ok(())
}

/// `ENV k=v [k2=v2 ...]` (quotes group, backslash escapes) or the legacy `ENV k some value`.
fn set_env(config: &mut Config, value: &str) -> std::result::Result<(), String> {
    let raw = split_words(value)?;
    let Some(first) = raw.first() else {
        return Err("ENV needs a variable".into());
    };
    let mut assignments = Vec::new();
    if split_assignment(first).is_some() {
        for word in &raw {
            let (key, val) = split_assignment(word)
                .ok_or_else(|| format!("ENV {word:?} is not of the form name=value"))?;
            assignments.push((unquote(key)?, unquote(val)?));
        }
    } else {
        // Legacy form: the rest of the line, after the name, is the value.
        let rest = value.strip_prefix(*first).unwrap_or_default().trim_start();
        assignments.push((unquote(first)?, unquote(rest)?));
    }
    let mut env = config.env().clone().unwrap_or_default();
    for (key, val) in assignments {
        if key.is_empty() {
            return Err("ENV variable names must not be empty".into());
        }
        let entry = format!("{key}={val}");
        let prefix = format!("{key}=");
        match env
            .iter_mut()
            .find(|e| e.starts_with(&prefix) || **e == key)
        {
            Some(existing) => *existing = entry,
            None => env.push(entry),
        }
    }
    config.set_env(Some(env));
    Ok(())
}

/// `LABEL k=v [k2=v2 ...]`, quotes and escapes as for `ENV`.
fn set_labels(config: &mut Config, value: &str) -> std::result::Result<(), String> {
    let raw = split_words(value)?;
    if raw.is_empty() {
        return Err("LABEL needs key=value".into());
    }
    let mut labels = config.labels().clone().unwrap_or_default();
    for word in &raw {
        let (key, val) = split_assignment(word)
            .ok_or_else(|| format!("LABEL {word:?} is not of the form key=value"))?;
        let key = unquote(key)?;
        if key.is_empty() {
            return Err("LABEL keys must not be empty".into());
        }
        labels.insert(key, unquote(val)?);
    }
    config.set_labels(Some(labels));
    Ok(())
}

/// A JSON array of strings, or a shell command run with `/bin/sh -c`. An empty result clears
/// the field (Podman leaves it out); an empty shell form is `["/bin/sh", "-c"]` for `CMD` and
/// nothing for `ENTRYPOINT`, as in Podman.
fn command(value: &str, is_cmd: bool) -> Option<Vec<String>> {
    let args = match serde_json::from_str::<Option<Vec<String>>>(value) {
        Ok(args) => args.unwrap_or_default(),
        Err(_) if value.is_empty() && !is_cmd => Vec::new(),
        Err(_) => {
            let mut args = vec!["/bin/sh".to_string(), "-c".to_string()];
            if !value.is_empty() {
                args.push(value.to_string());
            }
            args
        }
    };
    (!args.is_empty()).then_some(args)
}

/// `VOLUME /a /b` or `VOLUME ["/a", "/b"]`, added to the existing volumes.
fn add_volumes(config: &mut Config, value: &str) -> std::result::Result<(), String> {
    let paths = match serde_json::from_str::<Option<Vec<String>>>(value) {
        Ok(paths) => paths.unwrap_or_default(),
        Err(_) => value.split_ascii_whitespace().map(str::to_string).collect(),
    };
    if paths.is_empty() {
        return Err("VOLUME needs at least one path".into());
    }
    let mut volumes = config.volumes().clone().unwrap_or_default();
    for path in paths {
        if path.is_empty() {
            return Err("VOLUME paths must not be empty".into());
        }
        push_unique(&mut volumes, path);
    }
    config.set_volumes(Some(volumes));
    Ok(())
}

/// `WORKDIR dir`: absolute replaces, relative is joined to the current directory; cleaned.
fn set_workdir(config: &mut Config, value: &str) -> std::result::Result<(), String> {
    if value.is_empty() {
        return Err("WORKDIR needs a directory".into());
    }
    let joined = match config.working_dir().as_deref() {
        Some(current) if !value.starts_with('/') && !current.is_empty() => {
            format!("{current}/{value}")
        }
        _ => value.to_string(),
    };
    config.set_working_dir(Some(clean_path(&joined)));
    Ok(())
}

/// Lexical clean-up as Go's `path.Clean`: no `.`, no `//`, `..` resolved where it can be.
fn clean_path(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
#[path = "config_changes_tests.rs"]
mod tests;
