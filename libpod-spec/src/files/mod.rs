//! The files a container gets bind-mounted from its run directory: /etc/resolv.conf,
//! /etc/hosts, /etc/hostname and /run/.containerenv.
//!
//! Generation is pure: callers pass the host's files' content and the container's facts, and
//! get the text to write.

mod containerenv;
mod hosts;
mod resolv;

pub use containerenv::{ContainerEnv, generate_containerenv, generate_hostname};
pub use hosts::{HostsParams, generate_hosts};
pub use resolv::{
    ResolvConf, ResolvParams, generate_resolv_conf, host_resolv_conf_path, parse_resolv_conf,
};
