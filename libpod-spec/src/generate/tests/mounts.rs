//! Mount rules: defaults, shm, runtime files, read-only rootfs, volumes, image volumes.

use super::*;

fn destinations(spec: &Spec) -> Vec<String> {
    spec.mounts()
        .as_ref()
        .unwrap()
        .iter()
        .map(|m| m.destination().display().to_string())
        .collect()
}

#[test]
fn default_mounts_and_shm_tmpfs() {
    let f = fixture();
    let spec = f.spec(&config(&["true"]));
    assert_eq!(
        destinations(&spec),
        [
            "/proc",
            "/dev",
            "/sys",
            "/dev/pts",
            "/dev/mqueue",
            "/sys/fs/cgroup",
            "/dev/shm"
        ]
    );
    assert_eq!(options(&spec, "/sys"), ["nosuid", "noexec", "nodev", "ro"]);
    assert_eq!(
        options(&spec, "/dev/shm"),
        ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"]
    );
    let mut c = config(&["true"]);
    c.resources.shm_size = Some(1 << 20);
    assert!(options(&f.spec(&c), "/dev/shm").contains(&"size=1048576".to_string()));
}

#[test]
fn runtime_files_are_bind_mounted_unless_the_user_mounts_there() {
    let mut f = fixture();
    for (dest, src) in [
        ("/etc/hosts", "/run/c/hosts"),
        ("/etc/hostname", "/run/c/hostname"),
        ("/run/.containerenv", "/run/c/.containerenv"),
        ("/dev/shm", "/var/c/shm"),
    ] {
        f.ctx.bind_mounts.insert(dest.into(), src.into());
    }
    let spec = f.spec(&config(&["true"]));
    assert_eq!(options(&spec, "/etc/hosts"), ["bind", "rprivate"]);
    assert_eq!(
        mount(&spec, "/dev/shm")
            .unwrap()
            .source()
            .as_deref()
            .and_then(|p| p.to_str()),
        Some("/var/c/shm")
    );
    assert_eq!(
        options(&spec, "/dev/shm"),
        ["bind", "rprivate", "nosuid", "noexec", "nodev"]
    );

    let mut c = config(&["true"]);
    c.volumes = strings(&["/srv:/etc/hosts:ro"]);
    let spec = f.spec(&c);
    assert_eq!(
        mount(&spec, "/etc/hosts")
            .unwrap()
            .source()
            .as_deref()
            .and_then(|p| p.to_str()),
        Some("/srv")
    );
    assert_eq!(
        destinations(&spec)
            .iter()
            .filter(|d| *d == "/etc/hosts")
            .count(),
        1
    );

    c.volumes.clear();
    c.ipc = NamespaceMode::Host;
    assert_eq!(
        mount(&f.spec(&c), "/dev/shm")
            .unwrap()
            .source()
            .as_deref()
            .and_then(|p| p.to_str()),
        Some("/dev/shm")
    );
}

#[test]
fn read_only_rootfs_with_and_without_tmpfs() {
    let mut f = fixture();
    f.ctx
        .bind_mounts
        .insert("/etc/hosts".into(), "/run/c/hosts".into());
    f.ctx
        .bind_mounts
        .insert("/run/.containerenv".into(), "/run/c/.containerenv".into());
    let mut c = config(&["true"]);
    c.security.read_only_rootfs = true;
    let spec = f.spec(&c);
    assert_eq!(spec.root().as_ref().unwrap().readonly(), Some(true));
    for dest in ["/run", "/tmp", "/var/tmp"] {
        assert_eq!(
            options(&spec, dest),
            ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]
        );
    }
    assert_eq!(
        options(&spec, "/etc/hosts"),
        ["bind", "rprivate", "ro", "nosuid", "noexec", "nodev"]
    );
    assert!(mount(&spec, "/run/.containerenv").is_none());

    c.security.read_only_tmpfs = false;
    let spec = f.spec(&c);
    assert!(mount(&spec, "/tmp").is_none());
    assert_eq!(
        options(&spec, "/run/.containerenv"),
        ["bind", "rprivate", "ro", "nosuid", "noexec", "nodev"]
    );
}

#[test]
fn user_volumes_tmpfs_and_mounts() {
    let mut f = fixture();
    let src = f._dir.path().to_str().unwrap().to_string();
    let mut c = config(&["true"]);
    c.volumes = vec![
        format!("{src}:/data:ro"),
        format!("{src}:/data/inner"),
        "named:/named".into(),
    ];
    c.tmpfs = strings(&["/scratch:rw,size=64m"]);
    c.mounts = vec![format!("type=bind,src={src},dst=/m1,ro")];
    let err = f.err(&c);
    assert!(
        matches!(
            err,
            SpecError::InvalidValue {
                field: "volume",
                ..
            }
        ),
        "{err}"
    );
    f.ctx
        .volume_paths
        .insert("/named".into(), f._dir.path().join("rootfs"));
    let spec = f.spec(&c);
    assert_eq!(options(&spec, "/data"), ["ro", "rprivate", "rbind"]);
    assert_eq!(
        options(&spec, "/scratch"),
        ["rw", "size=64m", "rprivate", "nosuid", "nodev", "tmpcopyup"]
    );
    assert_eq!(
        mount(&spec, "/named")
            .unwrap()
            .source()
            .as_deref()
            .and_then(|p| p.to_str()),
        f._dir.path().join("rootfs").to_str()
    );
    let d = destinations(&spec);
    let pos = |x: &str| d.iter().position(|m| m == x).unwrap();
    assert!(pos("/data") < pos("/data/inner"));
    assert!(pos("/dev") < pos("/dev/shm"));

    c.tmpfs = strings(&["/data"]);
    assert!(matches!(
        f.err(&c),
        SpecError::InvalidValue {
            field: "volume",
            ..
        }
    ));
}

#[test]
fn image_volumes_follow_the_mode() {
    let mut f = fixture();
    let img = image(|b| {
        b.volumes(strings(&["/vol", "/covered/"]))
            .cmd(strings(&["true"]))
    });
    let mut c = CreateConfig {
        tmpfs: strings(&["/covered"]),
        ..CreateConfig::default()
    };
    assert!(f.generator.generate(&c, Some(&img), &f.ctx).is_err());
    f.ctx
        .volume_paths
        .insert("/vol".into(), f._dir.path().join("rootfs/etc"));
    let spec = f.spec_img(&c, &img);
    assert_eq!(
        options(&spec, "/vol"),
        ["rprivate", "rw", "nodev", "exec", "nosuid", "rbind"]
    );
    assert_eq!(
        mount(&spec, "/covered").unwrap().typ().as_deref(),
        Some("tmpfs")
    );
    c.image_volume_mode = ImageVolumeMode::Tmpfs;
    assert_eq!(
        mount(&f.spec_img(&c, &img), "/vol")
            .unwrap()
            .typ()
            .as_deref(),
        Some("tmpfs")
    );
    c.image_volume_mode = ImageVolumeMode::Ignore;
    assert!(mount(&f.spec_img(&c, &img), "/vol").is_none());
}

#[test]
fn selinux_relabel_and_chown_options_are_left_to_the_engine() {
    let f = fixture();
    let src = f._dir.path().to_str().unwrap().to_string();
    let mut c = config(&["true"]);
    c.volumes = vec![format!("{src}:/data:ro,z"), format!("{src}:/data2:Z")];
    let spec = f.spec(&c);
    assert_eq!(options(&spec, "/data"), ["ro", "rprivate", "rbind"]);
    assert_eq!(options(&spec, "/data2"), ["rw", "rprivate", "rbind"]);
    c.volumes = vec![format!("{src}:/data:U")];
    let spec = f.spec(&c);
    assert_eq!(options(&spec, "/data"), ["rw", "rprivate", "rbind"]);
}

#[test]
fn hooks_from_the_hooks_dirs_are_injected_when_they_match() {
    let dir = TempDir::new().unwrap();
    let hooks = dir.path().join("hooks.d");
    fs::create_dir(&hooks).unwrap();
    fs::write(
        hooks.join("10-always.json"),
        r#"{"version": "1.0.0", "hook": {"path": "/bin/sh", "args": ["sh", "-c", "true"]},
            "when": {"always": true}, "stages": ["prestart", "poststop"]}"#,
    )
    .unwrap();
    fs::write(
        hooks.join("20-binds.json"),
        r#"{"version": "1.0.0", "hook": {"path": "/bin/true"},
            "when": {"hasBindMounts": true}, "stages": ["createRuntime"]}"#,
    )
    .unwrap();
    let f = fixture_with(|d| {
        d.hooks_dirs = vec![hooks.clone()];
        d.hooks_dirs_explicit = true;
    });
    let spec = f.spec(&config(&["true"]));
    let h = spec.hooks().clone().expect("hooks injected");
    assert_eq!(h.prestart().as_ref().map(Vec::len), Some(1));
    assert_eq!(h.poststop().as_ref().map(Vec::len), Some(1));
    assert!(
        h.create_runtime().is_none(),
        "no bind mounts, no createRuntime hook"
    );

    let mut c = config(&["true"]);
    c.volumes = vec![format!("{}:/data", dir.path().display())];
    let h = f.spec(&c).hooks().clone().unwrap();
    assert_eq!(h.create_runtime().as_ref().map(Vec::len), Some(1));
}

#[test]
fn a_missing_hooks_dir_is_an_error_only_when_configured() {
    let missing = std::path::PathBuf::from("/nonexistent/hooks.d");
    let mut defaults = SpecDefaults {
        hooks_dirs: vec![missing.clone()],
        ..SpecDefaults::default()
    };
    assert!(SpecGenerator::new(defaults.clone()).is_ok());
    defaults.hooks_dirs_explicit = true;
    assert!(SpecGenerator::new(defaults).is_err());
}

#[test]
fn mounts_parsed_already_are_used_and_the_strings_not_read() {
    let f = fixture();
    let mut c = config(&["true"]);
    c.tmpfs = strings(&["/parsed:size=1m"]);
    let parsed = c.parse_mounts().unwrap();
    // Strings that would fail to parse: generate_with_mounts never looks at them.
    c.tmpfs = strings(&["relative"]);
    assert!(f.generator.generate(&c, None, &f.ctx).is_err());
    let spec = f
        .generator
        .generate_with_mounts(&c, &parsed, None, &f.ctx)
        .unwrap();
    let mounts = spec.mounts().as_ref().unwrap();
    assert!(
        mounts
            .iter()
            .any(|m| m.destination() == Path::new("/parsed"))
    );
    assert!(
        !mounts
            .iter()
            .any(|m| m.destination() == Path::new("relative"))
    );
}
