//! HTML pages for the backlog and for one item.

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::audit::{self, Entry};
use crate::auth::extract::{csrf_header, PageUser};
use crate::auth::Action;
use crate::backlog::input::{ItemPatch, NewItem};
use crate::backlog::store::ItemRow;
use crate::backlog::views::{self, NewView, View};
use crate::backlog::{service, Anchor, Item, Points, KINDS, STATUSES};
use crate::db::batch::Read;
use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::governance::listing::Page;
use crate::ids::{InitiativeId, ItemId, SprintId};
use crate::page::{human_duration, is_htmx, render, split_labels, toast_header, FormData, Layout};
use crate::state::AppState;
use crate::story::questions::{self, Question};
use crate::workspace::extract::{page_and_ctx_joined, page_params, ProductPage};
use crate::workspace::form::ProductForm;
pub use crate::workspace::layout::{page_ctx, product_layout};
use crate::workspace::{store as ws_store, Product, ProductCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/backlog", get(backlog))
        .route("/w/{ws}/p/{product}/backlog/move", post(move_one))
        .route("/w/{ws}/p/{product}/backlog/bulk-move", post(bulk_move))
        .route("/w/{ws}/p/{product}/items", post(create))
        .route("/w/{ws}/p/{product}/views", post(save_view))
        .route("/w/{ws}/items/{key}", get(item).post(update))
        .route("/w/{ws}/items/{key}/dependencies", post(add_dependency))
}

#[derive(askama::Template)]
#[template(path = "backlog/list.html")]
struct BacklogPage {
    layout: Layout,
    ws: String,
    pkey: String,
    product: Product,
    q: String,
    filter_error: Option<String>,
    error: Option<String>,
    /// The listed items and the next page's cursor (perhaps as kept for other readers).
    listed: Arc<Page>,
    views: Vec<View>,
    kinds: [&'static str; 4],
    median_answer: Option<String>,
    /// PM overrides this quarter (G3), shown where everyone sees them.
    overrides: usize,
    /// Who orders this backlog: the product's Product Owners, by name.
    owners: Vec<String>,
    /// The reader may add items, and reorder (forms they may not use are not shown).
    can_add: bool,
    can_reorder: bool,
    /// Admins, PMs and POs get a link to the Import page.
    can_import: bool,
}

impl BacklogPage {
    fn status_title(&self, s: &str) -> &'static str {
        crate::backlog::status_title(s)
    }
}

#[derive(Deserialize)]
struct BacklogParams {
    q: Option<String>,
    cursor: Option<String>,
}

async fn backlog_page(
    state: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    q: String,
    cursor: Option<String>,
    error: Option<String>,
) -> Result<Response> {
    let params = crate::governance::listing::ListParams {
        q: Some(q.clone()),
        cursor,
        limit: Some(100),
    };
    let quarter = crate::calendar::Quarter::of(crate::calendar::today());
    // The page's own reads, joined to the round trip of the listed items' labels and tiers
    // (src/db/batch.rs); on their own when the query is refused.
    let around = || -> Result<_> {
        Ok(views::list_read(user.user.id, &ctx)
            .and(crate::governance::overrides::list_read(&ctx, quarter)?)
            .and(questions::median_answer_seconds_read(ctx.product.id).and(
                ws_store::holders_read(ctx.product.id, crate::auth::Role::Po),
            )))
    };
    let listed = crate::governance::listing::page_with(&state.db, &ctx, &params, around()?).await;
    let (listed, filter_error, ((views, overrides), (median_answer, owners))) = match listed {
        Ok((listed, around)) => (listed, None, around),
        Err(Error::Invalid { message, .. }) => {
            let around = around()?.on(&state.db).await?;
            let none = Page {
                items: Vec::new(),
                next_cursor: None,
            };
            (Arc::new(none), Some(message), around)
        }
        Err(e) => return Err(e),
    };
    let overrides = overrides.count;
    let median_answer = median_answer.map(crate::page::human_seconds);
    let layout = product_layout(user, &ctx, crate::page::Section::Backlog);
    let ctx_can_import = ctx.grants.may(Action::Import);
    let (can_add, can_reorder) = (
        ctx.grants.may(Action::CreateItem),
        ctx.grants.may(Action::Reorder),
    );
    Ok(render(&BacklogPage {
        layout,
        ws: ctx.workspace.slug.clone(),
        pkey: ctx.product.key.clone(),
        product: ctx.product,
        q,
        filter_error,
        error,
        listed,
        views,
        kinds: KINDS,
        median_answer,
        overrides,
        owners,
        can_add,
        can_reorder,
        can_import: ctx_can_import,
    }))
}

async fn backlog(
    State(state): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Query(p): Query<BacklogParams>,
) -> Result<Response> {
    backlog_page(&state, &user, ctx, p.q.unwrap_or_default(), p.cursor, None).await
}

async fn create(
    State(state): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let input = NewItem {
        kind: form.text("kind"),
        title: form.text("title"),
        persona: form.text("persona"),
        goal: form.text("goal"),
        benefit: form.text("benefit"),
        description: form.text("description"),
        labels: split_labels(&form.text("labels")),
        criteria: form.text("criteria").lines().map(str::to_string).collect(),
        ..NewItem::default()
    };
    match service::create(&state.db, &user.user, &ctx, input).await {
        Ok(item) => Ok(
            Redirect::to(&format!("/w/{}/items/{}", ctx.workspace.slug, item.key)).into_response(),
        ),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_))) => {
            let mut resp =
                backlog_page(&state, &user, ctx, String::new(), None, Some(e.to_string())).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

/// Called by the backlog script for drag and drop and keyboard moves; answers with plain text.
async fn move_one(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path((ws, product)): Path<(String, String)>,
    form: FormData,
) -> Response {
    let run = async {
        user.check_csrf(csrf_header(&headers).or(form.get("csrf")))?;
        let ctx = ws_store::product_ctx(&state.db, user.user.id, &ws, &product).await?;
        let anchor = match (form.get("before"), form.get("after")) {
            (Some(b), None) => Anchor::Before(b.to_string()),
            (None, Some(a)) => Anchor::After(a.to_string()),
            _ => return Err(Error::invalid("before", "give before or after")),
        };
        let key = form.text("key");
        crate::governance::moves::move_items(
            &state.db,
            &user.user,
            &ctx,
            crate::governance::moves::MoveRequest {
                keys: std::slice::from_ref(&key),
                anchor,
                exemption: form.get("exemption"),
                override_reason: form.get("override_reason"),
            },
        )
        .await
    };
    match run.await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (e.status(), e.public_message()).into_response(),
    }
}

async fn bulk_move(
    State(state): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let anchor = if form.get("position") == Some("bottom") {
        Anchor::Bottom
    } else {
        Anchor::Top
    };
    match crate::governance::moves::move_items(
        &state.db,
        &user.user,
        &ctx,
        crate::governance::moves::MoveRequest::plain(&form.all("keys"), anchor),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/backlog",
            ctx.workspace.slug, ctx.product.key
        ))
        .into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_))) => {
            let mut resp =
                backlog_page(&state, &user, ctx, String::new(), None, Some(e.to_string())).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

async fn save_view(
    State(state): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let query = form.text("query");
    match views::save(
        &state.db,
        user.user.id,
        &ctx,
        NewView {
            name: form.text("name"),
            query: query.clone(),
            shared: form.flag("shared"),
        },
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/backlog?q={}",
            ctx.workspace.slug,
            ctx.product.key,
            url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
        ))
        .into_response()),
        Err(e @ Error::Invalid { .. }) => {
            backlog_page(&state, &user, ctx, query, None, Some(e.to_string())).await
        }
        Err(e) => Err(e),
    }
}

/// The edit form's values: the item's, or what the user typed when a save failed.
#[derive(Clone, Debug, Default)]
pub struct ItemForm {
    pub title: String,
    pub kind: String,
    pub status: String,
    pub points: String,
    pub persona: String,
    pub goal: String,
    pub benefit: String,
    pub description: String,
    pub labels: String,
    pub parent: String,
    /// E-mail of the member it is assigned to; empty for nobody.
    pub assignee: String,
    pub criteria: Vec<String>,
}

impl ItemForm {
    fn of(item: &Item) -> ItemForm {
        ItemForm {
            title: item.title.clone(),
            kind: item.kind.clone(),
            status: item.status.clone(),
            points: item.points.map(|p| p.to_string()).unwrap_or_default(),
            persona: item.persona.clone(),
            goal: item.goal.clone(),
            benefit: item.benefit.clone(),
            description: item.description.clone(),
            labels: item.labels.join(" "),
            parent: item.parent.clone().unwrap_or_default(),
            assignee: item.assignee.clone().unwrap_or_default(),
            criteria: item.criteria.iter().map(|c| c.text.clone()).collect(),
        }
    }

    /// The item as the form leaves it. The page saves in parts (the title, the story, one
    /// property at a time), so a field the form does not carry keeps the item's value; the
    /// criteria count as sent only with the editor's `criteria_sent` marker, since removing
    /// every criterion sends none.
    fn from_form(f: &FormData, item: &Item) -> ItemForm {
        let now = ItemForm::of(item);
        let field = |name: &str, was: String| f.get(name).map_or(was, str::to_string);
        let criteria = if f.get("criteria_sent").is_some() || !f.all("criterion").is_empty() {
            f.all("criterion")
                .into_iter()
                .filter(|c| !c.trim().is_empty())
                .collect()
        } else {
            now.criteria
        };
        ItemForm {
            title: field("title", now.title),
            kind: field("kind", now.kind),
            status: field("status", now.status),
            points: field("points", now.points),
            persona: field("persona", now.persona),
            goal: field("goal", now.goal),
            benefit: field("benefit", now.benefit),
            description: field("description", now.description),
            labels: field("labels", now.labels),
            parent: field("parent", now.parent),
            assignee: field("assignee", now.assignee),
            criteria,
        }
    }

    /// Only what changed goes into the patch, so each role is checked only for what it touched.
    fn patch_against(&self, item: &Item) -> Result<ItemPatch> {
        let now = ItemForm::of(item);
        let changed = |a: &str, b: &str| (a.trim() != b.trim()).then(|| a.to_string());
        let points = if self.points.trim() == now.points {
            None
        } else if self.points.trim().is_empty() {
            Some(None)
        } else {
            Some(Some(Points::parse_estimate("points", &self.points)?))
        };
        let labels = split_labels(&self.labels);
        let criteria: Vec<String> = self.criteria.iter().map(|c| c.trim().to_string()).collect();
        Ok(ItemPatch {
            title: changed(&self.title, &now.title),
            kind: changed(&self.kind, &now.kind),
            status: changed(&self.status, &now.status),
            persona: changed(&self.persona, &now.persona),
            goal: changed(&self.goal, &now.goal),
            benefit: changed(&self.benefit, &now.benefit),
            description: changed(&self.description, &now.description),
            points,
            labels: (crate::backlog::validate_labels(&labels).unwrap_or_default() != item.labels)
                .then_some(labels),
            parent: changed(&self.parent, &now.parent)
                .map(|p| Some(p).filter(|p| !p.trim().is_empty())),
            criteria: (criteria != now.criteria).then_some(criteria),
            assignee: changed(&self.assignee, &now.assignee)
                .map(|a| Some(a.trim().to_string()).filter(|a| !a.is_empty())),
            reason: None,
        })
    }

    fn summary(&self) -> String {
        let mut s = format!(
            "Title: {}\nKind: {}  Status: {}  Points: {}\nAs {} I want {} so that {}\nLabels: {}\nParent: {}\nAssignee: {}\n",
            self.title, self.kind, self.status, self.points, self.persona, self.goal, self.benefit, self.labels, self.parent, self.assignee
        );
        for (i, c) in self.criteria.iter().enumerate() {
            s.push_str(&format!("{}. {c}\n", i + 1));
        }
        s.push_str(&format!("\n{}", self.description));
        s
    }
}

pub struct Conflict {
    pub theirs: String,
    pub yours: String,
}

#[derive(askama::Template)]
#[template(path = "backlog/item.html")]
struct ItemPage {
    layout: Layout,
    ws: String,
    product_key: String,
    item: Item,
    description_html: String,
    reasons: Vec<String>,
    lint: Vec<(String, String)>,
    questions: Vec<Question>,
    /// Comments on the item itself (follow-ups sit with their questions).
    comments: Vec<crate::story::comments::Comment>,
    history: Vec<Entry>,
    /// What the reader's roles let them do here; forms they may not use are not shown.
    can: ItemCan,
    kinds: [&'static str; 4],
    statuses: [&'static str; 4],
    form: ItemForm,
    conflict: Option<Conflict>,
    error: Option<String>,
    watching: bool,
    /// (e-mail, name) of the people holding a role on the product, offered as assignees.
    people: Vec<(String, String)>,
    /// Objective → priority → initiative, and the first evidence (UI.md 3).
    line: crate::governance::tiers::TraceLine,
    /// For the trace chip's links.
    pkey: String,
    /// The product's personas and initiatives by id and name, for the properties panel.
    personas: Vec<(i64, String)>,
    initiatives: Vec<(InitiativeId, String)>,
    /// The open sprint the item is in, by id and name.
    sprint: Option<(SprintId, String)>,
}

/// The forms of the item page a person's roles allow.
struct ItemCan {
    /// Title, kind, story, description, parent, labels, persona.
    edit: bool,
    estimate: bool,
    /// Status and assignee.
    status: bool,
    criteria: bool,
    /// The initiative it serves.
    link: bool,
    answer: bool,
    depend: bool,
    /// A question from the product team blocks readiness; anyone else's is a comment.
    blocking_question: bool,
    user_id: i64,
}

impl ItemCan {
    /// Whether any property of the item is the reader's to change (the page then saves in place).
    fn any(&self) -> bool {
        self.edit || self.estimate || self.status || self.criteria || self.link
    }
}

impl ItemPage {
    fn assignee_listed(&self) -> bool {
        self.people
            .iter()
            .any(|(email, _)| *email == self.form.assignee)
    }

    fn persona_name(&self) -> Option<&str> {
        let id = self.item.persona_id?;
        self.personas
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, n)| n.as_str())
    }

    fn describe(&self, e: &Entry) -> String {
        crate::backlog::history::describe(&e.action, e.before.as_ref(), e.after.as_ref())
    }

    fn status_title(&self) -> &'static str {
        crate::backlog::status_title(&self.item.status)
    }

    fn duration(&self, secs: &i64) -> String {
        human_duration(*secs)
    }

    fn json(&self, v: &Option<serde_json::Value>) -> String {
        v.as_ref()
            .and_then(|v| serde_json::to_string_pretty(v).ok())
            .unwrap_or_else(|| "–".into())
    }
}

/// The item page again after a refused form, with the reason shown and the refusal's own
/// status (403 for a role that may not, 422 for bad input, 409 for a conflict); other errors
/// go on as they are.
pub async fn item_refused(
    state: &AppState,
    user: &PageUser,
    ctx: &ProductCtx,
    key: &str,
    yours: Option<ItemForm>,
    e: Error,
) -> Result<Response> {
    match e {
        Error::Invalid { .. } | Error::Forbidden(_) | Error::Conflict(_) | Error::Stale { .. } => {
            let mut resp =
                item_page(state, user, ctx, key, yours, None, Some(e.to_string())).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        e => Err(e),
    }
}

pub async fn item_page(
    state: &AppState,
    user: &PageUser,
    ctx: &ProductCtx,
    key: &str,
    form: Option<ItemForm>,
    conflict: Option<Conflict>,
    error: Option<String>,
) -> Result<Response> {
    let read = service::get_read(&state.db, ctx, key).await?;
    item_page_of(state, user, ctx, read, form, conflict, error).await
}

/// [`item_page`] of an item whose row has been read.
async fn item_page_of(
    state: &AppState,
    user: &PageUser,
    ctx: &ProductCtx,
    (id, item): (ItemId, Read<Item>),
    form: Option<ItemForm>,
    conflict: Option<Conflict>,
    error: Option<String>,
) -> Result<Response> {
    // Everything around the item in one round trip (src/db/batch.rs).
    let (item, ((((questions, comments), history), (watching, people)), (line, choices))) = item
        .and(
            questions::threads_read(id)
                .and(audit::store::for_entity_read("item", id, 50))
                .and(
                    crate::notify::store::is_watching_read("item", id, user.user.id)
                        .and(ws_store::product_people_read(ctx.product.id)),
                )
                .and(
                    crate::governance::tiers::trace_line_read(ctx.product.id, id)
                        .and(crate::backlog::store::choices_read(ctx.product.id, id)),
                ),
        )
        .on(&state.db)
        .await?;
    let messages = |field: &str| -> Vec<serde_json::Value> {
        item.readiness
            .get(field)
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let text = |v: &serde_json::Value| {
        v.get("message")
            .and_then(|m| m.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let reasons: Vec<String> = messages("reasons").iter().map(text).collect();
    let lint = messages("lint")
        .iter()
        .map(|l| {
            let class = if l.get("severity").and_then(|s| s.as_str()) == Some("error") {
                "lint-error"
            } else {
                "lint-warning"
            };
            (class.to_string(), text(l))
        })
        .collect();
    let g = &ctx.grants;
    let can = ItemCan {
        edit: g.may(Action::EditItem),
        estimate: g.may(Action::Estimate),
        status: g.may(Action::ChangeStatus),
        criteria: g.may(Action::EditCriteria),
        link: g.may(Action::LinkInitiative),
        answer: g.may(Action::AnswerQuestion),
        depend: g.may(Action::ManageDependencies),
        blocking_question: g.roles.iter().any(|r| {
            matches!(
                r,
                crate::auth::Role::Pm
                    | crate::auth::Role::Po
                    | crate::auth::Role::Sm
                    | crate::auth::Role::Dev
            )
        }),
        user_id: user.user.id,
    };
    let crate::backlog::store::Choices {
        personas,
        mut initiatives,
        sprint,
    } = choices;
    // A dropped initiative is no choice, but the item under one must still show it selected,
    // or saving any other property would take the item out of it.
    if let Some(n) = item
        .initiative_id
        .filter(|n| !initiatives.iter().any(|(i, _)| i == n))
    {
        let title = line.trace.initiative.clone();
        initiatives.push((n, title.unwrap_or_else(|| format!("Initiative #{n}"))));
    }
    let mut form = form.unwrap_or_else(|| ItemForm::of(&item));
    form.criteria.extend([String::new(), String::new()]);
    let layout = product_layout(user, ctx, crate::page::Section::Backlog)
        .title(format!("{} {}", item.key, item.title));
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut resp = render(&ItemPage {
        layout,
        ws: ctx.workspace.slug.clone(),
        product_key: ctx.product.key.clone(),
        description_html: crate::backlog::render_markdown(&item.description),
        item,
        reasons,
        lint,
        questions,
        comments,
        history,
        can,
        kinds: KINDS,
        statuses: STATUSES,
        form,
        conflict,
        error,
        watching,
        people,
        line,
        pkey: ctx.product.key.clone(),
        personas,
        initiatives,
        sprint,
    });
    *resp.status_mut() = status;
    Ok(resp)
}

async fn item(State(state): State<AppState>, at: ItemAt) -> Result<Response> {
    let read = service::load_read(&at.ctx, at.row)?;
    item_page_of(&state, &at.user, &at.ctx, read, None, None, None).await
}

/// The item page's prologue: the person, the product and the item's row in one statement.
struct ItemAt {
    user: PageUser,
    ctx: ProductCtx,
    row: ItemRow,
}

impl FromRequestParts<AppState> for ItemAt {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let params = page_params(parts, state).await?;
        let at = async {
            let key = params.get("key").map(String::as_str).unwrap_or_default();
            let (user, ctx, row) = page_and_ctx_joined(parts, state, &params, |caller, at| {
                crate::backlog::store::ctx_and_row_read(caller, at, key)
            })
            .await?;
            let row = row.ok_or(Error::NotFound);
            Ok::<_, Error>(ItemAt {
                user,
                ctx: ctx?,
                row: row?,
            })
        };
        at.await.map_err(IntoResponse::into_response)
    }
}

async fn update(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, key)): Path<(String, String)>,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let ctx = page_ctx(&state, &user, &ws, &key).await?;
    let version = form.version()?;
    let current = service::get(&state.db, &ctx, &key).await?;
    let yours = ItemForm::from_form(&form, &current);
    let conflict = |current: &Item| Conflict {
        theirs: ItemForm::of(current).summary(),
        yours: yours.summary(),
    };
    let htmx = is_htmx(&headers);
    if current.version != version {
        let page = item_page(
            &state,
            &user,
            &ctx,
            &key,
            Some(yours.clone()),
            Some(conflict(&current)),
            None,
        )
        .await?;
        return Ok(with_toast(
            page,
            htmx,
            &format!("Not saved: someone else changed {key}"),
            true,
        ));
    }
    let result = save(&state, &user, &ctx, &key, version, &yours, &current, &form).await;
    match result {
        Ok(_) if !htmx => Ok(Redirect::to(&format!("/w/{ws}/items/{key}")).into_response()),
        Ok(changed) => {
            let page = item_page(&state, &user, &ctx, &key, None, None, None).await?;
            let message = if changed.is_empty() {
                format!("Nothing changed on {key}")
            } else {
                format!("Saved {key} · {}", changed.join(", "))
            };
            Ok(with_toast(page, true, &message, false))
        }
        Err(Error::Stale { .. }) => {
            let now = service::get(&state.db, &ctx, &key).await?;
            let page = item_page(
                &state,
                &user,
                &ctx,
                &key,
                Some(yours.clone()),
                Some(conflict(&now)),
                None,
            )
            .await?;
            Ok(with_toast(
                page,
                htmx,
                &format!("Not saved: someone else changed {key}"),
                true,
            ))
        }
        Err(e) => {
            let message = format!("Not saved: {}", e.public_message());
            let page = item_refused(&state, &user, &ctx, &key, Some(yours), e).await?;
            Ok(with_toast(page, htmx, &message, true))
        }
    }
}

/// Applies what the item form changed (its own fields, and its initiative and persona links
/// when the form carries them) as one versioned write. Returns the names of what changed,
/// for the toast.
#[allow(clippy::too_many_arguments)]
async fn save(
    state: &AppState,
    user: &PageUser,
    ctx: &ProductCtx,
    key: &str,
    version: i64,
    yours: &ItemForm,
    current: &Item,
    form: &FormData,
) -> Result<Vec<&'static str>> {
    let mut patch = yours.patch_against(current)?;
    let link = |name: &str| -> Result<Option<Option<i64>>> {
        let Some(v) = form.get(name).map(str::trim) else {
            return Ok(None);
        };
        let id = if v.is_empty() {
            None
        } else {
            Some(
                v.parse::<i64>()
                    .map_err(|_| Error::invalid(name, "not one of the choices"))?,
            )
        };
        Ok(Some(id))
    };
    let initiative = link("initiative")?
        .map(|i| i.map(InitiativeId))
        .filter(|i| *i != current.initiative_id);
    let persona = link("persona_id")?.filter(|p| *p != current.persona_id);
    let mut changed = patch.changed_fields();
    let mut edit = crate::strategy::item_edit::ItemEdit::default();
    if !patch.is_empty() {
        patch.reason = Some(form.text("reason")).filter(|r| !r.trim().is_empty());
        edit.patch = Some(patch);
    }
    if initiative.is_some() {
        edit.initiative = initiative;
        changed.push("initiative");
    }
    if persona.is_some() {
        edit.persona = persona;
        changed.push("persona");
    }
    if !edit.is_empty() {
        crate::strategy::item_edit::edit_item(&state.db, &user.user, ctx, key, Some(version), edit)
            .await?;
    }
    Ok(changed)
}

/// An in-place answer names its outcome in a toast; a plain form post has no use for one.
fn with_toast(mut page: Response, htmx: bool, message: &str, error: bool) -> Response {
    if htmx {
        let (name, value) = toast_header(message, error);
        if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
            page.headers_mut().insert(name, v);
        }
    }
    page
}

async fn add_dependency(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, key)): Path<(String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let ctx = page_ctx(&state, &user, &ws, &key).await?;
    // The form either adds a blocker or, with `remove`, takes one away.
    let (blocker, remove) = match form.get("remove") {
        Some(b) => (b.trim().to_string(), true),
        None => (form.text("blocked_by").trim().to_string(), false),
    };
    match service::link(&state.db, &user.user, &ctx, &blocker, &key, remove).await {
        Ok(()) => Ok(Redirect::to(&format!("/w/{ws}/items/{key}")).into_response()),
        Err(e) => item_refused(&state, &user, &ctx, &key, None, e).await,
    }
}
