use super::*;
use std::collections::BTreeMap;

fn spec(args: &[&str], annotations: &[(&str, &str)]) -> Spec {
    let mut spec = Spec::default();
    let process = spec.process_mut().as_mut().unwrap();
    process.set_args(Some(args.iter().map(|a| a.to_string()).collect()));
    spec.set_annotations(Some(
        annotations
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    ));
    spec
}

fn sh() -> Spec {
    spec(&["/bin/sh", "-c", "true"], &[])
}

fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn commands(patterns: &[&str]) -> Vec<String> {
    patterns.iter().map(|p| p.to_string()).collect()
}

fn matches(when: When, spec: &Spec, has_bind_mounts: bool) -> bool {
    Matcher::compile(&when)
        .unwrap()
        .matches(spec, has_bind_mounts)
        .unwrap()
}

#[test]
fn no_condition_never_matches() {
    assert!(!matches(When::default(), &sh(), true));
    assert!(!matches(
        When {
            any_of: true,
            ..When::default()
        },
        &sh(),
        true
    ));
}

#[test]
fn always() {
    assert!(matches(
        When {
            always: Some(true),
            ..When::default()
        },
        &sh(),
        false
    ));
    assert!(!matches(
        When {
            always: Some(false),
            ..When::default()
        },
        &sh(),
        false
    ));
}

#[test]
fn has_bind_mounts_true_follows_the_container() {
    let when = When {
        has_bind_mounts: Some(true),
        ..When::default()
    };
    assert!(matches(when.clone(), &sh(), true));
    assert!(!matches(when, &sh(), false));
}

#[test]
fn has_bind_mounts_false_never_matches_as_in_podman() {
    let when = When {
        has_bind_mounts: Some(false),
        ..When::default()
    };
    assert!(!matches(when.clone(), &sh(), false));
    assert!(!matches(when, &sh(), true));
}

#[test]
fn annotation_needs_key_and_value_in_the_same_annotation() {
    let when = When {
        annotations: annotations(&[("^com\\.example\\.gpu$", "^yes$")]),
        ..When::default()
    };
    assert!(matches(
        when.clone(),
        &spec(&["sh"], &[("com.example.gpu", "yes")]),
        false
    ));
    assert!(!matches(
        when.clone(),
        &spec(&["sh"], &[("com.example.gpu", "no")]),
        false
    ));
    assert!(!matches(
        when.clone(),
        &spec(&["sh"], &[("other", "yes")]),
        false
    ));
    assert!(!matches(
        when.clone(),
        &spec(&["sh"], &[("com.example.gpu", "no"), ("other", "yes")]),
        false
    ));
    assert!(!matches(when, &sh(), false));
}

#[test]
fn annotation_regexes_search_unanchored() {
    let when = When {
        annotations: annotations(&[("gpu", "fluid")]),
        ..When::default()
    };
    assert!(matches(
        when,
        &spec(&["sh"], &[("com.example.gpu.kind", "cfd-fluid-dyn")]),
        false
    ));
}

#[test]
fn every_annotation_pair_must_match() {
    let when = When {
        annotations: annotations(&[("^a$", "1"), ("^b$", "2")]),
        ..When::default()
    };
    assert!(matches(
        when.clone(),
        &spec(&["sh"], &[("a", "1"), ("b", "2"), ("c", "3")]),
        false
    ));
    assert!(!matches(when.clone(), &spec(&["sh"], &[("a", "1")]), false));
    assert!(!matches(
        when,
        &spec(&["sh"], &[("a", "1"), ("b", "1")]),
        false
    ));
}

#[test]
fn annotations_missing_from_the_spec_match_nothing() {
    let when = When {
        annotations: annotations(&[("", "")]),
        ..When::default()
    };
    let mut spec = sh();
    spec.set_annotations(None);
    assert!(!matches(when.clone(), &spec, false));
    assert!(matches(when, &spec_with_one_annotation(), false));
}

fn spec_with_one_annotation() -> Spec {
    spec(&["sh"], &[("k", "v")])
}

#[test]
fn commands_match_args0_only() {
    let when = When {
        commands: commands(&["^/sbin/init$", "systemd$"]),
        ..When::default()
    };
    assert!(matches(when.clone(), &spec(&["/sbin/init"], &[]), false));
    assert!(matches(
        when.clone(),
        &spec(&["/usr/lib/systemd/systemd", "--user"], &[]),
        false
    ));
    assert!(!matches(
        when.clone(),
        &spec(&["/bin/sh", "/sbin/init"], &[]),
        false
    ));
    assert!(!matches(when, &spec(&["init"], &[]), false));
}

#[test]
fn commands_are_skipped_without_a_process() {
    let mut spec = sh();
    spec.set_process(None);
    let only_commands = When {
        commands: commands(&["^nothing$"]),
        ..When::default()
    };
    assert!(!matches(only_commands, &spec, false));
    let with_always = When {
        always: Some(true),
        commands: commands(&["^nothing$"]),
        ..When::default()
    };
    assert!(matches(with_always, &spec, false));
}

#[test]
fn commands_fail_on_empty_args() {
    let when = When {
        commands: commands(&["sh"]),
        ..When::default()
    };
    let matcher = Matcher::compile(&when).unwrap();
    assert_eq!(matcher.matches(&spec(&[], &[]), false), Err(EMPTY_ARGS));
    let mut no_args = sh();
    no_args.process_mut().as_mut().unwrap().set_args(None);
    assert_eq!(matcher.matches(&no_args, false), Err(EMPTY_ARGS));
    // Without commands the args are not looked at.
    let always = Matcher::compile(&When {
        always: Some(true),
        ..When::default()
    })
    .unwrap();
    assert_eq!(always.matches(&spec(&[], &[]), false), Ok(true));
}

#[test]
fn all_given_conditions_must_match() {
    let full = When {
        always: Some(true),
        annotations: annotations(&[("^gpu$", "^yes$")]),
        commands: commands(&["^/bin/sh$"]),
        has_bind_mounts: Some(true),
        any_of: false,
    };
    let good = spec(&["/bin/sh"], &[("gpu", "yes")]);
    assert!(matches(full.clone(), &good, true));
    assert!(!matches(full.clone(), &good, false));
    assert!(!matches(
        full.clone(),
        &spec(&["/bin/sh"], &[("gpu", "no")]),
        true
    ));
    assert!(!matches(
        full.clone(),
        &spec(&["/bin/bash"], &[("gpu", "yes")]),
        true
    ));
    assert!(!matches(
        When {
            always: Some(false),
            ..full
        },
        &good,
        true
    ));
}

#[test]
fn any_of_needs_one_condition() {
    let legacy = When {
        annotations: annotations(&[(".*", "^gpu$|^fpga$")]),
        commands: commands(&["^/sbin/init$"]),
        has_bind_mounts: Some(true),
        any_of: true,
        ..When::default()
    };
    assert!(matches(legacy.clone(), &spec(&["/bin/sh"], &[]), true));
    assert!(matches(
        legacy.clone(),
        &spec(&["/bin/sh"], &[("device", "fpga")]),
        false
    ));
    assert!(matches(legacy.clone(), &spec(&["/sbin/init"], &[]), false));
    assert!(!matches(
        legacy,
        &spec(&["/bin/sh"], &[("device", "cpu")]),
        false
    ));
}

#[test]
fn ordinary_patterns_fit_the_size_limit() {
    let when = When {
        annotations: annotations(&[(r"^io\.kubernetes\..*$", r"\w{40}")]),
        commands: commands(&[r"(?i)^/usr/(s?bin|lib)/\w+/[\p{L}\d_-]+$"; 20]),
        ..When::default()
    };
    assert!(Matcher::compile(&when).is_ok());
}

#[test]
fn oversized_pattern_sets_are_refused() {
    let when = When {
        commands: commands(&[r"\w{40}"; 200]),
        ..When::default()
    };
    let err = Matcher::compile(&when).unwrap_err();
    assert!(
        err.starts_with("the command patterns are too large"),
        "{err}"
    );
}

#[test]
fn syntax_errors_name_the_first_bad_pattern() {
    let when = When {
        commands: commands(&["fine", "(", "["]),
        ..When::default()
    };
    let err = Matcher::compile(&when).unwrap_err();
    assert!(err.starts_with(r#"invalid command "(": "#), "{err}");
    let when = When {
        annotations: annotations(&[("(", "")]),
        ..When::default()
    };
    let err = Matcher::compile(&when).unwrap_err();
    assert!(err.starts_with(r#"invalid annotation key "(": "#), "{err}");
}
