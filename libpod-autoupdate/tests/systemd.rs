//! The systemd restarter against a private `dbus-daemon` and a small stand-in for systemd's
//! Manager (Subscribe, RestartUnit, the JobRemoved signal): the unit is restarted with mode
//! "replace", its job's result awaited; "done" is an update, anything else a failure that the
//! rollback answers by restarting the unit again on the old image.

mod common;

use libpod_autoupdate::restart::SystemdBus;
use libpod_autoupdate::{Options, Updated, Updater};
use libpod_core::container::{
    ContainerStatus, with_cgroup_parent, with_command, with_labels, with_name, with_network_mode,
    with_rootfs_from_image, with_stop_timeout,
};
use libpod_core::runtime::Runtime;
use libpod_testutil::{require_root, serial};
use std::collections::VecDeque;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::zvariant::{ObjectPath, OwnedObjectPath};

const NAME: &str = "localhost/app:prod";
const UNIT: &str = "app.service";

/// A private bus; the daemon is killed on drop.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start(dir: &Path) -> Bus {
        let socket = dir.join("bus");
        let address = format!("unix:path={}", socket.display());
        let daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={address}"))
            .stdout(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus)");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "dbus-daemon did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Bus { daemon, address }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// What the stand-in saw and will answer.
#[derive(Default)]
struct Seen {
    restarts: Vec<(String, String)>,
    subscribed: bool,
    /// The results of the next jobs ("done" when empty).
    results: VecDeque<&'static str>,
}

/// systemd's Manager, as far as auto-update uses it: restarting the unit recreates its
/// container on the image behind its name, as a `podman generate systemd --new` unit does.
struct Manager {
    seen: Arc<Mutex<Seen>>,
    rt: Runtime,
    jobs: u32,
}

#[zbus::interface(name = "org.freedesktop.systemd1.Manager")]
impl Manager {
    fn subscribe(&self) {
        self.seen.lock().unwrap().subscribed = true;
    }

    fn restart_unit(
        &mut self,
        name: String,
        mode: String,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> OwnedObjectPath {
        self.jobs += 1;
        let id = self.jobs;
        let job: OwnedObjectPath =
            ObjectPath::try_from(format!("/org/freedesktop/systemd1/job/{id}"))
                .unwrap()
                .into();
        let result = {
            let mut seen = self.seen.lock().unwrap();
            seen.restarts.push((name.clone(), mode));
            seen.results.pop_front().unwrap_or("done")
        };
        let conn = zbus::blocking::Connection::from(conn.clone());
        let rt = self.rt.clone();
        let path = job.clone();
        std::thread::spawn(move || {
            if result == "done" {
                let ctr = rt.container("web").unwrap();
                let new = rt.recreate_container(&ctr, NAME).unwrap();
                if new.status().unwrap() != ContainerStatus::Running {
                    new.start().unwrap();
                }
            }
            conn.emit_signal(
                None::<zbus::names::BusName<'_>>,
                "/org/freedesktop/systemd1",
                "org.freedesktop.systemd1.Manager",
                "JobRemoved",
                &(id, path, name, result),
            )
            .unwrap();
        });
        job
    }
}

fn serve(bus: &Bus, rt: &Runtime, seen: &Arc<Mutex<Seen>>) -> zbus::blocking::Connection {
    let manager = Manager {
        seen: Arc::clone(seen),
        rt: rt.clone(),
        jobs: 0,
    };
    zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.systemd1")
        .unwrap()
        .serve_at("/org/freedesktop/systemd1", manager)
        .unwrap()
        .build()
        .unwrap()
}

#[test]
fn a_unit_is_restarted_over_dbus_and_a_failed_job_rolled_back() {
    require_root();
    let _serial = serial();
    let tmp = common::temp();
    let rt = common::open(tmp.path());
    let v1 = common::import(&rt, tmp.path(), "1");
    let v2 = common::import(&rt, tmp.path(), "2");
    let v3 = common::import(&rt, tmp.path(), "3");
    rt.storage().tag(&v1, NAME).unwrap();
    let ctr = rt
        .new_container([
            with_name("web"),
            with_rootfs_from_image(NAME),
            with_command(["sh", "-c", "cat /etc/app/version; exec sleep 1000"]),
            with_labels([
                (libpod_autoupdate::policy::LABEL, "local"),
                (libpod_autoupdate::policy::SYSTEMD_UNIT, UNIT),
            ]),
            with_cgroup_parent(common::cgroup_parent()),
            with_network_mode(libpod_spec::NetworkMode::None),
            with_stop_timeout(1),
        ])
        .unwrap();
    ctr.start().unwrap();

    let bus = Bus::start(tmp.path());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let _service = serve(&bus, &rt, &seen);
    let options = Options {
        systemd: Some(SystemdBus::Address(bus.address.clone())),
        ..common::options(tmp.path())
    };
    let update = || {
        Updater::new(&rt, options.clone())
            .with_probe(common::probe())
            .run()
    };

    // v2 behind the name: the unit is restarted, and its container runs v2.
    rt.storage().tag(&v2, NAME).unwrap();
    let (reports, errors) = update();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].updated, Updated::True);
    assert_eq!(reports[0].systemd_unit, UNIT);
    {
        let seen = seen.lock().unwrap();
        assert!(seen.subscribed);
        assert_eq!(seen.restarts, [(UNIT.to_string(), "replace".to_string())]);
    }
    assert_eq!(common::image_of(&rt, "web"), v2);
    assert_eq!(common::first_line(&rt, "web"), "2");

    // v3: the unit's job fails; the name goes back to v2 and the unit is restarted again.
    rt.storage().tag(&v3, NAME).unwrap();
    seen.lock().unwrap().results.push_back("failed");
    let (reports, errors) = update();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(reports[0].updated, Updated::RolledBack);
    assert_eq!(seen.lock().unwrap().restarts.len(), 3);
    assert_eq!(rt.storage().image(NAME).unwrap().id.hex(), v2);
    assert_eq!(common::image_of(&rt, "web"), v2);
    assert_eq!(
        rt.container("web").unwrap().status().unwrap(),
        ContainerStatus::Running
    );

    // Without rollback, the failed job is the error.
    rt.storage().tag(&v3, NAME).unwrap();
    seen.lock().unwrap().results.push_back("failed");
    let (reports, errors) = Updater::new(
        &rt,
        Options {
            rollback: false,
            ..options.clone()
        },
    )
    .with_probe(common::probe())
    .run();
    assert_eq!(reports[0].updated, Updated::Failed);
    let message = errors[0].to_string();
    assert!(
        message.contains(
            r#"restarting systemd unit "app.service" failed: expected "done" but received "failed""#
        ),
        "{message}"
    );
    common::teardown(&rt);
}
