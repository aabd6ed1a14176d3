use super::*;

#[test]
fn the_exit_command_is_program_args_flags_args_after_flags_and_id() {
    let flags = CleanupArgs {
        root: "/r".into(),
        run_root: "/run/r".into(),
        runtime: Some("/usr/sbin/runc".into()),
        conmon: Some("/usr/bin/conmon".into()),
        storage_driver: Some("vfs".into()),
        id: String::new(),
        exec: None,
    }
    .flags();
    let podctl = ExitCommand::new("/bin/podctl").args_after_flags(["container", "cleanup"]);
    assert_eq!(
        podctl.argv(&flags, "abc"),
        [
            "/bin/podctl",
            "--root",
            "/r",
            "--runroot",
            "/run/r",
            "--runtime",
            "/usr/sbin/runc",
            "--conmon",
            "/usr/bin/conmon",
            "--storage-driver",
            "vfs",
            "container",
            "cleanup",
            "abc"
        ]
    );
    let mine = ExitCommand::new("/bin/myapp").args(["cleanup"]);
    let argv = mine.argv(&flags, "abc");
    assert_eq!(argv[..2], ["/bin/myapp", "cleanup"]);
    // What the embedder's binary passes on parses back to the same runtime and ID.
    let parsed = CleanupArgs::parse(&argv[2..]).unwrap();
    assert_eq!(parsed.flags(), flags);
    assert_eq!(parsed.id, "abc");
}

#[test]
fn parsing_refuses_what_it_cannot_use() {
    for bad in [
        vec!["--root", "/r", "--runroot", "/x"],
        vec!["--root", "/r", "--runroot", "/x", "a", "b"],
        vec!["--root", "/r", "a"],
        vec![
            "--root",
            "/r",
            "--runroot",
            "/x",
            "--log-level",
            "debug",
            "a",
        ],
        vec!["--root"],
    ] {
        let err = CleanupArgs::parse(&bad).unwrap_err();
        assert!(
            matches!(err, CoreError::InvalidOption { .. }),
            "{bad:?}: {err}"
        );
    }
}

#[test]
fn an_exec_sessions_exit_command_names_the_session_before_the_id_and_parses_back() {
    let flags = CleanupArgs::parse(["--root", "/r", "--runroot", "/run/r", "x"])
        .unwrap()
        .flags();
    let podctl = ExitCommand::new("/bin/podctl").args_after_flags(["container", "cleanup"]);
    let argv = podctl.exec_argv(&flags, "s1", "abc");
    assert_eq!(
        argv[5..],
        ["container", "cleanup", "--exec", "s1", "abc"],
        "{argv:?}"
    );
    let parsed =
        CleanupArgs::parse(["--root", "/r", "--runroot", "/run/r", "--exec", "s1", "abc"]).unwrap();
    assert_eq!(parsed.exec.as_deref(), Some("s1"));
    assert_eq!(parsed.id, "abc");
}
