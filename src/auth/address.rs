//! Where a request comes from, for the sign-in limit: the peer's IP address, or, behind a
//! reverse proxy the operator says they run (`behind_proxy`), the address that proxy put last
//! in `X-Forwarded-For` (the only entry a client cannot forge, since the proxy appends it).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::state::AppState;

/// The client's address as text (`unknown` when the server was started without peer
/// addresses, as some tests do).
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientAddress(client_address(
            peer,
            &parts.headers,
            state.behind_proxy,
        )))
    }
}

/// The rule, apart from axum: the proxy's last `X-Forwarded-For` entry when trusted, else the
/// peer.
pub fn client_address(peer: Option<SocketAddr>, headers: &HeaderMap, behind_proxy: bool) -> String {
    if behind_proxy {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty());
        if let Some(ip) = forwarded.and_then(|v| v.parse::<std::net::IpAddr>().ok()) {
            return ip.to_string();
        }
    }
    peer.map_or_else(|| "unknown".into(), |p| p.ip().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forwarded_address_counts_only_behind_a_proxy() {
        let peer: SocketAddr = "10.0.0.5:4000".parse().expect("addr");
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "1.2.3.4, 203.0.113.9".parse().expect("header"),
        );
        assert_eq!(client_address(Some(peer), &h, false), "10.0.0.5");
        assert_eq!(client_address(Some(peer), &h, true), "203.0.113.9");
        h.insert("x-forwarded-for", "not an address".parse().expect("header"));
        assert_eq!(client_address(Some(peer), &h, true), "10.0.0.5");
        assert_eq!(client_address(None, &HeaderMap::new(), false), "unknown");
    }
}
