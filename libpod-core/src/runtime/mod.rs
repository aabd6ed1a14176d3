//! The runtime: the engine's configuration and its open state.

pub mod config;
