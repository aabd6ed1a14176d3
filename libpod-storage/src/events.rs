//! Image events: the store tells a sink what it did to images (pull, push, tag, untag,
//! remove, import, save), so that an engine above it can record them as Podman's libimage
//! reports them to libpod's event log. The store itself writes no log: with no sink set,
//! nothing happens.
//!
//! ```
//! use libpod_storage::events::{ImageEvent, ImageEventSink};
//! use std::sync::Mutex;
//!
//! #[derive(Debug, Default)]
//! struct Recorder(Mutex<Vec<ImageEvent>>);
//!
//! impl ImageEventSink for Recorder {
//!     fn image_event(&self, event: &ImageEvent) {
//!         self.0.lock().unwrap().push(event.clone());
//!     }
//! }
//! // store.set_event_sink(std::sync::Arc::new(Recorder::default()));
//! ```

use std::fmt;

/// What happened to an image, with Podman's event names (see [`ImageEventKind::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageEventKind {
    /// Pulled from a registry, an OCI layout or an archive.
    Pull,
    /// Pushed to a registry.
    Push,
    /// Given a name.
    Tag,
    /// A name taken off.
    Untag,
    /// Removed.
    Remove,
    /// Imported from a root filesystem tarball.
    Import,
    /// Written to an archive or layout.
    Save,
    /// Mounted.
    Mount,
    /// Unmounted.
    Unmount,
}

impl ImageEventKind {
    /// Podman's name of the event (its `Status`): `pull`, `push`, `tag`, `untag`, `remove`,
    /// `import`, `save`, `mount`, `unmount`.
    ///
    /// ```
    /// use libpod_storage::events::ImageEventKind;
    /// assert_eq!(ImageEventKind::Untag.as_str(), "untag");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ImageEventKind::Pull => "pull",
            ImageEventKind::Push => "push",
            ImageEventKind::Tag => "tag",
            ImageEventKind::Untag => "untag",
            ImageEventKind::Remove => "remove",
            ImageEventKind::Import => "import",
            ImageEventKind::Save => "save",
            ImageEventKind::Mount => "mount",
            ImageEventKind::Unmount => "unmount",
        }
    }
}

impl fmt::Display for ImageEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing the store did to an image: libimage's `Event` (ID and name as Podman fills
/// them: the name is the one the user gave, the pull's reference, the push's destination or
/// the archive's path).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageEvent {
    /// What happened.
    pub kind: ImageEventKind,
    /// The image's ID (the config digest's hex); empty for a pull, as libimage 0.50 reports
    /// it.
    pub id: String,
    /// The name involved.
    pub name: String,
}

impl ImageEvent {
    /// An event of `kind` about image `id` under `name`.
    pub fn new(kind: ImageEventKind, id: impl Into<String>, name: impl Into<String>) -> Self {
        ImageEvent {
            kind,
            id: id.into(),
            name: name.into(),
        }
    }
}

/// Receives the store's image events, after each operation succeeded. Called from the
/// thread that did the operation; it must not fail it (log instead), and should be quick.
pub trait ImageEventSink: Send + Sync + fmt::Debug {
    /// Records `event`.
    fn image_event(&self, event: &ImageEvent);
}
