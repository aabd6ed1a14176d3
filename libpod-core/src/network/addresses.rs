//! IPAM's store on the state database: libpod-net's [`AddressStore`] over the state's
//! [`NetworkAttachmentStore`] address methods (`network_addresses`, keyed by network and
//! address: a reservation is one `BEGIN IMMEDIATE` transaction, atomic across processes).

use crate::state::StateStore;
use libpod_net::NetError;
use libpod_net::ipam::AddressStore;
use std::net::IpAddr;

/// The state store seen as IPAM's [`AddressStore`].
pub(crate) struct StateAddresses<'a>(pub(crate) &'a dyn StateStore);

/// A state error, in libpod-net's words (IPAM returns them unchanged).
fn store_err(err: crate::CoreError) -> NetError {
    NetError::InvalidSetup(format!("state database: {err}"))
}

impl AddressStore for StateAddresses<'_> {
    fn allocated(&self, network: &str) -> libpod_net::Result<Vec<IpAddr>> {
        self.0.allocated_addresses(network).map_err(store_err)
    }

    fn assigned(&self, network: &str, container: &str) -> libpod_net::Result<Vec<IpAddr>> {
        self.0
            .container_addresses(container, network)
            .map_err(store_err)
    }

    fn reserve(&self, network: &str, container: &str, address: IpAddr) -> libpod_net::Result<bool> {
        self.0
            .reserve_address(container, network, address)
            .map_err(store_err)
    }

    fn release(&self, network: &str, container: &str) -> libpod_net::Result<()> {
        self.0
            .release_addresses(container, network)
            .map_err(store_err)
    }
}
