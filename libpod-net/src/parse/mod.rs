//! Parsers of the command-line values networking takes (`-p/--publish`, `--expose`), each
//! with Podman's syntax and error wording.

mod expose;
mod publish;

pub use expose::{parse_expose, parse_image_expose};
pub use publish::parse_publish;
