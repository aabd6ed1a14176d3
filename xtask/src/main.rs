//! The project's task runner: `cargo xtask <task>` (see `cargo xtask help`).
//!
//! std only, so that it builds on a fresh machine before the host packages the workspace
//! needs (libseccomp-dev, ...) are installed: installing them is its first job.

#![forbid(unsafe_code)]

mod bench;
mod criu;
mod demo;
mod host;
mod test;

use std::error::Error;
use std::fmt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};

const USAGE: &str = "\
usage: cargo xtask <task> [-- <args>]

tasks:
  test    install missing host packages, then run in order, stopping at the first failure:
            cargo fmt --all -- --check
            cargo clippy --workspace --all-targets -- -D warnings
            cargo test --workspace [<args>]
            LIBPOD_TEST_RUNTIME=libcontainer cargo test -p libpod-examples
              --test T... [<args>]   (the runtime matrix: test.rs's list)
          (what CI runs, through .ci/run); when the host's CRIU fails `criu check`,
          CRIU 4.1.1 is built from Debian's source into target/host-tools/ and put first
          on the tests' PATH
  demo    install missing host packages, then run the quickstart example (needs root)
  bench   run the workspace's benchmarks, if any: cargo bench --workspace [<args>]
  criu    print the directory of a CRIU that passes `criu check` (built as for `test`
          when the host's fails; nothing printed when the host's passes), for a single
          test run: PATH=$(cargo xtask criu):$PATH cargo test ...
  help    print this help

Host packages are installed with apt-get (Debian 12) when running as root; otherwise the
command to run is printed. Arguments after `--` go to `cargo test` or `cargo bench`,
e.g. `cargo xtask test -- parse::` or `cargo xtask test -- -- --nocapture`.
";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
enum Task {
    Help,
    Test(Vec<String>),
    Demo,
    Bench(Vec<String>),
    Criu,
}

/// A command that ran and failed: xtask exits with its exit code.
#[derive(Debug)]
struct Failed {
    what: String,
    code: i32,
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl Error for Failed {}

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = parse_args(&args).and_then(|task| match task {
        Task::Help => {
            print!("{USAGE}");
            Ok(())
        }
        Task::Test(extra) => test::run(&extra),
        Task::Demo => demo::run(),
        Task::Bench(extra) => bench::run(&extra),
        Task::Criu => criu::ensure().map(|dir| {
            if let Some(dir) = dir {
                println!("{}", dir.display());
            }
        }),
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            // A failed command's own code, else 1 (also for codes an exit status cannot hold).
            let code = err.downcast_ref::<Failed>().map_or(1, |failed| failed.code);
            ExitCode::from(
                u8::try_from(code)
                    .ok()
                    .filter(|code| *code != 0)
                    .unwrap_or(1),
            )
        }
    }
}

/// Reads the task and its pass-through arguments (those after `--`).
fn parse_args(args: &[String]) -> Result<Task> {
    let Some((task, rest)) = args.split_first() else {
        return Ok(Task::Help);
    };
    let unexpected = |arg: &str| format!("unexpected argument `{arg}` for `{task}`\n\n{USAGE}");
    let no_args = || match rest {
        [] => Ok(()),
        [arg, ..] => Err(unexpected(arg)),
    };
    let extra_args = || match rest {
        [] => Ok(Vec::new()),
        [dashes, extra @ ..] if dashes == "--" => Ok(extra.to_vec()),
        [arg, ..] => Err(unexpected(arg)),
    };
    let task = match task.as_str() {
        "help" | "-h" | "--help" => no_args().map(|()| Task::Help),
        "demo" => no_args().map(|()| Task::Demo),
        "criu" => no_args().map(|()| Task::Criu),
        "test" => extra_args().map(Task::Test),
        "bench" => extra_args().map(Task::Bench),
        other => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    Ok(task?)
}

/// The workspace's root directory: the parent of xtask's, which `cargo run` tells us (the
/// path compiled in would be stale if the checkout moved and kept its target directory).
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .expect("xtask lives in the workspace")
        .into()
}

/// The cargo that runs xtask (so the same toolchain), in the workspace root.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(workspace_root());
    command
}

/// Prints a header naming `command`, runs it with the terminal's stdio, and fails with its
/// exit code unless it succeeds.
fn step(command: &mut Command) -> Result {
    let shown = show(command);
    println!("==> {shown}");
    let status = command
        .status()
        .map_err(|err| format!("running {shown}: {err}"))?;
    check(&shown, status)
}

/// Fails with `status`'s exit code (128 + signal when killed) unless it is success.
fn check(shown: &str, status: ExitStatus) -> Result {
    if status.success() {
        return Ok(());
    }
    let code = status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal))
        .unwrap_or(1);
    Err(Failed {
        what: format!("`{shown}` failed ({status})"),
        code,
    }
    .into())
}

/// A command as a shell line, the program by its file name (`cargo`, not its full path).
fn show(command: &Command) -> String {
    let program = Path::new(command.get_program());
    let program = program
        .file_name()
        .unwrap_or(program.as_os_str())
        .to_string_lossy();
    let args = command.get_args().map(|arg| arg.to_string_lossy());
    std::iter::once(program)
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> std::result::Result<Task, String> {
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        parse_args(&args).map_err(|err| err.to_string())
    }

    #[test]
    fn no_arguments_and_help_flags_give_help() {
        for args in [&[][..], &["help"], &["-h"], &["--help"]] {
            assert_eq!(parse(args), Ok(Task::Help), "{args:?}");
        }
    }

    #[test]
    fn arguments_after_dashes_pass_through_to_test_and_bench() {
        assert_eq!(parse(&["test"]), Ok(Task::Test(vec![])));
        assert_eq!(
            parse(&["test", "--", "-p", "libpod-spec", "--", "--nocapture"]),
            Ok(Task::Test(vec![
                "-p".into(),
                "libpod-spec".into(),
                "--".into(),
                "--nocapture".into()
            ]))
        );
        assert_eq!(
            parse(&["bench", "--", "spec"]),
            Ok(Task::Bench(vec!["spec".into()]))
        );
        assert_eq!(parse(&["demo"]), Ok(Task::Demo));
    }

    #[test]
    fn stray_and_unknown_arguments_are_errors() {
        assert!(
            parse(&["test", "-p"])
                .unwrap_err()
                .contains("unexpected argument `-p`")
        );
        assert!(
            parse(&["demo", "--", "x"])
                .unwrap_err()
                .contains("unexpected argument `--`")
        );
        assert!(
            parse(&["tset"])
                .unwrap_err()
                .contains("unknown task `tset`")
        );
        assert!(
            parse(&["tset", "x"])
                .unwrap_err()
                .contains("unknown task `tset`")
        );
    }

    #[test]
    fn failures_carry_the_exit_code_or_signal() {
        let exited = ExitStatus::from_raw(3 << 8);
        let err = check("cargo test", exited).unwrap_err();
        assert_eq!(
            err.downcast_ref::<Failed>().map(|failed| failed.code),
            Some(3)
        );
        let killed = ExitStatus::from_raw(9);
        let err = check("cargo test", killed).unwrap_err();
        assert_eq!(
            err.downcast_ref::<Failed>().map(|failed| failed.code),
            Some(137)
        );
        assert!(check("cargo test", ExitStatus::from_raw(0)).is_ok());
    }

    #[test]
    fn commands_show_the_program_by_name() {
        let mut command = Command::new("/root/.cargo/bin/cargo");
        command.args(["fmt", "--all"]);
        assert_eq!(show(&command), "cargo fmt --all");
    }
}
