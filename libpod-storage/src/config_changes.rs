//! `--change` instructions (`CMD`, `ENTRYPOINT`, `ENV`, `WORKDIR`, `USER`, `LABEL`, `EXPOSE`,
//! `VOLUME`, `STOPSIGNAL`) applied to an image config, as `podman import --change` does.

use crate::error::Result;
use oci_spec::image::Config;

/// Applies each instruction, in order, to `config`. A malformed or unsupported instruction is
/// an [`InvalidValue`](crate::StorageError::InvalidValue) error naming it.
pub fn apply_changes(config: &mut Config, changes: &[String]) -> Result<()> {
    let _ = (config, changes);
    todo!("helper S3")
}
