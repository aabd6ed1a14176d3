//! The libpod-rs engine: `Runtime`, containers, the state database, per-object locks and the
//! conmon + runc lifecycle.
//!
//! Work in progress: this crate is being built (issue "libpod-core"). Today it holds the types
//! of containers' configuration and state, the [`StateStore`](state::StateStore) trait and the
//! [`OciRuntime`](oci::OciRuntime) trait with their implementations.

pub mod container;
mod error;
mod lock;
pub mod logs;
pub(crate) mod notify;
pub mod oci;
mod overlap;
pub mod runtime;
pub mod state;

pub use error::{CoreError, Result};
