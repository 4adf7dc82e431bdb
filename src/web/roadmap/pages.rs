//! HTML pages for the roadmap (timeline and now / next / later), its share links, and the
//! read-only page a share link opens without an account.

use std::borrow::Cow;
use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::auth::extract::PageUser;
use crate::db::batch::Read;
use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::page::{render, Layout};
use crate::roadmap::kept::{self, Rendered};
use crate::roadmap::share::{self, Share};
use crate::roadmap::store::{self, Entry, Filter, Roadmap};
use crate::roadmap::Horizon;
use crate::state::AppState;
use crate::workspace::extract::{page_and_workspace_with, page_params};
use crate::workspace::form::ProductForm;
use crate::workspace::store::WsRef;
use crate::workspace::{store as ws_store, Product, Workspace};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/roadmap", get(roadmap))
        .route(
            "/w/{ws}/p/{product}/roadmap/shares",
            get(shares).post(create_share),
        )
        .route(
            "/w/{ws}/p/{product}/roadmap/shares/{id}/revoke",
            post(revoke_share),
        )
        .route("/share/roadmap/{token}", get(shared))
}

/// What the roadmap templates share (the board is included by both pages).
pub struct Board {
    pub roadmap: Roadmap,
    /// `timeline` or `horizons`.
    pub view: String,
    /// Links to initiatives, for members only.
    pub link_base: Option<String>,
    /// The timeline's lanes: `product` or `priority`.
    pub lanes_by: String,
}

impl Board {
    pub fn in_horizon(&self, h: &Horizon) -> Vec<&Entry> {
        self.roadmap
            .entries
            .iter()
            .filter(|e| e.horizon == *h)
            .collect()
    }

    pub fn cell(&self, e: &Entry, quarter: &str) -> String {
        e.priorities
            .iter()
            .find(|p| p.quarter == quarter)
            .map(|p| format!("#{} {}", p.position, p.title))
            .unwrap_or_default()
    }

    pub fn status_title(&self, s: &str) -> &'static str {
        crate::strategy::status_title(s)
    }

    /// The timeline's lanes: the entries of each product in the roadmap's order, or of each
    /// priority (the one an initiative serves this quarter, else its first), by quarter and
    /// rank, with initiatives on no priority last.
    pub fn lanes(&self) -> Vec<(String, Vec<&Entry>)> {
        let by_priority = self.lanes_by == "priority";
        let products: std::collections::BTreeSet<&str> = self
            .roadmap
            .entries
            .iter()
            .map(|e| e.product.as_str())
            .collect();
        let mut lanes: Vec<(LaneOrder, String, Vec<&Entry>)> = Vec::new();
        // Where each lane's name sits in `lanes`: hundreds of entries fall into a few lanes.
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        for e in &self.roadmap.entries {
            let (key, name): (LaneOrder, Cow<str>) = match (by_priority, self.lane_priority(e)) {
                (false, _) => (
                    (0, String::new(), String::new(), 0),
                    Cow::Borrowed(&e.product_name),
                ),
                (true, Some(p)) => (
                    (0, p.quarter.clone(), e.product.clone(), p.position),
                    Cow::Owned(match products.len() {
                        1 => format!("{} · priority {} · {}", p.quarter, p.position, p.title),
                        _ => format!(
                            "{} · {} priority {} · {}",
                            p.quarter, e.product_name, p.position, p.title
                        ),
                    }),
                ),
                (true, None) => (
                    (1, String::new(), String::new(), 0),
                    Cow::Borrowed("Not on a quarter's priorities"),
                ),
            };
            match index.get(name.as_ref()) {
                Some(&i) => lanes[i].2.push(e),
                None => {
                    index.insert(name.to_string(), lanes.len());
                    lanes.push((key, name.into_owned(), vec![e]));
                }
            }
        }
        if by_priority {
            lanes.sort_by(|a, b| a.0.cmp(&b.0));
        }
        lanes.into_iter().map(|(_, n, e)| (n, e)).collect()
    }

    fn lane_priority<'e>(&self, e: &'e Entry) -> Option<&'e crate::strategy::model::PriorityRef> {
        e.priorities
            .iter()
            .find(|p| p.quarter == self.roadmap.current_quarter)
            .or_else(|| e.priorities.first())
    }

    /// The priorities the shown initiatives serve, by quarter and rank: (id, label).
    pub fn priorities(&self) -> Vec<(i64, String)> {
        let mut seen: Vec<(String, String, i64, i64, String)> = Vec::new();
        for e in &self.roadmap.entries {
            for p in &e.priorities {
                if !seen.iter().any(|s| s.3 == p.id) {
                    let label =
                        format!("{} · {} {} · {}", p.quarter, e.product, p.position, p.title);
                    seen.push((
                        p.quarter.clone(),
                        e.product.clone(),
                        p.position,
                        p.id,
                        label,
                    ));
                }
            }
        }
        seen.sort();
        seen.into_iter().map(|s| (s.3, s.4)).collect()
    }

    /// Where an entry's bar lies on the timeline: the quarters shown before it, and how many
    /// it spans (from the first to the last quarter it serves a priority in); `None` when it
    /// is in none of them.
    pub fn span(&self, e: &Entry) -> Option<(usize, usize)> {
        let q = &self.roadmap.quarters;
        let first = q.iter().position(|x| e.in_quarter(x))?;
        let last = q.iter().rposition(|x| e.in_quarter(x))?;
        Some((first, last - first + 1))
    }

    /// The empty quarter cells after a bar.
    pub fn after(&self, e: &Entry) -> usize {
        self.span(e)
            .map_or(0, |(b, n)| self.roadmap.quarters.len() - b - n)
    }

    /// Today's place across the shown quarters, from 0 to 1 (the today line), when today
    /// falls in one of them.
    pub fn today(&self) -> Option<String> {
        let q = &self.roadmap.quarters;
        let i = q.iter().position(|x| *x == self.roadmap.current_quarter)?;
        let today = crate::strategy::today();
        let quarter = crate::strategy::Quarter::of(today);
        let (start, next) = (quarter.start(), quarter.next().start());
        let done = (today - start).num_days() as f64 / (next - start).num_days() as f64;
        Some(format!("{:.4}", (i as f64 + done) / q.len() as f64))
    }
}

#[derive(askama::Template)]
#[template(path = "roadmap/roadmap.html")]
struct RoadmapPage {
    layout: Layout,
    ws: String,
    /// `timeline` or `horizons`.
    view: String,
    /// The timeline's lanes: `product` or `priority`.
    lanes_by: String,
    /// The board, rendered or kept (`crate::roadmap::kept`).
    board: Arc<Rendered>,
    products: Vec<Product>,
    teams: Vec<(i64, String)>,
    filter: Filter,
    statuses: [&'static str; 6],
    error: Option<String>,
    /// With a product chosen: its planned releases, each with the 85 % forecast of its open
    /// work beside the target date.
    releases: Vec<(
        crate::roadmap::releases::Release,
        Option<crate::flow::outlook::Outlook>,
    )>,
}

/// The board alone, for a page to embed or keep.
#[derive(askama::Template)]
#[template(path = "roadmap/board.html")]
struct BoardHtml<'a> {
    board: &'a Board,
    horizons: [Horizon; 4],
}

impl Board {
    /// The board rendered, with what the page around it shows of it.
    fn rendered(&self) -> Result<Rendered> {
        let html = askama::Template::render(&BoardHtml {
            board: self,
            horizons: Horizon::ALL,
        })
        .map_err(|e| Error::Internal(anyhow::anyhow!("rendering template: {e}")))?;
        Ok(Rendered {
            html,
            current_quarter: self.roadmap.current_quarter.clone(),
            priorities: self.priorities(),
        })
    }
}

impl RoadmapPage {
    fn is_product(&self, key: &str) -> bool {
        self.filter.product.as_deref() == Some(key)
    }

    fn is_team(&self, id: &i64) -> bool {
        self.filter.team == Some(*id)
    }

    fn is_priority(&self, id: &i64) -> bool {
        self.filter.priority == Some(*id)
    }

    /// This page's address with one setting changed (`None` drops it): the view and lane
    /// links and each filter chip's ×.
    fn with(&self, name: &str, value: Option<&str>) -> String {
        let f = &self.filter;
        let (team, priority) = (
            f.team.map(|t| t.to_string()),
            f.priority.map(|p| p.to_string()),
        );
        let now: [(&str, Option<&str>); 6] = [
            ("view", Some(self.view.as_str())),
            ("lanes", Some(self.lanes_by.as_str())),
            ("product", f.product.as_deref()),
            ("team", team.as_deref()),
            ("status", f.status.as_deref()),
            ("priority", priority.as_deref()),
        ];
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (n, v) in now {
            if let Some(v) = if n == name { value } else { v } {
                q.append_pair(n, v);
            }
        }
        format!("/w/{}/roadmap?{}", self.ws, q.finish())
    }

    /// The filters in force, as (what, shown as, the page without it): the chips.
    fn chips(&self) -> Vec<(&'static str, String, String)> {
        let f = &self.filter;
        let mut chips = Vec::new();
        if let Some(key) = &f.product {
            let name = self
                .products
                .iter()
                .find(|p| p.key == *key)
                .map_or(key.clone(), |p| p.name.clone());
            chips.push(("Product", name, self.with("product", None)));
        }
        if let Some(id) = f.team {
            let name = self
                .teams
                .iter()
                .find(|t| t.0 == id)
                .map_or(id.to_string(), |t| t.1.clone());
            chips.push(("Team", name, self.with("team", None)));
        }
        if let Some(s) = &f.status {
            chips.push((
                "Status",
                self.status_title(s).to_string(),
                self.with("status", None),
            ));
        }
        if let Some(id) = f.priority {
            let name = self
                .board
                .priorities
                .iter()
                .find(|p| p.0 == id)
                .map_or(id.to_string(), |p| p.1.clone());
            chips.push(("Priority", name, self.with("priority", None)));
        }
        chips
    }

    fn is_status(&self, s: &str) -> bool {
        self.filter.status.as_deref() == Some(s)
    }

    fn status_title(&self, s: &str) -> &'static str {
        crate::strategy::status_title(s)
    }
}

#[derive(Deserialize)]
struct RoadmapQuery {
    view: Option<String>,
    lanes: Option<String>,
    product: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    team: Option<String>,
}

fn lanes_of(v: Option<&str>) -> String {
    if v == Some("priority") {
        "priority"
    } else {
        "product"
    }
    .to_string()
}

fn view_of(v: Option<&str>) -> String {
    if v == Some("horizons") {
        "horizons"
    } else {
        "timeline"
    }
    .to_string()
}

/// What the roadmap page lists besides the roadmap: the products' counts of changes (the
/// roadmap kept under them), the products and the teams to filter by.
type Listed = ((kept::Fingerprint, Vec<Product>), Vec<(i64, String)>);

fn listed_read(ws: WsRef<'_>) -> Read<Listed> {
    kept::fingerprint_read(ws)
        .and(ws_store::products_read(ws))
        .and(crate::sprint::team::of_workspace_read(ws))
}

/// The roadmap page's prologue: the person, the workspace and what the page lists, in one
/// round trip; a kept roadmap is then served without another. (With a replica for reports,
/// the lists are read from it, in a second.)
struct RoadmapAt {
    user: PageUser,
    w: Workspace,
    listed: Listed,
}

impl FromRequestParts<AppState> for RoadmapAt {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let params = page_params(parts, state).await?;
        let at = async {
            let slug = params.get("ws").map(String::as_str).unwrap_or_default();
            let reports = state.db.for_reports();
            let also = match reports.id == state.db.id {
                true => listed_read(WsRef::Slug(slug)).map(|l| Ok(Some(l))),
                false => Read::ready(None),
            };
            let (user, member, listed) = page_and_workspace_with(parts, state, slug, also).await?;
            let (w, _) = member?;
            let listed = match listed {
                Some(listed) => listed,
                None => listed_read(WsRef::Id(w.id)).on(&reports).await?,
            };
            Ok::<_, Error>(RoadmapAt { user, w, listed })
        };
        at.await.map_err(IntoResponse::into_response)
    }
}

async fn roadmap(
    State(s): State<AppState>,
    RoadmapAt { user, w, listed }: RoadmapAt,
    Query(q): Query<RoadmapQuery>,
) -> Result<Response> {
    let priority = q
        .priority
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse()
                .map_err(|_| Error::invalid("priority", "not a priority"))
        })
        .transpose()?;
    let team = q
        .team
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().map_err(|_| Error::invalid("team", "not a team")))
        .transpose()?;
    let filter = Filter {
        product: q.product,
        status: q.status,
        priority,
        team,
    }
    .normalized()?;
    // The roadmap kept under the products' counts of changes, or read and rendered after them.
    let reports = s.db.for_reports();
    let ((print, products), teams) = listed;
    let (view, lanes_by) = (view_of(q.view.as_deref()), lanes_of(q.lanes.as_deref()));
    // A team's existence is not among the counts: a roadmap by team is read each time.
    let key = filter.team.is_none().then(|| kept::Key {
        db: reports.id,
        workspace_id: w.id,
        product: filter.product.clone(),
        status: filter.status.clone(),
        priority: filter.priority,
        view: view.clone(),
        lanes_by: lanes_by.clone(),
        linked: true,
        day: crate::strategy::today(),
    });
    let kept = key.as_ref().and_then(|k| kept::KEPT.get(k, &print));
    let (board, error) = match kept {
        Some(board) => (board, None),
        None => {
            let board = |roadmap| Board {
                roadmap,
                view: view.clone(),
                link_base: Some(format!("/w/{}", w.slug)),
                lanes_by: lanes_by.clone(),
            };
            match store::load_read(w.id, &filter)?.on(&reports).await? {
                Ok(r) => {
                    let rendered = Arc::new(board(r).rendered()?);
                    if let Some(k) = key {
                        kept::KEPT.put(k, print, rendered.clone());
                    }
                    (rendered, None)
                }
                Err(e @ Error::Invalid { .. }) => {
                    let all = store::load(&reports, w.id, &Filter::default()).await?;
                    (Arc::new(board(all).rendered()?), Some(e.to_string()))
                }
                Err(e) => return Err(e),
            }
        }
    };
    let ctx = match filter.product.as_deref() {
        Some(key) => Some(ws_store::product_ctx(&s.db, user.user.id, &w.slug, key).await?),
        None => None,
    };
    let (releases, layout) = match &ctx {
        // With a product chosen, the roadmap is one of its sections.
        Some(ctx) => {
            let planned: Vec<_> = crate::roadmap::releases::list(&s.db, ctx)
                .await?
                .into_iter()
                .filter(|r| r.status == "planned")
                .collect();
            (
                super::releases_web::with_outlooks(&s.db, ctx, planned).await?,
                crate::workspace::layout::product_layout(&user, ctx, crate::page::Section::Roadmap),
            )
        }
        None => (
            Vec::new(),
            Layout::new(&user, format!("{} · Roadmap", w.name))
                .crumb(format!("/w/{}", w.slug), w.name.clone())
                .crumb(format!("/w/{}/roadmap", w.slug), "Roadmap"),
        ),
    };
    Ok(render(&RoadmapPage {
        layout,
        view,
        lanes_by,
        board,
        products,
        teams,
        ws: w.slug,
        filter,
        statuses: crate::strategy::STATUSES,
        error,
        releases,
    }))
}

#[derive(askama::Template)]
#[template(path = "roadmap/shares.html")]
struct SharesPage {
    layout: Layout,
    ws: String,
    product: Product,
    shares: Vec<Share>,
    created: Option<String>,
}

async fn shares_page(
    s: &AppState,
    user: &PageUser,
    ws: &str,
    product: &str,
    created: Option<String>,
) -> Result<Response> {
    let ctx = ws_store::product_ctx(&s.db, user.user.id, ws, product).await?;
    let shares = share::list(&s.db, &ctx).await?;
    let layout =
        crate::workspace::layout::product_layout(user, &ctx, crate::page::Section::Roadmap)
            .title(format!("{} · Roadmap share links", ctx.product.name));
    Ok(render(&SharesPage {
        layout,
        ws: ctx.workspace.slug.clone(),
        product: ctx.product,
        shares,
        created,
    }))
}

async fn shares(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, product)): Path<(String, String)>,
) -> Result<Response> {
    shares_page(&s, &user, &ws, &product, None).await
}

async fn create_share(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let new = share::create(&s.db, &user.user, &ctx, &form.text("label")).await?;
    shares_page(
        &s,
        &user,
        &ctx.workspace.slug,
        &ctx.product.key,
        Some(new.path),
    )
    .await
}

async fn revoke_share(
    State(s): State<AppState>,
    Path((_, _, id)): Path<(String, String, String)>,
    pf: ProductForm,
) -> Result<Response> {
    share::revoke(&s.db, &pf.user.user, &pf.ctx, crate::extract::id(&id)?).await?;
    Ok(Redirect::to(&pf.url("/roadmap/shares")).into_response())
}

#[derive(askama::Template)]
#[template(path = "roadmap/shared.html")]
struct SharedPage {
    product_name: String,
    board: Board,
    horizons: [Horizon; 4],
}

#[derive(Deserialize)]
struct ViewQuery {
    view: Option<String>,
}

/// The roadmap for someone without an account: read-only, no links into the workspace.
async fn shared(
    State(s): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Result<Response> {
    let Some((ws, key, name)) = share::resolve(&s.db, &token).await? else {
        return Err(Error::NotFound);
    };
    let roadmap = store::load(
        &s.db.for_reports(),
        ws,
        &Filter {
            product: Some(key),
            ..Filter::default()
        },
    )
    .await?;
    let page = SharedPage {
        product_name: name,
        board: Board {
            roadmap,
            view: view_of(q.view.as_deref()),
            link_base: None,
            lanes_by: lanes_of(None),
        },
        horizons: Horizon::ALL,
    };
    match askama::Template::render(&page) {
        Ok(html) => Ok((
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Html(html),
        )
            .into_response()),
        Err(e) => Err(Error::Internal(anyhow::anyhow!("rendering template: {e}"))),
    }
}

/// Where a lane sorts when the roadmap is laid by priority: on a priority before none, then by
/// quarter, product and the priority's rank.
type LaneOrder = (u8, String, String, i64);
