//! The admin area's pages: a workspace's (its products and their PM and PO, members, tokens,
//! webhooks, the audit log), the instance's (settings, admins, every workspace), and the
//! getting-started checklist a new workspace opens on.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::admin::store::{self, MemberToken, WorkspaceSummary};
use crate::audit::Entry;
use crate::auth::extract::PageUser;
use crate::auth::store::User;
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::instance::{store as instance, Settings, SettingsInput};
use crate::page::{render, FormData, Layout};
use crate::state::AppState;
use crate::workspace::checklist::{self, Step};
use crate::workspace::{store as ws, Workspace};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/start", get(start))
        .route("/w/{ws}/admin", get(workspace_admin))
        .route("/w/{ws}/admin/tokens/{id}/revoke", post(revoke_token))
        .route("/admin", get(instance_admin))
        .route("/admin/settings", post(save_settings))
        .route("/admin/admins", post(set_admin))
}

pub(super) fn ws_layout(user: &PageUser, w: &Workspace, title: &str) -> Layout {
    Layout::new(user, title.to_string())
        .crumb(format!("/w/{}", w.slug), w.name.clone())
        .crumb(format!("/w/{}/admin", w.slug), "Administration")
}

pub(super) async fn admin_of(state: &AppState, user: &PageUser, slug: &str) -> Result<Workspace> {
    let (w, admin) = ws::workspace_for(&state.db, user.user.id, slug).await?;
    if !admin {
        return Err(Error::forbidden(
            "only the workspace's admins see its administration",
        ));
    }
    Ok(w)
}

#[derive(askama::Template)]
#[template(path = "admin/start.html")]
struct StartPage {
    layout: Layout,
    workspace: Workspace,
    steps: Vec<Step>,
    done: usize,
}

async fn start(
    State(state): State<AppState>,
    user: PageUser,
    Path(slug): Path<String>,
) -> Result<Response> {
    let (w, _) = ws::workspace_for(&state.db, user.user.id, &slug).await?;
    let steps = checklist::steps(&checklist::facts(&state.db, w.id, &w.slug).await?);
    let layout =
        Layout::new(&user, "Getting started").crumb(format!("/w/{}", w.slug), w.name.clone());
    Ok(render(&StartPage {
        layout,
        done: steps.iter().filter(|s| s.done).count(),
        steps,
        workspace: w,
    }))
}

/// A product's PM and PO, by name, as the admin area lists them.
struct ProductRow {
    key: String,
    name: String,
    pms: String,
    pos: String,
}

#[derive(askama::Template)]
#[template(path = "admin/workspace.html")]
struct WorkspacePage {
    layout: Layout,
    workspace: Workspace,
    products: Vec<ProductRow>,
    members: usize,
    placeholders: usize,
    invitations: usize,
    webhooks: usize,
    tokens: Vec<MemberToken>,
    recent: Vec<Entry>,
    steps_left: usize,
    instance_admin: bool,
}

async fn workspace_admin(
    State(state): State<AppState>,
    user: PageUser,
    Path(slug): Path<String>,
) -> Result<Response> {
    let w = admin_of(&state, &user, &slug).await?;
    let db = &state.db;
    let members = ws::members(db, w.id).await?;
    let name_of = |ids: &[i64]| {
        let names: Vec<&str> = members
            .iter()
            .filter(|m| ids.contains(&m.user_id))
            .map(|m| m.name.as_str())
            .collect();
        if names.is_empty() {
            "nobody yet".to_string()
        } else {
            names.join(", ")
        }
    };
    let facts = checklist::facts(db, w.id, &w.slug).await?;
    let products = facts
        .products
        .iter()
        .map(|p| ProductRow {
            key: p.key.clone(),
            name: p.name.clone(),
            pms: name_of(&p.pms),
            pos: name_of(&p.pos),
        })
        .collect();
    let steps_left = checklist::steps(&facts).iter().filter(|s| !s.done).count();
    let invitations = crate::invite::service::list(db, &w, true)
        .await?
        .iter()
        .filter(|i| i.status == "open")
        .count();
    let page = WorkspacePage {
        layout: ws_layout(&user, &w, "Administration"),
        products,
        placeholders: members.iter().filter(|m| m.placeholder).count(),
        members: members.iter().filter(|m| !m.placeholder).count(),
        invitations,
        webhooks: crate::notify::webhooks::list(db, &user.user, &slug)
            .await?
            .2
            .len(),
        tokens: store::tokens(db, w.id).await?,
        recent: crate::audit::store::for_workspace(db, w.id, None, 10).await?,
        steps_left,
        instance_admin: crate::auth::store::is_instance_admin(db, user.user.id).await?,
        workspace: w,
    };
    Ok(render(&page))
}

async fn revoke_token(
    State(state): State<AppState>,
    user: PageUser,
    Path((slug, id)): Path<(String, i64)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let w = admin_of(&state, &user, &slug).await?;
    store::revoke_token(&state.db, &user.user, &w, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/admin#tokens")).into_response())
}

#[derive(askama::Template)]
#[template(path = "admin/instance.html")]
struct InstancePage {
    layout: Layout,
    settings: Settings,
    domains: String,
    admins: Vec<User>,
    workspaces: Vec<WorkspaceSummary>,
    error: Option<String>,
    saved: bool,
    backups: Backups,
}

/// The server's backups as the instance page lists them.
struct Backups {
    /// None on PostgreSQL, where the server takes none.
    files: Option<Vec<BackupRow>>,
    folder: String,
    schedule: String,
    /// The last good backup is missing or older than two days.
    warning: Option<String>,
    /// The folder could not be read.
    error: Option<String>,
}

struct BackupRow {
    name: String,
    size: String,
    age: String,
    verified: bool,
}

fn backups(state: &AppState) -> Backups {
    let plan = &state.backups;
    let folder = plan.dir.display().to_string();
    let schedule = match plan.every {
        Some(every) => format!(
            "every {}, keeping the newest {}",
            crate::backup::age(chrono::Duration::from_std(every).unwrap_or_default()),
            plan.keep
        ),
        None => "off (backup_every = off)".into(),
    };
    if !state.db.is_sqlite() {
        return Backups {
            files: None,
            folder,
            schedule,
            warning: None,
            error: None,
        };
    }
    let now = crate::db::now();
    match crate::backup::list(&plan.dir) {
        Ok(files) => Backups {
            warning: crate::backup::stale_warning(crate::backup::newest_good(&files), now),
            files: Some(
                files
                    .iter()
                    .map(|f| BackupRow {
                        name: f.name.clone(),
                        size: crate::backup::size(f.bytes),
                        age: crate::backup::age(now - f.taken_at),
                        verified: f.verified,
                    })
                    .collect(),
            ),
            folder,
            schedule,
            error: None,
        },
        Err(e) => Backups {
            files: Some(Vec::new()),
            warning: Some("there is no good backup yet".into()),
            error: Some(format!("the backup folder cannot be read: {e}")),
            folder,
            schedule,
        },
    }
}

async fn instance_admin_only(state: &AppState, user: &PageUser) -> Result<()> {
    if crate::auth::store::is_instance_admin(&state.db, user.user.id).await? {
        return Ok(());
    }
    Err(Error::forbidden(
        "only the installation's admins see its administration",
    ))
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn instance_page(
    state: &AppState,
    user: &PageUser,
    error: Option<Error>,
    saved: bool,
) -> Result<Response> {
    let settings = instance::settings(&state.db).await?;
    let status = error.as_ref().map(Error::status);
    let mut resp = render(&InstancePage {
        layout: Layout::new(user, "Instance administration").crumb("/admin", "Instance"),
        domains: settings.allowed_domains.join(", "),
        settings,
        admins: instance::admins(&state.db).await?,
        workspaces: store::workspaces(&state.db).await?,
        error: error.map(|e| e.public_message()),
        saved,
        backups: backups(state),
    });
    if let Some(s) = status {
        *resp.status_mut() = s;
    }
    Ok(resp)
}

async fn instance_admin(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<SavedQuery>,
) -> Result<Response> {
    instance_admin_only(&state, &user).await?;
    instance_page(&state, &user, None, q.saved.is_some()).await
}

async fn save_settings(
    State(state): State<AppState>,
    user: PageUser,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    instance_admin_only(&state, &user).await?;
    let input = SettingsInput {
        workspace_creation: Some(form.text("workspace_creation")),
        signup: Some(form.text("signup")),
        allowed_domains: Some(vec![form.text("allowed_domains")]),
    };
    match instance::update(&state.db, Some(&user.user), form.version()?, &input).await {
        Ok(_) => Ok(Redirect::to("/admin?saved=1").into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Stale { .. })) => {
            instance_page(&state, &user, Some(e), false).await
        }
        Err(e) => Err(e),
    }
}

async fn set_admin(
    State(state): State<AppState>,
    user: PageUser,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    instance_admin_only(&state, &user).await?;
    let grant = form.get("grant") == Some("true");
    match instance::set_admin(&state.db, Some(&user.user), &form.text("email"), grant).await {
        Ok(_) => Ok(Redirect::to("/admin#admins").into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_))) => {
            instance_page(&state, &user, Some(e), false).await
        }
        Err(e) => Err(e),
    }
}
