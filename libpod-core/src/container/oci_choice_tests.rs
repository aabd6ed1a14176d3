//! Each container keeps the OCI runtime it was created with: the name is recorded at create,
//! and every later operation, from any runtime opened on the same roots, goes to the runtime
//! of that name; where it was not offered, the operation fails naming it.

use super::*;
use crate::CoreError;
use crate::oci::{CreateArgs, ExitInfo, FakeRuntime, OciRuntime, PendingCreate, RuntimeState};
use crate::runtime::{EngineConfig, Runtime};
use libpod_spec::NamespaceMode;
use oci_spec::runtime::LinuxResources;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A fake runtime under a name of its own.
#[derive(Debug)]
struct Named(&'static str, Arc<FakeRuntime>);

impl OciRuntime for Named {
    fn name(&self) -> &str {
        self.0
    }
    fn launch<'r>(&'r self, args: &CreateArgs<'_>) -> Result<Box<dyn PendingCreate + 'r>> {
        self.1.launch(args)
    }
    fn start(&self, id: &str) -> Result<()> {
        self.1.start(id)
    }
    fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        self.1.kill(id, signal, all)
    }
    fn delete(&self, id: &str, force: bool) -> Result<()> {
        self.1.delete(id, force)
    }
    fn state(&self, id: &str) -> Result<Option<RuntimeState>> {
        self.1.state(id)
    }
    fn pause(&self, id: &str) -> Result<()> {
        self.1.pause(id)
    }
    fn resume(&self, id: &str) -> Result<()> {
        self.1.resume(id)
    }
    fn update(&self, id: &str, resources: &LinuxResources) -> Result<()> {
        self.1.update(id, resources)
    }
    fn exit_info(&self, id: &str) -> Result<Option<ExitInfo>> {
        self.1.exit_info(id)
    }
    fn wait_exit(&self, id: &str, timeout: Option<Duration>) -> Result<Option<ExitInfo>> {
        self.1.wait_exit(id, timeout)
    }
    fn clear_exit(&self, id: &str) -> Result<()> {
        self.1.clear_exit(id)
    }
}

/// A runtime on `dir` (SQLite state, so that several open the same containers) whose own OCI
/// runtime is `alpha`, with `added` beside it and `chosen` for new containers.
fn open(
    dir: &Path,
    alpha: &Arc<FakeRuntime>,
    added: Option<&Arc<FakeRuntime>>,
    chosen: Option<&str>,
) -> Runtime {
    let mut builder = Runtime::builder()
        .root(dir.join("root"))
        .run_root(dir.join("run"))
        .engine_config(EngineConfig::builtin())
        .storage_driver("vfs")
        .with_oci(Arc::new(Named("alpha", alpha.clone())));
    if let Some(beta) = added {
        builder = builder.add_oci_runtime(Arc::new(Named("beta", beta.clone())));
    }
    if let Some(name) = chosen {
        builder = builder.oci_runtime(name);
    }
    builder.open().unwrap()
}

fn started(rt: &Runtime, rootfs: &Path) -> Container {
    let mut spec = libpod_spec::CreateConfig::default();
    spec.ipc = NamespaceMode::Host;
    spec.command = Some(vec!["/bin/true".into()]);
    let ctr = rt
        .new_container([with_create_config(spec), with_rootfs_path(rootfs)])
        .unwrap();
    ctr.start().unwrap();
    ctr
}

#[test]
fn a_container_keeps_the_oci_runtime_it_was_created_with() {
    let dir = libpod_testutil::TempRoot::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::write(rootfs.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    let (alpha, beta) = (Arc::new(FakeRuntime::new()), Arc::new(FakeRuntime::new()));

    // Chosen by name among the added ones: new containers go to beta and record it.
    let rt = open(dir.path(), &alpha, Some(&beta), Some("beta"));
    assert_eq!(rt.oci_runtime_name(), "beta");
    let on_beta = started(&rt, &rootfs);
    assert_eq!(on_beta.config().oci_runtime.as_deref(), Some("beta"));
    let id = on_beta.id().to_string();
    assert_eq!(beta.state(&id).unwrap().unwrap().status, "running");
    assert_eq!(alpha.state(&id).unwrap(), None);
    drop((on_beta, rt));

    // Opened again with alpha for new containers: the old one still goes to beta.
    let rt = open(dir.path(), &alpha, Some(&beta), None);
    let on_alpha = started(&rt, &rootfs);
    assert_eq!(on_alpha.config().oci_runtime.as_deref(), Some("alpha"));
    assert!(alpha.state(on_alpha.id()).unwrap().is_some());
    let old = rt.container(&id).unwrap();
    old.pause().unwrap();
    assert_eq!(beta.state(&id).unwrap().unwrap().status, "paused");
    assert_eq!(old.status().unwrap(), ContainerStatus::Paused);
    drop((old, on_alpha, rt));

    // Opened without beta: its container cannot be acted on, and says why.
    let rt = open(dir.path(), &alpha, None, None);
    match rt.container(&id).unwrap().state() {
        Err(CoreError::OciRuntimeMissing { runtime, .. }) => assert_eq!(runtime, "beta"),
        other => panic!("expected the missing runtime beta, got {other:?}"),
    }
}
