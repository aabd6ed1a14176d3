//! Auto-update against a real `docker-registry` on 127.0.0.1, with the real conmon and runc:
//! an update to a new version, a dry run, the rollback of a broken version and of an
//! unhealthy one, two containers on one image pulled once, a pod's containers updated and
//! rolled back as one, the local policy, and a registry that is down.

mod common;

use common::{BROKEN, SERVE, first_line, image_of, options, probe, publish, pulls, run};
use libpod_autoupdate::{AutoUpdateError, Options, Report, Updated, Updater};
use libpod_core::container::{ContainerStatus, with_healthcheck_on_failure, with_user_volumes};
use libpod_core::record::HealthCheckOnFailureAction;
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

#[test]
fn an_unhealthy_version_is_rolled_back_and_a_healthy_one_taken() {
    require_root();
    let _serial = serial();
    let (tmp, registry, name, rt) = app_v1_pulled();
    run(&rt, "web", &name, "registry");
    // Its healthcheck restarts it once unhealthy: a restart within the grace period fails
    // the update too.
    common::run_with(
        &rt,
        "api",
        &name,
        "registry",
        vec![with_healthcheck_on_failure(
            HealthCheckOnFailureAction::Restart,
        )],
    );
    publish(tmp.path(), &registry, "team/app:stable", "2", SERVE);
    let (reports, errors) = update(&rt, options(tmp.path()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(updated_of(&reports, "web"), Updated::True);
    assert_eq!(updated_of(&reports, "api"), Updated::True);
    let v2 = image_of(&rt, "web");

    // v4 runs, but its healthcheck fails: both go back to v2.
    common::publish_checked(
        tmp.path(),
        &registry,
        "team/app:stable",
        "4",
        SERVE,
        Some("exit 1"),
    );
    let (reports, errors) = update(&rt, options(tmp.path()));
    assert!(errors.is_empty(), "{errors:?}");
    for ctr in ["web", "api"] {
        assert_eq!(updated_of(&reports, ctr), Updated::RolledBack, "{ctr}");
        assert_eq!(image_of(&rt, ctr), v2, "{ctr}");
        assert_eq!(first_line(&rt, ctr), "2", "{ctr}");
        let now = rt.container(ctr).unwrap();
        assert_eq!(now.status().unwrap(), ContainerStatus::Running, "{ctr}");
        // v2 defines no healthcheck: the rolled back container has none.
        assert_eq!(now.health().unwrap(), None, "{ctr}");
    }
    assert_eq!(rt.storage().image(&name).unwrap().id.hex(), v2);

    // v5's healthcheck passes: taken.
    common::publish_checked(
        tmp.path(),
        &registry,
        "team/app:stable",
        "5",
        SERVE,
        Some("test -f /etc/app/version"),
    );
    let (reports, errors) = update(&rt, options(tmp.path()));
    assert!(errors.is_empty(), "{errors:?}");
    for ctr in ["web", "api"] {
        assert_eq!(updated_of(&reports, ctr), Updated::True, "{ctr}");
        assert_eq!(first_line(&rt, ctr), "5", "{ctr}");
        let health = rt.container(ctr).unwrap().health().unwrap().unwrap();
        assert_eq!(health.status, "healthy", "{ctr}: {health:?}");
    }
    common::teardown(&rt);
}

#[test]
fn a_pods_labelled_containers_are_updated_and_rolled_back_as_one_task() {
    require_root();
    let _serial = serial();
    let tmp = common::temp();
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    let app = format!("{}/team/app:stable", registry.host());
    let side = format!("{}/team/side:stable", registry.host());
    publish(tmp.path(), &registry, "team/app:stable", "1", SERVE);
    publish(tmp.path(), &registry, "team/side:stable", "side-1", SERVE);
    let rt = common::open(tmp.path());
    for image in [&app, &side] {
        rt.storage()
            .pull_image(image, &common::plain_pull(tmp.path()))
            .unwrap();
    }
    let pod = common::pod(&rt, "shop");
    let web = common::in_pod(
        &rt,
        &pod,
        "web",
        &app,
        "registry",
        vec![with_user_volumes(["shopdata:/data"])],
    );
    let sidecar = common::in_pod(&rt, &pod, "sidecar", &side, "local", Vec::new());
    pod.start().unwrap();
    let infra = pod
        .infra_container_id()
        .unwrap()
        .expect("an infra container");
    assert_eq!(first_line(&rt, "web"), "1");

    // Both images change: one pull each, both containers recreated in the pod.
    publish(tmp.path(), &registry, "team/app:stable", "2", SERVE);
    publish(tmp.path(), &registry, "team/side:stable", "side-2", SERVE);
    rt.storage()
        .pull_image(&side, &common::plain_pull(tmp.path()))
        .unwrap();
    let before = pulls(&rt);
    let (reports, errors) = update(&rt, options(tmp.path()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(updated_of(&reports, "web"), Updated::True);
    assert_eq!(updated_of(&reports, "sidecar"), Updated::True);
    assert!(
        reports.iter().all(|r| r.systemd_unit.is_empty()),
        "{reports:?}"
    );
    assert_eq!(
        pulls(&rt) - before,
        1,
        "the sidecar's local policy pulls nothing"
    );
    for (old, name, version) in [(&web, "web", "2"), (&sidecar, "sidecar", "side-2")] {
        let new = rt.container(name).unwrap();
        assert_ne!(new.id(), old.id());
        assert_eq!(new.config().pod.as_deref(), Some(pod.id()), "{name}");
        assert_eq!(new.config().labels, old.config().labels, "{name}");
        assert_eq!(new.config().mounts, old.config().mounts, "{name}");
        assert_eq!(new.status().unwrap(), ContainerStatus::Running, "{name}");
        assert_eq!(first_line(&rt, name), version, "{name}");
    }
    assert!(rt.volume("shopdata").is_ok());
    let v2 = [image_of(&rt, "web"), image_of(&rt, "sidecar")];
    // The pod kept its infra container, running, and has the two new members.
    assert_eq!(
        pod.infra_container_id().unwrap().as_deref(),
        Some(infra.as_str())
    );
    assert_eq!(
        rt.container(&infra).unwrap().status().unwrap(),
        ContainerStatus::Running
    );
    assert_eq!(pod.containers().unwrap().len(), 3);

    // v3: the app's is fine, the sidecar's exits 1: the pod's task fails as one, and both
    // go back to v2.
    publish(tmp.path(), &registry, "team/app:stable", "3", SERVE);
    publish(tmp.path(), &registry, "team/side:stable", "side-3", BROKEN);
    rt.storage()
        .pull_image(&side, &common::plain_pull(tmp.path()))
        .unwrap();
    let (reports, errors) = update(&rt, options(tmp.path()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(updated_of(&reports, "web"), Updated::RolledBack);
    assert_eq!(updated_of(&reports, "sidecar"), Updated::RolledBack);
    assert_eq!([image_of(&rt, "web"), image_of(&rt, "sidecar")], v2);
    for (name, version) in [("web", "2"), ("sidecar", "side-2")] {
        let now = rt.container(name).unwrap();
        assert_eq!(now.status().unwrap(), ContainerStatus::Running, "{name}");
        assert_eq!(now.config().pod.as_deref(), Some(pod.id()), "{name}");
        assert_eq!(first_line(&rt, name), version, "{name}");
    }
    assert_eq!(rt.storage().image(&app).unwrap().id.hex(), v2[0]);
    assert_eq!(rt.storage().image(&side).unwrap().id.hex(), v2[1]);
    common::teardown(&rt);
}
