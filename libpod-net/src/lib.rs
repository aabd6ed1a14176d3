//! Container networking for libpod-rs.
//!
//! Not built yet: this crate will hold network namespaces, network definitions, IPAM, port
//! mappings and the netavark backend. See the workspace's ARCHITECTURE.md for the plan.

#![forbid(unsafe_code)]
