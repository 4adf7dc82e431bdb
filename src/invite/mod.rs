//! Invitations by link (issue 18): a workspace admin invites someone by e-mail, or invites a
//! placeholder an import made, and hands them a link whose secret is shown once. Opening the
//! link lets the person set their name, e-mail and password; the placeholder then becomes a
//! normal account that keeps its imported history, or a new account is made a member.
//!
//! Types and the pure rules live here; SQL in `store`, the committing steps in `service`.

pub mod service;
pub mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::workspace::ProductRoles;

/// How long a link stays valid.
pub const VALID_DAYS: i64 = 7;
/// Every invitation secret starts so, which tells it from other tokens at a glance.
pub const TOKEN_PREFIX: &str = "tli_";
/// Placeholders without a real e-mail get one under this reserved domain.
pub const NO_EMAIL_DOMAIN: &str = "@placeholder.invalid";

/// An invitation as admins see it: never its secret.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: i64,
    /// The address the account will have; none when a placeholder without a real e-mail is
    /// invited (the person gives one when accepting).
    pub email: Option<String>,
    /// The placeholder account this invitation claims, if any.
    pub placeholder_user_id: Option<i64>,
    /// The placeholder's name, as the import gave it.
    pub name: Option<String>,
    /// Product roles granted on acceptance (a placeholder keeps those it holds).
    pub roles: Vec<ProductRoles>,
    /// Whether the person becomes a workspace admin.
    pub admin: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub status: String,
}

/// A new invitation with its one-time link.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NewInvitation {
    #[serde(flatten)]
    pub invitation: Invitation,
    /// The acceptance page, `/invite/tli_…`, on this server. Shown this once: only its hash is
    /// kept.
    pub link: String,
    /// Whether the link was also sent to the invitee by e-mail (`send_email`).
    pub emailed: bool,
}

/// What an admin asks for. Give `email`, or `placeholder_user_id`, or both (the placeholder
/// then gets that e-mail).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub placeholder_user_id: Option<i64>,
    /// Roles on products, granted on acceptance.
    #[serde(default)]
    pub roles: Vec<RolesOn>,
    /// Make the person a workspace admin.
    #[serde(default)]
    pub admin: bool,
    /// Also e-mail the link to the invitee (the server must send e-mail; the invitation needs
    /// an e-mail address).
    #[serde(default)]
    pub send_email: bool,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesOn {
    /// A product key of the workspace, e.g. `ONB`.
    pub product: String,
    /// Any of pm, po, sm, dev, stakeholder.
    pub roles: Vec<String>,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl State {
    /// Accepted and revoked are final; a pending link past its date has expired.
    pub fn of(
        accepted_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> State {
        match (accepted_at, revoked_at) {
            (Some(_), _) => State::Accepted,
            (None, Some(_)) => State::Revoked,
            (None, None) if expires_at <= now => State::Expired,
            (None, None) => State::Pending,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Accepted => "accepted",
            State::Revoked => "revoked",
            State::Expired => "expired",
        }
    }

    /// What the acceptance page says when the link can no longer be used.
    pub fn refusal(self) -> Option<&'static str> {
        match self {
            State::Pending => None,
            State::Accepted => Some(
                "This invitation has been used already. Sign in with the e-mail and password chosen then.",
            ),
            State::Revoked => Some(
                "This invitation was withdrawn by a workspace admin. Ask them for a new link.",
            ),
            State::Expired => Some("This invitation has expired. Ask a workspace admin for a new link."),
        }
    }
}

/// A real address, as opposed to the stand-in of a placeholder an import made without one.
pub fn real_email(email: &str) -> Option<&str> {
    (!email.ends_with(NO_EMAIL_DOMAIN)).then_some(email)
}

/// `ONB:pm` or `pm` (on `default_product`) entries of a form or the command line, as roles per
/// product; product keys are upper-cased, roles checked later.
pub fn roles_from_pairs(entries: &[String], default_product: Option<&str>) -> Vec<RolesOn> {
    let mut out: Vec<RolesOn> = Vec::new();
    for entry in entries.iter().flat_map(|e| e.split(',')) {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let (product, role) = match entry.split_once(':') {
            Some((p, r)) => (p.trim().to_uppercase(), r.trim().to_string()),
            None => (
                default_product.unwrap_or_default().to_uppercase(),
                entry.to_string(),
            ),
        };
        match out.iter_mut().find(|r| r.product == product) {
            Some(r) => r.roles.push(role),
            None => out.push(RolesOn {
                product,
                roles: vec![role],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn state_is_final_once_accepted_or_revoked_and_expires_on_its_date() {
        let now = Utc::now();
        let later = now + Duration::days(1);
        let earlier = now - Duration::days(1);
        assert_eq!(State::of(None, None, later, now), State::Pending);
        assert_eq!(State::of(None, None, earlier, now), State::Expired);
        assert_eq!(State::of(None, None, now, now), State::Expired);
        assert_eq!(State::of(Some(now), None, earlier, now), State::Accepted);
        assert_eq!(State::of(None, Some(now), later, now), State::Revoked);
        assert!(State::Pending.refusal().is_none() && State::Expired.refusal().is_some());
    }

    #[test]
    fn role_pairs_group_by_product() {
        let r = roles_from_pairs(&["onb:pm,ONB:po".into(), "dev".into()], Some("pay"));
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].product.as_str(), r[0].roles.len()), ("ONB", 2));
        assert_eq!(
            (r[1].product.as_str(), r[1].roles[0].as_str()),
            ("PAY", "dev")
        );
        assert!(roles_from_pairs(&[" , ".into()], None).is_empty());
    }

    #[test]
    fn placeholder_addresses_are_not_real() {
        assert_eq!(real_email("ada@example.com"), Some("ada@example.com"));
        assert_eq!(real_email("0f3a@placeholder.invalid"), None);
    }
}
