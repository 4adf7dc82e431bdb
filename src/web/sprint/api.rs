//! JSON handlers for sprints under `/api/v1/workspaces/{ws}/products/{product}/sprints`.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::{optional_if_match, ApiJson, ApiQuery};
use crate::error::ApiError;
use crate::extract::Path;
use crate::ids::SprintId;
use crate::sprint::board::{self, Board, Burndown, Moved};
use crate::sprint::input::*;
use crate::sprint::review::{self, Review};
use crate::sprint::scope::{self, Committed, Effect, ScopeChange};
use crate::sprint::service::{self, Planning, Schedule, SprintPatch};
use crate::sprint::Sprint;
use crate::state::AppState;
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(planning))
        .routes(routes!(availability))
        .routes(routes!(commit))
        .routes(routes!(uncommit))
        .routes(routes!(start))
        .routes(routes!(change_scope))
        .routes(routes!(show_board))
        .routes(routes!(move_card))
        .routes(routes!(burndown))
        .routes(routes!(burndown_svg))
        .routes(routes!(show_review))
        .routes(routes!(goal))
        .routes(routes!(verdicts))
        .routes(routes!(close))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only this team's sprints.
    pub team: Option<i64>,
}

type P3 = Path<(String, String, SprintId)>;

/// List a product's sprints
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/sprints", operation_id = "listSprints", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ListParams),
    responses((status = 200, body = Vec<Sprint>)))]
pub async fn list(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<Sprint>>, ApiError> {
    Ok(Json(service::list(&st.db, &ctx, q.team).await?))
}

/// Create a sprint for a team
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints", operation_id = "createSprint", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = NewSprint,
    responses((status = 201, body = Sprint), (status = 409, description = "overlaps another sprint of the team"), (status = 422)))]
pub async fn create(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(i): ApiJson<NewSprint>,
) -> Result<Etagged<Sprint>, ApiError> {
    let s = Schedule {
        team_id: i.team_id,
        name: i.name,
        goal: i.goal,
        start: i.start_date,
        end: i.end_date,
    };
    Ok(Etagged(
        StatusCode::CREATED,
        service::create(&st.db, &u, &ctx, s).await?,
    ))
}

/// Show a sprint
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}", operation_id = "getSprint", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Sprint, headers(("ETag" = String))), (status = 404)))]
pub async fn show(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, id)): P3,
) -> Result<Etagged<Sprint>, ApiError> {
    Ok(Etagged(
        StatusCode::OK,
        service::get(&st.db, &ctx, id).await?,
    ))
}

/// Change a sprint's name, goal or dates
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}", operation_id = "updateSprint", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = SprintPatchInput, responses((status = 200, body = Sprint), (status = 409), (status = 412), (status = 428)))]
pub async fn update(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    IfMatch(version): IfMatch,
    ApiJson(i): ApiJson<SprintPatchInput>,
) -> Result<Etagged<Sprint>, ApiError> {
    let patch = SprintPatch {
        name: i.name,
        goal: i.goal,
        start: i.start_date,
        end: i.end_date,
    };
    Ok(Etagged(
        StatusCode::OK,
        service::update(&st.db, &u, &ctx, id, version, patch).await?,
    ))
}

/// Show sprint planning: capacity, velocity and forecast
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/planning", operation_id = "getSprintPlanning", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Planning, description = "capacity and how it was computed, velocity, committed scope, what is not ready, the forecast")))]
pub async fn planning(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, id)): P3,
) -> Result<Json<Planning>, ApiError> {
    Ok(Json(service::planning(&st.db, &ctx, id).await?))
}

/// Set a member's focus and days off for a sprint
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/availability/{user}", operation_id = "setAvailability", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("user" = i64, Path)),
    request_body = AvailabilityInput, responses((status = 204), (status = 422)))]
pub async fn availability(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id, user)): Path<(String, String, SprintId, i64)>,
    ApiJson(i): ApiJson<AvailabilityInput>,
) -> Result<StatusCode, ApiError> {
    service::set_availability(&st.db, &u, &ctx, id, user, i.focus_pct, &i.days_off).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Commit backlog items to a sprint
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/commit", operation_id = "commitItems", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "optional: the sprint's ETag; a stale one gets 412")), request_body = CommitInput,
    responses((status = 200, body = Committed), (status = 412, description = "the sprint changed since it was read"), (status = 409, description = "the sprint has started or closed"), (status = 422, description = "an item is not ready and no exception was given")))]
pub async fn commit(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    h: HeaderMap,
    ApiJson(i): ApiJson<CommitInput>,
) -> Result<Json<Committed>, ApiError> {
    let c = scope::Commit {
        keys: &i.items,
        for_goal: i.for_goal,
        exception: i.exception.as_deref(),
    };
    let expected = optional_if_match(&h)?;
    Ok(Json(
        crate::governance::scope::commit(&st.db, &u, &ctx, id, expected, c).await?,
    ))
}

/// Take items out of a sprint before it starts
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/uncommit", operation_id = "uncommitItems", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "optional: the sprint's ETag; a stale one gets 412")), request_body = UncommitInput,
    responses((status = 200, body = Committed), (status = 409), (status = 412, description = "the sprint changed since it was read")))]
pub async fn uncommit(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    h: HeaderMap,
    ApiJson(i): ApiJson<UncommitInput>,
) -> Result<Json<Committed>, ApiError> {
    let expected = optional_if_match(&h)?;
    Ok(Json(
        scope::uncommit(&st.db, &u, &ctx, id, expected, &i.items).await?,
    ))
}

/// Start a sprint and freeze its baseline
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/start", operation_id = "startSprint", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Sprint), (status = 409), (status = 412)))]
pub async fn start(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    IfMatch(version): IfMatch,
) -> Result<Etagged<Sprint>, ApiError> {
    Ok(Etagged(
        StatusCode::OK,
        service::start(&st.db, &u, &ctx, id, version).await?,
    ))
}

/// Add, remove or swap items in a running sprint
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/scope", operation_id = "changeSprintScope", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header, description = "the sprint's ETag: a swap racing another change gets 412")),
    request_body = ScopeInput,
    responses((status = 200, body = Effect), (status = 409), (status = 412), (status = 422)))]
pub async fn change_scope(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    IfMatch(version): IfMatch,
    ApiJson(i): ApiJson<ScopeInput>,
) -> Result<Json<Effect>, ApiError> {
    let c = ScopeChange {
        add: i.add,
        remove: i.remove,
        reason: i.reason,
        for_goal: i.for_goal,
        exception: i.exception,
        override_reason: i.override_reason,
    };
    Ok(Json(
        crate::governance::scope::change_scope(&st.db, &u, &ctx, id, version, &c, !i.preview)
            .await?,
    ))
}

/// Show a sprint's board
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/board", operation_id = "getBoard", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Board)))]
pub async fn show_board(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, id)): P3,
) -> Result<Json<Board>, ApiError> {
    Ok(Json(board::board(&st.db, &ctx, id).await?))
}

/// Move a card on a sprint's board
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/board/move", operation_id = "moveCard", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = CardMove,
    responses((status = 200, body = Moved, description = "with warnings for columns over their WIP limit"), (status = 409), (status = 422)))]
pub async fn move_card(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    ApiJson(i): ApiJson<CardMove>,
) -> Result<Json<Moved>, ApiError> {
    Ok(Json(
        board::move_card(&st.db, &u, &ctx, id, &i.item, &i.status).await?,
    ))
}

/// Show a sprint's burndown as JSON
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/burndown", operation_id = "getBurndown", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Burndown)))]
pub async fn burndown(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, id)): P3,
) -> Result<Json<Burndown>, ApiError> {
    Ok(Json(board::burndown(&st.db, &ctx, id).await?))
}

/// Draw a sprint's burndown as an SVG chart
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/burndown.svg", operation_id = "getBurndownSvg", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, content_type = "image/svg+xml")))]
pub async fn burndown_svg(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, id)): P3,
) -> Result<Response, ApiError> {
    let b = board::burndown(&st.db, &ctx, id).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml")],
        board::burndown_svg(&b, crate::chart::Canvas::WIDE),
    )
        .into_response())
}

/// Show a sprint's review
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/review", operation_id = "getReview", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Review)))]
pub async fn show_review(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, id)): P3,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(review::review(&st.db, &ctx, id).await?))
}

/// Record verdicts on an item's acceptance criteria
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/review/items/{key}", operation_id = "setVerdicts", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("key" = String, Path)),
    request_body = ReviewInput, responses((status = 200, body = Review), (status = 409, description = "the sprint is not running"), (status = 422)))]
pub async fn verdicts(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id, key)): Path<(String, String, SprintId, String)>,
    ApiJson(i): ApiJson<ReviewInput>,
) -> Result<Json<Review>, ApiError> {
    review::record_verdicts(
        &st.db,
        &u,
        &ctx,
        id,
        &key,
        review::Call {
            verdicts: &i.verdicts,
            carry: i.carry.as_deref(),
            accept_reason: i.accept_reason.as_deref(),
        },
    )
    .await?;
    Ok(Json(review::review(&st.db, &ctx, id).await?))
}

/// Record whether the sprint goal was met
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/review/goal", operation_id = "setGoalMet", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = GoalInput,
    responses((status = 200, body = Sprint), (status = 409)))]
pub async fn goal(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    ApiJson(i): ApiJson<GoalInput>,
) -> Result<Etagged<Sprint>, ApiError> {
    review::record_goal(&st.db, &u, &ctx, id, i.goal_met).await?;
    Ok(Etagged(
        StatusCode::OK,
        service::get(&st.db, &ctx, id).await?,
    ))
}

/// Close a sprint and send unaccepted items on
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/close", operation_id = "closeSprint", tag = "sprints",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Sprint, description = "figures frozen"), (status = 409), (status = 412)))]
pub async fn close(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    IfMatch(version): IfMatch,
) -> Result<Etagged<Sprint>, ApiError> {
    Ok(Etagged(
        StatusCode::OK,
        review::close(&st.db, &u, &ctx, id, version).await?,
    ))
}
