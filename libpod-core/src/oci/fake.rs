//! An in-memory OCI runtime for unit tests of the lifecycle logic. It runs nothing: tests tell
//! it when a "process" exits. Never a stand-in for runc in a test that claims a feature works.

use super::{CreateArgs, Created, ExitInfo, OciRuntime, RuntimeState};
use crate::error::Result;
use oci_spec::runtime::LinuxResources;
use std::time::Duration;

/// The fake runtime.
#[derive(Debug, Default)]
pub struct FakeRuntime {
    // helper B: fields
}

impl FakeRuntime {
    /// A fake runtime with no containers.
    pub fn new() -> Self {
        FakeRuntime::default()
    }

    /// Makes container `id`'s process exit with `code` (as if it ended by itself).
    pub fn exit(&self, id: &str, code: i32) {
        let _ = (id, code);
        todo!("helper B")
    }
}

impl OciRuntime for FakeRuntime {
    fn name(&self) -> &str {
        "fake"
    }
    fn create(&self, args: &CreateArgs<'_>) -> Result<Created> {
        let _ = args;
        todo!("helper B")
    }
    fn start(&self, id: &str) -> Result<()> {
        let _ = id;
        todo!("helper B")
    }
    fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        let _ = (id, signal, all);
        todo!("helper B")
    }
    fn delete(&self, id: &str, force: bool) -> Result<()> {
        let _ = (id, force);
        todo!("helper B")
    }
    fn state(&self, id: &str) -> Result<Option<RuntimeState>> {
        let _ = id;
        todo!("helper B")
    }
    fn pause(&self, id: &str) -> Result<()> {
        let _ = id;
        todo!("helper B")
    }
    fn resume(&self, id: &str) -> Result<()> {
        let _ = id;
        todo!("helper B")
    }
    fn update(&self, id: &str, resources: &LinuxResources) -> Result<()> {
        let _ = (id, resources);
        todo!("helper B")
    }
    fn exit_info(&self, id: &str) -> Result<Option<ExitInfo>> {
        let _ = id;
        todo!("helper B")
    }
    fn wait_exit(&self, id: &str, timeout: Option<Duration>) -> Result<Option<ExitInfo>> {
        let _ = (id, timeout);
        todo!("helper B")
    }
    fn clear_exit(&self, id: &str) -> Result<()> {
        let _ = id;
        todo!("helper B")
    }
}
