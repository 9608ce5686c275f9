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

/// Loopback, private, link-local (with cloud metadata at 169.254.169.254), multicast,
/// unspecified, broadcast, shared (100.64/10), documentation and reserved ranges, and
/// their IPv6 counterparts, IPv4-mapped ones included.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // Benchmarking 198.18.0.0/15.
        || (a == 198 && (b & 0xfe) == 18)
        || a >= 240
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7 and link-local fe80::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16) reach IPv4 addresses;
        // so did IPv4-compatible ::/96.
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)
        || first == 0x2002
        || ip.segments()[..6].iter().all(|s| *s == 0)
        // Documentation 2001:db8::/32.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_forbidden_and_public_ones_not() {
        for internal in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "::7f00:1",
            "198.18.0.1",
        ] {
            assert!(is_forbidden(internal.parse().unwrap()), "{internal}");
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "1.1.1.1",
        ] {
            assert!(!is_forbidden(public.parse().unwrap()), "{public}");
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
