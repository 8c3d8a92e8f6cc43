//! Behind reverse proxies: who the client is, and whether the request came over TLS.
//!
//! `RENKEI_TRUST_PROXY` (`--trust-proxy`) says how many reverse proxies stand in front of
//! the server. Each proxy *appends* the address it received the request from to
//! `X-Forwarded-For`; everything to the left of that was written by whoever sent the request
//! and proves nothing. So with `n` trusted proxies the client is the `n`-th hop from the
//! right (one proxy: the last hop; two: the second-to-last), never the first hop. When the
//! header has fewer hops than that (the request did not pass every proxy), or the hop is not
//! an IP address, the client is the socket peer. `X-Forwarded-Proto` is read from the nearest
//! proxy (its last value). With no trusted proxy (the default) both headers are ignored.
//!
//! The deployment must make sure the server is reachable only through those proxies.

use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// The most proxies `RENKEI_TRUST_PROXY` may name (a larger number is a typing mistake).
pub const MAX_TRUSTED_PROXIES: usize = 10;

/// Reads `RENKEI_TRUST_PROXY` / `--trust-proxy`: the number of trusted reverse proxies
/// (`0` to [`MAX_TRUSTED_PROXIES`]), or a yes/no (`true`/`false`, `yes`/`no`, `on`/`off`,
/// any case): yes means one proxy. Anything else is an error that says what is accepted.
pub fn parse_trusted_proxies(text: &str) -> Result<usize, String> {
    let value = text.trim().to_ascii_lowercase();
    match value.as_str() {
        "" | "false" | "no" | "off" => return Ok(0),
        "true" | "yes" | "on" => return Ok(1),
        _ => {}
    }
    match value.parse::<usize>() {
        Ok(n) if n <= MAX_TRUSTED_PROXIES => Ok(n),
        _ => Err(format!(
            "RENKEI_TRUST_PROXY (--trust-proxy) takes the number of reverse proxies in front \
             of the server (0 to {MAX_TRUSTED_PROXIES}; 1 = one proxy: the X-Forwarded-For hop it \
             appended is the client) or true/false, yes/no, on/off (true = 1 proxy)"
        )),
    }
}

/// The client's address: with `trusted` proxies, the `X-Forwarded-For` hop the farthest
/// trusted proxy appended; otherwise, or when there is no such hop, the socket peer.
pub fn client_addr(trusted: usize, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    let peer = peer.map(|p| p.ip().to_canonical());
    if trusted > 0 {
        let hops = header_list(headers, "x-forwarded-for");
        if let Some(hop) = hops.len().checked_sub(trusted).and_then(|i| hops.get(i))
            && let Some(ip) = parse_hop(hop)
        {
            return ip.to_string();
        }
    }
    peer.map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Whether the nearest trusted proxy says the client used `https`.
pub fn forwarded_https(trusted: usize, headers: &HeaderMap) -> bool {
    trusted > 0
        && header_list(headers, "x-forwarded-proto")
            .last()
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// The comma-separated entries of every instance of a header, in order (RFC 9110: several
/// lines of one header are one list). Empty entries are left out.
fn header_list(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.as_bytes().split(|b| *b == b','))
        .map(|entry| String::from_utf8_lossy(entry).trim().to_string())
        .filter(|entry| !entry.is_empty())
        .collect()
}

/// An `X-Forwarded-For` entry as an address: `192.0.2.1`, `2001:db8::1`, or with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let ip = hop
        .parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .or_else(|_| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or("")
                .parse::<IpAddr>()
        })
        .ok()?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(v) = value.parse() {
                h.append(*name, v);
            }
        }
        h
    }

    fn peer() -> Option<SocketAddr> {
        "127.0.0.1:50000".parse().ok()
    }

    #[test]
    fn trusted_proxies_spellings() {
        for (text, n) in [
            ("0", 0),
            ("1", 1),
            ("2", 2),
            (" 3 ", 3),
            ("10", 10),
            ("true", 1),
            ("TRUE", 1),
            ("True", 1),
            ("yes", 1),
            ("YES", 1),
            ("on", 1),
            ("On", 1),
            ("false", 0),
            ("FALSE", 0),
            ("no", 0),
            ("No", 0),
            ("off", 0),
            ("OFF", 0),
            ("", 0),
        ] {
            assert_eq!(parse_trusted_proxies(text), Ok(n), "{text:?}");
        }
        for junk in ["junk", "11", "-1", "1.5", "y", "t", "enable", "0x1", "１"] {
            let err = parse_trusted_proxies(junk).expect_err(junk);
            assert!(err.contains("true/false"), "{err}");
        }
    }

    #[test]
    fn one_proxy_takes_the_last_hop() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 10.0.0.7")]);
        assert_eq!(client_addr(1, &h, peer()), "10.0.0.7");
        // Two proxies: the one in front of ours appended the client.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.9, 10.0.0.7")]);
        assert_eq!(client_addr(2, &h, peer()), "198.51.100.9");
        // Several header lines are one list.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "10.0.0.7"),
        ]);
        assert_eq!(client_addr(1, &h, peer()), "10.0.0.7");
        // IPv6, ports, mapped IPv4.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, [2001:db8::1]:4711")]);
        assert_eq!(client_addr(1, &h, peer()), "2001:db8::1");
        let h = headers(&[("x-forwarded-for", "192.0.2.1:4711")]);
        assert_eq!(client_addr(1, &h, peer()), "192.0.2.1");
        let h = headers(&[("x-forwarded-for", "::ffff:192.0.2.1")]);
        assert_eq!(client_addr(1, &h, peer()), "192.0.2.1");
    }

    #[test]
    fn untrusted_or_short_headers_mean_the_peer() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 10.0.0.7")]);
        assert_eq!(client_addr(0, &h, peer()), "127.0.0.1");
        // Fewer hops than proxies: the request did not come through all of them.
        let h = headers(&[("x-forwarded-for", "10.0.0.7")]);
        assert_eq!(client_addr(2, &h, peer()), "127.0.0.1");
        assert_eq!(client_addr(1, &HeaderMap::new(), peer()), "127.0.0.1");
        // Not an address (text for the audit trail, a key for the limits): the peer.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, unknown")]);
        assert_eq!(client_addr(1, &h, peer()), "127.0.0.1");
        let h = headers(&[("x-forwarded-for", ", ,")]);
        assert_eq!(client_addr(1, &h, peer()), "127.0.0.1");
        assert_eq!(client_addr(1, &HeaderMap::new(), None), "unknown");
    }

    #[test]
    fn proto_from_the_nearest_proxy() {
        let h = headers(&[("x-forwarded-proto", "https")]);
        assert!(forwarded_https(1, &h));
        assert!(!forwarded_https(0, &h), "ignored without a trusted proxy");
        let h = headers(&[("x-forwarded-proto", "https, http")]);
        assert!(!forwarded_https(1, &h), "the nearest proxy said http");
        let h = headers(&[
            ("x-forwarded-proto", "http"),
            ("x-forwarded-proto", "HTTPS"),
        ]);
        assert!(forwarded_https(1, &h));
        assert!(!forwarded_https(1, &HeaderMap::new()));
    }
}
