//! Rules shared by both state stores, so that they cannot drift apart.

use crate::error::{CoreError, Result};
use crate::record::{
    ContainerConfig, ExecSession, ExecStatus, NetworkAttachment, PodConfig, VolumeConfig,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long an exit code is kept after its container is gone, as Podman's
/// `PruneContainerExitCodes` (5 minutes): long enough for a `wait` racing an auto-removing
/// cleanup to read it.
pub const EXIT_CODE_RETENTION: Duration = Duration::from_secs(5 * 60);

/// The smallest exit code stored: -1, "the monitor died without recording one".
pub(crate) const MIN_EXIT_CODE: i32 = -1;
/// The largest exit code a process can have (128 + signal numbers stay below it).
pub(crate) const MAX_EXIT_CODE: i32 = 255;

/// Checks what `add_container` requires of a config and returns the IDs it depends on:
/// `config.dependencies` and the values of `config.namespaces_from`, without duplicates.
pub(crate) fn check_new_container(config: &ContainerConfig) -> Result<BTreeSet<String>> {
    if config.id.is_empty() {
        return Err(CoreError::InvalidOption {
            option: "id",
            reason: "a container needs an ID".into(),
        });
    }
    if config.name.is_empty() {
        return Err(CoreError::InvalidOption {
            option: "name",
            reason: format!("container {} needs a name", config.id),
        });
    }
    let deps: BTreeSet<String> = config
        .dependencies
        .iter()
        .chain(config.namespaces_from.values())
        .cloned()
        .collect();
    if deps.contains(&config.id) {
        return Err(CoreError::InvalidOption {
            option: "dependency",
            reason: format!("container {} cannot depend on itself", config.id),
        });
    }
    if deps.contains("") {
        return Err(CoreError::InvalidOption {
            option: "dependency",
            reason: format!("container {} names an empty dependency", config.id),
        });
    }
    Ok(deps)
}

/// Checks what `add_pod` requires of a config: an ID and a name.
pub(crate) fn check_new_pod(config: &PodConfig) -> Result<()> {
    if config.id.is_empty() {
        return Err(CoreError::InvalidOption {
            option: "id",
            reason: "a pod needs an ID".into(),
        });
    }
    if config.name.is_empty() {
        return Err(CoreError::InvalidOption {
            option: "name",
            reason: format!("pod {} needs a name", config.id),
        });
    }
    Ok(())
}

/// The named volumes a container's config mounts (its `-v NAME:/dest` and `--mount
/// type=volume`, anonymous ones named at create), without duplicates: `add_container` links
/// them in the same transaction, so a volume is "in use" from the moment its user exists.
pub(crate) fn volume_names(config: &ContainerConfig) -> BTreeSet<String> {
    config
        .mounts
        .iter()
        .filter_map(|mount| match mount {
            libpod_spec::parse::VolumeMount::Named { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// Checks what `add_volume` requires of a config: a name.
pub(crate) fn check_new_volume(config: &VolumeConfig) -> Result<()> {
    if config.name.is_empty() {
        return Err(CoreError::InvalidOption {
            option: "name",
            reason: "a volume needs a name".into(),
        });
    }
    Ok(())
}

/// The refusal of a volume name in use.
pub(crate) fn volume_exists(name: &str) -> CoreError {
    CoreError::VolumeExists(name.to_string())
}

/// The refusal of an object ID in use.
pub(crate) fn id_in_use(id: &str) -> CoreError {
    CoreError::InvalidOption {
        option: "id",
        reason: format!("the ID {id} is already in use"),
    }
}

/// Checks what `add_exec_session` requires of a session: an ID.
pub(crate) fn check_new_exec_session(session: &ExecSession) -> Result<()> {
    if session.id.is_empty() {
        return Err(CoreError::InvalidOption {
            option: "id",
            reason: format!("an exec session of {} needs an ID", session.container_id),
        });
    }
    Ok(())
}

/// Checks what `connect_network` requires of an attachment: a network name.
pub(crate) fn check_attachment(container_id: &str, attachment: &NetworkAttachment) -> Result<()> {
    if attachment.network.is_empty() {
        return Err(CoreError::InvalidOption {
            option: "network",
            reason: format!("container {container_id}: an attachment needs a network name"),
        });
    }
    Ok(())
}

/// The refusal of an interface name another attachment of the container has.
pub(crate) fn interface_in_use(container_id: &str, name: &str) -> CoreError {
    CoreError::InvalidOption {
        option: "interface name",
        reason: format!("container {container_id} already has an interface {name:?}"),
    }
}

/// Where an exec session stands: its stored `state`, apart from its immutable config.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct ExecProgress {
    status: ExecStatus,
    pid: Option<i32>,
    pid_start_time: Option<u64>,
    monitor_pid: Option<i32>,
    exit_code: Option<i32>,
}

/// An exec session's stored `config` and `state` JSON.
pub(crate) fn encode_exec(session: &ExecSession) -> Result<(String, String)> {
    let progress = ExecProgress {
        status: session.status,
        pid: session.pid,
        pid_start_time: session.pid_start_time,
        monitor_pid: session.monitor_pid,
        exit_code: session.exit_code,
    };
    Ok((
        encode("exec config", &session.id, &session.config)?,
        encode("exec state", &session.id, &progress)?,
    ))
}

/// An exec session from its stored columns.
pub(crate) fn decode_exec(
    id: &str,
    container_id: &str,
    config: &str,
    state: &str,
) -> Result<ExecSession> {
    let progress: ExecProgress = decode("exec state", id, state)?;
    let mut session = ExecSession::new(id, container_id, decode("exec config", id, config)?);
    session.status = progress.status;
    session.pid = progress.pid;
    session.pid_start_time = progress.pid_start_time;
    session.monitor_pid = progress.monitor_pid;
    session.exit_code = progress.exit_code;
    Ok(session)
}

/// Whether `s` can be an ID prefix: non-empty lower-case hex, so that it holds no pattern
/// characters and cannot match names.
pub(crate) fn is_id_prefix(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Refuses an exit code no process can have.
pub(crate) fn check_exit_code(id: &str, code: i32) -> Result<()> {
    if (MIN_EXIT_CODE..=MAX_EXIT_CODE).contains(&code) {
        Ok(())
    } else {
        Err(CoreError::InvalidOption {
            option: "exit code",
            reason: format!(
                "{code} of container {id} is not between {MIN_EXIT_CODE} and {MAX_EXIT_CODE}"
            ),
        })
    }
}

/// Seconds since the epoch, as the exit code table stores them.
pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The timestamp at or before which an exit code of a removed container is pruned.
pub(crate) fn exit_code_cutoff() -> i64 {
    now_unix() - i64::try_from(EXIT_CODE_RETENTION.as_secs()).unwrap_or(i64::MAX)
}

/// Encodes a config or state. These types always encode; an error would be a bug in a custom
/// `Serialize`, reported like a malformed record.
pub(crate) fn encode<T: Serialize>(what: &'static str, id: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|source| CoreError::Corrupt {
        what,
        id: id.to_string(),
        source,
    })
}

/// Decodes a stored config or state.
pub(crate) fn decode<T: DeserializeOwned>(what: &'static str, id: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|source| CoreError::Corrupt {
        what,
        id: id.to_string(),
        source,
    })
}

/// The refusal of a rewritten config that renames a container or moves it to another pod.
pub(crate) fn identity_changed(id: &str) -> CoreError {
    CoreError::InvalidOption {
        option: "config",
        reason: format!("container {id}: a rewritten config cannot change its name or pod"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_prefixes_are_lower_case_hex_only() {
        assert!(is_id_prefix("0123456789abcdef"));
        assert!(!is_id_prefix(""));
        assert!(!is_id_prefix("ABC"));
        assert!(!is_id_prefix("ab%"));
        assert!(!is_id_prefix("ab*"));
        assert!(!is_id_prefix("ab_"));
        assert!(!is_id_prefix("g"));
    }

    #[test]
    fn exit_codes_outside_the_process_range_are_refused() {
        assert!(check_exit_code("c", -1).is_ok());
        assert!(check_exit_code("c", 0).is_ok());
        assert!(check_exit_code("c", 255).is_ok());
        for code in [-2, 256, i32::MIN, i32::MAX] {
            let err = check_exit_code("c", code).unwrap_err();
            assert!(
                matches!(
                    err,
                    CoreError::InvalidOption {
                        option: "exit code",
                        ..
                    }
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn dependencies_come_from_both_fields_without_duplicates() {
        let mut config = ContainerConfig {
            id: "aa".into(),
            name: "a".into(),
            ..ContainerConfig::default()
        };
        config.dependencies = vec!["bb".into(), "cc".into()];
        config.namespaces_from.insert("ipc".into(), "bb".into());
        config.namespaces_from.insert("net".into(), "dd".into());
        let deps: Vec<_> = check_new_container(&config).unwrap().into_iter().collect();
        assert_eq!(deps, ["bb", "cc", "dd"]);
    }

    #[test]
    fn new_containers_need_an_id_a_name_and_no_self_dependency() {
        let ok = ContainerConfig {
            id: "aa".into(),
            name: "a".into(),
            ..ContainerConfig::default()
        };
        assert!(check_new_container(&ok).is_ok());
        let no_id = ContainerConfig {
            id: String::new(),
            ..ok.clone()
        };
        assert!(matches!(
            check_new_container(&no_id),
            Err(CoreError::InvalidOption { option: "id", .. })
        ));
        let no_name = ContainerConfig {
            name: String::new(),
            ..ok.clone()
        };
        assert!(matches!(
            check_new_container(&no_name),
            Err(CoreError::InvalidOption { option: "name", .. })
        ));
        let mut selfish = ok.clone();
        selfish.namespaces_from.insert("pid".into(), "aa".into());
        assert!(matches!(
            check_new_container(&selfish),
            Err(CoreError::InvalidOption {
                option: "dependency",
                ..
            })
        ));
        let mut empty_dep = ok;
        empty_dep.dependencies.push(String::new());
        assert!(matches!(
            check_new_container(&empty_dep),
            Err(CoreError::InvalidOption {
                option: "dependency",
                ..
            })
        ));
    }
}
