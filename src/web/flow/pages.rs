//! The flow board page: columns with WIP limits and card ages, card moves (forms, drag and
//! drop, keys), the Product Owner's override of a blocking limit, and the cadence settings.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::auth::extract::{csrf_header, PageUser};
use crate::auth::Action;
use crate::backlog::STATUSES;
use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::flow::board::{self, FlowBoard};
use crate::flow::{store, FlowSettingsInput};
use crate::page::{back, form_int, render, FormData, Layout};
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::product_layout;
use crate::workspace::store::product_ctx;

pub fn routes() -> Router<AppState> {
    const F: &str = "/w/{ws}/p/{product}/flow";
    Router::new()
        .route(F, get(page))
        .route(&format!("{F}/move"), post(move_card))
        .route(&format!("{F}/settings"), post(settings))
}

#[derive(Deserialize)]
struct Params {
    error: Option<String>,
    /// A refused move the PO may override: the card and where it was going.
    item: Option<String>,
    status: Option<String>,
    /// One team's board: the items assigned to its members.
    team: Option<i64>,
}

/// The team whose board a move is made on (`?team=ID`).
#[derive(Deserialize)]
struct TeamQuery {
    team: Option<i64>,
}

/// A move refused by a blocking limit, offered to the PO to override.
struct Blocked {
    item: String,
    status: String,
}

#[derive(askama::Template)]
#[template(path = "flow/board.html")]
struct BoardPage {
    layout: Layout,
    ws: String,
    pkey: String,
    error: Option<String>,
    b: FlowBoard,
    statuses: [&'static str; 4],
    can_move: bool,
    /// `?team=ID` on a team's board, carried by its moves and links; empty otherwise.
    team_q: String,
    can_set: bool,
    blocked: Option<Blocked>,
    /// Each card's trace chip, assignee and blockers.
    cards: crate::governance::cards::CardDecor,
}

impl BoardPage {
    /// A flow team's board in a product that runs in sprints.
    fn team_flow(&self) -> bool {
        self.b.team.as_ref().is_some_and(|t| t.is_flow())
    }

    fn status_title(&self, s: &str) -> &'static str {
        crate::backlog::status_title(s)
    }
    fn days(&self, d: &f64) -> String {
        format!("{d:.1}")
    }
    fn limit_text(&self, l: &Option<i64>) -> String {
        l.map(|v| v.to_string()).unwrap_or_default()
    }
}

async fn page(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((ws, _)): Path<(String, String)>,
    Query(q): Query<Params>,
) -> Result<Response> {
    let b = board::board(&st.db, &ctx, q.team).await?;
    let blocked = match (q.item, q.status) {
        (Some(item), Some(status)) if ctx.grants.may(Action::OverrideWip) => {
            Some(Blocked { item, status })
        }
        _ => None,
    };
    let ids: Vec<crate::ids::ItemId> = b
        .columns
        .iter()
        .flat_map(|c| c.cards.iter().map(|x| x.id))
        .collect();
    let cards = crate::governance::cards::CardDecor::load(&st.db, &ctx, &ids).await?;
    Ok(render(&BoardPage {
        cards,
        layout: product_layout(&user, &ctx, crate::page::Section::Now),
        ws,
        pkey: ctx.product.key.clone(),
        error: q.error,
        can_move: ctx.grants.may(Action::ChangeStatus)
            && b.team
                .as_ref()
                .map_or(b.settings.is_flow(), |t| t.is_flow()),
        team_q: q.team.map(|t| format!("?team={t}")).unwrap_or_default(),
        can_set: ctx.grants.may(Action::SetCadence),
        statuses: STATUSES,
        blocked,
        b,
    }))
}

/// A card move: from the card's form or the override form (redirects back), or from the board
/// script (plain text: the warnings, or why it was refused).
async fn move_card(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path((ws, product)): Path<(String, String)>,
    Query(on): Query<TeamQuery>,
    form: FormData,
) -> Result<Response> {
    let scripted = csrf_header(&headers).is_some();
    user.check_csrf(csrf_header(&headers).or(form.get("csrf")))?;
    let ctx = product_ctx(&st.db, user.user.id, &ws, &product).await?;
    let (item, status) = (form.text("item"), form.text("status"));
    let reason = form
        .get("override_reason")
        .map(crate::text::form_lines)
        .filter(|r| !r.trim().is_empty());
    let team = on.team;
    let r = board::move_card(
        &st.db,
        &user.user,
        &ctx,
        team,
        &item,
        &status,
        reason.as_deref(),
    )
    .await;
    if scripted {
        return Ok(match r {
            Ok(m) => (StatusCode::OK, m.warnings.join("\n")).into_response(),
            Err(e) => (e.status(), e.public_message()).into_response(),
        });
    }
    let to = format!(
        "/w/{}/p/{}/flow{}",
        ctx.workspace.slug,
        ctx.product.key,
        team.map(|t| format!("?team={t}")).unwrap_or_default()
    );
    match r {
        // A blocking limit: back with the reason, and the override form for the PO.
        Err(e @ Error::Conflict(_)) if ctx.grants.may(Action::OverrideWip) && reason.is_none() => {
            let enc = |s: &str| -> String {
                url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
            };
            let sep = if to.contains('?') { '&' } else { '?' };
            Ok(Redirect::to(&format!(
                "{to}{sep}error={}&item={}&status={}#override",
                enc(&e.public_message()),
                enc(&item),
                enc(&status)
            ))
            .into_response())
        }
        r => back(&to, r.map(|_| ())),
    }
}

async fn settings(
    State(st): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let to = format!(
        "/w/{}/p/{}/flow#settings",
        ctx.workspace.slug, ctx.product.key
    );
    let r = async {
        let version = form.version()?;
        let input = FlowSettingsInput {
            cadence: form.text("cadence"),
            wip_mode: form.get("wip_mode").map(str::to_string),
            wip_in_progress: form_int(&form, "wip_in_progress")?,
            wip_in_review: form_int(&form, "wip_in_review")?,
        };
        store::set_settings(&st.db, &user.user, &ctx, version, &input).await
    }
    .await;
    back(&to, r.map(|_| ()))
}
