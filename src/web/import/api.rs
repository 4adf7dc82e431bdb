//! Imports over the API: upload an export (multipart), get 202 and a job to poll for its
//! progress and its report.

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::auth::extract::ApiUser;
use crate::error::{ApiError, Error};
use crate::extract::Path;
use crate::import::detect::Format;
use crate::import::jobs::{self, Job};
use crate::import::service::Options;
use crate::import::uploads::UPLOAD_LIMIT;
use crate::state::AppState;
use crate::workspace::store::product_ctx;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    // An upload may be larger than any other body; only its route takes the larger limit.
    let upload = OpenApiRouter::new()
        .routes(routes!(create))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT));
    OpenApiRouter::new()
        .merge(upload)
        .routes(routes!(show))
        .routes(routes!(undo))
}

/// The multipart form an upload sends.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct Upload {
    /// The export: Jira CSV, XML or JSON, Trello, GitHub, Linear, Asana, Pivotal, Plane, Taiga…
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `auto` (default: recognized from the content) or a format's name, as `--format` takes it.
    pub format: Option<String>,
    /// `true` to read and map everything and report it, writing nothing.
    pub dry_run: Option<bool>,
    /// What the file's epics become: `initiatives` (default, children linked) or `items`.
    pub epics_as: Option<String>,
}

/// The upload's parts: the file (name and bytes) and the options.
async fn upload(mut form: Multipart) -> Result<(String, Vec<u8>, Options), Error> {
    let bad = |e: axum::extract::multipart::MultipartError| Error::invalid("file", e.body_text());
    let (mut file, mut opts) = (None, Options::default());
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("upload").to_string();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            "format" => {
                let text = field.text().await.map_err(bad)?;
                opts.format =
                    Format::parse(text.trim()).map_err(|m| Error::invalid("format", m))?;
            }
            "dry_run" => {
                let text = field.text().await.map_err(bad)?;
                opts.dry_run = match text.trim() {
                    "true" | "1" | "on" => true,
                    "false" | "0" | "" => false,
                    _ => return Err(Error::invalid("dry_run", "use true or false")),
                };
            }
            "epics_as" => {
                opts.epics_as_items =
                    crate::import::epics::parse_as(field.text().await.map_err(bad)?.trim())
                        .map_err(|m| Error::invalid("epics_as", m))?;
            }
            other => {
                return Err(Error::invalid(
                    other,
                    "not a part of an import: use file, format, dry_run, epics_as",
                ))
            }
        }
    }
    let (name, bytes) =
        file.ok_or_else(|| Error::invalid("file", "attach the export as the file part"))?;
    Ok((name, bytes, opts))
}

/// Start an import from an uploaded export
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/imports", operation_id = "startImport", tag = "import",
    params(("ws" = String, Path), ("product" = String, Path)),
    request_body(content = Upload, content_type = "multipart/form-data"),
    responses((status = 202, body = Job, description = "queued; poll the job at its Location"),
        (status = 403), (status = 413), (status = 422, description = "the file or an option is not usable, named in `field`")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, p)): Path<(String, String)>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    // axum answers a body that is not multipart with a plain-text 400; ours is problem details.
    let form = form
        .map_err(|_| Error::UnsupportedMediaType("send the file as multipart/form-data".into()))?;
    let ctx = product_ctx(&st.db, u.id, &ws, &p).await?;
    ctx.grants.require(crate::auth::Action::Import)?;
    let (name, bytes, opts) = upload(form).await?;
    let job = jobs::start(&st.db, &u, &ctx, &name, bytes, opts).await?;
    let location = format!("/api/v1/workspaces/{ws}/products/{p}/imports/{}", job.id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(job),
    )
        .into_response())
}

/// Show an import job: its status, progress and, once done, its report
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/imports/{id}", operation_id = "showImport", tag = "import",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Job), (status = 403), (status = 404)))]
pub async fn show(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, p, id)): Path<(String, String, i64)>,
) -> Result<Json<Job>, ApiError> {
    let ctx = product_ctx(&st.db, u.id, &ws, &p).await?;
    ctx.grants.require(crate::auth::Action::Import)?;
    Ok(Json(jobs::get(&st.db, ctx.product.id, id).await?))
}

/// Which import to undo.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoInput {
    /// The `import_id` of the import's report.
    pub import_id: i64,
}

/// Undo an import as a whole: the items it created are deleted and those it updated get back
/// what they had. Refused with 409, naming the items, once anything has touched them since.
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/imports/undo", operation_id = "undoImport", tag = "import",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = UndoInput,
    responses((status = 200, body = crate::import::undo::Undone), (status = 403), (status = 404), (status = 409)))]
pub async fn undo(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, p)): Path<(String, String)>,
    crate::auth::extract::ApiJson(input): crate::auth::extract::ApiJson<UndoInput>,
) -> Result<Json<crate::import::undo::Undone>, ApiError> {
    let ctx = product_ctx(&st.db, u.id, &ws, &p).await?;
    Ok(Json(
        crate::import::undo::undo(&st.db, &u, &ctx, input.import_id).await?,
    ))
}
