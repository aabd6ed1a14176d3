//! Layers: applying (hostile) layer tarballs into directories in overlay format, writing
//! directories back out as tarballs, and computing a container's changes.
//!
//! A layer directory holds the layer's own files; deletions are overlay whiteouts (0:0
//! character devices) and opaque directories carry `trusted.overlay.opaque=y`, so that the
//! directories can be stacked directly as overlay lower layers.

mod apply;
mod changes;
mod compress;
mod fsutil;
mod merge;
mod pax;
mod tar_format;
mod tar_header;
mod tar_reader;
mod tar_writer;
#[cfg(test)]
mod test_support;
mod xattr;

pub use apply::{AppliedLayer, apply_layer};
pub use changes::{Change, ChangeKind, changes_between, overlay_changes};
pub use compress::{Compression, decompressing_reader, detect_compression};
pub use merge::merge_layer_into;
pub use tar_writer::{TarOptions, write_tar};
