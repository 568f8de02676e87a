//! What the system says when the network changes: a link going up or down, an address or a
//! route added or removed. On Linux the kernel tells every listener on a netlink route
//! socket (`man 7 rtnetlink`), the same source NetworkManager and systemd-networkd use;
//! elsewhere there is no such source here, and the caller looks for the network itself.
//!
//! Only *that* something changed is passed on, never what: whoever waits for the network
//! tries its own server again, which is the one answer that counts.

use std::time::Duration;

/// How long to gather one change's messages (a link coming up brings its addresses and
/// routes a few milliseconds apart) before saying that the network changed once.
const SETTLE: Duration = Duration::from_millis(150);

/// Hears the system's network changes.
pub struct NetworkChanges {
    #[cfg(target_os = "linux")]
    socket: netlink_sys::TokioSocket,
}

#[cfg(target_os = "linux")]
mod groups {
    //! Multicast groups of the route family (`linux/rtnetlink.h`).
    pub const LINK: u32 = 0x1;
    pub const IPV4_IFADDR: u32 = 0x10;
    pub const IPV4_ROUTE: u32 = 0x40;
    pub const IPV6_IFADDR: u32 = 0x100;
    pub const IPV6_ROUTE: u32 = 0x400;
    pub const ALL: u32 = LINK | IPV4_IFADDR | IPV4_ROUTE | IPV6_IFADDR | IPV6_ROUTE;
}

impl NetworkChanges {
    /// Starts listening; `None` where the system cannot tell (no netlink here, or it was
    /// refused): the caller then looks for the network every few seconds instead. Call on
    /// the tokio runtime.
    #[cfg(target_os = "linux")]
    pub fn listen() -> Option<Self> {
        use netlink_sys::{AsyncSocket, SocketAddr, protocols::NETLINK_ROUTE};
        let mut socket = netlink_sys::TokioSocket::new(NETLINK_ROUTE)
            .inspect_err(|e| tracing::warn!("no netlink socket for network changes: {e}"))
            .ok()?;
        socket
            .socket_mut()
            .bind(&SocketAddr::new(0, groups::ALL))
            .inspect_err(|e| tracing::warn!("netlink groups refused: {e}"))
            .ok()?;
        Some(Self { socket })
    }

    /// Starts listening (no source of network changes on this platform).
    #[cfg(not(target_os = "linux"))]
    pub fn listen() -> Option<Self> {
        None
    }

    /// Waits until the network changes, then for the change to settle.
    #[cfg(target_os = "linux")]
    pub async fn changed(&mut self) {
        use netlink_sys::AsyncSocketExt;
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let mut room = &mut buf[..];
            match self.socket.recv(&mut room).await {
                Ok(_) => break,
                // ENOBUFS: the kernel had more to say than the buffer held, so something
                // changed too. Any other error passes; wait for the next message.
                Err(e) if e.raw_os_error() == Some(rustix::io::Errno::NOBUFS.raw_os_error()) => {
                    break;
                }
                Err(_) => tokio::time::sleep(SETTLE).await,
            }
        }
        // The rest of this change: gathered, then said once.
        let settle = tokio::time::sleep(SETTLE);
        tokio::pin!(settle);
        loop {
            let mut room = &mut buf[..];
            tokio::select! {
                () = &mut settle => return,
                _ = self.socket.recv(&mut room) => {}
            }
        }
    }

    /// Waits until the network changes (never, on this platform).
    #[cfg(not(target_os = "linux"))]
    pub async fn changed(&mut self) {
        std::future::pending().await
    }
}
