//! Single sign-on settings that come from the command line, the environment or
//! `throughline.toml`: one OpenID Connect provider (more are added on the `/admin/sso` page) and
//! the server's public address, which the redirect URI registered at the provider starts with.

use clap::Args;

#[derive(Args, Clone, Debug, Default)]
pub struct OidcSettings {
    /// The address people reach this server at, e.g. "https://pm.example.com": the redirect URI
    /// to register at a provider is PUBLIC_URL/sso/SLUG/callback [default: the request's Host].
    /// (Set from `--public-url`, which the e-mail settings declare: one flag for both.)
    #[arg(skip)]
    pub public_url: Option<String>,
    /// OpenID Connect issuer of a provider to sign in with, e.g.
    /// "https://keycloak.example.com/realms/acme" (its discovery document is found under it).
    #[arg(long, env = "THROUGHLINE_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The client id registered at that provider.
    #[arg(long, env = "THROUGHLINE_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The client secret registered at that provider.
    #[arg(long, env = "THROUGHLINE_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// The provider's name on the sign-in button.
    #[arg(long, env = "THROUGHLINE_OIDC_NAME", default_value = "single sign-on")]
    pub oidc_name: String,
    /// E-mail domains that may sign in through it, comma-separated [default: every domain].
    #[arg(long, env = "THROUGHLINE_OIDC_ALLOWED_DOMAINS")]
    pub oidc_allowed_domains: Option<String>,
    /// A workspace (by slug) that people new to Throughline join when they first sign in.
    #[arg(long, env = "THROUGHLINE_OIDC_WORKSPACE")]
    pub oidc_workspace: Option<String>,
    /// Their role on each product of that workspace: pm, po, sm, dev or stakeholder
    /// [default: none, they read].
    #[arg(long, env = "THROUGHLINE_OIDC_ROLE")]
    pub oidc_role: Option<String>,
}

impl OidcSettings {
    /// Which of issuer, client id and secret are missing when some but not all are given.
    pub fn incomplete(&self) -> Option<String> {
        let parts = [
            ("oidc_issuer", self.oidc_issuer.is_some()),
            ("oidc_client_id", self.oidc_client_id.is_some()),
            ("oidc_client_secret", self.oidc_client_secret.is_some()),
        ];
        let given = parts.iter().filter(|(_, set)| *set).count();
        if given == 0 || given == parts.len() {
            return None;
        }
        let missing: Vec<&str> = parts
            .iter()
            .filter(|(_, set)| !*set)
            .map(|(k, _)| *k)
            .collect();
        Some(format!(
            "single sign-on needs oidc_issuer, oidc_client_id and oidc_client_secret together; \
             missing: {}",
            missing.join(", ")
        ))
    }
}
