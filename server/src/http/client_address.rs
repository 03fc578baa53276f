//! Which address a request comes from. Behind a reverse proxy the peer is the proxy, and the
//! client is named in `X-Forwarded-For`; that header is believed only from proxies the operator
//! listed, since anyone else can write any address into it (and so escape the per-address
//! sign-in throttle).

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses (`10.0.0.2`) and networks (`10.0.0.0/8`).
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| {
                        item.parse::<IpAddr>().map(|ip| {
                            let bits = if ip.is_ipv4() { 32 } else { 128 };
                            IpNet::new(ip, bits).expect("a full-length prefix is valid")
                        })
                    })
                    .map_err(|_| format!("{item} is not an IP address or network"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
    /// address in `X-Forwarded-For` that is not itself a trusted proxy. Entries are read from the
    /// right, the end our proxies appended to: what a client wrote on the left is not believed.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer.to_canonical();
        for entry in forwarded.iter().rev() {
            if !self.trusts(client) {
                break;
            }
            match entry.parse::<IpAddr>() {
                Ok(ip) => client = ip.to_canonical(),
                Err(_) => break,
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", forwarded.parse().unwrap());
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_from_an_untrusted_peer() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let spoofed = headers("203.0.113.7");
        assert_eq!(
            proxies.client_address(ip("198.51.100.1"), &spoofed),
            ip("198.51.100.1")
        );
        assert_eq!(
            TrustedProxies::default().client_address(ip("10.0.0.2"), &spoofed),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn forwarded_for_is_read_from_the_right_through_trusted_proxies() {
        let proxies = TrustedProxies::parse(" 10.0.0.0/8, 192.0.2.5 ").unwrap();
        assert_eq!(
            proxies.client_address(ip("10.0.0.2"), &headers("203.0.113.7")),
            ip("203.0.113.7")
        );
        // The client wrote 1.2.3.4 itself; our proxies appended what they saw.
        assert_eq!(
            proxies.client_address(ip("10.0.0.2"), &headers("1.2.3.4, 203.0.113.7, 192.0.2.5")),
            ip("203.0.113.7")
        );
        assert_eq!(
            proxies.client_address(ip("10.0.0.2"), &headers("not-an-ip")),
            ip("10.0.0.2")
        );
        assert_eq!(
            proxies.client_address(ip("::ffff:10.0.0.2"), &headers("203.0.113.7")),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn bad_entries_are_named() {
        assert!(TrustedProxies::parse("").unwrap() == TrustedProxies::default());
        let error = TrustedProxies::parse("10.0.0.1, proxy.local").unwrap_err();
        assert!(error.contains("proxy.local"));
    }
}
