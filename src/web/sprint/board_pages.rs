//! The board page: columns, card moves (forms, drag and drop, keys), scope changes, burndown.

use std::sync::{Arc, LazyLock};

use crate::workspace::extract::{page_and_ctx_joined, page_params, ProductPage};
use crate::workspace::ProductCtx;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};

use super::pages::{product_layout, sprint_url};
use crate::auth::extract::{csrf_header, PageUser};
use crate::auth::Action;
use crate::backlog::cards::Cards;
use crate::backlog::counts::Counts;
use crate::backlog::STATUSES;
use crate::db::batch::Read;
use crate::db::kept::Shelf;
use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::governance::cards::CardDecor;
use crate::ids::SprintId;
use crate::page::{back, render, Flash, FormData, Layout};
use crate::sprint::board::{self, Board, Burndown};
use crate::sprint::scope::{Effect, ScopeChange};
use crate::sprint::service::{self, PlanningCandidate};
use crate::sprint::{store, Sprint};
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
struct BoardPage<'a> {
    layout: Layout,
    ws: String,
    pkey: String,
    error: Option<String>,
    b: &'a Board,
    burn: &'a Burndown,
    statuses: [&'static str; 4],
    can_move: bool,
    can_scope: bool,
    candidates: &'a [PlanningCandidate],
    effect: Option<Effect>,
    pending: Option<PendingChange>,
    /// Each card's trace chip, assignee, blockers and days in its column.
    cards: &'a CardDecor,
    /// This request's moment, for the days in column (the cards may have been read earlier).
    page_now: DateTime<Utc>,
}

/// What a board page shows of the database: the board, its burndown, the candidates a reader
/// who may change the scope is offered, and the cards' decorations.
struct Shown {
    b: Board,
    burn: Burndown,
    candidates: Vec<PlanningCandidate>,
    cards: CardDecor,
}

/// What a kept board depends on besides its product's counts (`crate::backlog::counts`): the
/// database, the product and its key, the sprint, whether the candidates are shown, the day
/// (the burndown's last day) and the quarter (the tiers).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    /// `crate::db::Db::id` of the database read.
    db: u64,
    product_id: i64,
    product_key: String,
    sprint: SprintId,
    candidates: bool,
    day: NaiveDate,
    quarter: String,
}

/// This process's kept boards (src/db/kept.rs): a board of a few dozen cards is a few KB.
static KEPT: LazyLock<Shelf<Key, Counts, Shown>> = LazyLock::new(|| Shelf::new(64));

/// A previewed scope change, carried in the confirmation form.
struct PendingChange {
    add: String,
    remove: String,
    reason: String,
    for_goal: bool,
    exception: String,
    override_reason: String,
}

impl BoardPage<'_> {
    fn status_title(&self, s: &str) -> &'static str {
        crate::backlog::status_title(s)
    }
}

type P3 = Path<(String, String, SprintId)>;

/// Renders the board of `sprint`. With the product's `counts` read before it (the page's
/// prologue), what it shows is served as kept under the same counts, or read and kept.
async fn render_board(
    st: &AppState,
    user: &PageUser,
    ctx: &ProductCtx,
    sprint: Sprint,
    counts: Option<Counts>,
    error: Option<String>,
    preview: Option<(Effect, PendingChange)>,
) -> Result<Response> {
    // The PM sees the form too: a change of theirs is an override with a strategic reason.
    let can_scope = (ctx.grants.may(Action::ChangeScope) || ctx.grants.may(Action::ManageStrategy))
        && sprint.state == "active";
    let key = Key {
        db: st.db.id,
        product_id: ctx.product.id,
        product_key: ctx.product.key.clone(),
        sprint: sprint.id,
        candidates: can_scope,
        day: crate::db::now().date_naive(),
        quarter: crate::strategy::Quarter::of(crate::strategy::today()).to_string(),
    };
    let kept = counts.as_ref().and_then(|c| KEPT.get(&key, c));
    let shown = match kept {
        Some(shown) => shown,
        None => {
            let shown = Arc::new(read_board(st, ctx, sprint, can_scope).await?);
            if let Some(c) = counts {
                KEPT.put(key, c, shown.clone());
            }
            shown
        }
    };
    let Shown {
        b,
        burn,
        candidates,
        cards,
    } = &*shown;
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
        page_now: Utc::now(),
        b,
        burn,
    }))
}

/// Reads what a board page shows: the board, its burndown, the candidates and the decorations
/// of every card that has been in the sprint in one round trip (src/db/batch.rs).
async fn read_board(
    st: &AppState,
    ctx: &ProductCtx,
    sprint: Sprint,
    can_scope: bool,
) -> Result<Shown> {
    let candidates = if can_scope {
        service::candidates_read(ctx, service::CANDIDATES)
    } else {
        Read::ready(Vec::new())
    };
    let cards = CardDecor::load_read(ctx, Cards::OfSprint(sprint.id));
    let (((b, burn), candidates), cards) = board::board_read(sprint.clone(), &ctx.product.key)
        .and(board::burndown_read(sprint))
        .and(candidates)
        .and(cards)
        .on(&st.db)
        .await?;
    Ok(Shown {
        b,
        burn,
        candidates,
        cards,
    })
}

async fn page(
    State(st): State<AppState>,
    SprintAt {
        user,
        ctx,
        sprint,
        counts,
    }: SprintAt,
    Query(f): Query<Flash>,
) -> Result<Response> {
    render_board(&st, &user, &ctx, sprint, Some(counts), f.error, None).await
}

/// The board page's prologue: the person, the product, the sprint and the product's counts of
/// changes in one round trip.
struct SprintAt {
    user: PageUser,
    ctx: ProductCtx,
    sprint: Sprint,
    counts: Counts,
}

impl FromRequestParts<AppState> for SprintAt {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let params = page_params(parts, state).await?;
        let at = async {
            let param = |n: &str| params.get(n).map(String::as_str).unwrap_or_default();
            let id = param("id").parse::<SprintId>().ok();
            let (user, ctx, (row, counts)) =
                page_and_ctx_joined(parts, state, &params, |caller, at| {
                    store::board_prologue_read(caller, at, id)
                })
                .await?;
            let ctx = ctx?;
            ctx.grants.require(Action::ViewBacklog)?;
            let row = row
                .filter(|r| r.product_id == ctx.product.id)
                .ok_or(Error::NotFound)?;
            Ok::<_, Error>(SprintAt {
                user,
                sprint: row.into_sprint(&ctx.product.key),
                ctx,
                counts,
            })
        };
        at.await.map_err(IntoResponse::into_response)
    }
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
            let sprint = service::get(&st.db, &ctx, id).await?;
            render_board(
                &st,
                &user,
                &ctx,
                sprint,
                None,
                None,
                Some((effect, pending)),
            )
            .await
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
