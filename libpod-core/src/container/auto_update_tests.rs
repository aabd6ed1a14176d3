use super::*;

fn config_on(image: &str, labels: &[(&str, &str)]) -> ContainerConfig {
    ContainerConfig {
        rootfs: Some(RootfsSource::Image {
            id: "0".repeat(64),
            name: image.to_string(),
        }),
        labels: labels
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
        ..ContainerConfig::default()
    }
}

#[test]
fn policies_and_their_aliases() {
    for (value, policy) in [
        ("", AutoUpdatePolicy::Disabled),
        ("disabled", AutoUpdatePolicy::Disabled),
        ("image", AutoUpdatePolicy::Registry),
        ("registry", AutoUpdatePolicy::Registry),
        ("local", AutoUpdatePolicy::Local),
    ] {
        assert_eq!(AutoUpdatePolicy::lookup(value).unwrap(), policy, "{value}");
    }
    let err = AutoUpdatePolicy::lookup("Registry")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        r#"invalid auto-update policy "Registry": valid policies are ["disabled" "image" "local" "registry"]"#
    );
}

#[test]
fn references_a_registry_update_can_check() {
    for good in [
        "quay.io/podman/stable:latest",
        "localhost:5000/app:v1",
        "docker://localhost:5000/app:v1",
        "docker.io/library/busybox:1.36",
    ] {
        validate_auto_update_reference(good).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    for (bad, why) in [
        ("busybox:latest", "fully-qualified"),
        ("busybox", "fully-qualified"),
        ("quay.io/podman/stable", "no tag"),
        (
            "quay.io/podman/stable:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "without digest",
        ),
        ("oci:/tmp/layout:v1", "transport \"oci\""),
        ("containers-storage:quay.io/a/b:1", "transport"),
    ] {
        let err = validate_auto_update_reference(bad).unwrap_err().to_string();
        assert!(err.contains(why), "{bad}: {err}");
    }
}

#[test]
fn the_unit_comes_from_the_environment_unless_labelled() {
    let mut config = config_on("busybox", &[]);
    apply_at_create(&mut config, Some("app.service".into())).unwrap();
    assert_eq!(config.labels[SYSTEMD_UNIT_LABEL], "app.service");

    let mut config = config_on("busybox", &[(SYSTEMD_UNIT_LABEL, "mine.service")]);
    apply_at_create(&mut config, Some("app.service".into())).unwrap();
    assert_eq!(config.labels[SYSTEMD_UNIT_LABEL], "mine.service");

    let mut config = config_on("busybox", &[]);
    apply_at_create(&mut config, Some(String::new())).unwrap();
    assert!(!config.labels.contains_key(SYSTEMD_UNIT_LABEL));
}

#[test]
fn a_registry_policy_needs_a_qualified_tagged_reference_at_create() {
    let mut short = config_on("busybox", &[(AUTO_UPDATE_LABEL, "registry")]);
    assert!(matches!(
        apply_at_create(&mut short, None),
        Err(CoreError::InvalidAutoUpdateReference { .. })
    ));
    // The local policy compares with the local image behind the name: any name will do.
    let mut local = config_on("busybox", &[(AUTO_UPDATE_LABEL, "local")]);
    apply_at_create(&mut local, None).unwrap();
    let mut qualified = config_on("localhost:5000/app:v1", &[(AUTO_UPDATE_LABEL, "image")]);
    apply_at_create(&mut qualified, None).unwrap();
    let mut unknown = config_on("localhost:5000/app:v1", &[(AUTO_UPDATE_LABEL, "nightly")]);
    assert!(matches!(
        apply_at_create(&mut unknown, None),
        Err(CoreError::InvalidAutoUpdatePolicy { .. })
    ));
}

#[test]
fn the_raw_image_name_is_what_a_registry_policy_checks() {
    // A CLI resolved `busybox` to its full name: the name the user wrote is refused, as
    // Podman refuses it.
    let mut resolved = config_on(
        "docker.io/library/busybox:latest",
        &[(AUTO_UPDATE_LABEL, "registry")],
    );
    resolved.raw_image_name = Some("busybox".into());
    assert_eq!(raw_image_name(&resolved), Some("busybox"));
    assert!(matches!(
        apply_at_create(&mut resolved, None),
        Err(CoreError::InvalidAutoUpdateReference { image, .. }) if image == "busybox"
    ));
    let plain = config_on("localhost:5000/app:v1", &[]);
    assert_eq!(raw_image_name(&plain), Some("localhost:5000/app:v1"));
    assert_eq!(raw_image_name(&ContainerConfig::default()), None);
}
