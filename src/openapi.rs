//! The OpenAPI document at `/api/openapi.json`, generated from the handlers' annotations.

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;
use crate::{
    audit, auth, backlog, export, governance, import, notify, report, retro, roadmap, sprint,
    story, strategy, workspace,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Throughline API", description = "Strategy to sprint, on one line. Authenticate with `Authorization: Bearer <token>` (create one with `throughline token create`). Errors are `application/problem+json` with a `field` when one input is at fault. Updates need `If-Match` with the ETag you read; a stale one gets 412 with the current state."),
    paths(
        auth::api::me,
        workspace::api::list, workspace::api::create, workspace::api::members, workspace::api::add_member, workspace::api::member,
        workspace::api::products, workspace::api::create_product, workspace::api::set_roles,
        audit::api::audit_log, audit::api::export,
        import::api::create, import::api::show,
        export::api::export, export::api::summary, export::api::backlog_csv, export::api::export_schema,
        backlog::api::list, backlog::api::create, backlog::api::show, backlog::api::update, backlog::api::remove,
        backlog::api::move_one, backlog::api::bulk_move, backlog::api::add_dependency, backlog::api::remove_dependency,
        backlog::api::history, backlog::api::list_views, backlog::api::save_view, backlog::api::delete_view,
        story::api::list, story::api::ask, story::api::answer, story::api::get_rules, story::api::put_rules,
        story::comments_api::list, story::comments_api::add, story::comments_api::edit,
        sprint::team_api::list, sprint::team_api::create, sprint::team_api::attach, sprint::team_api::show,
        sprint::team_api::update, sprint::team_api::set_member, sprint::team_api::remove_member,
        sprint::api::list, sprint::api::create, sprint::api::show, sprint::api::update, sprint::api::planning,
        sprint::api::availability, sprint::api::commit, sprint::api::uncommit, sprint::api::start,
        sprint::api::change_scope, sprint::api::show_board, sprint::api::move_card, sprint::api::burndown,
        sprint::api::burndown_svg, sprint::api::show_review, sprint::api::verdicts, sprint::api::goal, sprint::api::close,
        retro::api::show, retro::api::open, retro::api::add_entry, retro::api::vote, retro::api::unvote, retro::api::add_action,
        report::api::show, report::api::chart,
        notify::api::inbox, notify::api::read_one, notify::api::read_all, notify::api::watch, notify::api::unwatch,
        notify::api::list, notify::api::create, notify::api::remove, notify::api::deliveries, notify::api::ping,
        notify::api::allow_private,
        governance::api::show, governance::api::get_settings, governance::api::put_settings, governance::api::list_exemptions,
        governance::api::exempt, governance::api::revoke, governance::api::overrides, governance::api::advisor, governance::api::put_thresholds,
        // Strategy (S0–S10)
        strategy::api::list_objectives, strategy::api::create_objective, strategy::api::show_objective,
        strategy::api::update_objective, strategy::api::delete_objective,
        strategy::api::list_metrics, strategy::api::create_metric, strategy::api::show_metric,
        strategy::api::update_metric, strategy::api::record_value,
        strategy::api::list_priorities, strategy::api::create_priority, strategy::api::show_priority,
        strategy::api::update_priority, strategy::api::delete_priority, strategy::api::move_priority,
        strategy::api_initiatives::list, strategy::api_initiatives::create, strategy::api_initiatives::show,
        strategy::api_initiatives::update, strategy::api_initiatives::remove, strategy::api_initiatives::link_item,
        strategy::api_research::show_vision, strategy::api_research::set_vision,
        strategy::api_research::list_personas, strategy::api_research::create_persona, strategy::api_research::show_persona,
        strategy::api_research::update_persona, strategy::api_research::item_persona,
        strategy::api_research::list_sources, strategy::api_research::create_source, strategy::api_research::show_source,
        strategy::api_research::update_source, strategy::api_research::list_insights, strategy::api_research::create_insight,
        strategy::api_research::show_insight, strategy::api_research::update_insight, strategy::api_research::delete_insight,
        strategy::api_research::link, strategy::api_research::unlink, strategy::api_research::search,
        strategy::api_research::initiative_evidence,
        roadmap::api::roadmap, roadmap::api::create_share, roadmap::api::shares, roadmap::api::revoke_share,
        roadmap::api::shared,
        strategy::api_decisions::list, strategy::api_decisions::create, strategy::api_decisions::show,
        strategy::api_decisions::update,
        strategy::api_competitors::matrix, strategy::api_competitors::create, strategy::api_competitors::update,
        strategy::api_competitors::add_capability, strategy::api_competitors::set_cells,
        roadmap::signoff_api::list_stakeholders, roadmap::signoff_api::set_stakeholder, roadmap::signoff_api::list,
        roadmap::signoff_api::create, roadmap::signoff_api::show, roadmap::signoff_api::answer,
        roadmap::releases_web::list, roadmap::releases_web::create, roadmap::releases_web::update,
        roadmap::releases_web::add_launch, roadmap::releases_web::add_task, roadmap::releases_web::set_done,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerAuth, &Problems),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API error is `application/problem+json`: error responses point at the `Problem` schema
/// and get their reason phrase when they had no description; operations that take a body also
/// answer 413 (larger than the body limit) and 422 (a field at fault), and operations behind
/// the bearer token answer 401.
struct Problems;

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let limit = format!(
            "the body is larger than {} KiB",
            crate::state::BODY_LIMIT / 1024
        );
        for item in openapi.paths.paths.values_mut() {
            for op in operations(item) {
                if op.request_body.is_some() {
                    add_error(op, StatusCode::PAYLOAD_TOO_LARGE, &limit);
                    add_error(
                        op,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "a field is at fault; `field` names it",
                    );
                }
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.contains(&SecurityRequirement::default()));
                if !public {
                    add_error(
                        op,
                        StatusCode::UNAUTHORIZED,
                        "a valid bearer token is required",
                    );
                }
                for (code, response) in op.responses.responses.iter_mut() {
                    let (Ok(status), RefOr::T(response)) = (code.parse::<StatusCode>(), response)
                    else {
                        continue;
                    };
                    if status.is_client_error() || status.is_server_error() {
                        problem(status, response);
                    }
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

fn add_error(op: &mut Operation, status: StatusCode, description: &str) {
    op.responses
        .responses
        .entry(status.as_str().to_string())
        .or_insert_with(|| RefOr::T(Response::new(description)));
}

fn problem(status: StatusCode, response: &mut Response) {
    if response.description.is_empty() {
        response.description = status.canonical_reason().unwrap_or("error").to_string();
    }
    response.content.insert(
        "application/problem+json".to_string(),
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
}

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/openapi.json",
        get(|| async { Json(ApiDoc::openapi()) }),
    )
}
