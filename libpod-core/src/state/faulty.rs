//! A state store whose writes fail on demand, for tests of what the lifecycle does when the
//! database refuses a save at the worst moment: a [`MemoryState`] with a [`Fault`] in front
//! of its container state saves.

use super::MemoryState;
use crate::error::{CoreError, Result};
use crate::record::{ContainerState, ContainerStatus};
use parking_lot::Mutex;
use std::sync::Arc;

/// The failure to inject: the next save of a state with this status fails, storing nothing.
#[derive(Debug, Default)]
pub(crate) struct Fault(Mutex<Option<ContainerStatus>>);

impl Fault {
    /// Makes the next save of a state in `status` fail.
    pub(crate) fn fail_next_save_of(&self, status: ContainerStatus) {
        *self.0.lock() = Some(status);
    }

    /// Fails (once) if armed for `state`'s status.
    pub(crate) fn check(&self, id: &str, state: &ContainerState) -> Result<()> {
        let mut armed = self.0.lock();
        if *armed == Some(state.status) {
            *armed = None;
            return Err(CoreError::io(
                "save container state",
                id,
                std::io::Error::other("injected failure"),
            ));
        }
        Ok(())
    }
}

/// An empty memory store and the switch of its fault.
pub(crate) fn faulty_state() -> (MemoryState, Arc<Fault>) {
    let fault = Arc::new(Fault::default());
    let mut store = MemoryState::new();
    store.fault = Some(fault.clone());
    (store, fault)
}
