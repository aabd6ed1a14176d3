//! Auto-update against a real `docker-registry` on 127.0.0.1, with the real conmon and runc:
//! an update to a new version, a dry run, the rollback of a broken version, two containers on
//! one image pulled once, the local policy, and a registry that is down.

mod common;

use common::{BROKEN, SERVE, first_line, image_of, options, probe, publish, pulls, run};
use libpod_autoupdate::{AutoUpdateError, Options, Report, Updated, Updater};
use libpod_core::container::ContainerStatus;
use libpod_core::runtime::Runtime;
use libpod_testutil::registry::{RegistryOptions, TestRegistry};
use libpod_testutil::{TempRoot, require_root, serial};

fn update(rt: &Runtime, options: Options) -> (Vec<Report>, Vec<AutoUpdateError>) {
    Updater::new(rt, options).with_probe(probe()).run()
}

fn updated_of(reports: &[Report], name: &str) -> Updated {
    reports
        .iter()
        .find(|r| r.container_name == name)
        .unwrap_or_else(|| panic!("no report for {name}: {reports:?}"))
        .updated
}

/// A registry with the app's v1 as `team/app:stable`, pulled into a fresh runtime.
fn app_v1_pulled() -> (TempRoot, TestRegistry, String, Runtime) {
    let tmp = common::temp();
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    let name = format!("{}/team/app:stable", registry.host());
    publish(tmp.path(), &registry, "team/app:stable", "1", SERVE);
    let rt = common::open(tmp.path());
    rt.storage()
        .pull_image(&name, &common::plain_pull(tmp.path()))
        .unwrap();
    (tmp, registry, name, rt)
}

#[test]
fn a_new_version_is_taken_and_a_broken_one_rolled_back() {
    require_root();
    let _serial = serial();
    let (tmp, registry, name, rt) = app_v1_pulled();
    let first = run(&rt, "web", &name, "registry");
    assert_eq!(first_line(&rt, "web"), "1");

    // Nothing newer.
    let (reports, errors) = update(&rt, options(tmp.path()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(updated_of(&reports, "web"), Updated::False);

    // v2 published: a dry run reports it pending and changes nothing.
    publish(tmp.path(), &registry, "team/app:stable", "2", SERVE);
    let v1 = image_of(&rt, "web");
    let dry = Options {
        dry_run: true,
        ..options(tmp.path())
    };
    let (reports, errors) = update(&rt, dry);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        reports,
        [Report {
            container_id: first.id().to_string(),
            container_name: "web".into(),
            image_name: name.clone(),
            policy: "registry".into(),
            systemd_unit: String::new(),
            updated: Updated::Pending,
        }]
    );
    assert_eq!(rt.container("web").unwrap().id(), first.id());
    assert_eq!(rt.storage().image(&name).unwrap().id.hex(), v1);
    assert_eq!(pulls(&rt), 1, "a dry run pulls nothing");

    // The update: the container is recreated on v2, under its name, and runs.
    let (reports, errors) = update(&rt, options(tmp.path()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(updated_of(&reports, "web"), Updated::True);
    let second = rt.container("web").unwrap();
    assert_ne!(second.id(), first.id());
    assert_eq!(second.status().unwrap(), ContainerStatus::Running);
    assert_eq!(first_line(&rt, "web"), "2");
    let v2 = image_of(&rt, "web");
    assert_ne!(v2, v1);
    assert_eq!(
        second.config().labels[libpod_autoupdate::policy::LABEL],
        "registry"
    );

    // A broken v3 (its entrypoint exits 1): rolled back to v2, which the name names again.
    publish(tmp.path(), &registry, "team/app:stable", "3", BROKEN);
    let (reports, errors) = update(&rt, options(tmp.path()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(updated_of(&reports, "web"), Updated::RolledBack);
    let third = rt.container("web").unwrap();
    assert_eq!(third.status().unwrap(), ContainerStatus::Running);
    assert_eq!(image_of(&rt, "web"), v2);
    assert_eq!(first_line(&rt, "web"), "2");
    assert_eq!(rt.storage().image(&name).unwrap().id.hex(), v2);

    // Without rollback, the same failure is reported as such.
    let (reports, errors) = update(
        &rt,
        Options {
            rollback: false,
            ..options(tmp.path())
        },
    );
    assert_eq!(updated_of(&reports, "web"), Updated::Failed);
    assert!(
        errors
            .iter()
            .any(|e| e.to_string().contains("the updated container failed")),
        "{errors:?}"
    );
    common::teardown(&rt);
}

#[test]
fn two_containers_on_one_image_are_updated_with_one_pull() {
    require_root();
    let _serial = serial();
    let (tmp, registry, name, rt) = app_v1_pulled();
    run(&rt, "one", &name, "registry");
    run(&rt, "two", &name, "image");
    publish(tmp.path(), &registry, "team/app:stable", "2", SERVE);
    let before = pulls(&rt);

    let (reports, errors) = update(&rt, options(tmp.path()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(updated_of(&reports, "one"), Updated::True);
    assert_eq!(updated_of(&reports, "two"), Updated::True);
    assert_eq!(pulls(&rt) - before, 1);
    assert_eq!(first_line(&rt, "one"), "2");
    assert_eq!(first_line(&rt, "two"), "2");
    common::teardown(&rt);
}

#[test]
fn the_local_policy_follows_a_retag_while_a_registry_that_is_down_fails_alone() {
    require_root();
    let _serial = serial();
    let tmp = common::temp();
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    let remote = format!("{}/team/app:stable", registry.host());
    publish(tmp.path(), &registry, "team/app:stable", "1", SERVE);
    publish(tmp.path(), &registry, "team/app:next", "2", SERVE);
    let rt = common::open(tmp.path());
    let pull = common::plain_pull(tmp.path());
    let v1 = rt.storage().pull_image(&remote, &pull).unwrap();
    let v2 = rt
        .storage()
        .pull_image(&format!("{}/team/app:next", registry.host()), &pull)
        .unwrap();
    rt.storage()
        .tag(&v1.id.hex(), "localhost/app:prod")
        .unwrap();
    run(&rt, "local", "localhost/app:prod", "local");
    run(&rt, "remote", &remote, "registry");
    drop(registry);

    // The local image behind the name changes.
    rt.storage()
        .tag(&v2.id.hex(), "localhost/app:prod")
        .unwrap();
    let (reports, errors) = update(&rt, options(tmp.path()));
    assert_eq!(updated_of(&reports, "local"), Updated::True);
    assert_eq!(first_line(&rt, "local"), "2");
    assert_eq!(updated_of(&reports, "remote"), Updated::Failed);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let message = format!("{}: {:?}", errors[0], std::error::Error::source(&errors[0]));
    assert!(
        message.contains("registry auto-updating container") && message.contains("image check for"),
        "{message}"
    );
    // The failed one keeps running on its image.
    assert_eq!(
        rt.container("remote").unwrap().status().unwrap(),
        ContainerStatus::Running
    );
    assert_eq!(image_of(&rt, "remote"), v1.id.hex());
    common::teardown(&rt);
}

#[test]
fn a_registry_policy_on_a_reference_it_cannot_check_is_refused_at_create() {
    require_root();
    let tmp = common::temp();
    let rt = common::open(tmp.path());
    let rootfs = tmp.path().join("rootfs");
    libpod_testutil::busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("rootfs.tar");
    libpod_testutil::tar_directory(&rootfs, &tar).unwrap();
    let name = libpod_storage::ImageReference::parse("localhost/busybox:latest").unwrap();
    rt.storage()
        .import_tarball(std::fs::File::open(&tar).unwrap(), Some(&name), &[])
        .unwrap();
    let create = |image: &str, policy: &str| {
        rt.new_container([
            libpod_core::container::with_rootfs_from_image(image),
            libpod_core::container::with_labels([(libpod_autoupdate::policy::LABEL, policy)]),
        ])
    };
    let err = create("localhost/busybox", "registry")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no tag"), "{err}");
    let err = create("localhost/busybox:latest", "nightly")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(r#"valid policies are ["disabled" "image" "local" "registry"]"#),
        "{err}"
    );
    // A local policy takes any name; a registry one a qualified, tagged one.
    create("localhost/busybox", "local").unwrap();
    create("localhost/busybox:latest", "registry").unwrap();
    assert!(rt.containers().unwrap().len() == 2);
    common::teardown(&rt);
}
