//! The Import page (PRODUCT.md D2) for workspace admins, PMs and POs: upload an export, see the
//! mapping the reader found before anything is written, confirm, and follow the background job
//! with a progress bar (htmx polls a fragment; without JavaScript the page refreshes itself)
//! until its report.

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::extract::PageUser;
use crate::auth::Action;
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::import::detect::{Format, NAMES};
use crate::import::jobs::{self, Job};
use crate::import::service::{self, Options};
use crate::import::{uploads, Record, Report};
use crate::page::{render, FormData, Layout};
use crate::state::AppState;
use crate::workspace::layout::product_layout;
use crate::workspace::store::product_ctx;
use crate::workspace::ProductCtx;

/// How many of the file's first items the preview shows.
const SAMPLE: usize = 10;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/w/{ws}/p/{product}/import",
            get(form)
                .post(preview)
                .layer(DefaultBodyLimit::max(uploads::UPLOAD_LIMIT)),
        )
        .route("/w/{ws}/p/{product}/import/confirm", post(confirm))
        .route("/w/{ws}/p/{product}/import/jobs/{id}", get(job_page))
        .route("/w/{ws}/p/{product}/import/jobs/{id}/undo", post(undo))
        .route(
            "/w/{ws}/p/{product}/import/jobs/{id}/progress",
            get(progress),
        )
}

/// One of the file's first items, as the preview lists it.
struct Sample {
    key: String,
    title: String,
    kind: &'static str,
    status: &'static str,
    points: String,
}

impl Sample {
    fn of(r: &Record) -> Sample {
        Sample {
            key: r.key.clone(),
            title: r.title.clone(),
            kind: r.kind,
            status: r.status,
            // As it will be stored: 0.1 + 0.2 of Taiga's roles shows as 0.3.
            points: r
                .points
                .and_then(crate::import::rules::round_points)
                .map(|p| p.to_string())
                .unwrap_or_default(),
        }
    }
}

/// What the reader found in an upload, with the token that confirms it.
struct Preview {
    token: String,
    file_name: String,
    dry_run: bool,
    report: Report,
    sample: Vec<Sample>,
}

#[derive(askama::Template)]
#[template(path = "import/page.html")]
struct ImportPage {
    layout: Layout,
    ws: String,
    pkey: String,
    formats: Vec<&'static str>,
    format: String,
    dry_run: bool,
    epics_as_items: bool,
    file_error: Option<String>,
    format_error: Option<String>,
    preview: Option<Preview>,
}

impl ImportPage {
    fn new(user: &PageUser, ctx: &ProductCtx) -> ImportPage {
        ImportPage {
            layout: product_layout(user, ctx, crate::page::Section::Backlog)
                .title(format!("{} · Import", ctx.product.name)),
            ws: ctx.workspace.slug.clone(),
            pkey: ctx.product.key.clone(),
            formats: NAMES.iter().map(|(n, _)| *n).collect(),
            format: "auto".into(),
            dry_run: false,
            epics_as_items: false,
            file_error: None,
            format_error: None,
            preview: None,
        }
    }

    /// The form again with the reason beside its field, answered with 422.
    fn refused(mut self, e: Error) -> Result<Response> {
        match e {
            Error::Invalid { field, message } if field == "format" => {
                self.format_error = Some(message)
            }
            Error::Invalid { message, .. } => self.file_error = Some(message),
            other => return Err(other),
        }
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&self)).into_response())
    }
}

/// The product, for someone who may import into it (admins, PMs, POs); 403 for anyone else.
async fn import_ctx(state: &AppState, user: &PageUser, ws: &str, p: &str) -> Result<ProductCtx> {
    let ctx = product_ctx(&state.db, user.user.id, ws, p).await?;
    ctx.grants.require(Action::Import)?;
    Ok(ctx)
}

/// The upload form.
async fn form(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, p)): Path<(String, String)>,
) -> Result<Response> {
    let ctx = import_ctx(&state, &user, &ws, &p).await?;
    Ok(render(&ImportPage::new(&user, &ctx)))
}

/// The parts of the upload form: the CSRF token, the file, the format and the dry-run box.
struct Parts {
    csrf: Option<String>,
    file: Option<(String, Vec<u8>)>,
    format: String,
    dry_run: bool,
    epics_as_items: bool,
}

async fn parts(mut form: Multipart) -> Result<Parts> {
    let bad = |e: axum::extract::multipart::MultipartError| Error::invalid("file", e.body_text());
    let mut out = Parts {
        csrf: None,
        file: None,
        format: "auto".into(),
        dry_run: false,
        epics_as_items: false,
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "csrf" => out.csrf = Some(field.text().await.map_err(bad)?),
            "file" => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(bad)?.to_vec();
                // A browser sends an empty part when no file was chosen.
                if !bytes.is_empty() {
                    out.file = Some((name, bytes));
                }
            }
            "format" => out.format = field.text().await.map_err(bad)?.trim().to_string(),
            "dry_run" => {
                out.dry_run = matches!(field.text().await.map_err(bad)?.trim(), "true" | "on" | "1")
            }
            "epics_as" => {
                let text = field.text().await.map_err(bad)?;
                out.epics_as_items = crate::import::epics::parse_as(text.trim())
                    .map_err(|m| Error::invalid("format", m))?;
            }
            // Parts the form does not send are ignored, as a urlencoded form's would be.
            _ => {}
        }
    }
    Ok(out)
}

/// Reads the upload and shows what an import would do; nothing is written but the kept file.
async fn preview(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, p)): Path<(String, String)>,
    form: Multipart,
) -> Result<Response> {
    let ctx = import_ctx(&state, &user, &ws, &p).await?;
    let mut page = ImportPage::new(&user, &ctx);
    let parts = match parts(form).await {
        Ok(parts) => parts,
        Err(e) => return page.refused(e),
    };
    user.check_csrf(parts.csrf.as_deref())?;
    page.format.clone_from(&parts.format);
    page.dry_run = parts.dry_run;
    page.epics_as_items = parts.epics_as_items;
    let format = match Format::parse(&parts.format) {
        Ok(f) => f,
        Err(m) => return page.refused(Error::invalid("format", m)),
    };
    let Some((file_name, bytes)) = parts.file else {
        return page.refused(Error::invalid("file", "choose the export file to import"));
    };
    let batch = match service::read(&bytes, format) {
        Ok(batch) => batch,
        Err(e) => return page.refused(e),
    };
    let opts = Options {
        dry_run: parts.dry_run,
        format,
        progress: None,
        epics_as_items: parts.epics_as_items,
    };
    let token = uploads::keep(
        &state.db,
        ctx.product.id,
        user.user.id,
        &file_name,
        &bytes,
        &opts,
    )
    .await?;
    page.preview = Some(Preview {
        token,
        file_name,
        dry_run: parts.dry_run,
        report: Report::from_batch(&batch),
        sample: batch.records.iter().take(SAMPLE).map(Sample::of).collect(),
    });
    Ok(render(&page))
}

/// Starts the import of a previewed upload and sends the browser to its job.
async fn confirm(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, p)): Path<(String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let ctx = import_ctx(&state, &user, &ws, &p).await?;
    let upload =
        match uploads::take(&state.db, ctx.product.id, user.user.id, &form.text("token")).await {
            Ok(u) => u,
            Err(e) => return ImportPage::new(&user, &ctx).refused(e),
        };
    let started = jobs::start(
        &state.db,
        &user.user,
        &ctx,
        &upload.file_name,
        upload.bytes,
        upload.opts,
    )
    .await;
    match started {
        Ok(job) => {
            Ok(Redirect::to(&format!("/w/{ws}/p/{p}/import/jobs/{}", job.id)).into_response())
        }
        Err(e) => ImportPage::new(&user, &ctx).refused(e),
    }
}

/// A job as the page shows it: its progress, and its report once done.
struct JobView {
    id: i64,
    status: String,
    file_name: String,
    format: String,
    dry_run: bool,
    done: i64,
    total: i64,
    report: Option<Report>,
    error: Option<String>,
}

impl JobView {
    fn of(job: Job) -> JobView {
        JobView {
            id: job.id,
            status: job.status,
            file_name: job.file_name,
            format: job.format,
            dry_run: job.dry_run,
            done: job.progress.done,
            total: job.progress.total.max(1),
            report: job.report.and_then(|r| serde_json::from_value(r).ok()),
            error: job.error,
        }
    }

    fn finished(&self) -> bool {
        matches!(self.status.as_str(), "done" | "failed")
    }

    fn percent(&self) -> i64 {
        self.done.saturating_mul(100) / self.total
    }
}

#[derive(askama::Template)]
#[template(path = "import/job.html")]
struct JobPage {
    layout: Layout,
    ws: String,
    pkey: String,
    csrf: String,
    job: JobView,
    /// The outcome of an undo: done, or why not.
    message: Option<(bool, String)>,
}

#[derive(askama::Template)]
#[template(path = "import/progress.html")]
struct ProgressFragment {
    ws: String,
    pkey: String,
    csrf: String,
    job: JobView,
}

/// An import job: its progress while it runs, its report when done.
async fn job_page(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, p, id)): Path<(String, String, i64)>,
) -> Result<Response> {
    show_job(&state, &user, &ws, &p, id, None).await
}

async fn show_job(
    state: &AppState,
    user: &PageUser,
    ws: &str,
    p: &str,
    id: i64,
    message: Option<(bool, String)>,
) -> Result<Response> {
    let ctx = import_ctx(state, user, ws, p).await?;
    let job = JobView::of(jobs::get(&state.db, ctx.product.id, id).await?);
    let layout = product_layout(user, &ctx, crate::page::Section::Backlog)
        .title(format!("{} · Import", ctx.product.name))
        .crumb(format!("/w/{ws}/p/{p}/import"), "Import");
    Ok(render(&JobPage {
        csrf: layout.csrf.clone(),
        layout,
        ws: ctx.workspace.slug,
        pkey: ctx.product.key,
        job,
        message,
    }))
}

/// Undoes the job's import as a whole, then shows the job again with what happened.
async fn undo(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, p, id)): Path<(String, String, i64)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let ctx = import_ctx(&state, &user, &ws, &p).await?;
    let job = JobView::of(jobs::get(&state.db, ctx.product.id, id).await?);
    let Some(import_id) = job.report.as_ref().and_then(|r| r.import_id) else {
        let m = "This job changed nothing, so there is nothing to undo.".to_string();
        return show_job(&state, &user, &ws, &p, id, Some((false, m))).await;
    };
    let message = match crate::import::undo::undo(&state.db, &user.user, &ctx, import_id).await {
        Ok(u) => (true, format!("Import {import_id} undone: {}.", u.summary())),
        Err(Error::Conflict(m)) => (false, m),
        Err(e) => return Err(e),
    };
    show_job(&state, &user, &ws, &p, id, Some(message)).await
}

/// The job's progress section alone, which the job page polls every second while it runs.
async fn progress(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, p, id)): Path<(String, String, i64)>,
) -> Result<Response> {
    let ctx = import_ctx(&state, &user, &ws, &p).await?;
    let job = JobView::of(jobs::get(&state.db, ctx.product.id, id).await?);
    Ok(render(&ProgressFragment {
        csrf: user.csrf.clone(),
        ws: ctx.workspace.slug,
        pkey: ctx.product.key,
        job,
    }))
}
