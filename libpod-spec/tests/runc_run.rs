//! runc runs the specs we generate: each case runs a busybox shell that reports what the
//! kernel says about it (ids, capability masks, seccomp mode, cgroup limits, rlimits), and the
//! test checks those against the request.

use libpod_spec::{CreateConfig, SpecContext, SpecDefaults, SpecGenerator};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, runc_run, serial};
use std::collections::HashMap;
use std::path::Path;

/// Prints `key=value` facts about the process, one per line.
const REPORT: &str = r#"
echo uid=$(id -u)
echo gid=$(id -g)
echo groups="$(id -G)"
grep -E '^(CapEff|CapBnd|CapPrm|Seccomp|NoNewPrivs):' /proc/self/status | sed 's/:\s*/=/'
echo nofile=$(ulimit -n)
echo memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null)
echo pids=$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null)
if touch /rootfs-probe 2>/dev/null; then echo rootfs=rw; else echo rootfs=ro; fi
if touch /tmp/probe 2>/dev/null; then echo tmp=rw; else echo tmp=ro; fi
echo hostname=$(hostname)
"#;

/// A unique cgroup parent for this test run, removed afterwards from every v1 hierarchy.
struct CgroupParent(String);

impl Drop for CgroupParent {
    fn drop(&mut self) {
        if let Ok(entries) = std::fs::read_dir("/sys/fs/cgroup") {
            for e in entries.flatten() {
                let _ = std::fs::remove_dir(e.path().join(self.0.trim_start_matches('/')));
            }
        }
    }
}

fn run(name: &str, tweak: impl FnOnce(&mut CreateConfig)) -> HashMap<String, String> {
    let tmp = TempRoot::new().unwrap();
    let bundle = tmp.path().join("bundle");
    let rootfs = bundle.join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let parent = CgroupParent(format!("/libpod-rs-test-{}", std::process::id()));
    let mut config = CreateConfig::default();
    config.command = Some(vec!["/bin/sh".into(), "-c".into(), REPORT.into()]);
    config.cgroup_parent = Some(parent.0.clone());
    tweak(&mut config);
    let id = format!("{:0>64}", format!("{:x}{}", std::process::id(), name.len()));
    let mut defaults = SpecDefaults::default();
    defaults.ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
    let generator = SpecGenerator::new(defaults).unwrap();
    let spec = generator
        .generate(&config, None, &SpecContext::new(&id, &rootfs))
        .unwrap();
    std::fs::write(
        bundle.join("config.json"),
        serde_json::to_vec_pretty(&spec).unwrap(),
    )
    .unwrap();
    let out = runc_run(
        &bundle,
        &format!("libpod-rs-spec-{name}-{}", std::process::id()),
    );
    assert!(
        out.status.success(),
        "{name}: runc failed: {}\n{}",
        out.stderr,
        out.stdout
    );
    out.stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The capability mask of `CAP_*` names, as /proc/self/status prints it.
fn mask(names: &[&str]) -> String {
    let bits = names.iter().fold(0u64, |bits, n| {
        let cap: caps::Capability = n
            .parse()
            .unwrap_or_else(|_| panic!("unknown capability {n}"));
        bits | 1 << cap.index()
    });
    format!("{bits:016x}")
}

/// The default capabilities, as the generator puts them in the spec (the parity test checks
/// them against Podman's); here we check the kernel applies them.
const DEFAULT_CAPS: &[&str] = libpod_spec::generate::defaults::DEFAULT_CAPABILITIES;

#[test]
fn runc_runs_generated_specs() {
    require_root();
    let _serial = serial();
    assert!(
        Path::new("/usr/sbin/runc").exists() || which("runc"),
        "runc is not installed"
    );

    let facts = run("default", |_| {});
    assert_eq!((facts["uid"].as_str(), facts["gid"].as_str()), ("0", "0"));
    assert_eq!(facts["CapEff"], mask(DEFAULT_CAPS));
    assert_eq!(facts["CapBnd"], mask(DEFAULT_CAPS));
    assert_eq!(
        facts["Seccomp"], "2",
        "the default seccomp profile is loaded in filter mode"
    );
    assert_eq!(facts["NoNewPrivs"], "0");
    assert_eq!(facts["nofile"], "1024");
    assert_eq!(facts["rootfs"], "rw");
    assert_eq!(facts["pids"], "2048");
    assert_eq!(facts["hostname"].len(), 12);

    let facts = run("readonly", |c| c.security.read_only_rootfs = true);
    assert_eq!(
        (facts["rootfs"].as_str(), facts["tmp"].as_str()),
        ("ro", "rw")
    );

    let facts = run("user", |c| c.user.user = Some("1000:1000".into()));
    assert_eq!(
        (facts["uid"].as_str(), facts["gid"].as_str()),
        ("1000", "1000")
    );
    assert_eq!(
        facts["CapEff"],
        mask(&[]),
        "a non-root user has no effective capabilities"
    );
    assert_eq!(facts["CapBnd"], mask(DEFAULT_CAPS));

    let facts = run("capdrop", |c| c.security.cap_drop = vec!["ALL".into()]);
    assert_eq!(facts["CapEff"], mask(&[]));
    assert_eq!(facts["CapBnd"], mask(&[]));

    let facts = run("capadd", |c| {
        c.security.cap_drop = vec!["ALL".into()];
        c.security.cap_add = vec!["net_admin".into(), "CAP_KILL".into()];
    });
    assert_eq!(facts["CapEff"], mask(&["CAP_NET_ADMIN", "CAP_KILL"]));

    let facts = run("memory", |c| c.resources.memory = Some(64 << 20));
    assert_eq!(facts["memory"], (64u64 << 20).to_string());

    let facts = run("pids", |c| c.resources.pids_limit = Some(100));
    assert_eq!(facts["pids"], "100");

    let facts = run("ulimit", |c| {
        c.resources.ulimit = vec!["nofile=512:1024".into()]
    });
    assert_eq!(facts["nofile"], "512");

    let facts = run("unconfined", |c| {
        c.security.seccomp_profile = Some("unconfined".into());
        c.security.no_new_privileges = true;
    });
    assert_eq!(facts["Seccomp"], "0");
    assert_eq!(facts["NoNewPrivs"], "1");
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|p| p.join(program).exists()))
        .unwrap_or(false)
}
