//! Volumes after a kill: each volume whole (its row, its data directory), no directory
//! without a row, no intent left: an interrupted create or remove is whole or absent.

use super::invariants::{Report, entries};
use libpod_core::runtime::Runtime;

pub fn check_volumes(rt: &Runtime, report: &mut Report) {
    let volumes = match rt.volumes() {
        Ok(v) => v,
        Err(e) => return report.fail("volumes", format!("listing volumes: {e}")),
    };
    for volume in &volumes {
        if !volume.config().mount_point.is_dir() {
            report.fail(
                "volumes",
                format!("volume {} has no data directory", volume.name()),
            );
        }
    }
    for dir in entries(&rt.root().join("volumes")) {
        if !volumes.iter().any(|v| v.name() == dir) {
            report.fail("volumes", format!("directory volumes/{dir} has no volume"));
        }
    }
    let intents = entries(&rt.root().join("volume-intents"));
    if !intents.is_empty() {
        report.fail("volumes", format!("volume intents left: {intents:?}"));
    }
}
