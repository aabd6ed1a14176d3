//! Writing a directory tree as a tar stream (export, commit, save).

use crate::error::Result;
use std::io::Write;
use std::path::Path;

/// How a tree is written.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TarOptions {
    /// The tree is an overlay upper or layer directory: turn 0:0 character devices into
    /// `.wh.NAME` entries and opaque directories into `.wh..wh..opq` entries.
    pub overlay_whiteouts: bool,
}

/// Writes `root` as a tar stream: entries sorted by path, with owners, modes, mtimes,
/// xattrs (but never `trusted.overlay.*`), hardlinks, symlinks and device nodes.
pub fn write_tar(root: &Path, writer: impl Write, options: &TarOptions) -> Result<()> {
    let _ = (root, writer, options);
    todo!("helper S2")
}
