//! The engine's emitter: where the verbs send their events, on or off as containers.conf's
//! `events_logger` says.

use super::{Event, EventLog, EventStatus, ReadOptions};
use crate::error::Result;
use crate::record::ContainerConfig;
use libpod_storage::events::{ImageEvent, ImageEventKind, ImageEventSink};
use std::path::Path;
use std::sync::Arc;

/// Writes events to the engine's event file, or nowhere (`events_logger = "none"`). Cheap to
/// clone. A failed write is logged, never returned: as in Podman, an operation does not fail
/// because its event could not be recorded.
///
/// ```
/// use libpod_core::events::{EventEmitter, EventLog, ReadOptions};
/// let dir = tempfile::tempdir()?;
/// let emitter = EventEmitter::to_file(EventLog::new(dir.path().join("events.log"), 0));
/// emitter.emit(libpod_core::events::Event::image(
///     libpod_core::events::EventStatus::Tag, "0123abcd", "localhost/web:1",
/// ));
/// let mut seen = Vec::new();
/// emitter.read(&ReadOptions::default(), &|| false, &mut |e| { seen.push(e.name); true })?;
/// assert_eq!(seen, ["localhost/web:1"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct EventEmitter {
    log: Option<Arc<EventLog>>,
}

impl EventEmitter {
    /// An emitter that writes to `log`.
    pub fn to_file(log: EventLog) -> EventEmitter {
        EventEmitter {
            log: Some(Arc::new(log)),
        }
    }

    /// An emitter that drops every event (`events_logger = "none"`).
    pub fn disabled() -> EventEmitter {
        EventEmitter { log: None }
    }

    /// The event file, unless events are off.
    pub fn log(&self) -> Option<&EventLog> {
        self.log.as_deref()
    }

    /// Records `event`.
    pub fn emit(&self, event: Event) {
        let Some(log) = &self.log else { return };
        if let Err(err) = log.write(&event) {
            tracing::error!(status = %event.status, id = %event.id, %err, "unable to write event");
        }
    }

    /// Records container event `status` of the container configured by `config`: what an
    /// operation on a container adds, in one line.
    pub fn container(&self, config: &ContainerConfig, status: EventStatus) {
        if self.log.is_some() {
            self.emit(Event::container(config, status));
        }
    }

    /// Records that the container's process exited with `exit_code` (`died`).
    pub fn died(&self, config: &ContainerConfig, exit_code: i32) {
        if self.log.is_some() {
            self.emit(Event::container(config, EventStatus::Died).with_exit_code(exit_code));
        }
    }

    /// Reads the event file (see [`read_events`](super::read_events)); with events off,
    /// there are none.
    pub fn read(
        &self,
        options: &ReadOptions,
        stop: &dyn Fn() -> bool,
        sink: &mut dyn FnMut(Event) -> bool,
    ) -> Result<()> {
        match &self.log {
            Some(log) => super::read_events(log.path(), options, stop, sink),
            None => Ok(()),
        }
    }

    /// The file's path, unless events are off.
    pub fn path(&self) -> Option<&Path> {
        self.log.as_deref().map(EventLog::path)
    }
}

/// The store's image events become image events in the file, as libpod forwards libimage's.
impl ImageEventSink for EventEmitter {
    fn image_event(&self, event: &ImageEvent) {
        let status = match event.kind {
            ImageEventKind::Pull => EventStatus::Pull,
            ImageEventKind::Push => EventStatus::Push,
            ImageEventKind::Tag => EventStatus::Tag,
            ImageEventKind::Untag => EventStatus::Untag,
            ImageEventKind::Remove => EventStatus::Remove,
            ImageEventKind::Import => EventStatus::Import,
            ImageEventKind::Save => EventStatus::Save,
            ImageEventKind::Mount => EventStatus::Mount,
            ImageEventKind::Unmount => EventStatus::Unmount,
            other => EventStatus::Other(other.as_str().to_string()),
        };
        self.emit(Event::image(status, &event.id, &event.name));
    }
}
