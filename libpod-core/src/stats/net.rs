//! Network I/O of a container: its network namespace's interfaces, from `/proc/PID/net/dev`
//! (read through the container's process, so in its namespace).

use crate::error::{CoreError, Result};

/// Bytes received and sent by every interface but `lo` in process `pid`'s network
/// namespace.
pub(super) fn interface_bytes(pid: i32) -> Result<(u64, u64)> {
    let path = format!("/proc/{pid}/net/dev");
    let text = std::fs::read_to_string(&path).map_err(|e| CoreError::io("read", &path, e))?;
    Ok(parse_net_dev(&text))
}

/// `/proc/net/dev`: two header lines, then `IFACE: RX-BYTES ... (8 fields) TX-BYTES ...`.
pub(super) fn parse_net_dev(text: &str) -> (u64, u64) {
    let (mut received, mut sent) = (0u64, 0u64);
    for line in text.lines().skip(2) {
        let Some((name, counters)) = line.split_once(':') else {
            continue;
        };
        if name.trim() == "lo" {
            continue;
        }
        let fields: Vec<u64> = counters
            .split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        received += fields.first().copied().unwrap_or(0);
        sent += fields.get(8).copied().unwrap_or(0);
    }
    (received, sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_left_out_and_the_others_summed() {
        let text = "Inter-|   Receive                                                |  Transmit\n \
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    \
lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0\n  \
eth0:  2048      20    0    0    0     0          0         0      512       5    0    0    0     0       0          0\n  \
eth1:     2       1    0    0    0     0          0         0        3       1    0    0    0     0       0          0\n";
        assert_eq!(parse_net_dev(text), (2050, 515));
    }
}
