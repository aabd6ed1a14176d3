//! The environment of the real-conmon tests: a private engine under a TempRoot.

use super::*;
use crate::oci::suite::Fixture;
use libpod_spec::{CreateConfig, SpecContext, SpecDefaults, SpecGenerator};
use libpod_testutil::{TempRoot, busybox_rootfs};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Waits for exits that must come.
pub(super) const EXIT: Option<Duration> = Some(Duration::from_secs(20));

/// A private engine: runtime state, exits, bundles and a cgroup parent of its own.
pub(super) struct Env {
    pub tmp: TempRoot,
    pub rt: Option<ConmonRuntime>,
    generator: SpecGenerator,
    cgroup_parent: String,
    created: parking_lot::Mutex<Vec<String>>,
}

impl Env {
    pub(super) fn new() -> Env {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let tmp = TempRoot::new().unwrap();
        let rt = ConmonRuntime::new(ConmonRuntimeConfig::runc(tmp.path().join("run"))).unwrap();
        let mut defaults = SpecDefaults::default();
        defaults.ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
        let cgroup_parent = format!(
            "/libpod-rs-oci-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Env {
            tmp,
            rt: Some(rt),
            generator: SpecGenerator::new(defaults).unwrap(),
            cgroup_parent,
            created: parking_lot::Mutex::new(Vec::new()),
        }
    }

    pub(super) fn rt(&self) -> &ConmonRuntime {
        self.rt.as_ref().unwrap()
    }

    /// Writes a bundle for container `id` running `command`; returns the bundle, the run
    /// directory and the spec's cgroups path.
    pub(super) fn bundle(
        &self,
        id: &str,
        command: &[&str],
        tweak: impl FnOnce(&mut CreateConfig),
    ) -> (PathBuf, PathBuf, String) {
        let dir = self.tmp.path().join("containers").join(id);
        // A fresh bundle each time (a recreated container must not find the last one's files).
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        let bundle = dir.join("bundle");
        let rootfs = bundle.join("rootfs");
        busybox_rootfs(&rootfs).unwrap();
        let mut config = CreateConfig::default();
        config.command = Some(command.iter().map(|s| s.to_string()).collect());
        config.cgroup_parent = Some(self.cgroup_parent.clone());
        config.network.mode = libpod_spec::NetworkMode::None;
        tweak(&mut config);
        let spec = self
            .generator
            .generate(&config, None, &SpecContext::new(id, &rootfs))
            .unwrap();
        let cgroups_path = spec
            .linux()
            .as_ref()
            .and_then(|linux| linux.cgroups_path().clone())
            .unwrap()
            .display()
            .to_string();
        std::fs::write(
            bundle.join("config.json"),
            serde_json::to_vec(&spec).unwrap(),
        )
        .unwrap();
        self.created.lock().push(id.to_string());
        (bundle, dir.join("run"), cgroups_path)
    }

    pub(super) fn rootfs(&self, id: &str) -> PathBuf {
        self.tmp
            .path()
            .join("containers")
            .join(id)
            .join("bundle/rootfs")
    }

    /// `runc list -q` in the private root.
    pub(super) fn runc_ids(&self) -> Vec<String> {
        let out = self
            .rt()
            .cli
            .command()
            .args(["list", "-q"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(rt) = &self.rt {
            for id in self.created.lock().iter() {
                if let Err(err) = rt.delete(id, true) {
                    eprintln!("cleanup: deleting {id}: {err}");
                }
            }
        }
        // runc removes each container's cgroup; the parent is ours to remove, in every
        // hierarchy, after anything a failed delete left beneath it.
        let Ok(hierarchies) = std::fs::read_dir("/sys/fs/cgroup") else {
            return;
        };
        for hierarchy in hierarchies.flatten() {
            let parent = hierarchy
                .path()
                .join(self.cgroup_parent.trim_start_matches('/'));
            if let Ok(children) = std::fs::read_dir(&parent) {
                for child in children.flatten().filter(|c| c.path().is_dir()) {
                    let _ = std::fs::remove_dir(child.path());
                }
            }
            let _ = std::fs::remove_dir(&parent);
        }
    }
}

/// The conformance suite's fixture: an [`Env`] taken as root, one at a time (the tests share
/// the host's cgroups), whose runtime does runc's start and delete in process or not.
pub(super) struct SuiteEnv {
    env: Env,
    // Dropped after `env`, whose drop removes what the case left.
    _serial: std::sync::MutexGuard<'static, ()>,
}

impl SuiteEnv {
    pub(super) fn new(direct_runc: bool) -> SuiteEnv {
        libpod_testutil::require_root();
        let serial = libpod_testutil::serial();
        let mut env = Env::new();
        let rt = env.rt.take().unwrap().with_direct_runc(direct_runc);
        assert_eq!(rt.direct_runc(), direct_runc);
        env.rt = Some(rt);
        SuiteEnv {
            env,
            _serial: serial,
        }
    }
}

impl Fixture for SuiteEnv {
    fn runtime(&self) -> &dyn OciRuntime {
        self.env.runtime()
    }
    fn prepare(&self, id: &str) -> (PathBuf, PathBuf) {
        self.env.prepare(id)
    }
    fn finish(&self, id: &str, code: i32) {
        self.env.finish(id, code);
    }
}

impl Fixture for Env {
    fn runtime(&self) -> &dyn OciRuntime {
        self.rt()
    }
    fn prepare(&self, id: &str) -> (PathBuf, PathBuf) {
        // sh as PID 1 has no SIGTERM handler: the kernel drops SIGTERM.
        let wait = "while [ ! -s /exit-code ]; do sleep 0.01; done; exit $(cat /exit-code)";
        let (bundle, run_dir, _) = self.bundle(id, &["/bin/sh", "-c", wait], |_| {});
        (bundle, run_dir)
    }
    fn finish(&self, id: &str, code: i32) {
        let rootfs = self.rootfs(id);
        std::fs::write(rootfs.join("exit-code.tmp"), code.to_string()).unwrap();
        std::fs::rename(rootfs.join("exit-code.tmp"), rootfs.join("exit-code")).unwrap();
    }
}
