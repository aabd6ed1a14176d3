use super::*;
use libpod_spec::RestartPolicy;

#[test]
fn a_recreated_config_keeps_everything_but_id_time_and_image() {
    let old = ContainerConfig {
        id: "a".repeat(64),
        name: "web".into(),
        created: "2026-01-01T00:00:00Z".into(),
        rootfs: Some(RootfsSource::Image {
            id: "1".repeat(64),
            name: "quay.io/x/web:stable".into(),
        }),
        labels: [(
            "io.containers.autoupdate".to_string(),
            "registry".to_string(),
        )]
        .into(),
        restart_policy: RestartPolicy::Always,
        stop_timeout: 3,
        exit_command: vec!["/bin/podctl".into(), "cleanup".into(), "a".repeat(64)],
        ..ContainerConfig::default()
    };
    let new = recreated_config(&old, "2".repeat(64), None, "b".repeat(64));
    assert_eq!(new.id, "b".repeat(64));
    assert_ne!(new.created, old.created);
    assert_eq!(
        new.rootfs,
        Some(RootfsSource::Image {
            id: "2".repeat(64),
            name: "quay.io/x/web:stable".into(),
        })
    );
    // The exit command names the new ID; everything else is the old config's.
    assert_eq!(new.exit_command.last(), Some(&"b".repeat(64)));
    let same = |c: &ContainerConfig| {
        (
            c.name.clone(),
            c.labels.clone(),
            c.restart_policy,
            c.stop_timeout,
            c.mounts.clone(),
            c.spec.clone(),
        )
    };
    assert_eq!(same(&new), same(&old));
}

#[test]
fn an_exit_command_not_ending_with_the_id_is_kept() {
    let old = ContainerConfig {
        id: "a".repeat(64),
        exit_command: vec!["/bin/cleanup".into()],
        ..ContainerConfig::default()
    };
    let new = recreated_config(&old, "2".repeat(64), None, "b".repeat(64));
    assert_eq!(new.exit_command, ["/bin/cleanup"]);
}

#[test]
fn the_healthcheck_follows_the_image_unless_it_was_the_users() {
    let check = |command: &str| HealthCheck {
        test: vec!["CMD-SHELL".into(), command.into()],
        interval_seconds: 30,
        ..HealthCheck::default()
    };
    let (old_image, new_image, users) = (check("true"), check("exit 1"), check("pgrep app"));
    // The image's: the new image's (or none, when the new image defines none).
    let from_image = Some(old_image.clone());
    assert_eq!(
        healthcheck_after(Some(&old_image), Some(&from_image), Some(new_image.clone())),
        Some(new_image.clone())
    );
    assert_eq!(
        healthcheck_after(Some(&old_image), Some(&from_image), None),
        None
    );
    // None from an image without one: the new image's.
    assert_eq!(
        healthcheck_after(None, Some(&None), Some(new_image.clone())),
        Some(new_image.clone())
    );
    // The user's own, or none where the image had one (`--no-healthcheck`): kept.
    assert_eq!(
        healthcheck_after(Some(&users), Some(&from_image), Some(new_image.clone())),
        Some(users.clone())
    );
    assert_eq!(
        healthcheck_after(None, Some(&from_image), Some(new_image.clone())),
        None
    );
    // The old image gone: what the container had.
    assert_eq!(
        healthcheck_after(Some(&users), None, Some(new_image)),
        Some(users)
    );
}
