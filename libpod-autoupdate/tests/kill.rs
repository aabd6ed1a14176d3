//! A SIGKILL during an update leaves the container running on its old or its new image,
//! never gone: a child process (this test binary again) runs the updater with the local
//! policy and is killed at a random point; the reopened runtime finishes what it left.

mod common;

use libpod_autoupdate::{Updated, Updater};
use libpod_core::container::{ContainerStatus, with_command, with_name, with_rootfs_from_image};
use libpod_core::container::{
    with_cgroup_parent, with_labels, with_network_mode, with_stop_timeout,
};
use libpod_testutil::{require_root, serial};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "LIBPOD_AUTOUPDATE_KILL_CHILD";
const NAME: &str = "localhost/app:prod";

/// The child: one update pass (the name was re-tagged by the parent).
#[test]
fn child_updates_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let rt = common::open(Path::new(&dir));
    let probe = libpod_autoupdate::StateProbe {
        grace: Duration::from_millis(300),
        interval: Duration::from_millis(50),
        check_every: None,
    };
    let (reports, errors) = Updater::new(&rt, common::options(Path::new(&dir)))
        .with_probe(probe)
        .run();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(reports[0].updated, Updated::True);
}

fn run_child(dir: &Path, kill_after: Option<Duration>) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_updates_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .spawn()
        .unwrap();
    if let Some(delay) = kill_after {
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
    } else {
        assert!(child.wait().unwrap().success(), "the child's update failed");
    }
    started.elapsed()
}

#[test]
fn a_kill_during_an_update_leaves_the_container_running_on_either_image() {
    require_root();
    let _serial = serial();
    let tmp = common::temp();
    let dir = tmp.path();
    let rt = common::open(dir);
    let images = [common::import(&rt, dir, "1"), common::import(&rt, dir, "2")];
    rt.storage().tag(&images[0], NAME).unwrap();
    let ctr = rt
        .new_container([
            with_name("web"),
            with_rootfs_from_image(NAME),
            with_command(["sh", "-c", "cat /etc/app/version; exec sleep 1000"]),
            with_labels([(libpod_autoupdate::policy::LABEL, "local")]),
            with_cgroup_parent(common::cgroup_parent()),
            with_network_mode(libpod_spec::NetworkMode::None),
            with_stop_timeout(1),
        ])
        .unwrap();
    ctr.start().unwrap();
    drop(rt);

    // One whole update, to learn how long it takes.
    let retag = |target: &str| {
        let rt = common::open(dir);
        rt.storage().tag(target, NAME).unwrap();
    };
    retag(&images[1]);
    let whole = run_child(dir, None);
    let trials: u64 = std::env::var("LIBPOD_AUTOUPDATE_KILL_TRIALS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(8);
    let seed: u32 = std::env::var("LIBPOD_AUTOUPDATE_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        });
    let mut state = u64::from(seed) | 1;
    for trial in 0..trials {
        // xorshift: a fraction of the whole update's duration, spread over [0, 1.2).
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let fraction = (state % 1200) as f64 / 1000.0;
        let delay = whole.mul_f64(fraction);
        let rt = common::open(dir);
        let current = common::image_of(&rt, "web");
        let other = if current == images[0] {
            &images[1]
        } else {
            &images[0]
        };
        drop(rt);
        retag(other);
        run_child(dir, Some(delay));

        let rt = common::open(dir);
        let ctrs = rt.containers().unwrap();
        assert_eq!(
            ctrs.len(),
            1,
            "trial {trial} (seed {seed}, {delay:?}): {ctrs:?}"
        );
        let web = rt.container("web").unwrap_or_else(|e| {
            panic!("trial {trial} (seed {seed}, {delay:?}): the container is gone: {e}")
        });
        let status = web.status().unwrap();
        let intents: Vec<_> = std::fs::read_dir(dir.join("root/recreate-intents"))
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(
            status,
            ContainerStatus::Running,
            "trial {trial} (seed {seed}, {delay:?}); plans left {intents:?}; a start now: {:?}",
            (status != ContainerStatus::Running).then(|| web.start())
        );
        let image = common::image_of(&rt, "web");
        assert!(images.contains(&image), "trial {trial}: {image}");
        let expected = if image == images[0] { "1" } else { "2" };
        assert_eq!(common::first_line(&rt, "web"), expected);
        assert!(
            std::fs::read_dir(dir.join("root/recreate-intents"))
                .map(|d| d.count())
                .unwrap_or(0)
                == 0,
            "trial {trial}: a recreate plan was left"
        );
    }
    common::teardown(&common::open(dir));
}
