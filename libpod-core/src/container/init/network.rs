//! Init's network step: the container's own namespace set up on its networks (bridge mode),
//! before the generated files, which need its addresses. Other modes need nothing here:
//! `none` and `private` get a namespace from the OCI runtime, `host` shares the host's,
//! `container:ID` and `ns:PATH` join one (see `bundle.rs`).
//!
//! `setup_network` and `teardown_network` are the whole of it, for any caller holding the
//! container's guard (the pod wing's infra container too); init runs the setup beside the
//! root filesystem's mount through [`namespace::setup`].

use crate::container::Locked;
use crate::error::Result;
use crate::network::namespace::{self, NetworkSetup};
use libpod_spec::NetworkMode;

impl Locked<'_> {
    /// Whether the container's namespace is ours to make (bridge mode).
    pub(crate) fn makes_network(&self) -> bool {
        matches!(self.config().spec.network.mode, NetworkMode::Bridge(_))
    }

    /// Sets the container's namespace up on its networks (bridge mode; nothing otherwise) and
    /// records it in the state (saved by the caller). On failure nothing is left.
    #[allow(
        dead_code,
        reason = "the pod wing's entry point; init overlaps the halves itself"
    )]
    pub(crate) fn setup_network(&mut self) -> Result<()> {
        if !self.makes_network() {
            return Ok(());
        }
        let setup = namespace::setup(self.runtime(), self.config(), None)?;
        self.record_network(setup);
        Ok(())
    }

    /// Records what a setup gave.
    pub(crate) fn record_network(&mut self, setup: NetworkSetup) {
        self.state.netns_path = Some(setup.netns_path);
        self.state.network_status = setup.status;
    }

    /// Tears the container's namespace down, frees its addresses and forgets both in the
    /// state (saved by the caller). Idempotent; one `stat` when there is nothing to do.
    pub(crate) fn teardown_network(&mut self) -> Result<()> {
        namespace::teardown(self.runtime(), self.config())?;
        self.state.netns_path = None;
        self.state.network_status.clear();
        Ok(())
    }
}
