//! Events: what happened to containers and images, as Podman's `podman events` shows them.
//!
//! Every operation appends one JSON line to an event file (Podman's `file` events backend:
//! the same names, fields and JSON, so a line either writes reads in the other): see
//! [`EventLog`] for the file (rotation at `events_logfile_max_size`, writers of several
//! processes never interleaving a line), [`read_events`] for reading it back (filters,
//! since/until, follow), and [`EventEmitter`] for what the engine's verbs call: the
//! [`Runtime::events`](crate::runtime::Runtime::events) accessor gives it, and an operation
//! adds its event in one line:
//!
//! ```no_run
//! # fn f(rt: &libpod_core::runtime::Runtime, ctr: &libpod_core::container::Container) {
//! use libpod_core::events::EventStatus;
//! rt.events().container(ctr.config(), EventStatus::Exec);
//! # }
//! ```
//!
//! Image operations report through the store's event sink (`libpod_storage::events`), which
//! `Runtime::open` points at the same emitter. `events_logger = "none"` in containers.conf
//! turns all of it off.

mod emitter;
mod file;
mod filter;
mod gotime;
mod read;

pub use emitter::EventEmitter;
pub use file::EventLog;
pub use filter::EventFilter;
pub use read::{ReadOptions, read_events};

use crate::record::ContainerConfig;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What an event is about: Podman's event `Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum EventType {
    /// A container.
    Container,
    /// An image.
    Image,
    /// A network (connect, disconnect).
    Network,
    /// A pod.
    Pod,
    /// The engine as a whole (refresh, renumber, log-rotation).
    System,
    /// A volume.
    Volume,
    /// A podman machine (not ours; read from files Podman wrote).
    Machine,
}

impl EventType {
    /// Its name in the file and in `--filter type=`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Container => "container",
            EventType::Image => "image",
            EventType::Network => "network",
            EventType::Pod => "pod",
            EventType::System => "system",
            EventType::Volume => "volume",
            EventType::Machine => "machine",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! statuses {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// What happened: Podman's event `Status`, with its names (`died` for an exit,
        /// `exec_died`, `health_status`, `log-rotation`, ...). A name this crate does not
        /// know (from a newer Podman's file) is kept as [`EventStatus::Other`].
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventStatus {
            $($(#[$doc])* $variant,)*
            /// A status this crate does not know, as written.
            Other(String),
        }

        impl EventStatus {
            /// Its name in the file and in `--filter event=`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(EventStatus::$variant => $name,)*
                    EventStatus::Other(name) => name,
                }
            }

            /// The status called `name` (an unknown one is [`EventStatus::Other`]).
            ///
            /// ```
            /// use libpod_core::events::EventStatus;
            /// assert_eq!(EventStatus::from_name("died"), EventStatus::Died);
            /// assert_eq!(EventStatus::Died.as_str(), "died");
            /// ```
            pub fn from_name(name: &str) -> EventStatus {
                match name {
                    $($name => EventStatus::$variant,)*
                    other => EventStatus::Other(other.to_string()),
                }
            }
        }
    };
}

statuses! {
    /// `attach`
    Attach = "attach",
    /// `auto-update`
    AutoUpdate = "auto-update",
    /// `build`
    Build = "build",
    /// `checkpoint`
    Checkpoint = "checkpoint",
    /// `cleanup`: a stopped container's runtime state and mounts released.
    Cleanup = "cleanup",
    /// `commit`
    Commit = "commit",
    /// `copy`
    Copy = "copy",
    /// `create`
    Create = "create",
    /// `exec`: an exec session started.
    Exec = "exec",
    /// `exec_died`: an exec session ended.
    ExecDied = "exec_died",
    /// `died`: the container's process exited (Podman's `Exited`).
    Died = "died",
    /// `export`
    Export = "export",
    /// `health_status`: a healthcheck ran.
    HealthStatus = "health_status",
    /// `history`
    History = "history",
    /// `import`
    Import = "import",
    /// `init`
    Init = "init",
    /// `kill`
    Kill = "kill",
    /// `loadfromarchive`
    LoadFromArchive = "loadfromarchive",
    /// `mount`
    Mount = "mount",
    /// `connect`
    NetworkConnect = "connect",
    /// `disconnect`
    NetworkDisconnect = "disconnect",
    /// `pause`
    Pause = "pause",
    /// `prune`
    Prune = "prune",
    /// `pull`
    Pull = "pull",
    /// `push`
    Push = "push",
    /// `refresh`: the state refreshed after a reboot.
    Refresh = "refresh",
    /// `remove`
    Remove = "remove",
    /// `rename`
    Rename = "rename",
    /// `renumber`
    Renumber = "renumber",
    /// `restart`
    Restart = "restart",
    /// `restore`
    Restore = "restore",
    /// `log-rotation`: the event file was rotated.
    Rotate = "log-rotation",
    /// `save`
    Save = "save",
    /// `start`
    Start = "start",
    /// `stop`
    Stop = "stop",
    /// `sync`
    Sync = "sync",
    /// `tag`
    Tag = "tag",
    /// `unmount`
    Unmount = "unmount",
    /// `unpause`
    Unpause = "unpause",
    /// `untag`
    Untag = "untag",
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(EventStatus::from_name(&name))
    }
}

/// One event, with the fields and JSON keys of Podman 4.3's `events.Event` (its embedded
/// `Details` flattened as Go flattens it): `ContainerExitCode` (left out when 0, as Go's
/// `omitempty`), `ID`, `Image`, `Name`, `network`, `Status`, `Time`, `Type`,
/// `health_status`, `PodID`, `Attributes` (`null` when there are none, as Go writes a nil
/// map).
///
/// ```
/// use libpod_core::events::{Event, EventStatus, EventType};
/// let line = r#"{"ID":"abc","Image":"busybox","Name":"web","Status":"start","Time":"2024-05-01T10:00:00.5Z","Type":"container","Attributes":{"k":"v"}}"#;
/// let event: Event = serde_json::from_str(line).unwrap();
/// assert_eq!(event.status, EventStatus::Start);
/// assert_eq!(event.kind, EventType::Container);
/// assert_eq!(serde_json::to_string(&event).unwrap(), line);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The exit code of a `died` or `exec_died` event.
    #[serde(rename = "ContainerExitCode", default, skip_serializing_if = "is_zero")]
    pub container_exit_code: i32,
    /// The container's, image's or pod's ID.
    #[serde(rename = "ID", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The container's image, as it was named at create.
    #[serde(rename = "Image", default, skip_serializing_if = "String::is_empty")]
    pub image: String,
    /// The container's or pod's name; an image event's image name; the file of a rotation.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// A network event's network.
    #[serde(rename = "network", default, skip_serializing_if = "String::is_empty")]
    pub network: String,
    /// What happened.
    #[serde(rename = "Status")]
    pub status: EventStatus,
    /// When.
    #[serde(rename = "Time", with = "gotime")]
    pub time: DateTime<FixedOffset>,
    /// What it is about.
    #[serde(rename = "Type")]
    pub kind: EventType,
    /// A `health_status` event's health.
    #[serde(
        rename = "health_status",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub health_status: String,
    /// The container's pod.
    #[serde(rename = "PodID", default, skip_serializing_if = "String::is_empty")]
    pub pod_id: String,
    /// A container's labels (and an exec session's `execID`); `None` when there are none.
    #[serde(rename = "Attributes", default)]
    pub attributes: Option<BTreeMap<String, String>>,
}

fn is_zero(code: &i32) -> bool {
    *code == 0
}

impl Event {
    /// An event of `kind` and `status` now, with no other field set.
    pub fn new(kind: EventType, status: EventStatus) -> Event {
        Event {
            container_exit_code: 0,
            id: String::new(),
            image: String::new(),
            name: String::new(),
            network: String::new(),
            status,
            time: chrono::Local::now().fixed_offset(),
            kind,
            health_status: String::new(),
            pod_id: String::new(),
            attributes: None,
        }
    }

    /// A container event as Podman's `newContainerEvent` makes it: the container's ID, name,
    /// image name, pod and labels.
    pub fn container(config: &ContainerConfig, status: EventStatus) -> Event {
        let mut event = Event::new(EventType::Container, status);
        event.id = config.id.clone();
        event.name = config.name.clone();
        event.image = match &config.rootfs {
            Some(crate::record::RootfsSource::Image { name, .. }) => name.clone(),
            _ => String::new(),
        };
        event.pod_id = config.pod.clone().unwrap_or_default();
        event.attributes = Some(config.labels.clone());
        event
    }

    /// An image event as libimage reports it: the image's ID and the name involved.
    pub fn image(status: EventStatus, id: &str, name: &str) -> Event {
        let mut event = Event::new(EventType::Image, status);
        event.id = id.to_string();
        event.name = name.to_string();
        event
    }

    /// A volume event as Podman's `newVolumeEvent` makes it: the volume's name.
    pub fn volume(status: EventStatus, name: &str) -> Event {
        let mut event = Event::new(EventType::Volume, status);
        event.name = name.to_string();
        event
    }

    /// Adds attribute `key` (an exec session's `execID`, ...).
    #[must_use]
    pub fn with_attribute(mut self, key: &str, value: &str) -> Event {
        self.attributes
            .get_or_insert_with(BTreeMap::new)
            .insert(key.to_string(), value.to_string());
        self
    }

    /// Sets the exit code of a `died` or `exec_died` event.
    #[must_use]
    pub fn with_exit_code(mut self, code: i32) -> Event {
        self.container_exit_code = code;
        self
    }

    /// The event as one JSON line, without its newline (what the file holds and
    /// `podman events --format json` prints).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an event serializes")
    }

    /// The event's time as Go's `Time.String()` gives it (`2024-05-01 10:00:00.5 +0000
    /// UTC`): what `podman events` prints, and `{{.Time}}` in its templates.
    pub fn go_time(&self) -> String {
        gotime::go_string(&self.time)
    }

    /// The line `podman events` prints by default (Podman's `ToHumanReadable`, untruncated):
    /// `TIME TYPE STATUS ID (image=IMAGE, name=NAME, LABELS...)` for containers and pods,
    /// `TIME image STATUS ID NAME` for images, `TIME system STATUS NAME` for the engine.
    pub fn to_human(&self) -> String {
        let time = self.go_time();
        let (kind, status, id) = (self.kind, &self.status, &self.id);
        match self.kind {
            EventType::Container | EventType::Pod => {
                let mut out = format!(
                    "{time} {kind} {status} {id} (image={}, name={}",
                    self.image, self.name
                );
                if !self.pod_id.is_empty() {
                    out.push_str(&format!(", pod_id={}", self.pod_id));
                }
                if !self.health_status.is_empty() {
                    out.push_str(&format!(", health_status={}", self.health_status));
                }
                for (key, value) in self.attributes.iter().flatten() {
                    out.push_str(&format!(", {key}={value}"));
                }
                out.push(')');
                out
            }
            EventType::Network => format!(
                "{time} {kind} {status} {id} (container={id}, name={})",
                self.network
            ),
            EventType::Image => format!("{time} {kind} {status} {id} {}", self.name),
            EventType::System if self.name.is_empty() => format!("{time} {kind} {status}"),
            EventType::System | EventType::Volume | EventType::Machine => {
                format!("{time} {kind} {status} {}", self.name)
            }
        }
    }
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
