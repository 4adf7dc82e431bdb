//! E-mail: the SMTP connection ([`transport`]), the messages and their templates ([`message`]),
//! and the outbox ([`outbox`]), a queue of messages in the database that the notification
//! worker sends with the webhooks' leases, retries and delivery log.
//!
//! Mail knows no domain: the rooms above it (notifications, password reset, invitations)
//! compose a [`message::Outgoing`] and put it in the outbox.

pub mod message;
pub mod outbox;
pub mod transport;

use chrono::{DateTime, Duration, Utc};

pub use transport::Mailer;

/// How a person hears of their notifications by e-mail.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One message per notification, within seconds.
    Immediate,
    /// At most one message a day, gathering everything since the last one.
    Daily,
    /// No e-mail; the inbox only.
    Off,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Immediate, Mode::Daily, Mode::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Immediate => "immediate",
            Mode::Daily => "daily",
            Mode::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// What the account page calls it.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Immediate => "Immediately, one e-mail per notification",
            Mode::Daily => "A daily digest",
            Mode::Off => "Off (the inbox only)",
        }
    }
}

/// A daily digest goes out once its oldest notification has waited this long.
pub const DIGEST_AFTER: Duration = Duration::hours(24);
/// Notifications older than this are never e-mailed: mail turned on late does not flood people
/// with old news.
pub const STALE_AFTER: Duration = Duration::hours(48);

/// Whether a person's waiting notifications, the oldest created at `oldest`, are mailed now.
pub fn due(mode: Mode, oldest: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    match mode {
        Mode::Immediate => true,
        Mode::Daily => now - oldest >= DIGEST_AFTER,
        Mode::Off => false,
    }
}

/// A message is sent to an address that can receive it: not a placeholder's stand-in.
pub fn deliverable(address: &str) -> bool {
    !address.ends_with(".invalid") && address.parse::<lettre::Address>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_waits_a_day_and_off_never_sends() {
        let now = Utc::now();
        assert!(due(Mode::Immediate, now, now));
        assert!(!due(Mode::Daily, now - Duration::hours(23), now));
        assert!(due(Mode::Daily, now - Duration::hours(24), now));
        assert!(!due(Mode::Off, now - Duration::hours(100), now));
    }

    #[test]
    fn modes_read_back_and_placeholders_get_no_mail() {
        for m in Mode::ALL {
            assert_eq!(Mode::parse(m.as_str()), Some(m));
        }
        assert_eq!(Mode::parse("weekly"), None);
        assert!(deliverable("ada@example.com"));
        assert!(!deliverable("0f3a@placeholder.invalid"));
        assert!(!deliverable("not an address"));
    }
}
