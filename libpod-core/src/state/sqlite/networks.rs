//! Containers' network attachments in SQLite: the `container_networks` table, its rows
//! deleted with their container, and the addresses IPAM reserved for them
//! (`network_addresses`, deleted with their attachment).

use super::{SqliteState, db_err, require_container};
use crate::error::{CoreError, Result};
use crate::record::NetworkAttachment;
use crate::state::NetworkAttachmentStore;
use crate::state::common::{check_attachment, decode, encode, interface_in_use};
use rusqlite::params;
use std::net::IpAddr;

impl NetworkAttachmentStore for SqliteState {
    fn connect_network(&self, container_id: &str, attachment: &NetworkAttachment) -> Result<()> {
        let mut conn = self.conn.lock();
        let relaxed = self.is_volatile(container_id);
        let tx = self.begin_with(&mut conn, relaxed, "begin connecting network")?;
        require_container(&tx, container_id)?;
        insert_attachment(&tx, container_id, attachment)?;
        tx.commit().map_err(db_err("commit connecting network"))
    }

    fn disconnect_network(&self, container_id: &str, network: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let relaxed = self.is_volatile(container_id);
        let tx = self.begin_with(&mut conn, relaxed, "begin disconnecting network")?;
        require_container(&tx, container_id)?;
        let deleted = tx
            .prepare_cached(
                "DELETE FROM container_networks WHERE container_id = ?1 AND network = ?2",
            )
            .and_then(|mut stmt| stmt.execute([container_id, network]))
            .map_err(db_err("delete network attachment"))?;
        if deleted == 0 {
            return Err(CoreError::NetworkNotConnected {
                container: container_id.to_string(),
                network: network.to_string(),
            });
        }
        tx.commit().map_err(db_err("commit disconnecting network"))
    }

    fn container_networks(&self, container_id: &str) -> Result<Vec<NetworkAttachment>> {
        let sql = "SELECT options FROM container_networks WHERE container_id = ?1 ORDER BY network";
        self.ids(sql, Some(container_id), "read network attachments")?
            .iter()
            .map(|json| decode("network attachment", container_id, json))
            .collect()
    }

    fn network_users(&self, network: &str) -> Result<Vec<String>> {
        let sql =
            "SELECT container_id FROM container_networks WHERE network = ?1 ORDER BY container_id";
        self.ids(sql, Some(network), "read network users")
    }

    fn allocated_addresses(&self, network: &str) -> Result<Vec<IpAddr>> {
        let sql = "SELECT address FROM network_addresses WHERE network = ?1";
        parse_addresses(self.ids(sql, Some(network), "read allocated addresses")?)
    }

    fn container_addresses(&self, container_id: &str, network: &str) -> Result<Vec<IpAddr>> {
        let conn = self.conn.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT address FROM network_addresses \
                 WHERE container_id = ?1 AND network = ?2",
            )
            .map_err(db_err("read container addresses"))?;
        let rows = stmt
            .query_map([container_id, network], |row| row.get::<_, String>(0))
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(db_err("read container addresses"))?;
        let mut addresses = parse_addresses(rows)?;
        addresses.sort();
        Ok(addresses)
    }

    fn reserve_address(&self, container_id: &str, network: &str, address: IpAddr) -> Result<bool> {
        let text = address.to_string();
        let mut conn = self.conn.lock();
        // BEGIN IMMEDIATE: the read and the insert under the database's write lock, so two
        // processes never both see the address free.
        // A volatile container's addresses are as volatile as it is (gone at the next boot).
        let relaxed = self.is_volatile(container_id);
        let tx = self.begin_with(&mut conn, relaxed, "begin reserving address")?;
        let holder: Option<String> = tx
            .prepare_cached(
                "SELECT container_id FROM network_addresses WHERE network = ?1 AND address = ?2",
            )
            .and_then(|mut stmt| {
                use rusqlite::OptionalExtension;
                stmt.query_row([network, text.as_str()], |row| row.get(0))
                    .optional()
            })
            .map_err(db_err("check address"))?;
        if let Some(holder) = holder {
            return Ok(holder == container_id);
        }
        let connected = tx
            .prepare_cached(
                "SELECT 1 FROM container_networks WHERE container_id = ?1 AND network = ?2",
            )
            .and_then(|mut stmt| stmt.exists([container_id, network]))
            .map_err(db_err("check network attachment"))?;
        if !connected {
            return Err(CoreError::NetworkNotConnected {
                container: container_id.to_string(),
                network: network.to_string(),
            });
        }
        tx.prepare_cached(
            "INSERT INTO network_addresses (network, address, container_id) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut stmt| stmt.execute(params![network, text, container_id]))
        .map_err(db_err("reserve address"))?;
        tx.commit().map_err(db_err("commit reserving address"))?;
        Ok(true)
    }

    fn release_addresses(&self, container_id: &str, network: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let relaxed = self.is_volatile(container_id);
        let tx = self.begin_with(&mut conn, relaxed, "begin releasing addresses")?;
        tx.prepare_cached("DELETE FROM network_addresses WHERE container_id = ?1 AND network = ?2")
            .and_then(|mut stmt| stmt.execute([container_id, network]))
            .map_err(db_err("release addresses"))?;
        tx.commit().map_err(db_err("commit releasing addresses"))
    }
}

/// Inserts one attachment within `tx` (a connect, or a create's first attachments), with the
/// checks of [`NetworkAttachmentStore::connect_network`].
pub(super) fn insert_attachment(
    tx: &rusqlite::Transaction<'_>,
    container_id: &str,
    attachment: &NetworkAttachment,
) -> Result<()> {
    check_attachment(container_id, attachment)?;
    let json = encode("network attachment", container_id, attachment)?;
    let network = attachment.network.as_str();
    let interface = attachment.interface_name.as_str();
    let connected = tx
        .prepare_cached("SELECT 1 FROM container_networks WHERE container_id = ?1 AND network = ?2")
        .and_then(|mut stmt| stmt.exists([container_id, network]))
        .map_err(db_err("check network attachment"))?;
    if connected {
        return Err(CoreError::NetworkConnected {
            container: container_id.to_string(),
            network: network.to_string(),
        });
    }
    let interface_used = !interface.is_empty()
        && tx
            .prepare_cached(
                "SELECT 1 FROM container_networks \
                 WHERE container_id = ?1 AND interface_name = ?2",
            )
            .and_then(|mut stmt| stmt.exists([container_id, interface]))
            .map_err(db_err("check interface name"))?;
    if interface_used {
        return Err(interface_in_use(container_id, interface));
    }
    tx.prepare_cached(
        "INSERT INTO container_networks (container_id, network, interface_name, options) \
         VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut stmt| stmt.execute(params![container_id, network, interface, json]))
    .map_err(db_err("insert network attachment"))?;
    Ok(())
}

/// Addresses as the table keeps them (their canonical text).
fn parse_addresses(rows: Vec<String>) -> Result<Vec<IpAddr>> {
    rows.iter()
        .map(|text| {
            serde_json::from_value(serde_json::Value::String(text.clone())).map_err(|source| {
                CoreError::Corrupt {
                    what: "network address",
                    id: text.clone(),
                    source,
                }
            })
        })
        .collect()
}
