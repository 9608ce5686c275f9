//! Who is on the other end of the connection.

use poem::Request;

use crate::services::auth::ClientInfo;

/// The client's address and user agent. Behind a trusted proxy, the address is the
/// right-most `X-Forwarded-For` entry: the one the proxy itself saw, which a client
/// cannot forge.
pub fn client_info(req: &Request, trust_proxy_headers: bool) -> ClientInfo {
    let forwarded = trust_proxy_headers
        .then(|| req.header("x-forwarded-for"))
        .flatten()
        .and_then(|list| list.rsplit(',').next())
        .map(str::trim)
        .and_then(|addr| addr.parse::<std::net::IpAddr>().ok());
    let address = forwarded.or_else(|| req.remote_addr().as_socket_addr().map(|addr| addr.ip()));
    ClientInfo {
        address: address.map(|ip| ip.to_string()),
        user_agent: req.header("user-agent").map(str::to_owned),
    }
}
