//! OCI archives: a tar of an OCI image layout.

use super::{ImageSource, OciLayout, ResolvedManifest};
use crate::digest::Digest;
use crate::error::Result;
use crate::manifest::Platform;
use std::io::Read;
use std::path::Path;

/// An OCI archive opened for reading: unpacked (regular files and directories only) into a
/// private temporary directory, read as a layout, removed on drop.
#[derive(Debug)]
pub struct OciArchive {
    // helper S3: fields (the temp dir and the OciLayout)
    _layout: Option<OciLayout>,
}

impl OciArchive {
    /// Unpacks `file` into a temporary directory under `tmp_dir` and opens the image `tag` in it.
    pub fn open(
        file: &Path,
        tmp_dir: &Path,
        tag: Option<&str>,
        platform: &Platform,
    ) -> Result<Self> {
        let _ = (file, tmp_dir, tag, platform);
        todo!("helper S3")
    }
}

impl ImageSource for OciArchive {
    fn manifest(&self) -> Result<ResolvedManifest> {
        todo!("helper S3")
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>> {
        let _ = digest;
        todo!("helper S3")
    }
}

/// Writes the layout directory `layout` as an OCI archive at `file` (atomically: a temporary
/// file renamed into place).
pub fn write_oci_archive(layout: &Path, file: &Path) -> Result<()> {
    let _ = (layout, file);
    todo!("helper S3")
}
