//! Notifications (G7): watchers, @mentions, the in-app inbox and signed outgoing webhooks.
//!
//! Every change that others should hear about calls [`store::emit`] inside its own transaction:
//! the inbox rows and the webhook deliveries are written with the change or not at all, and a
//! background worker ([`worker`]) delivers webhooks from the database, so deliveries survive
//! restarts and several server processes share them through leases.

pub mod hooks;
pub mod mailing;
pub mod store;
pub mod webhooks;
pub mod worker;

use std::net::IpAddr;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The events a webhook may subscribe to.
pub const EVENTS: [&str; 13] = [
    "item.created",
    "item.changed",
    "comment.created",
    "question.asked",
    "question.answered",
    "sprint.started",
    "sprint.scope_changed",
    "sprint.closed",
    "priorities.reordered",
    "override",
    "signoff.answered",
    "webhook.ping",
    "*",
];

/// A delivery is tried this many times before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;

/// Wait before the next try after `attempts` failed ones: 10 s, 20 s, 40 s … capped at an hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 16) - 1;
    Duration::from_secs((10u64 << exp).min(3_600))
}

/// GitHub's form: `sha256=` and the hex HMAC-SHA256 of the body under the webhook's secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Handles mentioned as `@name` (the part of a member's e-mail before the `@`); an `@` inside a
/// word, as in an e-mail address, is not a mention.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' || (i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.')) {
            continue;
        }
        let handle: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .collect::<String>()
            .trim_end_matches(['.', '-', '_'])
            .to_lowercase();
        if !handle.is_empty() && !out.contains(&handle) {
            out.push(handle);
        }
    }
    out
}

/// Addresses a webhook may reach without an admin's say-so: not loopback, private, link-local,
/// shared (CGNAT), unique-local, site-local, multicast or unspecified. An IPv6 address that
/// carries an IPv4 one (mapped, compatible, translated, NAT64, 6to4, Teredo) is judged by the
/// IPv4 address it reaches, since routers and translators deliver it there.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            let embedded = embedded_v4(v6);
            if !embedded.is_empty() {
                return embedded.into_iter().all(|v4| is_public(IpAddr::V4(v4)));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated, still routed locally)
                || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1) // local-use NAT64 64:ff9b:1::/48
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation 2001:db8::/32
                || s[..4] == [0x100, 0, 0, 0]) // discard-only 100::/64
        }
    }
}

/// The IPv4 addresses an IPv6 address embeds and would reach: empty for a plain IPv6 address.
fn embedded_v4(v6: std::net::Ipv6Addr) -> Vec<std::net::Ipv4Addr> {
    use std::net::Ipv4Addr;
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated, RFC 6145)
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0xffff, 0, hi, lo] => vec![v4(hi, lo)],
        // ::a.b.c.d (compatible, deprecated); :: and ::1 are judged as IPv6 above
        [0, 0, 0, 0, 0, 0, hi, lo] if (hi, lo) > (0, 1) => vec![v4(hi, lo)],
        // 64:ff9b::a.b.c.d (well-known NAT64 prefix, RFC 6052)
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => vec![v4(hi, lo)],
        // 2002:AABB:CCDD::/48 (6to4): the relay delivers to AA.BB.CC.DD
        [0x2002, hi, lo, ..] => vec![v4(hi, lo)],
        // 2001:0::/32 (Teredo): the server, and the client's address inverted in the last 32 bits
        [0x2001, 0, shi, slo, _, _, chi, clo] => vec![v4(shi, slo), v4(!chi, !clo)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_githubs_example() {
        // The example from GitHub's "Validating webhook deliveries".
        assert_eq!(
            signature("It's a Secret to Everybody", b"Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }

    #[test]
    fn mentions_are_handles_not_email_addresses() {
        assert_eq!(
            mentions("@sam please check with @Priya-P. and mail dev@x.io"),
            vec!["sam", "priya-p"]
        );
        assert!(mentions("no one here, a@b").is_empty());
        assert_eq!(mentions("(@dev) and @dev again"), vec!["dev"]);
    }

    #[test]
    fn private_and_loopback_targets_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "::ffff:0:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::8.8.8.8",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "fec0::1",
            "2001:0:7f00:1::",
            "2001:0:808:808:0:0:f5ff:fffe", // Teredo whose client is 10.0.0.1
            "2001:db8::1",
        ] {
            assert!(
                !is_public(ip.parse().unwrap_or_else(|_| panic!("{ip}"))),
                "{ip}"
            );
        }
        for ip in [
            "93.184.216.34",
            "2606:4700::1111",
            "8.8.8.8",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(
                is_public(ip.parse().unwrap_or_else(|_| panic!("{ip}"))),
                "{ip}"
            );
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(2), Duration::from_secs(20));
        assert_eq!(backoff(4), Duration::from_secs(80));
        assert_eq!(backoff(12), Duration::from_secs(3_600));
    }
}
