//! HTML pages for research: sources and their insights, evidence links, search; personas; and
//! the product vision form.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::auth::extract::PageUser;
use crate::auth::Action;
use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::page::{render, split_labels, FormData, Layout};
use crate::state::AppState;
use crate::strategy::model::Initiative;
use crate::strategy::research_model::{
    EvidenceLink, Insight, InsightInput, Persona, PersonaInput, SearchHit, Source, SourceInput,
    VisionInput,
};
use crate::strategy::{initiatives, personas, research, Quarter, SortBy, SOURCE_KINDS};
use crate::workspace::form::ProductForm;
use crate::workspace::layout::product_layout;
use crate::workspace::{store as ws_store, Product, ProductCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/w/{ws}/p/{product}/research",
            get(research_home).post(create_source),
        )
        .route(
            "/w/{ws}/p/{product}/research/sources/{id}",
            get(source).post(create_insight),
        )
        .route(
            "/w/{ws}/p/{product}/research/insights/{id}/evidence",
            post(evidence),
        )
        .route(
            "/w/{ws}/p/{product}/personas",
            get(personas_page).post(create_persona),
        )
        .route(
            "/w/{ws}/p/{product}/personas/{id}/items",
            post(persona_item),
        )
        .route("/w/{ws}/p/{product}/vision", post(set_vision))
}

async fn product(s: &AppState, user: &PageUser, ws: &str, product: &str) -> Result<ProductCtx> {
    ws_store::product_ctx(&s.db, user.user.id, ws, product).await
}

/// Shows a fixable refusal on the page it came from, with its status.
fn refused(e: &Error) -> bool {
    matches!(
        e,
        Error::Invalid { .. } | Error::Forbidden(_) | Error::Stale { .. } | Error::Conflict(_)
    )
}

fn with_status(mut r: Response, e: &Error) -> Response {
    *r.status_mut() = e.status();
    r
}

#[derive(askama::Template)]
#[template(path = "strategy/research.html")]
struct ResearchPage {
    layout: Layout,
    ws: String,
    product: Product,
    q: String,
    hits: Option<Vec<SearchHit>>,
    sources: Vec<Source>,
    kinds: [&'static str; 5],
    pm: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn research_page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    q: String,
    error: Option<String>,
) -> Result<Response> {
    let (hits, error) = if q.trim().is_empty() {
        (None, error)
    } else {
        match research::search(&s.db, &ctx, &q, 50).await {
            Ok(h) => (Some(h), error),
            Err(Error::Invalid { message, .. }) => (None, Some(message)),
            Err(e) => return Err(e),
        }
    };
    Ok(render(&ResearchPage {
        layout: product_layout(user, &ctx, crate::page::Section::Research),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        sources: research::sources(&s.db, &ctx, 100).await?,
        product: ctx.product,
        q,
        hits,
        kinds: SOURCE_KINDS,
        error,
    }))
}

async fn research_home(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, p)): Path<(String, String)>,
    Query(q): Query<SearchQuery>,
) -> Result<Response> {
    let ctx = product(&s, &user, &ws, &p).await?;
    research_page(&s, &user, ctx, q.q.unwrap_or_default(), None).await
}

async fn create_source(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let input = SourceInput {
        kind: form.get("kind").map(str::to_string),
        title: form.get("title").map(str::to_string),
        happened_on: form.get("happened_on").map(str::to_string),
        customer: form.get("customer").map(str::to_string),
        segment: form.get("segment").map(str::to_string),
        notes: form.get("notes").map(str::to_string),
    };
    match research::create_source(&s.db, &user.user, &ctx, input).await {
        Ok(src) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/research/sources/{}",
            ctx.workspace.slug, ctx.product.key, src.id
        ))
        .into_response()),
        Err(e) if refused(&e) => Ok(with_status(
            research_page(&s, &user, ctx, String::new(), Some(e.to_string())).await?,
            &e,
        )),
        Err(e) => Err(e),
    }
}

#[derive(askama::Template)]
#[template(path = "strategy/source.html")]
struct SourcePage {
    layout: Layout,
    ws: String,
    product: Product,
    source: Source,
    insights: Vec<Insight>,
    personas: Vec<Persona>,
    initiatives: Vec<Initiative>,
    pm: bool,
    error: Option<String>,
}

impl SourcePage {
    fn initiative_title(&self, id: &i64) -> String {
        self.initiatives
            .iter()
            .find(|i| i.id.0 == *id)
            .map(|i| i.title.clone())
            .unwrap_or_default()
    }
}

async fn source_page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    id: i64,
    error: Option<String>,
) -> Result<Response> {
    let source = research::source(&s.db, &ctx, id).await?;
    let insights = research::insights(&s.db, &ctx, Some(id), 500).await?;
    let initiatives = initiatives::list(
        &s.db,
        &ctx,
        SortBy::Rice,
        Quarter::of(crate::strategy::today()),
    )
    .await?;
    Ok(render(&SourcePage {
        layout: product_layout(user, &ctx, crate::page::Section::Research)
            .title(source.title.clone()),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        personas: personas::list(&s.db, &ctx).await?,
        product: ctx.product,
        source,
        insights,
        initiatives,
        error,
    }))
}

async fn source(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, p, id)): Path<(String, String, String)>,
) -> Result<Response> {
    let ctx = product(&s, &user, &ws, &p).await?;
    source_page(&s, &user, ctx, super::api::id(&id)?, None).await
}

async fn create_insight(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, p, id)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let id = super::api::id(&id)?;
    let ctx = product(&s, &user, &ws, &p).await?;
    let run = async {
        let importance = form
            .text("importance")
            .trim()
            .parse()
            .map_err(|_| Error::invalid("importance", "from 1 to 5"))?;
        let persona = form
            .get("persona_id")
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse()
                    .map_err(|_| Error::invalid("persona_id", "not one of the choices"))
            })
            .transpose()?;
        let input = InsightInput {
            source_id: Some(id),
            kind: form.get("kind").map(str::to_string),
            body: form.get("body").map(str::to_string),
            importance: Some(importance),
            persona_id: Some(persona),
            tags: Some(split_labels(&form.text("tags"))),
        };
        research::create_insight(&s.db, &user.user, &ctx, input).await
    };
    let r = run.await;
    back_to_source(&s, &user, ctx, id, r.map(|_| ())).await
}

async fn back_to_source(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    source: i64,
    r: Result<()>,
) -> Result<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/research/sources/{source}",
            ctx.workspace.slug, ctx.product.key
        ))
        .into_response()),
        Err(e) if refused(&e) => Ok(with_status(
            source_page(s, user, ctx, source, Some(e.to_string())).await?,
            &e,
        )),
        Err(e) => Err(e),
    }
}

async fn evidence(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, p, id)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let id = super::api::id(&id)?;
    let ctx = product(&s, &user, &ws, &p).await?;
    let source = research::insight(&s.db, &ctx, id).await?.source_id;
    let run = async {
        let initiative = form
            .get("initiative")
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse()
                    .map_err(|_| Error::invalid("initiative", "not one of the choices"))
            })
            .transpose()?;
        let item = form
            .get("item")
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        let link = EvidenceLink { initiative, item };
        research::set_evidence(
            &s.db,
            &user.user,
            &ctx,
            id,
            &link,
            form.get("unlink").is_none(),
        )
        .await
    };
    let r = run.await;
    back_to_source(&s, &user, ctx, source, r.map(|_| ())).await
}

#[derive(askama::Template)]
#[template(path = "strategy/personas.html")]
struct PersonasPage {
    layout: Layout,
    ws: String,
    product: Product,
    personas: Vec<Persona>,
    pm: bool,
    may_assign: bool,
    error: Option<String>,
}

async fn personas_view(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    error: Option<String>,
) -> Result<Response> {
    Ok(render(&PersonasPage {
        layout: product_layout(user, &ctx, crate::page::Section::Personas),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        may_assign: ctx.grants.may(Action::EditItem),
        personas: personas::list(&s.db, &ctx).await?,
        product: ctx.product,
        error,
    }))
}

async fn personas_page(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, p)): Path<(String, String)>,
) -> Result<Response> {
    let ctx = product(&s, &user, &ws, &p).await?;
    personas_view(&s, &user, ctx, None).await
}

async fn create_persona(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let input = PersonaInput {
        name: form.get("name").map(str::to_string),
        segment: form.get("segment").map(str::to_string),
        goals: form.get("goals").map(str::to_string),
        pains: form.get("pains").map(str::to_string),
    };
    match personas::create(&s.db, &user.user, &ctx, input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/personas",
            ctx.workspace.slug, ctx.product.key
        ))
        .into_response()),
        Err(e) if refused(&e) => Ok(with_status(
            personas_view(&s, &user, ctx, Some(e.to_string())).await?,
            &e,
        )),
        Err(e) => Err(e),
    }
}

async fn persona_item(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, p, id)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let id = super::api::id(&id)?;
    let ctx = product(&s, &user, &ws, &p).await?;
    let key = form.text("key").trim().to_uppercase();
    match personas::set_item_persona(&s.db, &user.user, &ctx, &key, Some(id)).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/w/{ws}/p/{}/personas", ctx.product.key)).into_response())
        }
        Err(Error::NotFound) => {
            let e = Error::invalid("key", format!("no item {key:?} in {}", ctx.product.key));
            Ok(with_status(
                personas_view(&s, &user, ctx, Some(e.to_string())).await?,
                &e,
            ))
        }
        Err(e) if refused(&e) => Ok(with_status(
            personas_view(&s, &user, ctx, Some(e.to_string())).await?,
            &e,
        )),
        Err(e) => Err(e),
    }
}

async fn set_vision(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let input = VisionInput {
        vision: form.get("vision").map(str::to_string),
        target_segments: form.get("target_segments").map(str::to_string),
        positioning: form.get("positioning").map(str::to_string),
    };
    personas::set_vision(&s.db, &user.user, &ctx, form.version()?, input).await?;
    Ok(Redirect::to(&format!(
        "/w/{}/p/{}/strategy",
        ctx.workspace.slug, ctx.product.key
    ))
    .into_response())
}
