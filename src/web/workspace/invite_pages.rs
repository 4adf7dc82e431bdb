//! The admins' invitation forms on the members page: invite a placeholder or someone by
//! e-mail (the page then shows the link to copy, once), and revoke an open invitation.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::post;
use axum::Router;

use super::pages::members_page;
use crate::auth::extract::PageUser;
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::invite::{roles_from_pairs, service, InvitationInput};
use crate::page::FormData;
use crate::state::AppState;
use crate::workspace::store::workspace_for;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/invitations", post(create))
        // Adding a member is inviting them: the members page's form, kept at its address.
        .route("/w/{ws}/members", post(create))
        .route("/w/{ws}/invitations/{id}/revoke", post(revoke))
}

/// `https://host` of this request, so the page shows a link that can be pasted anywhere.
fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

async fn create(
    State(state): State<AppState>,
    user: PageUser,
    Path(ws): Path<String>,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let (w, admin) = workspace_for(&state.db, user.user.id, &ws).await?;
    let input = InvitationInput {
        email: form.get("email").map(str::to_string),
        placeholder_user_id: match form.get("placeholder_user_id").map(str::trim) {
            Some(id) if !id.is_empty() => Some(id.parse().map_err(|_| {
                Error::invalid(
                    "placeholder_user_id",
                    "no placeholder of this workspace has that id",
                )
            })?),
            _ => None,
        },
        roles: roles_from_pairs(&form.all("role"), None),
        admin: form.flag("admin"),
        send_email: form.flag("send_email"),
    };
    match service::create_and_send(
        &state.db,
        state.mail.as_ref(),
        &user.user,
        &w,
        admin,
        &input,
    )
    .await
    {
        Ok(created) => {
            let link = format!("{}{}", origin(&state, &headers), created.link);
            let who = created
                .invitation
                .email
                .clone()
                .or(created.invitation.name.clone())
                .unwrap_or_default();
            members_page(&state, &user, &ws, None, Some((who, link, created.emailed))).await
        }
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_))) => {
            let mut resp = members_page(&state, &user, &ws, Some(e.public_message()), None).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

async fn revoke(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let (w, admin) = workspace_for(&state.db, user.user.id, &ws).await?;
    let outcome = service::revoke(&state.db, &user.user, &w, admin, crate::extract::id(&id)?).await;
    crate::page::back(&format!("/w/{ws}/members#invitations"), outcome)
}
