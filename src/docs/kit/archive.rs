//! A kit as a `.zip` or a folder. The zip is deterministic: files in path order, every entry
//! stamped 1980-01-01 (the format's epoch), the same compression, so the same kit gives the
//! same bytes.

use std::io::{Cursor, Write};
use std::path::{Component, Path};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::Kit;
use crate::error::{Error, Result};

pub fn zip(kit: &Kit) -> Result<Vec<u8>> {
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for f in &kit.files {
        w.start_file(f.path.as_str(), opts)
            .and_then(|()| w.write_all(f.text.as_bytes()).map_err(Into::into))
            .map_err(|e| Error::Internal(anyhow::anyhow!("writing the kit's zip: {e}")))?;
    }
    let out = w
        .finish()
        .map_err(|e| Error::Internal(anyhow::anyhow!("writing the kit's zip: {e}")))?;
    Ok(out.into_inner())
}

/// Writes the kit's files under `dir` (created when missing; files of the same name are
/// replaced, others left alone).
pub fn write_dir(kit: &Kit, dir: &Path) -> std::io::Result<()> {
    for f in &kit.files {
        let rel = Path::new(&f.path);
        // Paths are the kit's own; a path that could leave `dir` is a bug, never written.
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(std::io::Error::other(format!("unsafe kit path {}", f.path)));
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &f.text)?;
    }
    Ok(())
}
