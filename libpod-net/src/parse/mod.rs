//! Parsers of the command-line values networking takes (`-p/--publish`), each with Podman's
//! syntax and error wording.

mod publish;

pub use publish::parse_publish;
