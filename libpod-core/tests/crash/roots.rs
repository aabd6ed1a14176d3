//! A runtime's roots for the trials: made fresh with the base image, reused from trial to
//! trial while the invariants hold, and torn down without leaving anything behind.

use super::fixtures::Fixtures;
use super::host::{kill, processes_naming, wait_until};
use crate::common::CgroupParent;
use crate::common::net::NetCleanup;
use libpod_core::CoreError;
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_storage::ImageReference;
use libpod_testutil::TempRoot;
use std::path::Path;

/// A runtime root and run root under one temporary directory, the cgroup parent of its
/// containers, and the harness's networks (`net_setup.rs`). Dropping it kills what runs there
/// (by PID), unmounts and deletes it, and removes the networks' bridges and firewall rules.
pub struct Roots {
    // Dropped in this order, after `Drop::drop` killed conmon, runc and aardvark-dns.
    pub cgroup: CgroupParent,
    pub dir: TempRoot,
    _nets: NetCleanup,
}

impl Roots {
    /// Fresh roots with the base image imported, on a tmpfs of their own unless
    /// `LIBPOD_CRASH_FS=tmpdir`: a SIGKILL leaves the page cache as it is on any filesystem,
    /// and this VM's ext4 without a journal makes every file creation slow for minutes after
    /// a deletion (the benches' reason for their own filesystem), which the trials do all
    /// the time.
    pub fn new(fixtures: &Fixtures) -> Result<Roots, String> {
        let roots = Roots {
            cgroup: CgroupParent::new(),
            dir: TempRoot::new().map_err(|e| format!("temporary directory: {e}"))?,
            _nets: NetCleanup(super::net_setup::nets().to_vec()),
        };
        if std::env::var("LIBPOD_CRASH_FS").as_deref() != Ok("tmpdir") {
            nix::mount::mount(
                Some("tmpfs"),
                roots.dir.path(),
                Some("tmpfs"),
                nix::mount::MsFlags::empty(),
                Some("mode=0700,size=1g"),
            )
            .map_err(|e| format!("mounting a tmpfs on {}: {e}", roots.dir.path().display()))?;
        }
        let rt = open_runtime(roots.dir.path()).map_err(|e| format!("opening: {e}"))?;
        let tarball = fixtures
            .base
            .tarball
            .as_ref()
            .expect("the base is imported");
        let file = std::fs::File::open(tarball).map_err(|e| e.to_string())?;
        rt.storage()
            .import_tarball(
                file,
                Some(&ImageReference::parse(&fixtures.base.name).map_err(|e| e.to_string())?),
                &[],
            )
            .map_err(|e| format!("importing the base: {e}"))?;
        super::net_setup::create_networks(&rt)?;
        Ok(roots)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Roots {
    fn drop(&mut self) {
        // conmon and any runc it left: theirs are the only command lines that name our
        // directory. The containers' own processes die with the cgroup parent.
        let dir = self.dir.path().to_path_buf();
        for process in processes_naming(&dir) {
            kill(process.pid);
        }
        if !wait_until(5.0, || processes_naming(&dir).is_empty()) {
            eprintln!(
                "crash harness: processes still naming {} after SIGKILL",
                dir.display()
            );
        }
    }
}

/// Opens the runtime on `dir` as every process of the harness does (parent and children).
pub fn open_runtime(dir: &Path) -> Result<Runtime, CoreError> {
    let mut engine = EngineConfig::builtin();
    // This host's hard limits are below Podman's implicit 1048576.
    engine.default_ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
    // No networking unless an operation asks for it (bridge is the default, as in Podman).
    engine.netns = libpod_spec::NetworkMode::None;
    crate::common::builder(dir)
        .engine_config(engine)
        // The cleanup operation's exits are left for the child to handle.
        .exit_monitor(false)
        .open()
}
