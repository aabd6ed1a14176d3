use super::super::HostFacts;
use super::*;
use std::fs;

fn config() -> EngineConfig {
    EngineConfig::builtin_for(&HostFacts::default())
}

/// Writes an executable script (closed before anyone runs it).
fn script(path: &Path, body: &str) {
    fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

fn not_found(err: CoreError) -> (String, Vec<String>) {
    match err {
        CoreError::ProgramNotFound { program, tried } => (program, tried),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn the_first_existing_candidate_of_the_runtime_wins() {
    let dir = tempfile::tempdir().unwrap();
    let (missing, subdir, first, second) = (
        dir.path().join("missing"),
        dir.path().join("subdir"),
        dir.path().join("first"),
        dir.path().join("second"),
    );
    fs::create_dir(&subdir).unwrap();
    script(&first, "true");
    script(&second, "true");
    let mut config = config();
    config.runtimes.push((
        "myrt".into(),
        vec![missing.clone(), subdir.clone(), first.clone(), second],
    ));
    assert_eq!(runtime(&config, "myrt", None).unwrap(), first);
    fs::remove_file(&first).unwrap();
    fs::remove_dir(&subdir).unwrap();
    fs::write(&subdir, "").unwrap();
    // Any regular file will do (Podman does not check that it is executable).
    assert_eq!(runtime(&config, "myrt", None).unwrap(), subdir);
}

#[test]
fn a_runtime_nowhere_lists_where_it_was_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("adir")).unwrap();
    let mut config = config();
    config.runtimes.push((
        "myrt".into(),
        vec![dir.path().join("nope"), dir.path().join("adir")],
    ));
    let err = runtime(&config, "myrt", Some(dir.path().as_os_str())).unwrap_err();
    let message = err.to_string();
    let (program, tried) = not_found(err);
    assert_eq!(program, "myrt");
    assert_eq!(
        tried,
        [
            dir.path().join("nope").display().to_string(),
            format!("{} (not a regular file)", dir.path().join("adir").display()),
            "$PATH".to_string()
        ]
    );
    assert!(message.starts_with("cannot find myrt: tried "), "{message}");
}

#[test]
fn path_is_the_last_resort_and_needs_an_executable() {
    let bin = tempfile::tempdir().unwrap();
    let mut config = config();
    config
        .runtimes
        .push(("myrt".into(), vec![bin.path().join("elsewhere")]));
    let on_path = bin.path().join("myrt");
    fs::write(&on_path, "").unwrap();
    let path_env = std::env::join_paths(["relative/dir".as_ref(), bin.path()]).unwrap();
    assert!(
        runtime(&config, "myrt", Some(&path_env)).is_err(),
        "not executable"
    );
    fs::set_permissions(&on_path, fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(runtime(&config, "myrt", Some(&path_env)).unwrap(), on_path);
}

#[test]
fn a_runtime_may_be_an_absolute_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my-runc");
    script(&path, "true");
    let name = path.to_str().unwrap();
    assert_eq!(runtime(&config(), name, None).unwrap(), path);
    let (_, tried) = not_found(runtime(&config(), "/no/such/runc", None).unwrap_err());
    assert_eq!(tried, ["/no/such/runc"]);
}

#[test]
fn an_unknown_runtime_name_is_refused() {
    let err = runtime(&config(), "nosuchruntime", None).unwrap_err();
    assert!(
        matches!(&err, CoreError::InvalidOption { option: "runtime", reason }
            if reason.contains("\"nosuchruntime\"") && reason.contains("crun, runc")),
        "{err}"
    );
}

#[test]
fn conmon_must_report_2_0_1_or_later() {
    let dir = tempfile::tempdir().unwrap();
    let (old, garbage, failing, good) = (
        dir.path().join("old"),
        dir.path().join("garbage"),
        dir.path().join("failing"),
        dir.path().join("good"),
    );
    script(&old, "echo 'conmon version 2.0.0'");
    script(&garbage, "echo 'hello'");
    script(&failing, "exit 3");
    script(&good, "echo 'conmon version 2.1.6'; echo 'commit: unknown'");
    let mut config = config();
    config.conmon_path = vec![
        dir.path().join("missing"),
        dir.path().to_path_buf(),
        old.clone(),
    ];
    config.conmon_path.extend([garbage, failing, good.clone()]);
    assert_eq!(conmon(&config, None).unwrap(), good);
    config.conmon_path.pop();
    let (program, tried) = not_found(conmon(&config, None).unwrap_err());
    assert_eq!(program, "conmon");
    assert_eq!(tried.len(), 6, "{tried:?}");
    assert_eq!(tried[1], format!("{} (a directory)", dir.path().display()));
    assert!(
        tried[2].ends_with("(version 2.0.0 is older than the required 2.0.1)"),
        "{tried:?}"
    );
    assert!(
        tried[3].contains("is not `conmon version X.Y.Z`"),
        "{tried:?}"
    );
    assert!(tried[4].contains("`--version` failed"), "{tried:?}");
    assert_eq!(tried[5], "$PATH");
}

#[test]
fn conmon_on_path_comes_last() {
    let bin = tempfile::tempdir().unwrap();
    script(&bin.path().join("conmon"), "echo 'conmon version 3.0.0'");
    let mut config = config();
    config.conmon_path = vec![bin.path().join("not-here")];
    assert_eq!(
        conmon(&config, Some(bin.path().as_os_str())).unwrap(),
        bin.path().join("conmon")
    );
}

#[test]
fn conmon_versions() {
    assert_eq!(
        parse_conmon_version("conmon version 2.1.6\ncommit: x"),
        Some((2, 1, 6))
    );
    assert_eq!(
        parse_conmon_version("conmon version 2.0.1-dev"),
        Some((2, 0, 1))
    );
    assert_eq!(
        parse_conmon_version("conmon version 10-2-3"),
        Some((10, 2, 3))
    );
    for bad in [
        "",
        "conmon version",
        "conmon version 2.1",
        "conmon 2.1.6",
        "conmon version x.1.6",
    ] {
        assert_eq!(parse_conmon_version(bad), None, "{bad:?}");
    }
}

#[test]
fn this_host_s_runc_and_conmon_are_found() {
    // Debian 12 with the project's packages: runc 1.1.5 (/usr/sbin/runc, with a symbolic
    // link /usr/bin/runc, which comes first), conmon 2.1.6, crun.
    let config = config();
    let path_env = std::env::var_os("PATH");
    assert_eq!(
        runtime(&config, "runc", path_env.as_deref()).unwrap(),
        Path::new("/usr/bin/runc")
    );
    assert_eq!(
        conmon(&config, path_env.as_deref()).unwrap(),
        Path::new("/usr/bin/conmon")
    );
    assert_eq!(
        default_runtime(path_env.as_deref()).as_deref(),
        Some("runc")
    );
}
