//! Who may do what: roles, actions and the one table that decides; passwords and tokens.

pub mod address;
pub mod email_prefs;
pub mod extract;
pub mod reset;
pub mod sign_in;
pub mod store;
pub mod throttle;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A per-product role (PRODUCT.md, Roles). Workspace admin is held separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Pm,
    Po,
    Sm,
    Dev,
    Stakeholder,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Pm, Role::Po, Role::Sm, Role::Dev, Role::Stakeholder];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Pm => "pm",
            Role::Po => "po",
            Role::Sm => "sm",
            Role::Dev => "dev",
            Role::Stakeholder => "stakeholder",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            Role::Pm => "Product Manager",
            Role::Po => "Product Owner",
            Role::Sm => "Scrum Master",
            Role::Dev => "Developer",
            Role::Stakeholder => "Stakeholder",
        }
    }
}

/// Everything a member can try to do to a product's backlog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    ViewBacklog,
    CreateItem,
    EditItem,
    EditCriteria,
    Estimate,
    ChangeStatus,
    Reorder,
    ManageDependencies,
    DeleteItem,
    AskQuestion,
    AnswerQuestion,
    ConfigureReadiness,
    ManageRoles,
    // The Scrum cycle (E5–E10).
    ManageTeam,
    PlanSprint,
    CommitItems,
    StartSprint,
    ChangeScope,
    ReviewSprint,
    CloseSprint,
    WriteRetro,
    FacilitateRetro,
    // Strategy (S0–S10)
    ViewStrategy,
    ManageStrategy,
    LinkInitiative,
    ShareRoadmap,
    AnswerSignoff,
    // Data in and out (D2, D3).
    Import,
    ExportBacklog,
    // Documents (D1).
    ViewDocuments,
    IncludeInKit,
    // Flow without sprints (E11).
    SetCadence,
    OverrideWip,
}

impl Action {
    pub const ALL: [Action; 33] = [
        Action::ViewBacklog,
        Action::CreateItem,
        Action::EditItem,
        Action::EditCriteria,
        Action::Estimate,
        Action::ChangeStatus,
        Action::Reorder,
        Action::ManageDependencies,
        Action::DeleteItem,
        Action::AskQuestion,
        Action::AnswerQuestion,
        Action::ConfigureReadiness,
        Action::ManageRoles,
        Action::ManageTeam,
        Action::PlanSprint,
        Action::CommitItems,
        Action::StartSprint,
        Action::ChangeScope,
        Action::ReviewSprint,
        Action::CloseSprint,
        Action::WriteRetro,
        Action::FacilitateRetro,
        // Strategy (S0–S10)
        Action::ViewStrategy,
        Action::ManageStrategy,
        Action::LinkInitiative,
        Action::ShareRoadmap,
        Action::AnswerSignoff,
        Action::Import,
        Action::ExportBacklog,
        Action::ViewDocuments,
        Action::IncludeInKit,
        Action::SetCadence,
        Action::OverrideWip,
    ];

    /// The product roles allowed to take this action (G1). Workspace admins manage roles;
    /// they act on the backlog only through the product roles they also hold.
    pub fn allowed_roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::ViewBacklog => &[Pm, Po, Sm, Dev, Stakeholder],
            Action::CreateItem => &[Pm, Po, Dev],
            Action::EditItem => &[Pm, Po],
            Action::EditCriteria => &[Po],
            Action::Estimate => &[Dev],
            Action::ChangeStatus => &[Po, Dev],
            Action::Reorder => &[Po],
            Action::ManageDependencies => &[Po, Dev],
            Action::DeleteItem => &[Po],
            Action::AskQuestion => &[Pm, Po, Sm, Dev, Stakeholder],
            Action::AnswerQuestion => &[Pm, Po],
            Action::ConfigureReadiness => &[Po],
            Action::ManageRoles => &[],
            Action::ManageTeam => &[Sm],
            Action::PlanSprint => &[Po, Sm],
            Action::CommitItems => &[Po],
            Action::StartSprint => &[Sm, Po],
            Action::ChangeScope => &[Po],
            Action::ReviewSprint => &[Po],
            Action::CloseSprint => &[Sm],
            Action::WriteRetro => &[Po, Sm, Dev],
            Action::FacilitateRetro => &[Sm],
            // Strategy (S0–S10): the PM owns it; the PO links backlog items to initiatives.
            Action::ViewStrategy => &[Pm, Po, Sm, Dev, Stakeholder],
            Action::ManageStrategy => &[Pm],
            Action::LinkInitiative => &[Pm, Po],
            Action::ShareRoadmap => &[Pm],
            Action::AnswerSignoff => &[Stakeholder],
            // Workspace admins may import too (see `Grants::may`).
            Action::Import => &[Pm, Po],
            // The backlog as Jira CSV: the PM, and workspace admins (see `Grants::may`).
            Action::ExportBacklog => &[Pm],
            // Documents are written from what the reader may already read: every role.
            Action::ViewDocuments => &[Pm, Po, Sm, Dev, Stakeholder],
            // What goes to the builders is the PO's call, like a sprint's exceptions.
            Action::IncludeInKit => &[Po],
            // How the team works (sprints or flow, WIP limits) is the PO's and the SM's call;
            // only the PO may push a card past a blocking WIP limit, with a reason.
            Action::SetCadence => &[Po, Sm],
            Action::OverrideWip => &[Po],
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Action::ViewBacklog => "read the backlog",
            Action::CreateItem => "add backlog items",
            Action::EditItem => "edit backlog items",
            Action::EditCriteria => "edit acceptance criteria",
            Action::Estimate => "estimate items",
            Action::ChangeStatus => "change an item's status",
            Action::Reorder => "order the backlog",
            Action::ManageDependencies => "change dependencies",
            Action::DeleteItem => "delete backlog items",
            Action::AskQuestion => "ask questions",
            Action::AnswerQuestion => "answer questions",
            Action::ConfigureReadiness => "change the Definition of Ready",
            Action::ManageRoles => "change members and roles",
            Action::ManageTeam => "manage teams and capacity",
            Action::PlanSprint => "schedule sprints and set their goals",
            Action::CommitItems => "commit items to a sprint",
            Action::StartSprint => "start a sprint",
            Action::ChangeScope => "change a running sprint's scope",
            Action::ReviewSprint => "record review verdicts",
            Action::CloseSprint => "close a sprint",
            Action::WriteRetro => "write and vote in retrospectives",
            Action::FacilitateRetro => "facilitate retrospectives",
            // Strategy (S0–S10)
            Action::ViewStrategy => "read the product strategy",
            Action::ManageStrategy => "change the product strategy",
            Action::LinkInitiative => "link backlog items to initiatives",
            Action::ShareRoadmap => "share the roadmap by link",
            Action::AnswerSignoff => "answer sign-off requests",
            Action::Import => "import items from another tool",
            Action::ExportBacklog => "export the backlog as CSV",
            Action::ViewDocuments => "read the product's documents",
            Action::IncludeInKit => "let an item that is not ready into hand-off kits",
            Action::SetCadence => "set the cadence and the WIP limits",
            Action::OverrideWip => "move a card past a blocking WIP limit",
        }
    }
}

/// What a user holds on one product: its roles there and whether they administer the workspace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    pub roles: Vec<Role>,
    pub admin: bool,
}

impl Grants {
    /// The single decision point for backlog authorization.
    pub fn may(&self, action: Action) -> bool {
        if action == Action::ManageRoles {
            return self.admin;
        }
        // Bringing a team's backlog in is set-up work: admins, PMs and POs (D2).
        if matches!(action, Action::Import | Action::ExportBacklog) && self.admin {
            return true;
        }
        // Workspace members without a product role may still read, as a stakeholder would.
        if action == Action::ViewBacklog {
            return true;
        }
        // Strategy (S0–S10): members read it as they read the backlog.
        if action == Action::ViewStrategy {
            return true;
        }
        // Documents are made of the backlog and the strategy, which every member reads.
        if action == Action::ViewDocuments {
            return true;
        }
        action
            .allowed_roles()
            .iter()
            .any(|r| self.roles.contains(r))
    }

    pub fn require(&self, action: Action) -> crate::error::Result<()> {
        if self.may(action) {
            return Ok(());
        }
        let who: Vec<&str> = action.allowed_roles().iter().map(|r| r.as_str()).collect();
        let who = if who.is_empty() {
            "workspace admins".to_string()
        } else if matches!(action, Action::Import | Action::ExportBacklog) {
            format!("workspace admins, {}", who.join(", "))
        } else {
            who.join(", ")
        };
        Err(crate::error::Error::forbidden(format!(
            "only {who} may {} on this product",
            action.describe()
        )))
    }
}

/// Argon2id with the crate's default parameters (19 MiB, 2 passes), the OWASP minimum.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fresh random secret (session id, API token, CSRF token), hex-encoded.
pub fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// Secrets are stored hashed; a leaked table yields no usable token. SHA-256 suffices because
/// the secrets are random, not user-chosen.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn validate_password(password: &str) -> crate::error::Result<()> {
    if password.chars().count() < 10 {
        return Err(crate::error::Error::invalid(
            "password",
            "use at least 10 characters",
        ));
    }
    Ok(())
}

pub fn validate_email(email: &str) -> crate::error::Result<String> {
    let email = email.trim().to_lowercase();
    let ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'));
    if !ok {
        return Err(crate::error::Error::invalid(
            "email",
            "not an e-mail address",
        ));
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn po_orders_devs_estimate_stakeholders_read() {
        let po = Grants {
            roles: vec![Role::Po],
            admin: false,
        };
        let dev = Grants {
            roles: vec![Role::Dev],
            admin: false,
        };
        let sh = Grants {
            roles: vec![Role::Stakeholder],
            admin: false,
        };
        assert!(po.may(Action::Reorder) && !dev.may(Action::Reorder));
        assert!(dev.may(Action::Estimate) && !po.may(Action::Estimate));
        assert!(sh.may(Action::ViewBacklog) && !sh.may(Action::EditItem));
        assert!(po.may(Action::EditCriteria) && !dev.may(Action::EditCriteria));
    }

    #[test]
    fn several_roles_combine_and_admin_only_manages_roles() {
        let both = Grants {
            roles: vec![Role::Pm, Role::Po],
            admin: false,
        };
        assert!(both.may(Action::Reorder) && both.may(Action::AnswerQuestion));
        let admin = Grants {
            roles: vec![],
            admin: true,
        };
        assert!(admin.may(Action::ManageRoles) && !admin.may(Action::EditItem));
        assert!(!both.may(Action::ManageRoles));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
