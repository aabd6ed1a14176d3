//! The conformance suite every [`StateStore`] passes, public behind the `testsuite` feature
//! so that a store in another crate can run it too. One file of cases per kind (containers,
//! pods, volumes, exec sessions, network attachments, metadata), all run by one macro.
//!
//! [`state_store_suite!`](crate::state_store_suite) makes one `#[test]` per case, each on a
//! fresh store from the given constructor, which returns a [`Subject`]: the store and the
//! hooks the suite needs to reach behind the trait. Each case is also a public function here
//! taking a `&dyn Subject`.
//!
//! ```
//! // In a backend's tests (here SqliteState, damaged through its own SQLite file):
//! use libpod_core::state::{SqliteState, StateStore, suite::Subject};
//!
//! struct Fixture {
//!     state: SqliteState,
//!     db: rusqlite::Connection,
//!     _dir: tempfile::TempDir,
//! }
//!
//! impl Subject for Fixture {
//!     fn store(&self) -> &dyn StateStore {
//!         &self.state
//!     }
//!     fn damage(&self, id: &str, what: &str, json: &str) {
//!         let sql = format!("UPDATE containers SET {what} = ?1 WHERE id = ?2");
//!         self.db.execute(&sql, [json, id]).unwrap();
//!     }
//!     fn age_exit_code(&self, id: &str, seconds: i64) {
//!         let sql = "UPDATE exit_codes SET timestamp = timestamp - ?1 WHERE id = ?2";
//!         self.db.execute(sql, rusqlite::params![seconds, id]).unwrap();
//!     }
//! }
//!
//! fn fixture() -> Fixture {
//!     let dir = tempfile::tempdir().unwrap();
//!     let state = SqliteState::open(&dir.path().join("db.sql")).unwrap();
//!     let db = rusqlite::Connection::open(dir.path().join("db.sql")).unwrap();
//!     Fixture { state, db, _dir: dir }
//! }
//!
//! // One #[test] per case: sqlite_conformance::add_get_save_remove, ...
//! mod sqlite_conformance {
//!     libpod_core::state_store_suite!(super::fixture);
//! }
//! # fn main() {}
//! ```

mod containers;
mod exec;
mod meta;
mod networks;
mod pods;
mod volumes;

pub use self::containers::*;
pub use self::exec::*;
pub use self::meta::*;
pub use self::networks::*;
pub use self::pods::*;
pub use self::volumes::*;
pub use super::fixtures::{config, full_config, full_state, id};

use super::StateStore;

/// A store under test, with the hooks the suite needs to reach behind the trait.
pub trait Subject {
    /// The store, empty.
    fn store(&self) -> &dyn StateStore;
    /// Overwrites a container's stored `config` or `state` (`what`) JSON with `json`.
    fn damage(&self, id: &str, what: &str, json: &str);
    /// Moves the timestamp of an exit code `seconds` into the past.
    fn age_exit_code(&self, id: &str, seconds: i64);
}

/// The conformance suite of [`StateStore`](crate::state::StateStore)s: one `#[test]` per
/// case of [`state::suite`](crate::state::suite), each on a fresh store made by `$make()`,
/// which returns a [`Subject`](crate::state::suite::Subject) (a function path or a closure).
///
/// Invoke it inside a module of its own: the tests are named after the cases.
/// Needs the `testsuite` feature.
#[macro_export]
macro_rules! state_store_suite {
    ($make:expr) => {
        $crate::state_store_suite!(@each $make;
            // containers
            add_get_save_remove, full_records_round_trip, names_and_ids_are_unique,
            lookup_by_id_name_and_prefix, dependents_block_removal,
            missing_dependencies_and_pods_are_refused, exit_codes_outlive_containers,
            an_exit_and_its_state_are_one_write,
            old_exit_codes_of_removed_containers_are_pruned,
            malformed_records_are_reported, unknown_containers_are_not_found,
            configs_are_rewritten_but_keep_their_identity,
            containers_are_renamed_under_unique_names,
            // pods
            pods_add_get_save_remove, pod_names_and_ids_are_shared_with_containers,
            pods_are_looked_up_by_id_name_and_prefix, a_pod_with_containers_is_not_removed,
            unknown_pods_are_not_found,
            // volumes
            volumes_add_get_save_remove, volumes_are_looked_up_by_name_and_prefix,
            a_volume_in_use_is_not_removed, unknown_volumes_are_not_found,
            // exec sessions
            exec_sessions_add_get_save_remove, exec_sessions_go_with_their_container,
            exec_sessions_need_their_container,
            // network attachments
            networks_connect_and_disconnect, network_attachments_go_with_their_container,
            network_refusals, networks_given_at_create_are_attached,
            addresses_are_reserved_once_and_go_with_their_attachment,
            concurrent_reservations_never_share_an_address,
            // metadata
            metadata_round_trips);
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let subject = $make();
                $crate::state::suite::$name(&subject);
            }
        )*
    };
}
