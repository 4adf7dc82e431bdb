//! HTML pages for workspaces, products, members and roles.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::extract::PageUser;
use crate::auth::Role;
use crate::db::batch::Read;
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::page::{render, Flash, FormData, Layout};
use crate::state::AppState;
use crate::workspace::checklist;
use crate::workspace::extract::{page_and_workspace_with, page_params};
use crate::workspace::form::ProductForm;
use crate::workspace::{store, Member, Product, Workspace};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/workspaces", post(create_workspace))
        .route("/w/{ws}", get(show))
        .route("/w/{ws}/products", post(create_product))
        .route("/w/{ws}/members", get(members))
        .route("/w/{ws}/p/{product}/roles", post(set_roles))
}

#[derive(askama::Template)]
#[template(path = "workspace/home.html")]
struct HomePage {
    layout: Layout,
    workspaces: Vec<Workspace>,
    error: Option<String>,
}

async fn home_page(state: &AppState, user: &PageUser, error: Option<String>) -> Result<Response> {
    let workspaces = store::workspaces_of(&state.db, user.user.id).await?;
    Ok(render(&HomePage {
        layout: Layout::new(user, "Workspaces"),
        workspaces,
        error,
    }))
}

async fn home(State(state): State<AppState>, user: PageUser) -> Result<Response> {
    let workspaces = store::workspaces_of(&state.db, user.user.id).await?;
    if let [only] = workspaces.as_slice() {
        return Ok(Redirect::to(&format!("/w/{}", only.slug)).into_response());
    }
    home_page(&state, &user, None).await
}

async fn create_workspace(
    State(state): State<AppState>,
    user: PageUser,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    match store::create_workspace(
        &state.db,
        &user.user,
        &form.text("slug"),
        &form.text("name"),
    )
    .await
    {
        Ok(w) => Ok(Redirect::to(&format!("/w/{}", w.slug)).into_response()),
        Err(e @ Error::Invalid { .. }) => home_page(&state, &user, Some(e.to_string())).await,
        Err(e) => Err(e),
    }
}

#[derive(askama::Template)]
#[template(path = "workspace/show.html")]
struct ShowPage {
    layout: Layout,
    workspace: Workspace,
    /// Each product with the Overview's figures: the running sprint, the quarter's alignment
    /// score and what needs the viewer (UI.md 4).
    products: Vec<(Product, crate::overview::facts::Overview)>,
    admin: bool,
    error: Option<String>,
    /// Steps of the getting-started checklist still open, in order (admins see the reminder,
    /// the next step linked).
    open_steps: Vec<checklist::Step>,
}

/// The workspace page after a form of it failed: who asks and the workspace read again.
async fn show_page(
    state: &AppState,
    user: PageUser,
    slug: &str,
    error: Option<String>,
) -> Result<Response> {
    let (workspace, admin) = store::workspace_for(&state.db, user.user.id, slug).await?;
    show_workspace(
        state,
        WorkspaceAt {
            user,
            workspace,
            admin,
        },
        error,
    )
    .await
}

/// A workspace page's prologue: who asks and the workspace, if they are a member, in one round
/// trip.
pub struct WorkspaceAt {
    pub user: PageUser,
    pub workspace: Workspace,
    pub admin: bool,
}

impl FromRequestParts<AppState> for WorkspaceAt {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let params = page_params(parts, state).await?;
        let slug = params.get("ws").map(String::as_str).unwrap_or_default();
        let at = async {
            let (user, member, ()) =
                page_and_workspace_with(parts, state, slug, Read::ready(())).await?;
            let (workspace, admin) = member?;
            Ok::<_, Error>(WorkspaceAt {
                user,
                workspace,
                admin,
            })
        };
        at.await.map_err(IntoResponse::into_response)
    }
}

async fn show_workspace(
    state: &AppState,
    WorkspaceAt {
        user,
        workspace,
        admin,
    }: WorkspaceAt,
    error: Option<String>,
) -> Result<Response> {
    // Every product's context (with the caller's roles) and, for an admin, the checklist's
    // facts, in one round trip.
    let facts = match admin {
        true => checklist::facts_read(workspace.id, &workspace.slug).map(|f| Ok(Some(f))),
        false => Read::ready(None),
    };
    let (ctxs, facts) = store::ctxs_read(user.user.id, &workspace.slug)
        .and(facts)
        .on(&state.db)
        .await?;
    // The products' overviews, read together (a round trip for all of them per step).
    let overviews = crate::overview::facts::overviews(&state.db, &ctxs).await?;
    let products = ctxs
        .into_iter()
        .zip(overviews)
        .map(|(ctx, o)| (ctx.product, o))
        .collect();
    let layout = Layout::new(&user, workspace.name.clone())
        .crumb(format!("/w/{}", workspace.slug), workspace.name.clone());
    let open_steps = facts.map_or_else(Vec::new, |f| {
        checklist::steps(&f)
            .into_iter()
            .filter(|s| !s.done)
            .collect()
    });
    Ok(render(&ShowPage {
        layout,
        workspace,
        products,
        admin,
        error,
        open_steps,
    }))
}

async fn show(State(state): State<AppState>, at: WorkspaceAt) -> Result<Response> {
    show_workspace(&state, at, None).await
}

async fn create_product(
    State(state): State<AppState>,
    user: PageUser,
    Path(ws): Path<String>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let (w, admin) = store::workspace_for(&state.db, user.user.id, &ws).await?;
    match store::create_product(
        &state.db,
        &user.user,
        &w,
        admin,
        &form.text("key"),
        &form.text("name"),
        &form.text("description"),
    )
    .await
    {
        Ok(p) => Ok(Redirect::to(&format!("/w/{ws}/p/{}", p.key)).into_response()),
        Err(e @ Error::Invalid { .. }) => show_page(&state, user, &ws, Some(e.to_string())).await,
        Err(e) => Err(e),
    }
}

#[derive(askama::Template)]
#[template(path = "workspace/members.html")]
struct MembersPage {
    layout: Layout,
    workspace: Workspace,
    products: Vec<Product>,
    members: Vec<Member>,
    roles: [Role; 5],
    admin: bool,
    error: Option<String>,
    /// Open invitations (admins see them).
    invitations: Vec<crate::invite::Invitation>,
    /// Who was just invited, the link to hand them (shown once), and whether it was e-mailed.
    new_link: Option<(String, String, bool)>,
    /// The server sends e-mail: the invite form offers to send the link.
    mail_on: bool,
}

impl MembersPage {
    /// Whether an open invitation claims this placeholder.
    fn invited(&self, m: &Member) -> bool {
        self.invitations
            .iter()
            .any(|i| i.placeholder_user_id == Some(m.user_id) && i.status == "pending")
    }

    fn holds(&self, m: &Member, product: &str, role: &Role) -> bool {
        m.roles
            .iter()
            .any(|r| r.product == product && r.roles.contains(role))
    }

    fn roles_text(&self, m: &Member, product: &str) -> String {
        m.roles
            .iter()
            .find(|r| r.product == product)
            .map(|r| {
                r.roles
                    .iter()
                    .map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "–".into())
    }
}

/// The members page; `new_link` is (who, link, e-mailed) of an invitation just made.
pub(crate) async fn members_page(
    state: &AppState,
    user: &PageUser,
    slug: &str,
    error: Option<String>,
    new_link: Option<(String, String, bool)>,
) -> Result<Response> {
    let (workspace, admin) = store::workspace_for(&state.db, user.user.id, slug).await?;
    let products = store::products(&state.db, workspace.id).await?;
    let members = store::members(&state.db, workspace.id).await?;
    let invitations = if admin {
        crate::invite::service::list(&state.db, &workspace, admin).await?
    } else {
        Vec::new()
    };
    let layout = Layout::new(user, "Members")
        .crumb(format!("/w/{}", workspace.slug), workspace.name.clone())
        .crumb(format!("/w/{}/members", workspace.slug), "Members");
    Ok(render(&MembersPage {
        layout,
        workspace,
        products,
        members,
        roles: Role::ALL,
        admin,
        error,
        invitations,
        new_link,
        mail_on: state.mail.is_some(),
    }))
}

async fn members(
    State(state): State<AppState>,
    user: PageUser,
    Path(ws): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response> {
    members_page(&state, &user, &ws, flash.error, None).await
}

async fn set_roles(
    State(state): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let user_id: i64 = form
        .text("user_id")
        .parse()
        .map_err(|_| Error::invalid("user_id", "not a member"))?;
    let roles = crate::workspace::parse_roles(&form.all("role"))?;
    store::set_roles(&state.db, &user.user, &ctx, user_id, &roles).await?;
    Ok(Redirect::to(&format!("/w/{}/members", ctx.workspace.slug)).into_response())
}
