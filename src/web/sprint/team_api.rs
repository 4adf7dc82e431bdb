//! JSON handlers for teams under `/api/v1/workspaces/{ws}/products/{product}/teams`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use crate::auth::extract::ApiJson;
use crate::error::ApiError;
use crate::extract::Path;
use crate::sprint::input::{MemberInput, NewTeam, TeamPatchInput};
use crate::sprint::team::{self, Team, TeamPatch, WipLimits};
use crate::state::AppState;
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(attach))
        .routes(routes!(show, update))
        .routes(routes!(set_member))
        .routes(routes!(remove_member))
}

type P3 = Path<(String, String, i64)>;

/// List the teams working on a product
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/teams", operation_id = "listTeams", tag = "teams",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = Vec<Team>)))]
pub async fn list(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<Team>>, ApiError> {
    Ok(Json(team::list(&st.db, &ctx).await?))
}

/// Create a team working on a product
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/teams", operation_id = "createTeam", tag = "teams",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = NewTeam,
    responses((status = 201, body = Team), (status = 403), (status = 422)))]
pub async fn create(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(i): ApiJson<NewTeam>,
) -> Result<Etagged<Team>, ApiError> {
    Ok(Etagged(
        StatusCode::CREATED,
        team::create(&st.db, &u, &ctx, &i.name).await?,
    ))
}

/// Let an existing team work on this product too
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/teams/attach", operation_id = "attachTeam", tag = "teams",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = NewTeam,
    responses((status = 200, body = Team, description = "an existing team of the workspace now also works on this product"), (status = 422)))]
pub async fn attach(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(i): ApiJson<NewTeam>,
) -> Result<Etagged<Team>, ApiError> {
    Ok(Etagged(
        StatusCode::OK,
        team::attach(&st.db, &u, &ctx, &i.name).await?,
    ))
}

/// Show a team with its members
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/teams/{id}", operation_id = "getTeam", tag = "teams",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Team), (status = 404)))]
pub async fn show(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, id)): P3,
) -> Result<Etagged<Team>, ApiError> {
    Ok(Etagged(StatusCode::OK, team::get(&st.db, &ctx, id).await?))
}

/// Change a team
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/teams/{id}", operation_id = "updateTeam", tag = "teams",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = TeamPatchInput, responses((status = 200, body = Team), (status = 412), (status = 422)))]
pub async fn update(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    IfMatch(version): IfMatch,
    ApiJson(i): ApiJson<TeamPatchInput>,
) -> Result<Etagged<Team>, ApiError> {
    let wip = (i.wip_todo.is_some() || i.wip_in_progress.is_some() || i.wip_in_review.is_some())
        .then_some(WipLimits {
            todo: i.wip_todo,
            in_progress: i.wip_in_progress,
            in_review: i.wip_in_review,
        });
    let patch = TeamPatch {
        name: i.name,
        velocity_window: i.velocity_window,
        wip,
    };
    Ok(Etagged(
        StatusCode::OK,
        team::update(&st.db, &u, &ctx, id, version, patch).await?,
    ))
}

/// Add a team member or change their capacity
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/teams/{id}/members", operation_id = "setTeamMember", tag = "teams",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = MemberInput,
    responses((status = 200, body = Team), (status = 422)))]
pub async fn set_member(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    ApiJson(i): ApiJson<MemberInput>,
) -> Result<Etagged<Team>, ApiError> {
    Ok(Etagged(
        StatusCode::OK,
        team::set_member(
            &st.db,
            &u,
            &ctx,
            id,
            &i.email,
            i.points_per_day,
            i.focus_pct,
        )
        .await?,
    ))
}

/// Remove a member from a team
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/teams/{id}/members/{user}", operation_id = "removeTeamMember", tag = "teams",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("user" = i64, Path)),
    responses((status = 200, body = Team), (status = 422)))]
pub async fn remove_member(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id, user)): Path<(String, String, i64, i64)>,
) -> Result<Etagged<Team>, ApiError> {
    Ok(Etagged(
        StatusCode::OK,
        team::remove_member(&st.db, &u, &ctx, id, user).await?,
    ))
}
