//! Notifications (G7): watchers, @mentions, the in-app inbox and signed outgoing webhooks.
//!
//! Every change that others should hear about calls [`store::emit`] inside its own transaction:
//! the inbox rows and the webhook deliveries are written with the change or not at all, and a
//! background worker ([`worker`]) delivers webhooks from the database, so deliveries survive
//! restarts and several server processes share them through leases.

pub mod api;
pub mod hooks;
pub mod mailing;
pub mod pages;
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
/// shared (CGNAT), unique-local, multicast or unspecified.
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
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80)
        }
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
        ] {
            assert!(
                !is_public(ip.parse().unwrap_or_else(|_| panic!("{ip}"))),
                "{ip}"
            );
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
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
