//! HTML pages: the inbox, watching an item, and the workspace's webhooks (admins).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::extract::PageUser;
use crate::error::Result;
use crate::extract::{Path, Query};
use crate::notify::store::{self, Notification};
use crate::notify::webhooks::{self, Delivery, NewWebhook, Webhook};
use crate::page::{back, render, Flash, FormData, Layout};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox))
        .route("/inbox/read-all", post(read_all))
        .route("/inbox/{id}/open", post(open))
        .route("/w/{ws}/items/{key}/watch", post(watch))
        .route("/w/{ws}/webhooks", get(hooks).post(create))
        .route("/w/{ws}/webhooks/private", post(allow_private))
        .route("/w/{ws}/webhooks/{id}", get(log))
        .route("/w/{ws}/webhooks/{id}/delete", post(remove))
        .route("/w/{ws}/webhooks/{id}/ping", post(ping))
}

#[derive(askama::Template)]
#[template(path = "notify/inbox.html")]
struct InboxPage {
    layout: Layout,
    days: Vec<Day>,
    unread: i64,
    filter: String,
    filters: [(&'static str, &'static str); 5],
    /// The cursor of the next (older) page, when there is one.
    older: Option<i64>,
    /// Whether this is a later page (a link back to the newest).
    paged: bool,
}

/// One day of the inbox, its news grouped by what they lead to (an item, a sprint).
struct Day {
    date: chrono::NaiveDate,
    groups: Vec<Group>,
}

struct Group {
    link: String,
    items: Vec<Notification>,
}

impl Group {
    fn unread(&self) -> bool {
        self.items.iter().any(|n| n.read_at.is_none())
    }
}

/// Newest first, grouped by day and, within a day, by link (in the order first seen).
fn by_day(notifications: Vec<Notification>) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for n in notifications {
        let date = n.created_at.date_naive();
        if days.last().is_none_or(|d| d.date != date) {
            days.push(Day {
                date,
                groups: Vec::new(),
            });
        }
        let Some(day) = days.last_mut() else { continue };
        match day.groups.iter_mut().find(|g| g.link == n.link) {
            Some(g) => g.items.push(n),
            None => day.groups.push(Group {
                link: n.link.clone(),
                items: vec![n],
            }),
        }
    }
    days
}

#[derive(serde::Deserialize)]
struct InboxParams {
    show: Option<String>,
    before: Option<i64>,
}

const INBOX_PAGE: i64 = 50;

async fn inbox(
    State(st): State<AppState>,
    user: PageUser,
    Query(q): Query<InboxParams>,
) -> Result<Response> {
    let filter = q
        .show
        .filter(|f| store::INBOX_FILTERS.iter().any(|(k, _)| k == f))
        .unwrap_or_else(|| "all".into());
    let (rows, more) =
        store::inbox_page(&st.db, user.user.id, &filter, q.before, INBOX_PAGE).await?;
    let older = if more {
        rows.last().map(|n| n.id)
    } else {
        None
    };
    Ok(render(&InboxPage {
        layout: Layout::new(&user, "Inbox").crumb("/inbox", "Inbox"),
        days: by_day(rows),
        unread: store::unread(&st.db, user.user.id).await?,
        filter,
        filters: store::INBOX_FILTERS,
        older,
        paged: q.before.is_some(),
    }))
}

async fn read_all(State(st): State<AppState>, user: PageUser, form: FormData) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    store::mark_read(&st.db, user.user.id, None).await?;
    Ok(Redirect::to("/inbox").into_response())
}

/// Marks the notification read and follows its link (only links inside this site).
async fn open(
    State(st): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    store::mark_read(&st.db, user.user.id, Some(id)).await?;
    let link = form.text("link");
    let to = crate::page::same_site_path(&link).unwrap_or("/inbox");
    Ok(Redirect::to(to).into_response())
}

async fn watch(
    State(st): State<AppState>,
    user: PageUser,
    Path((ws, key)): Path<(String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let r = super::api::set_watch(&st, &user.user, &ws, &key, form.get("on") != Some("no")).await;
    back(&format!("/w/{ws}/items/{key}"), r)
}

#[derive(askama::Template)]
#[template(path = "notify/webhooks.html")]
struct HooksPage {
    layout: Layout,
    ws: String,
    error: Option<String>,
    hooks: Vec<Webhook>,
    allow_private: bool,
    events: [&'static str; 13],
    deliveries: Vec<Delivery>,
    shown: Option<i64>,
}

async fn hooks_page(
    st: &AppState,
    user: &PageUser,
    ws: String,
    error: Option<String>,
    shown: Option<i64>,
) -> Result<Response> {
    let (w, allow_private, hooks) = webhooks::list(&st.db, &user.user, &ws).await?;
    let deliveries = match shown {
        Some(id) => webhooks::deliveries(&st.db, &user.user, &ws, id).await?,
        None => Vec::new(),
    };
    Ok(render(&HooksPage {
        layout: Layout::new(user, "Webhooks")
            .crumb(format!("/w/{ws}"), w.name.clone())
            .crumb(format!("/w/{ws}/webhooks"), "Webhooks"),
        ws,
        error,
        hooks,
        allow_private,
        events: crate::notify::EVENTS,
        deliveries,
        shown,
    }))
}

async fn hooks(
    State(st): State<AppState>,
    user: PageUser,
    Path(ws): Path<String>,
    Query(f): Query<Flash>,
) -> Result<Response> {
    hooks_page(&st, &user, ws, f.error, None).await
}

async fn log(
    State(st): State<AppState>,
    user: PageUser,
    Path((ws, id)): Path<(String, i64)>,
    Query(f): Query<Flash>,
) -> Result<Response> {
    hooks_page(&st, &user, ws, f.error, Some(id)).await
}

async fn create(
    State(st): State<AppState>,
    user: PageUser,
    Path(ws): Path<String>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let input = NewWebhook {
        url: form.text("url"),
        events: form.all("events"),
        secret: form.text("secret"),
    };
    let r = webhooks::create(&st.db, &user.user, &ws, input).await;
    back(&format!("/w/{ws}/webhooks"), r.map(|_| ()))
}

async fn remove(
    State(st): State<AppState>,
    user: PageUser,
    Path((ws, id)): Path<(String, i64)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    back(
        &format!("/w/{ws}/webhooks"),
        webhooks::delete(&st.db, &user.user, &ws, id).await,
    )
}

async fn ping(
    State(st): State<AppState>,
    user: PageUser,
    Path((ws, id)): Path<(String, i64)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    back(
        &format!("/w/{ws}/webhooks/{id}"),
        webhooks::ping(&st.db, &user.user, &ws, id).await,
    )
}

async fn allow_private(
    State(st): State<AppState>,
    user: PageUser,
    Path(ws): Path<String>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let r =
        webhooks::allow_private(&st.db, &user.user, &ws, form.get("allow") == Some("yes")).await;
    back(&format!("/w/{ws}/webhooks"), r)
}
