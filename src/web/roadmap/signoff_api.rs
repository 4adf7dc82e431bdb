//! JSON handlers for stakeholders and sign-off requests, and the page that lists them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Json;

use crate::auth::extract::{ApiJson, PageUser};
use crate::auth::Action;
use crate::error::{ApiError, Error, Result};
use crate::extract::id;
use crate::extract::Path;
use crate::page::{render, FormData, Layout};
use crate::roadmap::signoff::{
    self, AnswerInput, Request, RequestInput, Stakeholder, StakeholderInput, GROUPS,
};
use crate::state::AppState;
use crate::workspace::extract::InProduct;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::{store as ws_store, Member, Product, ProductCtx};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const BASE: &str = "/api/v1/workspaces/{ws}/products/{product}";

pub fn routes() -> OpenApiRouter<AppState> {
    let _r = |p: &str| format!("{BASE}{p}");
    OpenApiRouter::new()
        .routes(routes!(list_stakeholders, set_stakeholder))
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(answer))
        .route("/w/{ws}/p/{product}/signoffs", get(page).post(page_request))
        .route(
            "/w/{ws}/p/{product}/signoffs/stakeholders",
            post(page_stakeholder),
        )
        .route(
            "/w/{ws}/p/{product}/signoffs/{id}/answer",
            post(page_answer),
        )
}

/// List a product's sign-off stakeholders by group
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/stakeholders", operation_id = "listStakeholders", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = [Stakeholder])))]
pub async fn list_stakeholders(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<Stakeholder>>, ApiError> {
    Ok(Json(signoff::stakeholders(&s.db, &ctx).await?))
}

/// Add or change a sign-off stakeholder
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/stakeholders", operation_id = "setStakeholder", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = StakeholderInput,
    responses((status = 200, body = [Stakeholder]), (status = 403), (status = 422)))]
pub async fn set_stakeholder(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<StakeholderInput>,
) -> Result<Json<Vec<Stakeholder>>, ApiError> {
    Ok(Json(
        signoff::set_stakeholder(&s.db, &u, &ctx, &input).await?,
    ))
}

/// List a product's sign-off requests
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/signoffs", operation_id = "listSignoffs", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = [Request], description = "newest first, with status")))]
pub async fn list(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<Request>>, ApiError> {
    Ok(Json(signoff::list(&s.db, &ctx).await?))
}

/// Ask stakeholders to sign off a roadmap snapshot or a decision
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/signoffs", operation_id = "createSignoff", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = RequestInput,
    responses((status = 201, body = Request), (status = 403), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<RequestInput>,
) -> Result<(StatusCode, Json<Request>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(signoff::request(&s.db, &u, &ctx, &input).await?),
    ))
}

/// Show a sign-off request with its answers
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/signoffs/{id}", operation_id = "getSignoff", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Request), (status = 404)))]
pub async fn show(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, rid)): Path<(String, String, String)>,
) -> Result<Json<Request>, ApiError> {
    Ok(Json(signoff::get(&s.db, &ctx, id(&rid)?).await?))
}

/// Approve or request changes on a sign-off
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/signoffs/{id}/answer", operation_id = "answerSignoff", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = AnswerInput,
    responses((status = 200, body = Request), (status = 403, description = "not a named stakeholder"), (status = 422)))]
pub async fn answer(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, rid)): Path<(String, String, String)>,
    ApiJson(a): ApiJson<AnswerInput>,
) -> Result<Json<Request>, ApiError> {
    Ok(Json(signoff::answer(&s.db, &u, &ctx, id(&rid)?, &a).await?))
}

#[derive(askama::Template)]
#[template(path = "roadmap/signoffs.html")]
struct SignoffPage {
    layout: Layout,
    ws: String,
    product: Product,
    requests: Vec<Request>,
    stakeholders: Vec<Stakeholder>,
    members: Vec<Member>,
    decisions: Vec<crate::strategy::decisions::Decision>,
    groups: [&'static str; 6],
    pm: bool,
    may_answer: bool,
    error: Option<String>,
}

async fn render_page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    error: Option<String>,
) -> Result<Response> {
    // Every named stakeholder answers, whatever their roles.
    let stakeholders = signoff::stakeholders(&s.db, &ctx).await?;
    let may_answer = stakeholders.iter().any(|st| st.user_id == user.user.id);
    Ok(render(&SignoffPage {
        layout: crate::workspace::layout::product_layout(
            user,
            &ctx,
            crate::page::Section::Signoffs,
        ),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        requests: signoff::list(&s.db, &ctx).await?,
        stakeholders,
        members: ws_store::members(&s.db, ctx.workspace.id).await?,
        decisions: crate::strategy::decisions::list(&s.db, &ctx).await?,
        groups: GROUPS,
        may_answer,
        product: ctx.product,
        error,
    }))
}

async fn page(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
) -> Result<Response> {
    render_page(&s, &user, ctx, None).await
}

async fn finish(s: &AppState, user: &PageUser, ctx: ProductCtx, r: Result<()>) -> Result<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/signoffs",
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

async fn page_request(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let run = async {
        let decision = form
            .get("decision")
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse()
                    .map_err(|_| Error::invalid("decision", "not one of the choices"))
            })
            .transpose()?;
        let input = RequestInput {
            subject: if decision.is_some() {
                "decision"
            } else {
                "roadmap"
            }
            .into(),
            decision,
            title: form.text("title"),
        };
        signoff::request(&s.db, &user.user, &ctx, &input)
            .await
            .map(|_| ())
    };
    let r = run.await;
    finish(&s, &user, ctx, r).await
}

async fn page_stakeholder(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let run = async {
        let user_id = form
            .text("user_id")
            .parse()
            .map_err(|_| Error::invalid("user_id", "choose a member"))?;
        signoff::set_stakeholder(
            &s.db,
            &user.user,
            &ctx,
            &StakeholderInput {
                user_id,
                group: form.text("group"),
            },
        )
        .await
        .map(|_| ())
    };
    let r = run.await;
    finish(&s, &user, ctx, r).await
}

async fn page_answer(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, product, rid)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let rid = id(&rid)?;
    let ctx = ws_store::product_ctx(&s.db, user.user.id, &ws, &product).await?;
    let r = signoff::answer(
        &s.db,
        &user.user,
        &ctx,
        rid,
        &AnswerInput {
            answer: form.text("answer"),
            comment: form.text("comment"),
        },
    )
    .await
    .map(|_| ());
    finish(&s, &user, ctx, r).await
}
