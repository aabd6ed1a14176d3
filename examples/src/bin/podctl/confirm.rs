//! The confirmation the prune verbs ask for without `--force`, as Podman 4.3 asks it.

use crate::errors::{Exit, OWN_ERROR};
use std::io::{BufRead, Write};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Prints `warning` (ending in a newline) and Podman's question on stdout, and reads the
/// answer from stdin: yes when it starts with `y` or `Y`. Standard input at its end is an
/// error, `EOF`, as Go's `ReadString` makes it in Podman (exit 125, nothing removed).
pub fn confirmed(warning: &str) -> Result<bool> {
    print!("{warning}Are you sure you want to continue? [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer)? == 0 {
        return Err(Exit::new(OWN_ERROR, "EOF").into());
    }
    Ok(answer.starts_with(['y', 'Y']))
}
