//! Benchmarks of libpod-rs's hot paths (`cargo xtask bench`).
//!
//! The benches live in `benches/`: `spec_generate` measures in-process OCI spec generation, the
//! part of container init that is pure CPU. Whole-operation comparisons against Podman come with
//! the container lifecycle.
