//! Uploads waiting between the Import page's preview and its confirmation. The file is kept in
//! the database, not on one server's disk, so whichever process answers the confirmation finds
//! it. A random token names the upload; only its hash is stored, and only the person who
//! uploaded it may take it, for the product it was uploaded to.

use chrono::{DateTime, Duration, Utc};

use super::detect::Format;
use super::service::Options;
use crate::auth::{hash_secret, random_secret};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::{exec, on};

/// The largest export an upload may carry (the rest of the site keeps its small limit).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// How long an upload waits for its confirmation.
const KEEP_HOURS: i64 = 1;

/// An upload taken back for its import.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub opts: Options,
}

/// Keeps an upload and returns the token that takes it back; uploads older than an hour (a
/// preview nobody confirmed) are removed on the way.
pub async fn keep(
    db: &Db,
    product_id: i64,
    user_id: i64,
    file_name: &str,
    bytes: &[u8],
    opts: &Options,
) -> Result<String> {
    let now = crate::db::now();
    let stale: DateTime<Utc> = now - Duration::hours(KEEP_HOURS);
    exec!(&mut db.writer().await?.conn(), c => sqlx::query("DELETE FROM import_uploads WHERE created_at < $1")
        .bind(stale))?;
    let token = random_secret("");
    let format = opts.format.map(Format::name);
    exec!(&mut db.writer().await?.conn(), c => sqlx::query(
        "INSERT INTO import_uploads (token_hash, product_id, user_id, file_name, format, dry_run,
                                     content, created_at, epics_as_items)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(hash_secret(&token)).bind(product_id).bind(user_id).bind(file_name).bind(format)
        .bind(opts.dry_run).bind(bytes).bind(now).bind(opts.epics_as_items))?;
    Ok(token)
}

type Row = (String, Option<String>, bool, Vec<u8>, DateTime<Utc>, bool);

/// Takes an upload back, once: the row is deleted in the same statement, so a double click
/// cannot start the import twice. A token of someone else, of another product, or too old
/// gets a sentence asking to upload again.
pub async fn take(db: &Db, product_id: i64, user_id: i64, token: &str) -> Result<Upload> {
    let row: Option<Row> = on!(&mut db.writer().await?.conn(), c => sqlx::query_as(
        "DELETE FROM import_uploads WHERE token_hash = $1 AND product_id = $2 AND user_id = $3
         RETURNING file_name, format, dry_run, content, created_at, epics_as_items")
        .bind(hash_secret(token)).bind(product_id).bind(user_id).fetch_optional(&mut **c).await)?;
    let gone = || {
        Error::invalid(
            "file",
            "this preview is no longer available (it was imported, or is older than an hour): upload the file again",
        )
    };
    let (file_name, format, dry_run, bytes, at, epics_as_items) = row.ok_or_else(gone)?;
    if at < crate::db::now() - Duration::hours(KEEP_HOURS) {
        return Err(gone());
    }
    let format = match format {
        Some(f) => Format::parse(&f).map_err(|m| Error::invalid("format", m))?,
        None => None,
    };
    Ok(Upload {
        file_name,
        bytes,
        opts: Options {
            dry_run,
            format,
            progress: None,
            epics_as_items,
        },
    })
}
