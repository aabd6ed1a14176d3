//! A volume create or remove a kill interrupted, finished or undone at the next open: both
//! record an intent (`ROOT/volume-intents/NAME`) first; a create makes the directories before
//! the row, a remove drops the row before the directories, so the row decides: a volume with
//! a row is whole (its directories made again if missing), one without has its directories
//! removed.

use super::local;
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;
use std::path::Path;

/// Resolves each volume intent left by a process that is gone (its volume's lock is free).
/// Failures are logged: the open goes on, and the next one tries again.
pub(crate) fn resolve_interrupted(rt: &Runtime, dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let intent = entry.path();
        let resolved = if libpod_spec::parse::check_name("volume name", &name).is_ok() {
            resolve(rt, &name, &intent)
        } else {
            tracing::warn!(path = %intent.display(), "not a volume intent: removed");
            Ok(())
        };
        let removed = resolved.and_then(|()| match std::fs::remove_file(&intent) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(CoreError::io("remove", &intent, e))
            }
            _ => Ok(()),
        });
        if let Err(err) = removed {
            tracing::warn!(volume = %name, %err, "interrupted volume operation not resolved");
        }
    }
}

fn resolve(rt: &Runtime, name: &str, intent: &Path) -> Result<()> {
    // Waits for a creator or remover still at work; then its intent is gone.
    let guard = rt.lock_volume(name)?;
    if !intent.exists() {
        return Ok(());
    }
    match rt.state().volume_config(name) {
        Ok(config) => {
            local::create_dirs(rt, &config)?;
            tracing::info!(volume = %name, "interrupted volume operation: the volume is kept");
        }
        Err(CoreError::VolumeNotFound(_)) => {
            local::remove_dirs(rt, name)?;
            guard.remove_file();
            tracing::info!(volume = %name, "interrupted volume operation: its files removed");
        }
        Err(e) => return Err(e),
    }
    Ok(())
}
