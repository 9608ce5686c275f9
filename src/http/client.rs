//! Who is on the other end of the connection.

use poem::Request;

use crate::services::kernel::actor::ClientInfo;
use crate::settings::ServerSettings;

/// The client's address and user agent. Behind a trusted proxy, the address is the
/// right-most `X-Forwarded-For` entry: the one the proxy itself saw, which a client
/// cannot forge.
pub fn client_info(req: &Request, server: &ServerSettings) -> ClientInfo {
    let forwarded = server
        .trust_proxy_headers
        .then(|| req.header("x-forwarded-for"))
        .flatten()
        .and_then(|list| list.rsplit(',').next())
        .map(str::trim)
        .and_then(|addr| addr.parse::<std::net::IpAddr>().ok());
    let address = forwarded.or_else(|| req.remote_addr().as_socket_addr().map(|addr| addr.ip()));
    ClientInfo {
        limit_key: address.map(|ip| crate::ratelimit::limit_key(ip, server.ipv6_limit_prefix)),
        address: address.map(|ip| ip.to_string()),
        user_agent: req.header("user-agent").map(str::to_owned),
    }
}

/// The token of an `Authorization: Bearer …` header, if there is one.
pub fn bearer(req: &Request) -> Option<&str> {
    let value = req.header("authorization")?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for it) or `*`.
pub fn if_none_match_hits(req: &Request, etag: &str) -> bool {
    req.header("if-none-match").is_some_and(|tags| {
        tags.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
    })
}
