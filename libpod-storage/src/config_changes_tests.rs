use super::words::{parse_signal, split_assignment, split_words, unquote};
use super::*;
use std::collections::HashMap;

fn apply(changes: &[&str]) -> Result<Config> {
    let mut config = Config::default();
    let changes: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
    apply_changes(&mut config, &changes)?;
    Ok(config)
}

fn strings(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

fn error_of(changes: &[&str]) -> String {
    match apply(changes) {
        Err(
            err @ StorageError::InvalidValue {
                field: "change", ..
            },
        ) => err.to_string(),
        other => panic!("{changes:?}: expected an invalid change error, got {other:?}"),
    }
}

#[test]
fn instructions_are_case_insensitive_and_take_key_equals_form() {
    let config = apply(&["env X=1", "Workdir /w", "ENV=Y=2"]).unwrap();
    assert_eq!(config.env(), &strings(&["X=1", "Y=2"]));
    assert_eq!(config.working_dir().as_deref(), Some("/w"));
}

#[test]
fn cmd_and_entrypoint_take_json_or_shell_form() {
    // Expectations as recorded from podman 4.3.1 import --change + image inspect.
    let config = apply(&["CMD echo hi", "ENTRYPOINT [\"/bin/tini\", \"--\"]"]).unwrap();
    assert_eq!(config.cmd(), &strings(&["/bin/sh", "-c", "echo hi"]));
    assert_eq!(config.entrypoint(), &strings(&["/bin/tini", "--"]));
    let config = apply(&["CMD [\"a\",\"b\"]", "ENTRYPOINT [1]"]).unwrap();
    assert_eq!(config.cmd(), &strings(&["a", "b"]));
    assert_eq!(config.entrypoint(), &strings(&["/bin/sh", "-c", "[1]"]));
}

#[test]
fn empty_cmd_and_entrypoint_follow_podman() {
    assert_eq!(
        apply(&["CMD "]).unwrap().cmd(),
        &strings(&["/bin/sh", "-c"])
    );
    let mut config = apply(&["CMD x", "ENTRYPOINT y"]).unwrap();
    apply_changes(&mut config, &["CMD []".into(), "ENTRYPOINT ".into()]).unwrap();
    assert_eq!(config.cmd(), &None);
    assert_eq!(config.entrypoint(), &None);
}

#[test]
fn env_takes_several_assignments_with_quotes() {
    let config = apply(&["ENV FOO=img BAR=imgbar", r#"ENV "Q"="a b" R='c d' S=e\ f"#]).unwrap();
    assert_eq!(
        config.env(),
        &strings(&["FOO=img", "BAR=imgbar", "Q=a b", "R=c d", "S=e f"])
    );
}

#[test]
fn env_legacy_form_takes_the_rest_of_the_line() {
    let config = apply(&["ENV FOO bar  baz", "ENV EMPTY", r#"ENV Q "x y""#]).unwrap();
    assert_eq!(config.env(), &strings(&["FOO=bar  baz", "EMPTY=", "Q=x y"]));
}

#[test]
fn env_replaces_a_variable_already_set() {
    let mut config = apply(&["ENV A=1 B=2"]).unwrap();
    apply_changes(&mut config, &["ENV A=3".into()]).unwrap();
    assert_eq!(config.env(), &strings(&["A=3", "B=2"]));
}

#[test]
fn env_errors() {
    assert!(error_of(&["ENV"]).contains("INSTRUCTION VALUE"));
    assert!(error_of(&["ENV =x"]).contains("must not be empty"));
    assert!(error_of(&["ENV A=1 B"]).contains("name=value"));
    assert!(error_of(&["ENV A=\"x"]).contains("unterminated"));
}

#[test]
fn labels_take_several_pairs_with_quotes() {
    let config = apply(&["LABEL a=b c=d", r#"LABEL "a b"="c d" e="""#, "LABEL f==g"]).unwrap();
    let expected: HashMap<String, String> = [
        ("a", "b"),
        ("c", "d"),
        ("a b", "c d"),
        ("e", ""),
        ("f", "=g"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(config.labels(), &Some(expected));
    assert!(error_of(&["LABEL a"]).contains("key=value"));
    assert!(error_of(&["LABEL =b"]).contains("must not be empty"));
}

#[test]
fn expose_takes_ports_and_protocols() {
    let config = apply(&["EXPOSE 80 53/UDP 9/sctp", "EXPOSE 080/tcp"]).unwrap();
    assert_eq!(
        config.exposed_ports(),
        &strings(&["80/tcp", "53/udp", "9/sctp"])
    );
    for bad in [
        "EXPOSE 0",
        "EXPOSE 70000",
        "EXPOSE http",
        "EXPOSE 80/icmp",
        "EXPOSE 1/2/3",
        "EXPOSE ",
    ] {
        error_of(&[bad]);
    }
}

#[test]
fn volume_takes_json_or_words_and_adds() {
    let config = apply(&["VOLUME /a /b", "VOLUME [\"/c\",\"/a\"]", "VOLUME rel"]).unwrap();
    assert_eq!(config.volumes(), &strings(&["/a", "/b", "/c", "rel"]));
    assert!(error_of(&["VOLUME []"]).contains("at least one"));
    assert!(error_of(&["VOLUME [\"\"]"]).contains("must not be empty"));
    error_of(&["VOLUME "]);
}

#[test]
fn workdir_joins_relative_and_replaces_absolute() {
    assert_eq!(
        apply(&["WORKDIR /x", "WORKDIR y"])
            .unwrap()
            .working_dir()
            .as_deref(),
        Some("/x/y")
    );
    assert_eq!(
        apply(&["WORKDIR /x", "WORKDIR /y"])
            .unwrap()
            .working_dir()
            .as_deref(),
        Some("/y")
    );
    assert_eq!(
        apply(&["WORKDIR /a/../b/"])
            .unwrap()
            .working_dir()
            .as_deref(),
        Some("/b")
    );
    assert_eq!(
        apply(&["WORKDIR rel"]).unwrap().working_dir().as_deref(),
        Some("rel")
    );
    assert_eq!(
        apply(&["WORKDIR ../.."]).unwrap().working_dir().as_deref(),
        Some("../..")
    );
    error_of(&["WORKDIR "]);
}

#[test]
fn clean_path_matches_go() {
    for (input, expected) in [
        ("/", "/"),
        ("//a//b/", "/a/b"),
        ("/../a", "/a"),
        ("a/./b/..", "a"),
        ("a/../..", ".."),
        ("./", "."),
    ] {
        assert_eq!(clean_path(input), expected, "{input}");
    }
}

#[test]
fn user_is_taken_literally() {
    assert_eq!(
        apply(&["USER 1000:1000"]).unwrap().user().as_deref(),
        Some("1000:1000")
    );
    error_of(&["USER "]);
}

#[test]
fn stopsignal_is_stored_as_its_number() {
    for (change, expected) in [
        ("STOPSIGNAL SIGQUIT", "3"),
        ("STOPSIGNAL quit", "3"),
        ("STOPSIGNAL 9", "9"),
        ("STOPSIGNAL RTMIN+3", "37"),
        ("STOPSIGNAL sigrtmax-1", "63"),
    ] {
        assert_eq!(
            apply(&[change]).unwrap().stop_signal().as_deref(),
            Some(expected),
            "{change}"
        );
    }
    for bad in [
        "STOPSIGNAL 0",
        "STOPSIGNAL 65",
        "STOPSIGNAL -5",
        "STOPSIGNAL SIGFOO",
        "STOPSIGNAL ",
    ] {
        error_of(&[bad]);
    }
}

#[test]
fn signal_table_edges() {
    assert_eq!(parse_signal("RTMIN"), Ok(34));
    assert_eq!(parse_signal("RTMIN+15"), Ok(49));
    assert_eq!(parse_signal("RTMAX-14"), Ok(50));
    assert_eq!(parse_signal("RTMAX"), Ok(64));
    for bad in [
        "RTMIN+16", "RTMAX-15", "RTMIN+03", "RTMIN++3", "RTMIN+0", "SIG",
    ] {
        assert!(parse_signal(bad).is_err(), "{bad}");
    }
}

#[test]
fn unsupported_instructions_are_named() {
    assert!(error_of(&["ONBUILD RUN x"]).contains("unsupported instruction \"ONBUILD\""));
    assert!(error_of(&["FROM scratch"]).contains("FROM"));
    assert!(error_of(&["RUN true"]).contains("RUN"));
    assert!(error_of(&["CMD"]).contains("INSTRUCTION VALUE"));
    assert!(error_of(&[""]).contains("INSTRUCTION VALUE"));
}

#[test]
fn an_error_leaves_earlier_changes_applied_and_names_the_change() {
    let mut config = Config::default();
    let err = apply_changes(&mut config, &["USER 1".into(), "EXPOSE 0".into()]).unwrap_err();
    assert!(err.to_string().contains("\"EXPOSE 0\""), "{err}");
    assert_eq!(config.user().as_deref(), Some("1"));
}

#[test]
fn leading_whitespace_and_tabs_separate() {
    let config = apply(&["  CMD x", "USER\tbob"]).unwrap();
    assert_eq!(config.cmd(), &strings(&["/bin/sh", "-c", "x"]));
    assert_eq!(config.user().as_deref(), Some("bob"));
}

#[test]
fn words_keep_quotes_until_unquoted() {
    assert_eq!(
        split_words(r#"a="b c" 'd e'=f g\ h"#).unwrap(),
        [r#"a="b c""#, "'d e'=f", r"g\ h"]
    );
    assert_eq!(split_assignment(r#""k=1"=v"#), Some((r#""k=1""#, "v")));
    assert_eq!(split_assignment(r"k\=1=v"), Some((r"k\=1", "v")));
    assert_eq!(unquote(r#""a\"b\n""#).unwrap(), "a\"b\\n");
    assert_eq!(unquote(r"'a\b'").unwrap(), r"a\b");
    assert_eq!(unquote(r"trailing\").unwrap(), r"trailing\");
    assert!(split_words("'open").is_err());
}

#[test]
fn arbitrary_lines_never_panic() {
    let inputs = [
        "ENV \u{e9}=\u{1f600}",
        "LABEL \"",
        "ENV \\",
        "EXPOSE 99999999999999999999",
        "STOPSIGNAL RTMIN+\u{e9}",
        "ENV a=\"\\",
    ];
    for input in inputs {
        let _ = apply(&[input]);
    }
}

/// The changes on which Podman 4.3 and Dockerfile semantics agree give Podman's config.
#[test]
fn agrees_with_podman_import() {
    libpod_testutil::require_root();
    let _guard = libpod_testutil::serial();
    let tmp = libpod_testutil::TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    std::fs::create_dir(&rootfs).unwrap();
    std::fs::write(rootfs.join("hello"), "hi\n").unwrap();
    let changes = [
        "CMD echo hi",
        "ENTRYPOINT [\"/bin/tini\",\"--\"]",
        "ENV A=1",
        "env B=\"x y\"",
        "LABEL a=b",
        "LABEL \"c d\"=\"e f\"",
        "EXPOSE 80",
        "EXPOSE 53/udp",
        "VOLUME /a /b",
        "VOLUME [\"/c\"]",
        "WORKDIR /w",
        "WORKDIR sub/../dir",
        "USER 1000:1000",
        "STOPSIGNAL SIGQUIT",
    ];
    let podman = libpod_testutil::Podman::new(tmp.path(), "[engine]\nruntime = \"runc\"\n");
    let id = podman.import_rootfs(&rootfs, "changes", &changes).unwrap();
    let output = podman
        .command()
        .args(["image", "inspect", "--format", "{{json .Config}}", &id])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ours = serde_json::to_value(apply(&changes).unwrap()).unwrap();
    assert_eq!(ours, theirs);
}
