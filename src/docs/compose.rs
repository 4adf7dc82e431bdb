//! Writes a document: checks who asks and what for, gathers, renders. The one entry point the
//! API, the pages and the CLI call.

pub use super::raw::{make_raw, Params};
use super::{Document, Kind};
use crate::db::Db;
use crate::error::Result;
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

/// The document, opening with a note when it reads differently from the version last sent
/// for sign-off.
pub async fn make(db: &Db, ctx: &ProductCtx, kind: Kind, p: &Params) -> Result<Document> {
    let mut p = p.clone();
    if kind == Kind::Brief && p.quarter.is_none() {
        p.quarter = Some(Quarter::of(crate::calendar::today()));
    }
    let mut doc = make_raw(db, ctx, kind, &p).await?;
    if let Some(req) = super::signoff::latest(db, ctx, kind, &p).await? {
        let then: Vec<super::SourceRecord> =
            serde_json::from_value(req.snapshot["sources"].clone()).unwrap_or_default();
        let md_then = req.snapshot["markdown"].as_str().unwrap_or_default();
        if let Some(note) =
            super::signoff::note(ctx, &req, &then, md_then, &doc.markdown, &doc.sources)
        {
            // After the title line, before the body.
            let at = doc
                .markdown
                .find("\n\n")
                .map_or(doc.markdown.len(), |i| i + 2);
            doc.markdown.insert_str(at, &note);
        }
    }
    Ok(doc)
}
