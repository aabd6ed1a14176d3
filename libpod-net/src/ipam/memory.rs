//! An [`AddressStore`] in memory, for tests and for callers without a database.

use super::AddressStore;
use crate::error::Result;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

/// Allocations in a map behind a mutex: `reserve` is atomic within the process.
#[derive(Debug, Default)]
pub struct MemoryAddressStore {
    holders: Mutex<BTreeMap<(String, IpAddr), String>>,
}

impl MemoryAddressStore {
    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<(String, IpAddr), String>) -> T) -> T {
        f(&mut self.holders.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl AddressStore for MemoryAddressStore {
    fn allocated(&self, network: &str) -> Result<Vec<IpAddr>> {
        Ok(self.with(|map| {
            map.keys()
                .filter(|(n, _)| n == network)
                .map(|(_, a)| *a)
                .collect()
        }))
    }

    fn assigned(&self, network: &str, container: &str) -> Result<Vec<IpAddr>> {
        Ok(self.with(|map| {
            map.iter()
                .filter(|((n, _), c)| n == network && *c == container)
                .map(|((_, a), _)| *a)
                .collect()
        }))
    }

    fn reserve(&self, network: &str, container: &str, address: IpAddr) -> Result<bool> {
        Ok(self.with(|map| {
            let holder = map
                .entry((network.to_string(), address))
                .or_insert_with(|| container.to_string());
            holder == container
        }))
    }

    fn release(&self, network: &str, container: &str) -> Result<()> {
        self.with(|map| map.retain(|(n, _), c| !(n == network && c == container)));
        Ok(())
    }
}
