//! The database schema and its migrations.
//!
//! The schema version is SQLite's `PRAGMA user_version` (0 in a new file). Migration `n`
//! (1-based, the `n`th entry of [`MIGRATIONS`]) takes version `n - 1` to `n`; each runs in its
//! own `BEGIN IMMEDIATE` transaction that also sets the new version, so a crash or a failing
//! step leaves the previous version whole, and two processes opening a new file at once apply
//! each step once (the second re-reads the version under the write lock and skips it). A file
//! whose version is past the last migration was written by a newer libpod-rs and is refused
//! untouched ([`CoreError::SchemaTooNew`]).
//!
//! Steps are only ever appended: a released step never changes.
//!
//! # Version 1
//!
//! Configs and states are the JSON of [`ContainerConfig`](crate::record::ContainerConfig)
//! and [`ContainerState`](crate::record::ContainerState); the columns beside them are only
//! what lookups and constraints need.
//!
//! - `containers`: `id` (primary key), `name` (unique), `pod_id` (nullable, a pod of `pods`),
//!   `config`, `state`.
//! - `dependencies`: (`container_id`, `depends_on`): the containers a container needs, from
//!   its config's `dependencies` and `namespaces_from`. Deleting the container deletes its rows
//!   (cascade); deleting a container something depends on is refused by the foreign key (the
//!   store checks first, to name the dependents).
//! - `exit_codes`: `id`, `code` (-1 to 255), `timestamp` (seconds since the epoch). No foreign
//!   key on purpose: codes outlive their containers, for `wait` racing an auto-removal.
//! - `metadata`: `key`, `value`: runtime-wide values.
//! - `pods`: `id`, `name` (unique; the store also keeps names unique across containers and
//!   pods), `config`, `state`. Created empty, for the pod work.
//! - `volumes`: `name` (primary key), `config`, `state`. Created empty, for the volume work.
//! - `exec_sessions`: `id`, `container_id` (cascade from the container), `config`, `state`.
//!   Created empty, for the exec work.
//!
//! # Version 2
//!
//! V1's three placeholders are replaced by the tables the wings need (V1 never wrote them:
//! they are dropped empty), and two link tables hold what changes after a container is
//! created, beside its immutable config:
//!
//! - `pods`: `id`, `name` (unique; the store keeps names unique across containers and pods),
//!   `config` ([`PodConfig`](crate::record::PodConfig)), `state`
//!   ([`PodState`](crate::record::PodState)). `containers.pod_id` refers to it, so a pod with
//!   containers cannot be deleted (the store checks first, to name them).
//! - `volumes`: `name` (primary key), `driver` and `anonymous` (to list and prune without
//!   decoding), `config` ([`VolumeConfig`](crate::record::VolumeConfig)), `state`
//!   ([`VolumeState`](crate::record::VolumeState)).
//! - `exec_sessions`: `id`, `container_id` (cascade from the container), `config`
//!   ([`ExecConfig`](crate::record::ExecConfig)), `state` (status, PID, exit code).
//! - `container_networks`: (`container_id`, `network`), `interface_name` (unique per
//!   container once given), `options` (the JSON of a
//!   [`NetworkAttachment`](crate::record::NetworkAttachment)); cascade from the container.
//!   Networks are files, not rows: no foreign key on `network`.
//! - `container_volumes`: (`container_id`, `volume_name`): "volume in use". Cascade from the
//!   container; a linked volume cannot be deleted (foreign key, checked first by the store).
//!
//! # Version 3
//!
//! - `network_addresses`: (`network`, `address`) the primary key, so that one address on one
//!   network has one holder whichever process reserves it; `container_id`; the attachment
//!   (`container_id`, `network`) of `container_networks` it belongs to, with cascade: a
//!   disconnect or the container's removal frees its addresses in the same transaction.

use crate::error::{CoreError, Result};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// The migration steps, in order: step `n` (1-based) takes the schema from version `n - 1`.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2, V3];

/// The schema version this code writes: the number of migration steps.
#[expect(
    clippy::cast_possible_wrap,
    reason = "a handful of steps; try_from is not const"
)]
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const V1: &str = "
CREATE TABLE containers (
    id      TEXT PRIMARY KEY NOT NULL,
    name    TEXT NOT NULL UNIQUE,
    pod_id  TEXT REFERENCES pods(id),
    config  TEXT NOT NULL,
    state   TEXT NOT NULL
);
CREATE INDEX containers_pod ON containers(pod_id);

CREATE TABLE dependencies (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    depends_on   TEXT NOT NULL REFERENCES containers(id),
    PRIMARY KEY (container_id, depends_on)
);
CREATE INDEX dependencies_depends_on ON dependencies(depends_on);

CREATE TABLE exit_codes (
    id        TEXT PRIMARY KEY NOT NULL,
    code      INTEGER NOT NULL CHECK (code BETWEEN -1 AND 255),
    timestamp INTEGER NOT NULL
);
CREATE INDEX exit_codes_timestamp ON exit_codes(timestamp);

CREATE TABLE metadata (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE pods (
    id     TEXT PRIMARY KEY NOT NULL,
    name   TEXT NOT NULL UNIQUE,
    config TEXT NOT NULL,
    state  TEXT NOT NULL
);

CREATE TABLE volumes (
    name   TEXT PRIMARY KEY NOT NULL,
    config TEXT NOT NULL,
    state  TEXT NOT NULL
);

CREATE TABLE exec_sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    config       TEXT NOT NULL,
    state        TEXT NOT NULL
);
CREATE INDEX exec_sessions_container ON exec_sessions(container_id);
";

const V2: &str = "
DROP TABLE exec_sessions;
DROP TABLE volumes;
DROP TABLE pods;

CREATE TABLE pods (
    id     TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    name   TEXT NOT NULL UNIQUE CHECK (name <> ''),
    config TEXT NOT NULL,
    state  TEXT NOT NULL
);

CREATE TABLE volumes (
    name      TEXT PRIMARY KEY NOT NULL CHECK (name <> ''),
    driver    TEXT NOT NULL,
    anonymous INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    config    TEXT NOT NULL,
    state     TEXT NOT NULL
);

CREATE TABLE exec_sessions (
    id           TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    config       TEXT NOT NULL,
    state        TEXT NOT NULL
);
CREATE INDEX exec_sessions_container ON exec_sessions(container_id);

CREATE TABLE container_networks (
    container_id   TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    network        TEXT NOT NULL CHECK (network <> ''),
    interface_name TEXT NOT NULL,
    options        TEXT NOT NULL,
    PRIMARY KEY (container_id, network)
);
CREATE INDEX container_networks_network ON container_networks(network);
CREATE UNIQUE INDEX container_networks_interface
    ON container_networks(container_id, interface_name) WHERE interface_name <> '';

CREATE TABLE container_volumes (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    volume_name  TEXT NOT NULL REFERENCES volumes(name),
    PRIMARY KEY (container_id, volume_name)
);
CREATE INDEX container_volumes_volume ON container_volumes(volume_name);
";

/// IPAM's allocations (libpod-net's `AddressStore` on the state, see
/// [`NetworkAttachmentStore`](crate::state::NetworkAttachmentStore)).
const V3: &str = "
CREATE TABLE network_addresses (
    network      TEXT NOT NULL,
    address      TEXT NOT NULL,
    container_id TEXT NOT NULL,
    PRIMARY KEY (network, address),
    FOREIGN KEY (container_id, network)
        REFERENCES container_networks(container_id, network) ON DELETE CASCADE
);
CREATE INDEX network_addresses_container ON network_addresses(container_id, network);
";

fn db_err(op: &'static str) -> impl FnOnce(rusqlite::Error) -> CoreError {
    move |source| CoreError::Database { op, source }
}

/// The schema version of the open database.
pub(crate) fn version(conn: &Connection) -> Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(db_err("read schema version"))
}

/// Brings the database at `path` up to [`SCHEMA_VERSION`].
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    migrate_with(conn, path, MIGRATIONS)
}

/// Applies the steps of `migrations` that the database lacks (the code's own list, or a longer
/// one in tests).
pub(crate) fn migrate_with(conn: &mut Connection, path: &Path, migrations: &[&str]) -> Result<()> {
    let supported = i64::try_from(migrations.len()).expect("a handful of migration steps");
    let too_new = |found| CoreError::SchemaTooNew {
        path: path.to_path_buf(),
        found,
        supported,
    };
    let current = version(conn)?;
    if current > supported {
        return Err(too_new(current));
    }
    for (target, step) in (1..).zip(migrations) {
        if current >= target {
            continue;
        }
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err("begin schema migration"))?;
        // Another process may have migrated while we waited for the write lock.
        let now = version(&tx)?;
        if now > supported {
            return Err(too_new(now));
        }
        if now >= target {
            continue;
        }
        tx.execute_batch(step)
            .map_err(db_err("apply schema migration"))?;
        tx.pragma_update(None, "user_version", target)
            .map_err(db_err("set schema version"))?;
        tx.commit().map_err(db_err("commit schema migration"))?;
        tracing::info!(path = %path.display(), version = target, "state database migrated");
    }
    Ok(())
}
