//! JSON handlers for workspaces, members, products and roles.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::{ApiJson, ApiUser};
use crate::error::ApiError;
use crate::extract::Path;
use crate::invite::{self, InvitationInput, NewInvitation};
use crate::state::AppState;
use crate::workspace::extract::InProduct;
use crate::workspace::extract::InWorkspace;
use crate::workspace::{parse_roles, store, Member, Product, Workspace};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(members, add_member))
        .routes(routes!(member))
        .routes(routes!(products, create_product))
        .routes(routes!(set_roles))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkspace {
    /// 2 to 40 letters, digits or dashes, not starting with a dash; kept in lower case.
    #[schema(pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9-]{1,39}\s*$")]
    pub slug: String,
    pub name: String,
}

/// List the caller's workspaces
#[utoipa::path(get, path = "/api/v1/workspaces", operation_id = "listWorkspaces", tag = "workspaces", responses((status = 200, body = Vec<Workspace>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<Workspace>>, ApiError> {
    Ok(Json(store::workspaces_of(&state.db, user.id).await?))
}

/// Create a workspace
#[utoipa::path(post, path = "/api/v1/workspaces", operation_id = "createWorkspace", tag = "workspaces", request_body = NewWorkspace,
    responses((status = 201, body = Workspace), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(w): ApiJson<NewWorkspace>,
) -> Result<(StatusCode, Json<Workspace>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(store::create_workspace(&state.db, &user, &w.slug, &w.name).await?),
    ))
}

/// List a workspace's members
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/members", operation_id = "listMembers", tag = "workspaces",
    params(("ws" = String, Path)), responses((status = 200, body = Vec<Member>), (status = 404)))]
pub async fn members(
    State(state): State<AppState>,
    InWorkspace { workspace: w, .. }: InWorkspace,
) -> Result<Json<Vec<Member>>, ApiError> {
    Ok(Json(store::members(&state.db, w.id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub email: String,
    #[serde(default)]
    pub admin: bool,
    /// Also e-mail the invitation's link to them (the server must send e-mail).
    #[serde(default)]
    pub send_email: bool,
}

/// Invite someone to a workspace by e-mail
///
/// Adding a member is an invitation they accept: someone with an account signs in and accepts
/// (`POST /api/v1/invitations/accept`, or the link's page), someone new sets a password on the
/// link's page. The answer (202 with the invitation and its one-time `link`) is the same
/// whether or not the address has an account.
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/members", operation_id = "addMember", tag = "workspaces", params(("ws" = String, Path)),
    request_body = NewMember, responses((status = 202, body = NewInvitation), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn add_member(
    State(state): State<AppState>,
    InWorkspace {
        user,
        workspace: w,
        admin,
    }: InWorkspace,
    ApiJson(m): ApiJson<NewMember>,
) -> Result<(StatusCode, Json<NewInvitation>), ApiError> {
    let input = InvitationInput {
        email: Some(m.email),
        admin: m.admin,
        send_email: m.send_email,
        ..InvitationInput::default()
    };
    let created =
        invite::service::create_and_send(&state.db, state.mail.as_ref(), &user, &w, admin, &input)
            .await?;
    Ok((StatusCode::ACCEPTED, Json(created)))
}

/// Show one member of a workspace with their roles
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/members/{member}", operation_id = "getMember", tag = "workspaces",
    params(("ws" = String, Path), ("member" = String, Path, description = "the member's e-mail or numeric id")),
    responses((status = 200, body = Member), (status = 404)))]
pub async fn member(
    State(state): State<AppState>,
    InWorkspace { workspace: w, .. }: InWorkspace,
    Path((_ws, member)): Path<(String, String)>,
) -> Result<Json<Member>, ApiError> {
    let id = store::member_id(&state.db, &member).await?;
    Ok(Json(store::member(&state.db, w.id, id).await?))
}

/// List a workspace's products
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products", operation_id = "listProducts", tag = "workspaces",
    params(("ws" = String, Path)), responses((status = 200, body = Vec<Product>)))]
pub async fn products(
    State(state): State<AppState>,
    InWorkspace { workspace: w, .. }: InWorkspace,
) -> Result<Json<Vec<Product>>, ApiError> {
    Ok(Json(store::products(&state.db, w.id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Create a product; its creator becomes its PM and PO
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products", operation_id = "createProduct", tag = "workspaces", params(("ws" = String, Path)),
    request_body = NewProduct, responses((status = 201, body = Product), (status = 403), (status = 422)))]
pub async fn create_product(
    State(state): State<AppState>,
    InWorkspace {
        user,
        workspace: w,
        admin,
    }: InWorkspace,
    ApiJson(p): ApiJson<NewProduct>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let product =
        store::create_product(&state.db, &user, &w, admin, &p.key, &p.name, &p.description).await?;
    Ok((StatusCode::CREATED, Json(product)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesInput {
    /// Any of pm, po, sm, dev, stakeholder; empty removes every role.
    pub roles: Vec<String>,
}

/// Set a member's roles on a product
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/roles/{member}", operation_id = "setRoles", tag = "workspaces",
    params(("ws" = String, Path), ("product" = String, Path), ("member" = String, Path, description = "the member's e-mail or numeric id")),
    request_body = RolesInput, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_roles(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, _product, member)): Path<(String, String, String)>,
    ApiJson(r): ApiJson<RolesInput>,
) -> Result<StatusCode, ApiError> {
    let user_id = store::member_id(&state.db, &member).await?;
    store::set_roles(&state.db, &user, &ctx, user_id, &parse_roles(&r.roles)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
