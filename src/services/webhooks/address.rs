//! Where webhooks may be sent: public addresses only (no loopback, private, link-local,
//! multicast, carrier-grade NAT or cloud-metadata address), checked when a webhook is
//! saved and again when each request goes out, after resolving the name, so that a
//! name re-pointed at an internal address (DNS rebinding) is caught. The request is
//! then pinned to the address that was checked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::Url;

/// Parses a webhook URL: absolute `http` or `https`, with a host, without credentials.
pub fn parse(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|_| "must be an absolute http(s) URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold a user name or password; the signature authenticates".into());
    }
    // What is stored is the normalised form, which can be longer than what was typed.
    if url.as_str().len() > 2000 {
        return Err("must be at most 2000 characters".into());
    }
    Ok(url)
}

/// The address to send to: the host resolved, every address it resolves to checked.
/// `allow_private` (a setting, for tests and internal receivers) lets any through.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<SocketAddr, String> {
    let host = url.host_str().ok_or("the URL names no host")?;
    let port = url.port_or_known_default().ok_or("the URL names no port")?;
    // `Url` keeps IPv6 hosts in brackets.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let found: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|err| format!("{host} does not resolve: {err}"))?
            .collect(),
    };
    let first = *found
        .first()
        .ok_or_else(|| format!("{host} does not resolve"))?;
    if !allow_private && let Some(bad) = found.iter().find(|addr| is_forbidden(addr.ip())) {
        return Err(format!(
            "{host} resolves to {}, which is not a public address",
            bad.ip()
        ));
    }
    Ok(first)
}

/// Whether `ip` is not globally reachable, per IANA's IPv4 and IPv6 Special-Purpose
/// Address Registries (loopback, private, shared, link-local with cloud metadata at
/// 169.254.169.254, documentation, benchmarking, reserved, the IETF protocol block with
/// Teredo, site-local, unique local, discard-only, translation prefixes that reach IPv4
/// addresses), multicast and broadcast; IPv4-mapped addresses as their IPv4 address.
/// IPv6 outside global unicast (`2000::/3`) is refused too: nothing else is allocated.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

/// IPv4 blocks that are not globally reachable (and multicast, broadcast).
const V4_FORBIDDEN: [(Ipv4Addr, u8, &str); 16] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8, "this network"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private"),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "shared address space (CGN)",
    ),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (
        Ipv4Addr::new(169, 254, 0, 0),
        16,
        "link-local, cloud metadata",
    ),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "IETF protocol assignments"),
    (Ipv4Addr::new(192, 0, 2, 0), 24, "documentation"),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "6to4 relay anycast (deprecated)",
    ),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (Ipv4Addr::new(198, 51, 100, 0), 24, "documentation"),
    (Ipv4Addr::new(203, 0, 113, 0), 24, "documentation"),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved"),
    (Ipv4Addr::new(255, 255, 255, 255), 32, "broadcast"),
];

/// IPv6 blocks inside `2000::/3` that are not globally reachable, and the special blocks
/// outside it (listed for the reader; everything outside `2000::/3` is refused).
const V6_FORBIDDEN: [(&str, u8, &str); 16] = [
    ("::", 128, "unspecified"),
    ("::1", 128, "loopback"),
    ("::", 96, "IPv4-compatible (deprecated)"),
    ("64:ff9b::", 96, "NAT64, reaches IPv4 addresses"),
    ("64:ff9b:1::", 48, "local-use IPv4/IPv6 translation"),
    ("100::", 64, "discard-only"),
    ("100:0:0:1::", 64, "dummy prefix"),
    (
        "2001::",
        23,
        "IETF protocol assignments, Teredo (2001::/32) among them",
    ),
    ("2001:db8::", 32, "documentation"),
    ("2002::", 16, "6to4, reaches IPv4 addresses"),
    ("3fff::", 20, "documentation"),
    ("5f00::", 16, "segment routing (SRv6) SIDs"),
    ("fc00::", 7, "unique local"),
    ("fe80::", 10, "link-local"),
    ("fec0::", 10, "site-local (deprecated)"),
    ("ff00::", 8, "multicast"),
];

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let bits = u32::from(ip);
    V4_FORBIDDEN.iter().any(|(network, prefix, _)| {
        // Every prefix in the table is 1 to 32 bits long.
        let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
        bits & mask == u32::from(*network) & mask
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    let global_unicast = bits >> 125 == 0b001;
    !global_unicast
        || V6_FORBIDDEN.iter().any(|(network, prefix, _)| {
            let network: Ipv6Addr = network.parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
            let mask = u128::MAX.checked_shl(128 - u32::from(*prefix)).unwrap_or(0);
            bits & mask == u128::from(network) & mask
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (address, forbidden): one row per special-purpose block, its edges where they
    /// matter, and public addresses beside them.
    #[test]
    fn addresses_not_globally_reachable_are_forbidden_and_public_ones_not() {
        let table = [
            ("0.1.2.3", true),
            ("10.0.0.1", true),
            ("100.64.0.1", true),
            ("100.127.255.255", true),
            ("100.128.0.1", false),
            ("127.0.0.1", true),
            ("169.254.169.254", true),
            ("172.16.5.4", true),
            ("172.31.255.255", true),
            ("172.32.0.1", false),
            ("192.0.0.8", true),
            ("192.0.2.1", true),
            ("192.88.99.1", true),
            ("192.168.1.1", true),
            ("198.18.0.1", true),
            ("198.19.255.255", true),
            ("198.20.0.1", false),
            ("198.51.100.7", true),
            ("203.0.113.9", true),
            ("224.0.0.1", true),
            ("239.255.255.250", true),
            ("240.0.0.1", true),
            ("255.255.255.255", true),
            ("93.184.216.34", false),
            ("1.1.1.1", false),
            ("::", true),
            ("::1", true),
            ("::7f00:1", true),
            ("::ffff:127.0.0.1", true),
            ("::ffff:169.254.169.254", true),
            ("::ffff:93.184.216.34", false),
            ("64:ff9b::a9fe:a9fe", true),
            ("64:ff9b:1::1", true),
            ("100::1", true),
            ("2001::1", true),
            ("2001:0:4136:e378::1", true),
            ("2001:1ff:ffff::1", true),
            ("2001:200::1", false),
            ("2001:db8::1", true),
            ("2002:7f00:1::1", true),
            ("3fff::1", true),
            ("3fff:fff::1", true),
            ("5f00::1", true),
            ("fc00::1", true),
            ("fd00::1", true),
            ("fe80::1", true),
            ("fec0::1", true),
            ("feff::1", true),
            ("ff02::1", true),
            ("4000::1", true),
            ("1000::1", true),
            ("2606:2800:220:1:248:1893:25c8:1946", false),
            ("2a00:1450:4001::1", false),
        ];
        for (address, forbidden) in table {
            assert_eq!(
                is_forbidden(address.parse().unwrap()),
                forbidden,
                "{address} should be {}",
                if forbidden { "forbidden" } else { "allowed" }
            );
        }
    }

    #[test]
    fn only_plain_http_urls_are_taken() {
        assert!(parse("https://hooks.example.org/revalidate").is_ok());
        assert!(parse("ftp://example.org").is_err());
        assert!(parse("https://user:secret@example.org/").is_err());
        assert!(parse("/relative").is_err());
    }
}
