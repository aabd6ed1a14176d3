//! netavark's teardown, made idempotent.
//!
//! netavark 1.4 fails a teardown whose namespace is gone before touching anything (so the
//! bridge, the firewall rules and the aardvark-dns entry stay), and one whose container
//! interface is gone after removing the ports but before deciding whether the bridge and its
//! rules can go (its `complete_teardown` needs the interface deleted first). Both happen after a
//! crash or a second teardown. So when the namespace is gone, or netavark says only that things
//! are already gone, the teardown runs again on a scratch namespace holding a stand-in veth of
//! each interface name: netavark deletes the stand-ins and then does the rest.
//!
//! On a network with DNS, netavark removes the container's aardvark-dns entries and then tells
//! aardvark-dns to reload; when aardvark-dns is not running (it never started: a setup cut
//! short before netavark ran; or it died), that last step fails with "aardvark pid not found"
//! after everything else was done, and netavark 1.4 reports the whole teardown failed. Such a
//! teardown is done: nobody is left to tell.

use super::NetnsArgs;
use super::netavark::Netavark;
use crate::error::{NetError, Result};
use crate::netlink::RouteSocket;
use crate::netns;
use std::sync::atomic::{AtomicU64, Ordering};

/// Tears down `args`, as described in the module docs.
pub(super) fn teardown(netavark: &Netavark, args: &NetnsArgs<'_>) -> Result<()> {
    if netns::exists(args.netns) {
        match netavark.run("teardown", args.netns, args) {
            Ok(_) => return Ok(()),
            Err(NetError::Netavark { message, .. }) if only_dns_not_running(&message) => {
                tracing::debug!(%message, "teardown done; aardvark-dns was not running");
                return Ok(());
            }
            Err(NetError::Netavark { message, .. }) if only_already_gone(&message) => {
                tracing::debug!(%message, "teardown found things gone; finishing it on a stand-in");
            }
            Err(err) => return Err(err),
        }
    }
    on_stand_in(netavark, args)
}

fn on_stand_in(netavark: &Netavark, args: &NetnsArgs<'_>) -> Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = netavark.config_dir().join("teardown-netns");
    let name = format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let scratch = netns::create(&dir, &name)?;
    let result = netns::run_in(&scratch, || {
        let socket = RouteSocket::open()?;
        for (n, on_network) in args.options.networks.values().enumerate() {
            socket.add_veth_pair(&on_network.interface_name, &format!("standin{n}"))?;
        }
        Ok(())
    })
    .and_then(|made| made)
    .and_then(|()| match netavark.run("teardown", &scratch, args) {
        Err(NetError::Netavark { message, .. }) if only_already_gone(&message) => {
            tracing::debug!(%message, "teardown: already gone");
            Ok(())
        }
        other => other.map(drop),
    });
    if let Err(err) = netns::remove(&scratch) {
        tracing::warn!(error = %err, "removing the stand-in namespace");
    }
    result
}

/// Whether every error netavark listed says something was not there (`ENOENT`: a file of
/// aardvark-dns's, the namespace; `ENODEV`: an interface; aardvark-dns not running).
pub(super) fn only_already_gone(message: &str) -> bool {
    every_error(message, |e| {
        e.ends_with("(os error 2)") || e.ends_with("(os error 19)") || dns_not_running(e)
    })
}

/// Whether netavark's only complaint is that aardvark-dns was not running to be told of the
/// entries it removed (see the module docs).
pub(super) fn only_dns_not_running(message: &str) -> bool {
    every_error(message, dns_not_running)
}

fn dns_not_running(error: &str) -> bool {
    error.ends_with("aardvark pid not found")
}

/// Whether netavark listed at least one error, and each is `about`.
fn every_error(message: &str, about: impl Fn(&str) -> bool) -> bool {
    let body = message
        .strip_prefix("netavark encountered multiple errors:")
        .unwrap_or(message);
    let mut errors = body
        .split("\n\t- ")
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .peekable();
    errors.peek().is_some() && errors.all(about)
}
