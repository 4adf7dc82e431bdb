//! The installation as a whole (issue 18): its admins and the settings they keep — who may
//! create workspaces, whether new accounts come by invitation or only from an instance admin,
//! which e-mail domains may join. The rules are pure; `store` reads and writes them.

pub mod store;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Who may create a workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WorkspaceCreation {
    /// Every signed-in account.
    Anyone,
    /// The instance's admins only.
    Admins,
}

/// How a new account comes to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Signup {
    /// A workspace admin's invitation link makes the account.
    Invitation,
    /// Only an instance admin's invitation (or `throughline user add`) makes one.
    Closed,
}

impl WorkspaceCreation {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceCreation::Anyone => "anyone",
            WorkspaceCreation::Admins => "admins",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "anyone" => Ok(WorkspaceCreation::Anyone),
            "admins" => Ok(WorkspaceCreation::Admins),
            other => Err(Error::invalid(
                "workspace_creation",
                format!("{other:?} is not a choice: use anyone or admins"),
            )),
        }
    }
}

impl Signup {
    pub fn as_str(self) -> &'static str {
        match self {
            Signup::Invitation => "invitation",
            Signup::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "invitation" => Ok(Signup::Invitation),
            "closed" => Ok(Signup::Closed),
            other => Err(Error::invalid(
                "signup",
                format!("{other:?} is not a choice: use invitation or closed"),
            )),
        }
    }
}

/// The instance's settings, one versioned record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = InstanceSettings)]
pub struct Settings {
    pub workspace_creation: WorkspaceCreation,
    pub signup: Signup,
    /// E-mail domains that may join (their subdomains too); empty allows every domain.
    pub allowed_domains: Vec<String>,
    pub version: i64,
}

/// A change to the settings: only the fields given change.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = InstanceSettingsInput)]
pub struct SettingsInput {
    /// `anyone` or `admins`.
    #[schema(value_type = Option<WorkspaceCreation>)]
    pub workspace_creation: Option<String>,
    /// `invitation` or `closed`.
    #[schema(value_type = Option<Signup>)]
    pub signup: Option<String>,
    /// Domains such as `example.com`; an empty list allows every domain. An entry may hold
    /// several, separated by commas, and a leading `@`; empty ones are skipped.
    #[schema(
        pattern = r"^\s*(@*([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)?)\s*(,\s*(@*([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)?)\s*)*$"
    )]
    pub allowed_domains: Option<Vec<String>>,
}

impl Settings {
    /// The settings `input` asks for, or the first field it gets wrong.
    pub fn merged(&self, input: &SettingsInput) -> Result<Settings> {
        let mut s = self.clone();
        if let Some(w) = &input.workspace_creation {
            s.workspace_creation = WorkspaceCreation::parse(w)?;
        }
        if let Some(v) = &input.signup {
            s.signup = Signup::parse(v)?;
        }
        if let Some(d) = &input.allowed_domains {
            s.allowed_domains = parse_domains(d)?;
        }
        Ok(s)
    }

    /// Whether an address may belong to a member of this instance.
    pub fn domain_allowed(&self, email: &str) -> bool {
        let Some((_, domain)) = email.trim().rsplit_once('@') else {
            return false;
        };
        let domain = domain.to_lowercase();
        self.allowed_domains.is_empty()
            || self
                .allowed_domains
                .iter()
                .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
    }

    /// Refuses, naming `field`, an address outside the allowed domains.
    pub fn check_email(&self, field: &str, email: &str) -> Result<()> {
        if self.domain_allowed(email) {
            return Ok(());
        }
        Err(Error::invalid(
            field,
            format!(
                "this instance admits only addresses at {}",
                self.allowed_domains.join(", ")
            ),
        ))
    }

    /// Refuses a workspace to someone the settings do not let create one.
    pub fn check_workspace_creation(&self, instance_admin: bool) -> Result<()> {
        match self.workspace_creation {
            WorkspaceCreation::Admins if !instance_admin => Err(Error::forbidden(
                "only the instance's admins may create workspaces here; ask one to create it",
            )),
            _ => Ok(()),
        }
    }

    /// Refuses a new account (an invitation that makes one) to an inviter the settings do not
    /// let make accounts.
    pub fn check_new_account(&self, inviter_is_instance_admin: bool) -> Result<()> {
        match self.signup {
            Signup::Closed if !inviter_is_instance_admin => Err(Error::forbidden(
                "sign-up is closed on this instance: only its admins invite people who have no \
                 account yet",
            )),
            _ => Ok(()),
        }
    }
}

/// Domains as stored: lower case, without a leading `@`, unique, in the order given.
pub fn parse_domains(list: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for raw in list.iter().flat_map(|d| d.split(',')) {
        let d = raw.trim().trim_start_matches('@');
        if d.is_empty() {
            continue;
        }
        let ok = d.contains('.')
            && !d.starts_with('.')
            && !d.ends_with('.')
            && !d.contains("..")
            && d.len() <= 253
            && d.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !ok {
            return Err(Error::invalid(
                "allowed_domains",
                format!("{raw:?} is not a domain such as example.com"),
            ));
        }
        // Lower-cased only once known to be ASCII: the Kelvin sign lower-cases to `k`.
        let d = d.to_ascii_lowercase();
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(domains: &[&str]) -> Settings {
        Settings {
            workspace_creation: WorkspaceCreation::Anyone,
            signup: Signup::Invitation,
            allowed_domains: domains.iter().map(|d| d.to_string()).collect(),
            version: 1,
        }
    }

    #[test]
    fn domains_allow_themselves_and_their_subdomains_only() {
        let s = settings(&["example.com"]);
        assert!(s.domain_allowed("a@example.com"));
        assert!(s.domain_allowed("a@EU.Example.com"));
        assert!(!s.domain_allowed("a@badexample.com"));
        assert!(!s.domain_allowed("a@example.com.evil.org"));
        assert!(settings(&[]).domain_allowed("a@anything.org"));
        assert!(s.check_email("email", "x@other.org").is_err());
    }

    #[test]
    fn domains_are_normalised_and_bad_ones_named() {
        let d = parse_domains(&["@Example.COM, example.org".into(), "example.com".into()]).unwrap();
        assert_eq!(d, vec!["example.com", "example.org"]);
        assert!(parse_domains(&["localhost".into()]).is_err());
        assert!(parse_domains(&["exa mple.com".into()]).is_err());
        assert!(parse_domains(&["".into()]).unwrap().is_empty());
    }

    #[test]
    fn merged_changes_only_what_is_given_and_names_bad_choices() {
        let s = settings(&[]);
        let m = s
            .merged(&SettingsInput {
                signup: Some("closed".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(m.signup, Signup::Closed);
        assert_eq!(m.workspace_creation, WorkspaceCreation::Anyone);
        let bad = s.merged(&SettingsInput {
            workspace_creation: Some("everyone".into()),
            ..Default::default()
        });
        assert!(matches!(bad, Err(Error::Invalid { field, .. }) if field == "workspace_creation"));
    }

    #[test]
    fn closed_signup_and_admin_only_workspaces_refuse_others() {
        let mut s = settings(&[]);
        s.signup = Signup::Closed;
        s.workspace_creation = WorkspaceCreation::Admins;
        assert!(s.check_new_account(false).is_err());
        assert!(s.check_new_account(true).is_ok());
        assert!(s.check_workspace_creation(false).is_err());
        assert!(s.check_workspace_creation(true).is_ok());
    }
}
