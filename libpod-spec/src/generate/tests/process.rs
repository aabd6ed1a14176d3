//! Process rules: arguments, environment, user, capabilities, rlimits.

use super::*;

#[test]
fn default_process_matches_podman() {
    let f = fixture();
    let spec = f.spec(&config(&["/bin/true"]));
    let p = spec.process().as_ref().unwrap();
    assert_eq!(args(&spec), ["/bin/true"]);
    assert_eq!(p.cwd().to_str(), Some("/"));
    assert_eq!(p.terminal(), None);
    assert_eq!(p.no_new_privileges(), None);
    assert_eq!(
        env(&spec),
        [
            format!("PATH={}", defaults::DEFAULT_PATH),
            "TERM=xterm".into(),
            "container=podman".into(),
            "HOME=/root".into(),
            "HOSTNAME=0123456789ab".into(),
        ]
    );
    let user = p.user();
    assert_eq!((user.uid(), user.gid(), user.umask()), (0, 0, Some(0o022)));
    // root is a member of wheel (10) in the rootfs's /etc/group.
    assert_eq!(user.additional_gids().as_deref(), Some(&[10][..]));
    let c = p.capabilities().as_ref().unwrap();
    let expected: Vec<String> = defaults::DEFAULT_CAPABILITIES
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(caps(c.bounding()), expected);
    assert_eq!(caps(c.effective()), expected);
    assert_eq!(caps(c.permitted()), expected);
    assert!(c.inheritable().is_none() && c.ambient().is_none());
}

#[test]
fn tty_sets_terminal_and_annotation() {
    let f = fixture();
    let mut c = config(&["sh"]);
    c.tty = true;
    let spec = f.spec(&c);
    assert_eq!(spec.process().as_ref().unwrap().terminal(), Some(true));
    assert_eq!(annotations(&spec)["io.kubernetes.cri-o.TTY"], "true");
}

#[test]
fn command_resolution_follows_make_command() {
    let f = fixture();
    let img = image(|b| {
        b.entrypoint(strings(&["/bin/sh", "-c"]))
            .cmd(strings(&["echo hi"]))
    });
    // Image entrypoint + image cmd.
    assert_eq!(
        args(&f.spec_img(&CreateConfig::default(), &img)),
        ["/bin/sh", "-c", "echo hi"]
    );
    // A user command replaces the image's cmd, keeping the entrypoint.
    assert_eq!(
        args(&f.spec_img(&config(&["ls"]), &img)),
        ["/bin/sh", "-c", "ls"]
    );
    // A user entrypoint drops the image's cmd.
    let c = CreateConfig {
        entrypoint: Some(strings(&["/bin/date"])),
        ..CreateConfig::default()
    };
    assert_eq!(args(&f.spec_img(&c, &img)), ["/bin/date"]);
    // `--entrypoint ''` clears it; the user's command stands alone.
    let mut c = config(&["ls"]);
    c.entrypoint = Some(strings(&[""]));
    assert_eq!(args(&f.spec_img(&c, &img)), ["ls"]);
    // Nothing at all is an error naming the command.
    let err = f.err(&CreateConfig::default());
    assert!(
        matches!(
            err,
            SpecError::InvalidValue {
                field: "command",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn init_prefixes_the_command_and_mounts_the_binary() {
    let f = fixture();
    let mut c = config(&["sleep", "1"]);
    c.init = true;
    let spec = f.spec(&c);
    assert_eq!(args(&spec), ["/run/podman-init", "--", "sleep", "1"]);
    let m = mount(&spec, "/run/podman-init").unwrap();
    assert_eq!(
        m.source().as_deref().and_then(|p| p.to_str()),
        Some("/usr/libexec/podman/catatonit")
    );
    assert_eq!(
        options(&spec, "/run/podman-init"),
        ["bind", "ro", "rprivate"]
    );
    assert_eq!(annotations(&spec)["io.podman.annotations.init"], "TRUE");
}

#[test]
fn environment_merges_defaults_image_then_user() {
    let f = fixture();
    let img = image(|b| {
        b.env(strings(&["FOO=img", "BAR=img", "PATH=/img/bin"]))
            .cmd(strings(&["true"]))
    });
    let mut c = CreateConfig::default();
    c.env.insert("FOO".into(), "user".into());
    c.env.insert("HOME".into(), "/custom".into());
    c.env.insert("HOSTNAME".into(), "mine".into());
    let spec = f.spec_img(&c, &img);
    assert_eq!(env_var(&spec, "FOO").as_deref(), Some("user"));
    assert_eq!(env_var(&spec, "BAR").as_deref(), Some("img"));
    assert_eq!(env_var(&spec, "PATH").as_deref(), Some("/img/bin"));
    assert_eq!(env_var(&spec, "HOME").as_deref(), Some("/custom"));
    assert_eq!(env_var(&spec, "HOSTNAME").as_deref(), Some("mine"));
    assert_eq!(
        env(&spec).iter().filter(|e| e.starts_with("PATH=")).count(),
        1
    );
    assert_eq!(env_var(&spec, "container").as_deref(), Some("podman"));
}

#[test]
fn workdir_prefers_user_then_image() {
    let f = fixture();
    let img = image(|b| b.working_dir("/img").cmd(strings(&["true"])));
    assert_eq!(
        f.spec_img(&CreateConfig::default(), &img)
            .process()
            .as_ref()
            .unwrap()
            .cwd()
            .to_str(),
        Some("/img")
    );
    let c = CreateConfig {
        workdir: Some("/tmp".into()),
        ..CreateConfig::default()
    };
    assert_eq!(
        f.spec_img(&c, &img)
            .process()
            .as_ref()
            .unwrap()
            .cwd()
            .to_str(),
        Some("/tmp")
    );
}

#[test]
fn users_and_groups_as_podman_assembles_them() {
    let f = fixture();
    let user_of = |u: Option<&str>, groups: &[&str]| {
        let mut c = config(&["true"]);
        c.user.user = u.map(str::to_string);
        c.user.group_add = strings(groups);
        let spec = f.spec(&c);
        let p = spec.process().as_ref().unwrap();
        let home = env_var(&spec, "HOME");
        (
            p.user().uid(),
            p.user().gid(),
            p.user().additional_gids().clone().unwrap_or_default(),
            home,
        )
    };
    assert_eq!(
        user_of(Some("user"), &[]),
        (1000, 1000, vec![1000, 10, 29], Some("/home/user".into()))
    );
    assert_eq!(
        user_of(Some("1000:1000"), &[]),
        (1000, 1000, vec![1000], Some("/home/user".into()))
    );
    assert_eq!(
        user_of(Some("user:audio"), &[]),
        (1000, 29, vec![29], Some("/home/user".into()))
    );
    assert_eq!(
        user_of(Some("0"), &[]),
        (0, 0, vec![0, 10], Some("/root".into()))
    );
    assert_eq!(user_of(Some("5000"), &[]), (5000, 0, vec![0], None));
    assert_eq!(
        user_of(None, &["audio", "1234"]),
        (0, 0, vec![29, 1234, 10], Some("/root".into()))
    );
    let mut c = config(&["true"]);
    c.user.user = Some("nosuchuser".into());
    assert!(matches!(f.err(&c), SpecError::UnknownUser { .. }));
}

#[test]
fn image_user_applies_unless_overridden() {
    let f = fixture();
    let img = image(|b| b.user("user").cmd(strings(&["true"])));
    let spec = f.spec_img(&CreateConfig::default(), &img);
    assert_eq!(spec.process().as_ref().unwrap().user().uid(), 1000);
    let mut c = CreateConfig::default();
    c.user.user = Some("0".into());
    assert_eq!(
        f.spec_img(&c, &img)
            .process()
            .as_ref()
            .unwrap()
            .user()
            .uid(),
        0
    );
}

#[test]
fn non_root_users_get_only_added_capabilities() {
    let f = fixture();
    let mut c = config(&["true"]);
    c.user.user = Some("1000".into());
    let spec = f.spec(&c);
    let p = spec
        .process()
        .as_ref()
        .unwrap()
        .capabilities()
        .clone()
        .unwrap();
    assert_eq!(
        caps(p.bounding()).len(),
        defaults::DEFAULT_CAPABILITIES.len()
    );
    assert!(p.effective().is_none() && p.permitted().is_none());

    c.security.cap_add = vec!["net_admin".into()];
    let spec = f.spec(&c);
    let p = spec
        .process()
        .as_ref()
        .unwrap()
        .capabilities()
        .clone()
        .unwrap();
    assert!(
        p.bounding()
            .as_ref()
            .unwrap()
            .contains(&Capability::NetAdmin)
    );
    for set in [p.effective(), p.permitted(), p.inheritable(), p.ambient()] {
        assert_eq!(caps(set), ["CAP_NET_ADMIN"]);
    }
}

#[test]
fn cap_add_and_drop_apply_to_root() {
    let f = fixture();
    let mut c = config(&["true"]);
    c.security.cap_drop = vec!["ALL".into()];
    let spec = f.spec(&c);
    assert!(
        spec.process()
            .as_ref()
            .unwrap()
            .capabilities()
            .as_ref()
            .unwrap()
            .bounding()
            .is_none()
    );
    c.security.cap_add = vec!["CAP_CHOWN".into()];
    let spec = f.spec(&c);
    assert_eq!(
        caps(
            spec.process()
                .as_ref()
                .unwrap()
                .capabilities()
                .as_ref()
                .unwrap()
                .effective()
        ),
        ["CAP_CHOWN"]
    );
    c.security.cap_add = vec!["NOT_A_CAP".into()];
    let err = f.err(&c);
    assert!(
        matches!(
            err,
            SpecError::InvalidValue {
                field: "cap-add",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn rlimits_merge_defaults_with_the_users_and_cap_implicit_ones() {
    let f = fixture_with(|d| d.ulimits = strings(&["nofile=1024:1024", "nproc=1024:1024"]));
    let mut c = config(&["true"]);
    c.resources.ulimit = strings(&["nofile=512:1024", "core=-1"]);
    let spec = f.spec(&c);
    let limits: Vec<(String, u64, u64)> = spec
        .process()
        .as_ref()
        .unwrap()
        .rlimits()
        .clone()
        .unwrap()
        .iter()
        .map(|r| (r.typ().to_string(), r.soft(), r.hard()))
        .collect();
    assert_eq!(
        limits,
        [
            ("RLIMIT_NOFILE".to_string(), 512, 1024),
            ("RLIMIT_NPROC".to_string(), 1024, 1024),
            ("RLIMIT_CORE".to_string(), u64::MAX, u64::MAX),
        ]
    );
    // Without any, nofile and nproc never exceed what this process may set.
    let spec = fixture().spec(&config(&["true"]));
    let hard = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .unwrap()
        .1;
    let nofile = spec
        .process()
        .as_ref()
        .unwrap()
        .rlimits()
        .clone()
        .unwrap()
        .into_iter()
        .find(|r| r.typ().to_string() == "RLIMIT_NOFILE")
        .unwrap();
    assert_eq!(nofile.hard(), hard.min(defaults::RLIMIT_DEFAULT_VALUE));
    c.resources.ulimit = strings(&["nofile=2048:1024"]);
    assert!(matches!(
        f.err(&c),
        SpecError::InvalidValue {
            field: "ulimit",
            ..
        }
    ));
}

#[test]
fn no_new_privileges_and_oom_score() {
    let f = fixture();
    let mut c = config(&["true"]);
    c.security.security_opts = strings(&["no-new-privileges"]);
    c.resources.oom_score_adj = Some(100);
    let spec = f.spec(&c);
    let p = spec.process().as_ref().unwrap();
    assert_eq!(
        (p.no_new_privileges(), p.oom_score_adj()),
        (Some(true), Some(100))
    );
    c.resources.oom_score_adj = Some(1001);
    assert!(matches!(
        f.err(&c),
        SpecError::InvalidValue {
            field: "oom-score-adj",
            ..
        }
    ));
    c.resources.oom_score_adj = None;
    c.security.security_opts = strings(&["bogus=1"]);
    assert!(matches!(
        f.err(&c),
        SpecError::InvalidValue {
            field: "security-opt",
            ..
        }
    ));
}
