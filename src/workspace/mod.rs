//! Workspaces, their members, and the products inside them with per-product roles.

pub mod checklist;
pub mod extract;
pub mod form;
pub mod layout;
pub mod prologue;
pub mod settings;
pub mod store;

use serde::Serialize;

use crate::auth::{Grants, Role};
use crate::error::{Error, Result};

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Workspace {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub version: i64,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Product {
    pub id: i64,
    #[serde(skip)]
    pub workspace_id: i64,
    pub key: String,
    pub name: String,
    pub description: String,
    pub version: i64,
    #[serde(skip)]
    pub ready_rules: String,
    /// Sprints or flow (E11): which board the product's navigation leads to.
    #[serde(skip)]
    pub cadence: String,
}

/// A member of a workspace with the roles they hold on each product.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub admin: bool,
    /// An account an import made for someone its file names: it cannot sign in until an
    /// admin invites them.
    pub placeholder: bool,
    /// Product key → roles held there.
    pub roles: Vec<ProductRoles>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProductRoles {
    pub product: String,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
}

/// Everything a request on a product needs: where it is and what the caller may do there.
#[derive(Clone, Debug)]
pub struct ProductCtx {
    /// Who is acting: the signed-in person or the token's owner.
    pub user_id: i64,
    pub workspace: Workspace,
    pub product: Product,
    pub grants: Grants,
}

impl crate::audit::Scope for ProductCtx {
    fn workspace_id(&self) -> i64 {
        self.workspace.id
    }
}

impl crate::audit::Scope for Workspace {
    fn workspace_id(&self) -> i64 {
        self.id
    }
}

/// An item's key, `ONB-42`, as its product's key and its number: (`ONB`, 42).
pub fn parse_item_key(key: &str) -> Option<(String, i64)> {
    let (prefix, number) = key.trim().rsplit_once('-')?;
    let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
    if prefix.is_empty() {
        return None;
    }
    Some((prefix.to_uppercase(), number))
}

pub fn validate_slug(slug: &str) -> Result<String> {
    let slug = slug.trim().to_lowercase();
    let ok = (2..=40).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-');
    if !ok {
        return Err(Error::invalid(
            "slug",
            "use 2–40 lowercase letters, digits or dashes",
        ));
    }
    Ok(slug)
}

/// Product keys prefix item keys (`ONB-42`), so they are short, upper-case and never change.
pub fn validate_key(key: &str) -> Result<String> {
    let key = key.trim().to_uppercase();
    let ok = (2..=10).contains(&key.len())
        && key.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if !ok {
        return Err(Error::invalid(
            "key",
            "use 2–10 capital letters or digits, starting with a letter",
        ));
    }
    Ok(key)
}

pub fn validate_name(field: &str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Error::invalid(field, "give a name of 1 to 120 characters"));
    }
    Ok(name.to_string())
}

/// Role names as people type them (`pm`, `po`, `sm`, `dev`, `stakeholder`).
pub fn parse_roles(names: &[String]) -> Result<Vec<Role>> {
    names
        .iter()
        .map(|n| {
            Role::parse(n.trim()).ok_or_else(|| {
                Error::invalid(
                    "roles",
                    format!("{n:?} is not a role: use pm, po, sm, dev or stakeholder"),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_slugs() {
        assert_eq!(validate_key(" onb ").ok().as_deref(), Some("ONB"));
        assert!(
            validate_key("1AB").is_err()
                && validate_key("A").is_err()
                && validate_key("AB-C").is_err()
        );
        assert_eq!(validate_slug("Acme-Inc").ok().as_deref(), Some("acme-inc"));
        assert!(validate_slug("a b").is_err() && validate_slug("-x").is_err());
    }
}
