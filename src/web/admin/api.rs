//! JSON handlers of the admin area, so an installation can be scripted: the instance's
//! settings and admins and its workspaces (instance admins), a workspace's member tokens
//! (workspace admins), and the getting-started checklist (members).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::store::{self, MemberToken, WorkspaceSummary};
use crate::auth::extract::{ApiJson, ApiUser};
use crate::auth::store::User;
use crate::error::{ApiError, Error, Result};
use crate::extract::Path;
use crate::instance::{store as instance, Settings, SettingsInput};
use crate::state::AppState;
use crate::workspace::checklist::{self, Step};
use crate::workspace::extract::InWorkspace;
use crate::workspace::extract::{Etagged, IfMatch};
use crate::workspace::store::workspace_for;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, update_settings))
        .routes(routes!(list_admins, grant_admin))
        .routes(routes!(revoke_admin))
        .routes(routes!(list_workspaces))
        .routes(routes!(list_tokens))
        .routes(routes!(revoke_token))
        .routes(routes!(get_checklist))
}

async fn instance_admin(state: &AppState, user: &User) -> Result<()> {
    if crate::auth::store::is_instance_admin(&state.db, user.id).await? {
        Ok(())
    } else {
        Err(Error::forbidden("only the instance's admins may do this"))
    }
}

/// The instance's settings (instance admins)
#[utoipa::path(get, path = "/api/v1/instance/settings", operation_id = "getInstanceSettings", tag = "admin",
    responses((status = 200, body = Settings), (status = 403)))]
pub async fn get_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Etagged<Settings>, ApiError> {
    instance_admin(&state, &user).await?;
    Ok(Etagged(
        StatusCode::OK,
        instance::settings(&state.db).await?,
    ))
}

/// Change the instance's settings: who may create workspaces, sign-up, allowed e-mail domains
#[utoipa::path(patch, path = "/api/v1/instance/settings", operation_id = "updateInstanceSettings", tag = "admin",
    params(("If-Match" = String, Header)), request_body = SettingsInput,
    responses((status = 200, body = Settings), (status = 403), (status = 412), (status = 422), (status = 428)))]
pub async fn update_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<SettingsInput>,
) -> Result<Etagged<Settings>, ApiError> {
    instance_admin(&state, &user).await?;
    let s = instance::update(&state.db, Some(&user), version, &input).await?;
    Ok(Etagged(StatusCode::OK, s))
}

/// The instance's admins
#[utoipa::path(get, path = "/api/v1/instance/admins", operation_id = "listInstanceAdmins", tag = "admin",
    responses((status = 200, body = Vec<User>), (status = 403)))]
pub async fn list_admins(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<User>>, ApiError> {
    instance_admin(&state, &user).await?;
    Ok(Json(instance::admins(&state.db).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminInput {
    /// The e-mail of an existing account (another is refused with 422 naming `email`).
    #[schema(pattern = r"^\s*[^@\s]+@[^@\s]+\s*$")]
    pub email: String,
}

/// Make an account an admin of the instance
#[utoipa::path(post, path = "/api/v1/instance/admins", operation_id = "grantInstanceAdmin", tag = "admin",
    request_body = AdminInput, responses((status = 201, body = User), (status = 403), (status = 422)))]
pub async fn grant_admin(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(input): ApiJson<AdminInput>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    instance_admin(&state, &user).await?;
    let u = instance::set_admin(&state.db, Some(&user), &input.email, true).await?;
    Ok((StatusCode::CREATED, Json(u)))
}

/// Take an account's instance admin rights away (never the last admin's)
#[utoipa::path(delete, path = "/api/v1/instance/admins/{email}", operation_id = "revokeInstanceAdmin", tag = "admin",
    params(("email" = String, Path)), responses((status = 204), (status = 403), (status = 404), (status = 409)))]
pub async fn revoke_admin(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    instance_admin(&state, &user).await?;
    // Here the e-mail is the address itself: one that names no account is not found (the
    // grant, which takes it in a body, answers 422 naming the field).
    match instance::set_admin(&state.db, Some(&user), &email, false).await {
        Err(crate::error::Error::Invalid { field, .. }) if field == "email" => {
            Err(crate::error::Error::NotFound.into())
        }
        other => other.map(|_| StatusCode::NO_CONTENT).map_err(Into::into),
    }
}

/// Every workspace of the instance, with its size (instance admins)
#[utoipa::path(get, path = "/api/v1/instance/workspaces", operation_id = "listInstanceWorkspaces", tag = "admin",
    responses((status = 200, body = Vec<WorkspaceSummary>), (status = 403)))]
pub async fn list_workspaces(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<WorkspaceSummary>>, ApiError> {
    instance_admin(&state, &user).await?;
    Ok(Json(store::workspaces(&state.db).await?))
}

async fn workspace_admin(
    state: &AppState,
    user: &User,
    ws: &str,
) -> Result<crate::workspace::Workspace> {
    let (w, admin) = workspace_for(&state.db, user.id, ws).await?;
    if !admin {
        return Err(Error::forbidden(
            "only workspace admins may see its members' tokens",
        ));
    }
    Ok(w)
}

/// The API tokens the workspace's members hold (workspace admins; never the secrets)
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/tokens", operation_id = "listWorkspaceTokens", tag = "admin",
    params(("ws" = String, Path)), responses((status = 200, body = Vec<MemberToken>), (status = 403), (status = 404)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<Vec<MemberToken>>, ApiError> {
    let w = workspace_admin(&state, &user, &ws).await?;
    Ok(Json(store::tokens(&state.db, w.id).await?))
}

/// Revoke a member's API token; it stops working in every workspace
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/tokens/{id}", operation_id = "revokeWorkspaceToken", tag = "admin",
    params(("ws" = String, Path), ("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let w = workspace_admin(&state, &user, &ws).await?;
    store::revoke_token(&state.db, &user, &w, crate::extract::id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The getting-started checklist of a workspace, each step ticked by the data
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/checklist", operation_id = "getChecklist", tag = "admin",
    params(("ws" = String, Path)), responses((status = 200, body = Vec<Step>), (status = 404)))]
pub async fn get_checklist(
    State(state): State<AppState>,
    InWorkspace { workspace: w, .. }: InWorkspace,
) -> Result<Json<Vec<Step>>, ApiError> {
    Ok(Json(checklist::steps(
        &checklist::facts(&state.db, w.id, &w.slug).await?,
    )))
}
