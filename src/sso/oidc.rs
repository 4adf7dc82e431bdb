//! Talking to an OpenID provider with the `openidconnect` crate: discovery (cached for an hour
//! in this process; it is only a copy of what the provider publishes), the authorization code
//! flow with PKCE, `state` and `nonce`, and the ID token's checks (signature against the
//! provider's keys, issuer, audience, expiry, nonce). A token signed with a key we have not seen
//! makes us fetch the provider's keys again once: providers rotate them.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreJsonWebKeySet, CoreTokenResponse,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError,
    TokenResponse,
};

use super::store::Pending;
use super::{Identity, Provider};
use crate::error::{Error, Result};

type Metadata = ProviderMetadataWithLogout;

/// How long a provider's discovery document is reused before it is fetched again.
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);

static DISCOVERED: LazyLock<Mutex<HashMap<String, (Instant, Metadata)>>> =
    LazyLock::new(Default::default);

fn cache() -> std::sync::MutexGuard<'static, HashMap<String, (Instant, Metadata)>> {
    DISCOVERED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Redirects are not followed: a provider's endpoints answer directly (the crate's advice, so
/// that a redirect cannot send the client secret elsewhere).
fn http() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| Error::Internal(anyhow::anyhow!("building the HTTP client: {e}")))
}

fn unreachable(p: &Provider, what: &str, e: impl std::fmt::Display) -> Error {
    tracing::warn!(provider = %p.slug, issuer = %p.issuer, "{what}: {e}");
    Error::Conflict(format!(
        "{} could not be reached at {} ({what}); try again in a moment, or tell your \
         administrator",
        p.name, p.issuer
    ))
}

async fn metadata(p: &Provider) -> Result<Metadata> {
    if let Some((at, m)) = cache().get(&p.issuer) {
        if at.elapsed() < DISCOVERY_TTL {
            return Ok(m.clone());
        }
    }
    let issuer = IssuerUrl::new(p.issuer.clone()).map_err(|e| unreachable(p, "issuer", e))?;
    let m = Metadata::discover_async(issuer, &http()?)
        .await
        .map_err(|e| unreachable(p, "discovery", e))?;
    cache().insert(p.issuer.clone(), (Instant::now(), m.clone()));
    Ok(m)
}

/// Forgets the cached signing keys of `issuer`, keeping the rest of its discovery document: the
/// next ID token then carries a key we do not know, as after the provider rotated its keys.
pub fn forget_cached_keys(issuer: &str) {
    replace_cached_keys(issuer, CoreJsonWebKeySet::new(Vec::new()));
}

fn replace_cached_keys(issuer: &str, keys: CoreJsonWebKeySet) {
    if let Some((_, m)) = cache().get_mut(issuer) {
        *m = m.clone().set_jwks(keys);
    }
}

async fn refreshed_keys(p: &Provider, m: &Metadata) -> Result<CoreJsonWebKeySet> {
    let keys = CoreJsonWebKeySet::fetch_async(m.jwks_uri(), &http()?)
        .await
        .map_err(|e| unreachable(p, "signing keys", e))?;
    replace_cached_keys(&p.issuer, keys.clone());
    Ok(keys)
}

/// A sign-in to send the browser to the provider with: its address, the `state` the answer
/// must carry, and what to keep until then.
pub struct Started {
    pub url: String,
    pub state: String,
    pub pending: Pending,
}

pub async fn start(p: &Provider, redirect_uri: &str) -> Result<Started> {
    let m = metadata(p).await?;
    let client = CoreClient::from_provider_metadata(m, ClientId::new(p.client_id.clone()), None)
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_string())
                .map_err(|e| Error::Internal(anyhow::anyhow!("redirect URI: {e}")))?,
        );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Started {
        url: url.to_string(),
        state: state.secret().clone(),
        pending: Pending {
            provider: p.slug.clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        },
    })
}

/// Exchanges the code for tokens and checks the ID token: the person it names, and the token
/// itself (kept for the provider's sign-out).
pub async fn finish(
    p: &Provider,
    redirect_uri: &str,
    code: &str,
    pending: &Pending,
) -> Result<(Identity, String)> {
    let m = metadata(p).await?;
    let client = CoreClient::from_provider_metadata(
        m.clone(),
        ClientId::new(p.client_id.clone()),
        Some(ClientSecret::new(p.client_secret.clone())),
    )
    .set_redirect_uri(
        RedirectUrl::new(redirect_uri.to_string())
            .map_err(|e| Error::Internal(anyhow::anyhow!("redirect URI: {e}")))?,
    );
    let http = http()?;
    let token: CoreTokenResponse = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| unreachable(p, "token endpoint", e))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => {
                tracing::info!(provider = %p.slug, "code refused: {r}");
                Error::forbidden(format!(
                    "{} refused this sign-in's code: it was used already or has expired. Sign \
                     in again",
                    p.name
                ))
            }
            other => unreachable(p, "token endpoint", other),
        })?;
    let id_token = token.id_token().cloned().ok_or_else(|| {
        Error::forbidden(format!("{} sent no ID token; nobody was signed in", p.name))
    })?;
    let nonce = Nonce::new(pending.nonce.clone());
    let verified = match verify(&client.id_token_verifier(), &id_token, &nonce) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            // A key we have not seen: the provider may have rotated its keys since we cached
            // them. Fetch them once more and check again.
            let keys = refreshed_keys(p, &m).await?;
            let client = CoreClient::from_provider_metadata(
                m.set_jwks(keys),
                ClientId::new(p.client_id.clone()),
                Some(ClientSecret::new(p.client_secret.clone())),
            );
            let checked = verify(&client.id_token_verifier(), &id_token, &nonce);
            checked
        }
        other => other,
    };
    let who = verified.map_err(|e| refusal(p, e))?;
    Ok((who, id_token.to_string()))
}

fn verify(
    verifier: &openidconnect::core::CoreIdTokenVerifier<'_>,
    token: &CoreIdToken,
    nonce: &Nonce,
) -> std::result::Result<Identity, ClaimsVerificationError> {
    let c = token.claims(verifier, nonce)?;
    Ok(Identity {
        subject: c.subject().to_string(),
        email: c.email().map(|e| e.to_string()),
        email_verified: c.email_verified() == Some(true),
        name: c
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string())
            .filter(|n| !n.trim().is_empty()),
    })
}

/// What the sign-in page says when the ID token fails a check; the log keeps the detail.
fn refusal(p: &Provider, e: ClaimsVerificationError) -> Error {
    tracing::warn!(provider = %p.slug, "ID token refused: {e}");
    let why = match e {
        ClaimsVerificationError::Expired(_) => "the ID token has expired",
        ClaimsVerificationError::InvalidAudience(_) => {
            "the ID token was issued to another application, not to Throughline"
        }
        ClaimsVerificationError::InvalidIssuer(_) => "the ID token comes from another issuer",
        ClaimsVerificationError::InvalidNonce(_) => "the ID token belongs to another sign-in",
        ClaimsVerificationError::SignatureVerification(_) => {
            "the ID token's signature does not check out against the provider's keys"
        }
        _ => "the ID token did not pass its checks",
    };
    Error::forbidden(format!(
        "{} answered, but {why}; nobody was signed in. Try again, or tell your administrator",
        p.name
    ))
}

/// The provider's sign-out address for this session, if the provider publishes one.
pub async fn end_session_url(p: &Provider, id_token: &str, after: &str) -> Result<Option<String>> {
    let m = metadata(p).await?;
    let Some(endpoint) = m.additional_metadata().end_session_endpoint.clone() else {
        return Ok(None);
    };
    let mut req = LogoutRequest::from(endpoint).set_client_id(ClientId::new(p.client_id.clone()));
    if let Ok(token) = id_token.parse::<CoreIdToken>() {
        req = req.set_id_token_hint(&token);
    }
    if let Ok(url) = PostLogoutRedirectUrl::new(after.to_string()) {
        req = req.set_post_logout_redirect_uri(url);
    }
    Ok(Some(req.http_get_url().to_string()))
}
