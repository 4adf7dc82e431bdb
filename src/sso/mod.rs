//! Single sign-on with OpenID Connect (issue 13): the providers people sign in with, and the
//! rules a provider's answer must pass before it signs anyone in. `store` keeps providers,
//! pending sign-ins and the password switch; `oidc` talks to the provider (discovery, keys,
//! code exchange, ID token checks); `service` turns a checked answer into a session.

pub mod oidc;
pub mod service;
pub mod store;

use serde::Serialize;

use crate::auth::Role;
use crate::config::oidc::OidcSettings;
use crate::error::{Error, Result};
use crate::instance::parse_domains;

/// The slug of the provider the configuration names (`THROUGHLINE_OIDC_*`); the admin page's
/// providers may not take it.
pub const CONFIGURED_SLUG: &str = "oidc";

/// How long a sign-in sent to a provider may take before its answer is refused.
pub const PENDING_MINUTES: i64 = 10;

/// A provider people sign in with. The secret is never serialized: no page or answer shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// None for the provider from the configuration, which no page can change.
    pub id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    #[serde(skip)]
    pub client_secret: String,
    pub allowed_domains: Vec<String>,
    /// The workspace (by slug) people new to Throughline join, and their role on its products.
    pub workspace: Option<String>,
    pub role: Option<Role>,
    pub version: i64,
}

/// What the admin page sends to add or change a provider. An empty secret on a change keeps
/// the stored one, since the page never shows it.
#[derive(Clone, Debug, Default)]
pub struct ProviderInput {
    pub slug: String,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub allowed_domains: String,
    pub workspace: String,
    pub role: String,
}

impl ProviderInput {
    /// The provider this input describes, or the first field it gets wrong. `old` is the stored
    /// provider on a change.
    pub fn checked(&self, old: Option<&Provider>) -> Result<Provider> {
        let slug = self.slug.trim().to_lowercase();
        let slug_ok = !slug.is_empty()
            && slug.len() <= 40
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !slug_ok {
            return Err(Error::invalid(
                "slug",
                "use 1 to 40 lower-case letters, digits or dashes, e.g. keycloak",
            ));
        }
        if slug == CONFIGURED_SLUG {
            return Err(Error::invalid(
                "slug",
                "\"oidc\" is the configured provider's; choose another",
            ));
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(Error::invalid("name", "give a name of 1 to 60 characters"));
        }
        let issuer = check_issuer(&self.issuer)?;
        let client_id = self.client_id.trim();
        if client_id.is_empty() {
            return Err(Error::invalid("client_id", "the client id is required"));
        }
        let secret = match (self.client_secret.trim(), old) {
            ("", Some(o)) => o.client_secret.clone(),
            ("", None) => {
                return Err(Error::invalid(
                    "client_secret",
                    "the client secret is required",
                ))
            }
            (s, _) => s.to_string(),
        };
        Ok(Provider {
            id: old.and_then(|o| o.id),
            slug,
            name: name.to_string(),
            issuer,
            client_id: client_id.to_string(),
            client_secret: secret,
            allowed_domains: parse_domains(std::slice::from_ref(&self.allowed_domains))?,
            workspace: none_if_empty(&self.workspace),
            role: parse_role(&self.role)?,
            version: old.map_or(1, |o| o.version),
        })
    }
}

fn none_if_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_lowercase())
}

fn parse_role(s: &str) -> Result<Option<Role>> {
    match s.trim() {
        "" | "none" => Ok(None),
        r => Role::parse(r)
            .map(Some)
            .ok_or_else(|| Error::invalid("role", "use pm, po, sm, dev or stakeholder, or none")),
    }
}

/// An issuer is an https URL (http only on this machine, for tests), without query or fragment.
pub fn check_issuer(raw: &str) -> Result<String> {
    let raw = raw.trim().trim_end_matches('/');
    let bad = || {
        Error::invalid(
            "issuer",
            "give the provider's issuer URL, e.g. https://keycloak.example.com/realms/acme",
        )
    };
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && local);
    if !scheme_ok || url.query().is_some() || url.fragment().is_some() || url.host().is_none() {
        return Err(bad());
    }
    Ok(raw.to_string())
}

/// The address people reach this server at: the configured public URL, else the request's
/// host (https when cookies are marked Secure).
pub fn base_url(cfg: &OidcSettings, secure: bool, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = cfg.public_url.as_deref().filter(|u| !u.trim().is_empty()) {
        return u.trim().trim_end_matches('/').to_string();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let scheme = if secure { "https" } else { "http" };
    format!("{scheme}://{host}")
}

impl Provider {
    /// The provider the configuration names, if it names one (all three of issuer, client id
    /// and secret; `serve` refuses to start with only some of them).
    pub fn configured(s: &OidcSettings) -> Result<Option<Provider>> {
        let (Some(issuer), Some(client_id), Some(secret)) =
            (&s.oidc_issuer, &s.oidc_client_id, &s.oidc_client_secret)
        else {
            return Ok(None);
        };
        let cfg = |e: Error| Error::Internal(anyhow::anyhow!("oidc settings: {e}"));
        Ok(Some(Provider {
            id: None,
            slug: CONFIGURED_SLUG.into(),
            name: s.oidc_name.trim().to_string(),
            issuer: check_issuer(issuer).map_err(cfg)?,
            client_id: client_id.trim().to_string(),
            client_secret: secret.clone(),
            allowed_domains: parse_domains(&[s.oidc_allowed_domains.clone().unwrap_or_default()])
                .map_err(cfg)?,
            workspace: s.oidc_workspace.as_deref().and_then(none_if_empty),
            role: parse_role(s.oidc_role.as_deref().unwrap_or_default()).map_err(cfg)?,
            version: 1,
        }))
    }

    /// Where the provider sends people back: PUBLIC_URL/sso/SLUG/callback.
    pub fn redirect_uri(&self, base: &str) -> String {
        format!("{}/sso/{}/callback", base.trim_end_matches('/'), self.slug)
    }
}

/// What an ID token says about the person, once its signature, issuer, audience, expiry and
/// nonce have been checked.
#[derive(Clone, Debug)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// Whether this person may sign in through `p`: a verified e-mail in an allowed domain. The
/// answer is the address, lower case, or the refusal to show.
pub fn admit(p: &Provider, who: &Identity) -> Result<String> {
    let Some(email) = who.email.as_deref() else {
        return Err(Error::forbidden(format!(
            "{} did not tell us your e-mail address, so we cannot find your account; ask your \
             administrator to release the email scope to Throughline",
            p.name
        )));
    };
    let email = crate::auth::validate_email(email)?;
    if !who.email_verified {
        return Err(Error::forbidden(format!(
            "{} has not verified the address {email}; verify it there, then sign in again",
            p.name
        )));
    }
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let allowed = p.allowed_domains.is_empty()
        || p.allowed_domains
            .iter()
            .any(|d| domain == d || domain.ends_with(&format!(".{d}")));
    if !allowed {
        return Err(Error::forbidden(format!(
            "{} signs in only addresses at {}; {email} is not one",
            p.name,
            p.allowed_domains.join(", ")
        )));
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(domains: &[&str]) -> Provider {
        Provider {
            id: Some(1),
            slug: "kc".into(),
            name: "Keycloak".into(),
            issuer: "https://kc.example.com/realms/a".into(),
            client_id: "tl".into(),
            client_secret: "s".into(),
            allowed_domains: domains.iter().map(|d| d.to_string()).collect(),
            workspace: None,
            role: None,
            version: 1,
        }
    }

    fn who(email: &str, verified: bool) -> Identity {
        Identity {
            subject: "1".into(),
            email: Some(email.into()),
            email_verified: verified,
            name: None,
        }
    }

    #[test]
    fn only_a_verified_address_in_an_allowed_domain_is_admitted() {
        let p = provider(&["example.com"]);
        assert_eq!(
            admit(&p, &who("Ada@EU.example.com", true)).unwrap(),
            "ada@eu.example.com"
        );
        assert!(admit(&p, &who("ada@example.com", false)).is_err());
        assert!(admit(&p, &who("ada@badexample.com", true)).is_err());
        assert!(admit(&provider(&[]), &who("x@any.org", true)).is_ok());
        let none = Identity {
            email: None,
            ..who("", true)
        };
        assert!(admit(&p, &none).is_err());
    }

    #[test]
    fn inputs_name_the_field_at_fault_and_keep_the_secret_on_a_change() {
        let input = ProviderInput {
            slug: "keycloak".into(),
            name: "Keycloak".into(),
            issuer: "https://kc.example.com/realms/a/".into(),
            client_id: "tl".into(),
            client_secret: "".into(),
            role: "dev".into(),
            ..Default::default()
        };
        let field = |r: Result<Provider>| match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(input.checked(None)), "client_secret");
        let old = provider(&[]);
        let p = input.checked(Some(&old)).unwrap();
        assert_eq!(p.client_secret, "s");
        assert_eq!(p.issuer, "https://kc.example.com/realms/a");
        assert_eq!(p.role, Some(Role::Dev));
        for (f, v) in [("slug", "Key Cloak"), ("slug", "oidc")] {
            let bad = ProviderInput {
                slug: v.into(),
                ..input.clone()
            };
            assert_eq!(field(bad.checked(Some(&old))), f);
        }
        let bad = ProviderInput {
            issuer: "http://kc.example.com".into(),
            ..input.clone()
        };
        assert_eq!(field(bad.checked(Some(&old))), "issuer");
        let bad = ProviderInput {
            role: "boss".into(),
            ..input
        };
        assert_eq!(field(bad.checked(Some(&old))), "role");
    }

    #[test]
    fn the_redirect_uri_is_under_the_public_address() {
        assert_eq!(
            provider(&[]).redirect_uri("https://pm.example.com/"),
            "https://pm.example.com/sso/kc/callback"
        );
    }
}
