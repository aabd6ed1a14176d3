//! What [`Store::check`](super::Store::check) finds wrong with a store.

use crate::digest::Digest;
use std::fmt;
use std::path::PathBuf;

/// One problem found by [`Store::check`](super::Store::check), naming the object concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreProblem {
    /// A blob an image needs is missing, unreadable or does not match its digest.
    BadBlob {
        /// The image needing it.
        image: Digest,
        /// The blob.
        blob: Digest,
        /// What is wrong with it.
        reason: String,
    },
    /// An image names a layer that has no record.
    LayerNotRecorded {
        /// The image.
        image: Digest,
        /// The layer's chain ID.
        layer: Digest,
    },
    /// A recorded layer's directory is missing.
    LayerMissing {
        /// The layer's chain ID.
        layer: Digest,
        /// Its `diff` directory.
        path: PathBuf,
    },
    /// A recorded layer's files are not known to be whole: its completeness mark is missing
    /// (an interrupted extraction or removal). The next pull or import of the layer replaces
    /// them.
    LayerIncomplete {
        /// The layer's chain ID.
        layer: Digest,
        /// The mark that is missing.
        mark: PathBuf,
    },
    /// A layer's short link under `l/` does not point at its directory.
    LayerLinkBroken {
        /// The layer's chain ID.
        layer: Digest,
        /// The link's name.
        link: String,
    },
    /// A container's directory is missing.
    ContainerMissing {
        /// The container's ID.
        container: String,
    },
    /// A directory under `layers/` that no record owns.
    LayerDirNotRecorded {
        /// Its name.
        name: String,
    },
    /// A blob that no image uses.
    BlobNotUsed {
        /// The blob.
        blob: Digest,
    },
}

impl fmt::Display for StoreProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreProblem::BadBlob {
                image,
                blob,
                reason,
            } => write!(f, "image {image}: blob {blob}: {reason}"),
            StoreProblem::LayerNotRecorded { image, layer } => {
                write!(f, "image {image}: layer {layer} has no record")
            }
            StoreProblem::LayerMissing { layer, path } => {
                write!(f, "layer {layer}: {} is missing", path.display())
            }
            StoreProblem::LayerIncomplete { layer, mark } => write!(
                f,
                "layer {layer}: incomplete files (no completeness mark {})",
                mark.display()
            ),
            StoreProblem::LayerLinkBroken { layer, link } => {
                write!(f, "layer {layer}: link l/{link} does not point at it")
            }
            StoreProblem::ContainerMissing { container } => {
                write!(f, "container {container}: its directory is missing")
            }
            StoreProblem::LayerDirNotRecorded { name } => {
                write!(f, "layers/{name} has no record")
            }
            StoreProblem::BlobNotUsed { blob } => {
                write!(f, "blob {blob} is not used by any image")
            }
        }
    }
}
