//! The board page: columns, card moves (forms, drag and drop, keys), scope changes, burndown.

use crate::workspace::extract::ProductPage;
use crate::workspace::ProductCtx;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::pages::{product_layout, sprint_url};
use crate::auth::extract::{csrf_header, PageUser};
use crate::auth::Action;
use crate::backlog::STATUSES;
use crate::db::batch::Read;
use crate::error::Result;
use crate::extract::{Path, Query};
use crate::governance::cards::CardDecor;
use crate::ids::SprintId;
use crate::page::{back, render, Flash, FormData, Layout};
use crate::sprint::board::{self, Board, Burndown};
use crate::sprint::scope::{Effect, ScopeChange};
use crate::sprint::service::{self, PlanningCandidate};
use crate::state::AppState;
use crate::workspace::form::ProductForm;
use crate::workspace::store::product_ctx;

pub fn routes() -> Router<AppState> {
    const S: &str = "/w/{ws}/p/{product}/sprints/{id}";
    Router::new()
        .route(&format!("{S}/board"), get(page))
        .route(&format!("{S}/board/move"), post(move_card))
        .route(&format!("{S}/scope"), post(change_scope))
        .route(&format!("{S}/burndown.svg"), get(burndown_svg))
}

#[derive(askama::Template)]
#[template(path = "sprint/board.html")]
struct BoardPage {
    layout: Layout,
    ws: String,
    pkey: String,
    error: Option<String>,
    b: Board,
    burn: Burndown,
    statuses: [&'static str; 4],
    can_move: bool,
    can_scope: bool,
    candidates: Vec<PlanningCandidate>,
    effect: Option<Effect>,
    pending: Option<PendingChange>,
    /// Each card's trace chip, assignee, blockers and days in its column.
    cards: CardDecor,
}

/// A previewed scope change, carried in the confirmation form.
struct PendingChange {
    add: String,
    remove: String,
    reason: String,
    for_goal: bool,
    exception: String,
    override_reason: String,
}

impl BoardPage {
    fn status_title(&self, s: &str) -> &'static str {
        crate::backlog::status_title(s)
    }
}

type P3 = Path<(String, String, SprintId)>;

async fn render_board(
    st: &AppState,
    user: &PageUser,
    ctx: &ProductCtx,
    id: SprintId,
    error: Option<String>,
    preview: Option<(Effect, PendingChange)>,
) -> Result<Response> {
    let sprint = service::get(&st.db, ctx, id).await?;
    // The PM sees the form too: a change of theirs is an override with a strategic reason.
    let can_scope = (ctx.grants.may(Action::ChangeScope) || ctx.grants.may(Action::ManageStrategy))
        && sprint.state == "active";
    let candidates = if can_scope {
        service::candidates_read(ctx, service::CANDIDATES)
    } else {
        Read::ready(Vec::new())
    };
    // The board, its burndown and the candidates in one round trip, the cards' decorations
    // (which need the cards) in a second (src/db/batch.rs).
    let ((b, burn), candidates) = board::board_read(sprint.clone(), &ctx.product.key)
        .and(board::burndown_read(sprint))
        .and(candidates)
        .on(&st.db)
        .await?;
    let ids: Vec<crate::ids::ItemId> = b
        .columns
        .iter()
        .flat_map(|c| c.cards.iter().map(|x| x.item_id))
        .collect();
    let cards = CardDecor::load_read(ctx, &ids).on(&st.db).await?;
    let (effect, pending) = match preview {
        Some((e, p)) => (Some(e), Some(p)),
        None => (None, None),
    };
    Ok(render(&BoardPage {
        layout: product_layout(
            user,
            ctx,
            if b.sprint.state == "active" {
                crate::page::Section::Now
            } else {
                crate::page::Section::Sprints
            },
        )
        .title(format!("{} · {} board", ctx.product.name, b.sprint.name)),
        ws: ctx.workspace.slug.clone(),
        pkey: ctx.product.key.clone(),
        error,
        can_move: ctx.grants.may(Action::ChangeStatus) && b.sprint.state == "active",
        can_scope,
        statuses: STATUSES,
        candidates,
        effect,
        pending,
        cards,
        b,
        burn,
    }))
}

async fn page(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((_, _, id)): P3,
    Query(f): Query<Flash>,
) -> Result<Response> {
    render_board(&st, &user, &ctx, id, f.error, None).await
}

/// A card move: from the card's form (redirects back) or from the board script (plain text).
async fn move_card(
    State(st): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path((ws, product, id)): P3,
    form: FormData,
) -> Result<Response> {
    let scripted = csrf_header(&headers).is_some();
    user.check_csrf(csrf_header(&headers).or(form.get("csrf")))?;
    let ctx = product_ctx(&st.db, user.user.id, &ws, &product).await?;
    let r = board::move_card(
        &st.db,
        &user.user,
        &ctx,
        id,
        &form.text("item"),
        &form.text("status"),
    )
    .await;
    if scripted {
        return Ok(match r {
            Ok(m) => (StatusCode::OK, m.warnings.join("\n")).into_response(),
            Err(e) => (e.status(), e.public_message()).into_response(),
        });
    }
    back(&sprint_url(&ctx, id, "board"), r.map(|_| ()))
}

/// Previews a scope change (showing its effect) or applies it after the preview.
async fn change_scope(
    State(st): State<AppState>,
    Path((_, _, id)): P3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let opt = |n: &str| {
        form.get(n)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let c = ScopeChange {
        add: opt("add"),
        remove: opt("remove"),
        reason: form.text("reason"),
        for_goal: form.flag("for_goal"),
        exception: opt("exception"),
        override_reason: opt("override_reason"),
    };
    let apply = form.get("confirm") == Some("yes");
    let to = sprint_url(&ctx, id, "board");
    let version = match form.version() {
        Ok(v) => v,
        Err(e) => return back(&to, Err(e)),
    };
    match crate::governance::scope::change_scope(&st.db, &user.user, &ctx, id, version, &c, apply)
        .await
    {
        Ok(_) if apply => back(&to, Ok(())),
        Ok(effect) => {
            let pending = PendingChange {
                add: c.add.unwrap_or_default(),
                remove: c.remove.unwrap_or_default(),
                reason: c.reason,
                for_goal: c.for_goal,
                exception: c.exception.unwrap_or_default(),
                override_reason: c.override_reason.unwrap_or_default(),
            };
            render_board(&st, &user, &ctx, id, None, Some((effect, pending))).await
        }
        Err(e) => back(&to, Err(e)),
    }
}

async fn burndown_svg(
    State(st): State<AppState>,
    ProductPage { ctx, .. }: ProductPage,
    Path((_, _, id)): P3,
    Query(size): Query<crate::chart::Size>,
) -> Result<Response> {
    let b = board::burndown(&st.db, &ctx, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        board::burndown_svg(&b, size.canvas()),
    )
        .into_response())
}
