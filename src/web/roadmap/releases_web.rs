//! JSON handlers and the page for releases, launches and launch checklists.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::{if_match, ApiJson, ApiUser, PageUser};
use crate::auth::Action;
use crate::error::{ApiError, Error, Result};
use crate::extract::Path;
use crate::extract::{id, tagged};
use crate::page::{render, Layout};
use crate::roadmap::releases::{self, LaunchInput, Release, ReleaseInput, TaskInput, FUNCTIONS};
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::{Product, ProductCtx};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const BASE: &str = "/api/v1/workspaces/{ws}/products/{product}";

pub fn routes() -> OpenApiRouter<AppState> {
    let _r = |p: &str| format!("{BASE}{p}");
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
        .routes(routes!(add_launch))
        .routes(routes!(add_task))
        .routes(routes!(set_done))
        .route("/w/{ws}/p/{product}/releases", get(page).post(page_create))
        .route(
            "/w/{ws}/p/{product}/releases/{id}/launches",
            post(page_launch),
        )
        .route("/w/{ws}/p/{product}/launches/{id}/tasks", post(page_task))
        .route("/w/{ws}/p/{product}/launch-tasks/{id}", post(page_done))
}

/// List a product's releases with their launches
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/releases", operation_id = "listReleases", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = [Release])))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, product)): Path<(String, String)>,
) -> Result<Json<Vec<Release>>, ApiError> {
    let ctx = crate::workspace::store::product_ctx(&s.db, u.id, &ws, &product).await?;
    Ok(Json(releases::list(&s.db, &ctx).await?))
}

/// Create a release
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/releases", operation_id = "createRelease", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = ReleaseInput,
    responses((status = 201, body = Release), (status = 403), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, product)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReleaseInput>,
) -> Result<Response, ApiError> {
    let ctx = crate::workspace::store::product_ctx(&s.db, u.id, &ws, &product).await?;
    let r = releases::save(&s.db, &u, &ctx, None, input).await?;
    Ok(tagged(StatusCode::CREATED, r.version, r))
}

/// Change a release
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/releases/{id}", operation_id = "updateRelease", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = ReleaseInput, responses((status = 200, body = Release), (status = 412), (status = 422)))]
pub async fn update(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, product, rid)): Path<(String, String, String)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ReleaseInput>,
) -> Result<Response, ApiError> {
    let ctx = crate::workspace::store::product_ctx(&s.db, u.id, &ws, &product).await?;
    let r = releases::save(
        &s.db,
        &u,
        &ctx,
        Some((id(&rid)?, if_match(&headers)?)),
        input,
    )
    .await?;
    Ok(tagged(StatusCode::OK, r.version, r))
}

/// Add a launch to a release
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/releases/{id}/launches", operation_id = "addLaunch", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = LaunchInput,
    responses((status = 201, body = Release), (status = 422)))]
pub async fn add_launch(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, product, rid)): Path<(String, String, String)>,
    ApiJson(l): ApiJson<LaunchInput>,
) -> Result<(StatusCode, Json<Release>), ApiError> {
    let ctx = crate::workspace::store::product_ctx(&s.db, u.id, &ws, &product).await?;
    Ok((
        StatusCode::CREATED,
        Json(releases::add_launch(&s.db, &u, &ctx, id(&rid)?, &l).await?),
    ))
}

/// Add a checklist task to a launch
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/launches/{id}/tasks", operation_id = "addLaunchTask", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = TaskInput,
    responses((status = 201, body = Release), (status = 422)))]
pub async fn add_task(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, product, lid)): Path<(String, String, String)>,
    ApiJson(t): ApiJson<TaskInput>,
) -> Result<(StatusCode, Json<Release>), ApiError> {
    let ctx = crate::workspace::store::product_ctx(&s.db, u.id, &ws, &product).await?;
    Ok((
        StatusCode::CREATED,
        Json(releases::add_task(&s.db, &u, &ctx, id(&lid)?, &t).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneInput {
    pub done: bool,
}

/// Mark a launch task done or not done
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/launch-tasks/{id}", operation_id = "setLaunchTaskDone", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = DoneInput,
    responses((status = 200, body = Release), (status = 404)))]
pub async fn set_done(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, product, tid)): Path<(String, String, String)>,
    ApiJson(d): ApiJson<DoneInput>,
) -> Result<Json<Release>, ApiError> {
    let ctx = crate::workspace::store::product_ctx(&s.db, u.id, &ws, &product).await?;
    Ok(Json(
        releases::set_task_done(&s.db, &u, &ctx, id(&tid)?, d.done).await?,
    ))
}

#[derive(askama::Template)]
#[template(path = "roadmap/releases.html")]
struct ReleasesPage {
    layout: Layout,
    ws: String,
    product: Product,
    /// Each release with the 85 % forecast of its open work (planned ones only).
    releases: Vec<(Release, Option<crate::flow::outlook::Outlook>)>,
    functions: [&'static str; 5],
    pm: bool,
    error: Option<String>,
}

async fn render_page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    error: Option<String>,
) -> Result<Response> {
    Ok(render(&ReleasesPage {
        layout: crate::workspace::layout::product_layout(
            user,
            &ctx,
            crate::page::Section::Releases,
        ),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        releases: with_outlooks(&s.db, &ctx, releases::list(&s.db, &ctx).await?).await?,
        product: ctx.product,
        functions: FUNCTIONS,
        error,
    }))
}

/// Beside each planned release's target date: when its open work is done with 85 % likelihood.
pub(super) async fn with_outlooks(
    db: &crate::db::Db,
    ctx: &ProductCtx,
    all: Vec<Release>,
) -> Result<Vec<(Release, Option<crate::flow::outlook::Outlook>)>> {
    use crate::flow::outlook::{outlooks, Of};
    let planned: Vec<(Of, Option<chrono::NaiveDate>)> = all
        .iter()
        .filter(|r| r.status == "planned")
        .map(|r| {
            (
                Of::Release(r.id),
                chrono::NaiveDate::parse_from_str(&r.target_date, "%Y-%m-%d").ok(),
            )
        })
        .collect();
    let mut found = outlooks(db, ctx, &planned).await?.into_iter();
    Ok(all
        .into_iter()
        .map(|r| {
            let o = if r.status == "planned" {
                found.next()
            } else {
                None
            };
            (r, o)
        })
        .collect())
}

async fn page(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
) -> Result<Response> {
    render_page(&s, &user, ctx, None).await
}

async fn finish(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    r: Result<Release>,
) -> Result<Response> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/releases",
            ctx.workspace.slug, ctx.product.key
        ))
        .into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_))) => {
            let mut r = render_page(s, user, ctx, Some(e.to_string())).await?;
            *r.status_mut() = e.status();
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn page_create(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let items = crate::page::split_labels(&form.text("items"));
    let input = ReleaseInput {
        name: form.get("name").map(str::to_string),
        target_date: form.get("target_date").map(str::to_string),
        status: None,
        items: Some(items),
        initiatives: None,
    };
    let r = releases::save(&s.db, &user.user, &ctx, None, input).await;
    finish(&s, &user, ctx, r).await
}

async fn page_launch(
    State(s): State<AppState>,
    Path((_, _, rid)): Path<(String, String, String)>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = releases::add_launch(
        &s.db,
        &user.user,
        &ctx,
        id(&rid)?,
        &LaunchInput {
            name: form.text("name"),
            target_date: form.text("target_date"),
        },
    )
    .await;
    finish(&s, &user, ctx, r).await
}

async fn page_task(
    State(s): State<AppState>,
    Path((_, _, lid)): Path<(String, String, String)>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let t = TaskInput {
        function: form.text("function"),
        title: form.text("title"),
        owner: form.text("owner"),
        due_on: form.text("due_on"),
    };
    let r = releases::add_task(&s.db, &user.user, &ctx, id(&lid)?, &t).await;
    finish(&s, &user, ctx, r).await
}

async fn page_done(
    State(s): State<AppState>,
    Path((_, _, tid)): Path<(String, String, String)>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = releases::set_task_done(&s.db, &user.user, &ctx, id(&tid)?, form.flag("done")).await;
    finish(&s, &user, ctx, r).await
}
