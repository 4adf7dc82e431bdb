//! Reading an export document for restore: its head first (format, version, schema), then its
//! tables straight into typed rows, each value checked against its column as it is read, so
//! memory holds the rows once and never a JSON tree of the whole document.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::tables::TABLES;
use super::{Cell, Table, FORMAT, VERSION};
use crate::error::{Error, Result};

/// Each table of the map with its rows (values in column order), in restore order.
pub type Rows = Vec<(&'static Table, Vec<Vec<Cell>>)>;

fn bad(message: impl Into<String>) -> Error {
    Error::invalid("file", message)
}

/// The document without its tables, which this pass skips without keeping.
#[derive(Deserialize)]
struct Head {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
    schema: Option<i64>,
    workspace: Option<String>,
}

/// Reads and checks a document against the database's `schema` version: its format, its
/// version, and every value against its column. Answers the workspace and its rows.
pub fn document(bytes: &[u8], schema: i64) -> Result<(String, Rows)> {
    let head: Head = serde_json::from_slice(bytes)
        .map_err(|e| bad(format!("not a Throughline export (not a JSON object: {e})")))?;
    if head.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(bad(format!(
            "not a Throughline export (no \"format\": \"{FORMAT}\")"
        )));
    }
    if head.version.as_ref().and_then(|v| v.as_i64()) != Some(VERSION) {
        let v = head.version.map_or("none".to_string(), |v| v.to_string());
        return Err(bad(format!(
            "export version {v} is not one this Throughline reads (it reads version {VERSION})"
        )));
    }
    let (Some(written_at), Some(workspace)) = (head.schema, head.workspace) else {
        return Err(bad(
            "the export's layout is broken: no \"schema\" or no \"workspace\"",
        ));
    };
    if written_at != schema {
        return Err(bad(format!(
            "the export was written at schema version {written_at}, this database is at {schema}; restore it with the Throughline release that wrote it"
        )));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut found: Vec<Option<Vec<Vec<Cell>>>> = vec![None; TABLES.len()];
    DocumentSeed(&mut found)
        .deserialize(&mut de)
        .map_err(|e| bad(e.to_string()))?;
    let mut out = Vec::with_capacity(TABLES.len());
    for (t, rows) in TABLES.iter().zip(found) {
        let rows = rows.ok_or_else(|| bad(format!("the export has no table {:?}", t.name)))?;
        out.push((t, rows));
    }
    Ok((workspace, out))
}

/// The top-level object: only `tables` is read here.
struct DocumentSeed<'a>(&'a mut Vec<Option<Vec<Vec<Cell>>>>);

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an export document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "tables" {
                map.next_value_seed(TablesSeed(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `tables`: each known table's rows.
struct TablesSeed<'a>(&'a mut Vec<Option<Vec<Vec<Cell>>>>);

impl<'de> DeserializeSeed<'de> for TablesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TablesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of tables")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(name) = map.next_key::<String>()? {
            let Some(i) = TABLES.iter().position(|t| t.name == name) else {
                return Err(de::Error::custom(format!(
                    "the export has a table {name:?} this Throughline does not know"
                )));
            };
            self.0[i] = Some(map.next_value_seed(RowsSeed(&TABLES[i]))?);
        }
        Ok(())
    }
}

/// One table's list of rows.
struct RowsSeed(&'static Table);

impl<'de> DeserializeSeed<'de> for RowsSeed {
    type Value = Vec<Vec<Cell>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed {
    type Value = Vec<Vec<Cell>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of {} rows", self.0.name)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let t = self.0;
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(row) = seq.next_element_seed(RowSeed(t, rows.len() + 1))? {
            rows.push(row);
        }
        Ok(rows)
    }
}

/// One row: every column once, each value of its column's kind.
struct RowSeed(&'static Table, usize);

impl<'de> DeserializeSeed<'de> for RowSeed {
    type Value = Vec<Cell>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed {
    type Value = Vec<Cell>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a row of {}", self.0.name)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let RowSeed(t, n) = self;
        let at = |what: String| de::Error::custom(format!("{}, row {n}: {what}", t.name));
        let mut cells: Vec<Option<Cell>> = vec![None; t.columns.len()];
        while let Some(key) = map.next_key::<String>()? {
            let Some(i) = t.columns.iter().position(|c| c.name == key) else {
                return Err(at(format!("unknown column {key:?}")));
            };
            let v: serde_json::Value = map.next_value()?;
            let c = &t.columns[i];
            cells[i] = Some(Cell::from_json(c, &v).map_err(|m| at(format!("{}: {m}", c.name)))?);
        }
        cells
            .into_iter()
            .zip(&t.columns)
            .map(|(cell, c)| cell.ok_or_else(|| at(format!("no {:?}", c.name))))
            .collect()
    }
}
