//! The command line's definition: every verb builds, and deferring verbs keeps their texts.

use super::Cli;
use clap::CommandFactory;

/// Every verb's arguments, built as its call would build them.
#[test]
fn every_verb_builds_with_consistent_arguments() {
    // `debug_assert` builds the whole tree, deferred verbs too, and panics on a clash
    // (two flags with one name, a bad default, ...) that would otherwise show only when
    // that verb runs.
    Cli::command().debug_assert();
}

/// A verb's description is its variant's, not that of the flags it flattens in (the
/// deferred build applies those after the variant's own attributes).
#[test]
fn a_deferred_verb_keeps_its_own_description() {
    let mut cli = Cli::command();
    cli.build();
    let about = |path: &[&str]| {
        let mut command = &cli;
        for name in path {
            command = command
                .get_subcommands()
                .find(|c| c.get_name() == *name)
                .unwrap_or_else(|| panic!("no verb {name}"));
        }
        command
            .get_about()
            .map(|a| a.to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        about(&["run"]),
        "Create and start a container, and show its output"
    );
    assert_eq!(about(&["container", "init"]), "Initialise containers");
    assert_eq!(about(&["pull"]).split(' ').next(), Some("Pull"));
    assert_eq!(about(&["pod", "rm"]), "Remove one or more pods");
    assert_eq!(
        about(&["healthcheck", "run"]),
        "Run the health check of a container"
    );
}
