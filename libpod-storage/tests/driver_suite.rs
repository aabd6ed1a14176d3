//! The storage drivers' conformance suite on overlay and vfs, one test per case and driver,
//! each on a fresh store under a TempRoot (which unmounts what a failed case leaves).

use libpod_storage::driver::DriverKind;
use libpod_storage::driver::suite::Subject;
use libpod_storage::{RegistriesConfig, Store, StoreOptions};
use libpod_testutil::{TempRoot, require_root};

/// A store on one driver. `store` is declared first: it goes before its root.
struct Fixture {
    store: Store,
    _tmp: TempRoot,
}

impl Subject for Fixture {
    fn store(&self) -> &Store {
        &self.store
    }
}

fn fixture(driver: DriverKind) -> Fixture {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let mut options = StoreOptions::new(tmp.path().join("root"), tmp.path().join("run"));
    options.driver = Some(driver);
    options.registries = Some(RegistriesConfig::default());
    let store = Store::open(options).unwrap();
    assert_eq!(store.driver(), driver);
    Fixture { store, _tmp: tmp }
}

mod overlay {
    libpod_storage::driver_suite!(|| super::fixture(super::DriverKind::Overlay));
}

mod vfs {
    libpod_storage::driver_suite!(|| super::fixture(super::DriverKind::Vfs));
}
