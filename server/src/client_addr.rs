//! The client's address behind a reverse proxy (`KOUKA_TRUSTED_PROXIES`).
//!
//! Behind a proxy every request comes from the proxy's address, so the per-IP rate limits
//! would put every user in one bucket and the logs would name the proxy. `X-Forwarded-For`
//! names the client, but anyone can send that header: it is believed only when the peer is
//! a trusted proxy, and then read from the right, skipping trusted hops, so that a client
//! cannot choose its own address by sending the header itself.

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Addresses and networks (`10.0.0.0/8`, `::1`) of the proxies whose `X-Forwarded-For` is
/// believed. Empty by default: the header is ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<(IpAddr, u8)>,
}

impl TrustedProxies {
    /// Parses a comma-separated list; `None` names the first entry that is not an address
    /// or a network.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut networks = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (address, bits) = match entry.split_once('/') {
                Some((address, bits)) => (address, Some(bits)),
                None => (entry, None),
            };
            let address: IpAddr = address.parse().map_err(|_| entry.to_owned())?;
            let max = if address.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(bits) => bits
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| entry.to_owned())?,
            };
            networks.push((address, bits));
        }
        Ok(TrustedProxies { networks })
    }

    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.networks
            .iter()
            .any(|(network, bits)| match (canonical(*network), ip) {
                (IpAddr::V4(net), IpAddr::V4(ip)) => {
                    prefix_matches(&net.octets(), &ip.octets(), *bits)
                }
                (IpAddr::V6(net), IpAddr::V6(ip)) => {
                    prefix_matches(&net.octets(), &ip.octets(), *bits)
                }
                _ => false,
            })
    }

    /// The client's address for a request from `peer` carrying these `X-Forwarded-For`
    /// values: the rightmost address that is not a trusted proxy, or `peer` itself when
    /// the peer is not trusted (or the header is absent or unreadable).
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(address) = hop.parse::<IpAddr>() else {
                // Garbage in the chain: stop at the last address we could trust.
                return client;
            };
            client = address;
            if !self.contains(address) {
                return address;
            }
        }
        client
    }
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn prefix_matches(network: &[u8], ip: &[u8], bits: u8) -> bool {
    let full = usize::from(bits / 8);
    let rest = bits % 8;
    if network[..full] != ip[..full] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xFF_u8 << (8 - rest);
    (network[full] & mask) == (ip[full] & mask)
}

/// Replaces the request's peer address (`ConnectInfo`) by the client's, so that the access
/// log, the rate limits and the audit rows all see the same, right address. Outermost layer.
pub async fn resolve_client(
    axum::extract::State(proxies): axum::extract::State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    if !proxies.is_empty()
        && let Some(ConnectInfo(peer)) = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
    {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let client = proxies.client(peer.ip(), &forwarded);
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(client, peer.port())));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.5").unwrap();
        // From the proxy: the client it names.
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &["203.0.113.7"]),
            ip("203.0.113.7")
        );
        // A client's own forged header, forwarded by the proxy, is skipped: the proxy
        // appended the real address last.
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &["1.1.1.1, 203.0.113.7"]),
            ip("203.0.113.7")
        );
        // Through two trusted hops.
        assert_eq!(
            proxies.client(ip("192.168.1.5"), &["203.0.113.7", "10.9.9.9"]),
            ip("203.0.113.7")
        );
        // From anyone else the header is ignored.
        assert_eq!(
            proxies.client(ip("203.0.113.9"), &["1.1.1.1"]),
            ip("203.0.113.9")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(proxies.client(ip("10.1.2.3"), &[]), ip("10.1.2.3"));
        assert_eq!(proxies.client(ip("10.1.2.3"), &["unknown"]), ip("10.1.2.3"));
        // A dual-stack socket's mapped address is the IPv4 one.
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.1"), &["2001:db8::1"]),
            ip("2001:db8::1")
        );
        // Nothing trusted by default.
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.1.2.3"), &["1.1.1.1"]), ip("10.1.2.3"));
    }

    #[test]
    fn lists_are_parsed_strictly() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("::1, fd00::/8, 127.0.0.1/32").is_ok());
        assert_eq!(
            TrustedProxies::parse("10.0.0.0/33"),
            Err("10.0.0.0/33".into())
        );
        assert_eq!(
            TrustedProxies::parse("proxy.local"),
            Err("proxy.local".into())
        );
    }
}
