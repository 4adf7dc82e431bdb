//! Jira's CSV export ("current fields" or "all fields", any language Jira writes headers in):
//! recognized by its header row, read into [`Record`]s with an account of every column.

use std::collections::{BTreeMap, HashMap};

use super::rules::{label_slug, map_status, map_type, parse_date, parse_points};
use super::{Batch, Column, Note, Person, Record};

/// The columns we read, by every header Jira gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Key,
    Id,
    Summary,
    Type,
    Status,
    Category,
    Description,
    Labels,
    Points,
    ParentKey,
    Parent,
    EpicLink,
    Subtasks,
    Created,
    Updated,
    Resolved,
    Resolution,
    Assignee,
    AssigneeId,
    Reporter,
    ReporterId,
    Comment,
    Priority,
    Component,
    FixVersion,
    AffectsVersion,
    Rank,
    /// "Outward issue link (Blocks)": the items this one blocks.
    Blocks,
    /// "Inward issue link (Blocks)": the items that block this one.
    BlockedBy,
    Watchers,
    /// Read by position (the column repeats, oldest sprint first); listed for the report.
    Sprint,
}

const HEADERS: &[(&str, Field)] = &[
    ("issue key", Field::Key),
    ("key", Field::Key),
    ("clave de incidencia", Field::Key),
    ("clave", Field::Key),
    ("issue id", Field::Id),
    ("id de la incidencia", Field::Id),
    ("summary", Field::Summary),
    ("resumen", Field::Summary),
    ("issue type", Field::Type),
    ("tipo de incidencia", Field::Type),
    ("status", Field::Status),
    ("estado", Field::Status),
    ("status category", Field::Category),
    ("categoría de estado", Field::Category),
    ("description", Field::Description),
    ("descripción", Field::Description),
    ("labels", Field::Labels),
    ("etiquetas", Field::Labels),
    // Points: the first of these with a value wins, in this order.
    ("story points", Field::Points),
    ("custom field (story points)", Field::Points),
    ("campo personalizado (story points)", Field::Points),
    ("story point estimate", Field::Points),
    ("custom field (story point estimate)", Field::Points),
    ("campo personalizado (story point estimate)", Field::Points),
    ("parent key", Field::ParentKey),
    ("clave principal", Field::ParentKey),
    ("parent", Field::Parent),
    ("parent id", Field::Parent),
    ("principal", Field::Parent),
    ("custom field (epic link)", Field::EpicLink),
    ("campo personalizado (epic link)", Field::EpicLink),
    ("epic link", Field::EpicLink),
    ("sub-tasks", Field::Subtasks),
    ("subtareas", Field::Subtasks),
    ("created", Field::Created),
    ("creada", Field::Created),
    ("updated", Field::Updated),
    ("actualizada", Field::Updated),
    ("resolved", Field::Resolved),
    ("resuelta", Field::Resolved),
    ("resolution", Field::Resolution),
    ("resolución", Field::Resolution),
    ("assignee", Field::Assignee),
    ("persona asignada", Field::Assignee),
    ("assignee id", Field::AssigneeId),
    ("id de la persona asignada", Field::AssigneeId),
    ("reporter", Field::Reporter),
    ("informador", Field::Reporter),
    ("reporter id", Field::ReporterId),
    ("id del informador", Field::ReporterId),
    ("comment", Field::Comment),
    ("comentario", Field::Comment),
    ("comment body", Field::Comment),
    ("priority", Field::Priority),
    ("prioridad", Field::Priority),
    ("component/s", Field::Component),
    ("components", Field::Component),
    ("componentes", Field::Component),
    ("fix version/s", Field::FixVersion),
    ("fix versions", Field::FixVersion),
    ("versiones de corrección", Field::FixVersion),
    ("affects version/s", Field::AffectsVersion),
    ("affected versions", Field::AffectsVersion),
    ("affects versions", Field::AffectsVersion),
    ("versiones afectadas", Field::AffectsVersion),
    ("custom field (rank)", Field::Rank),
    ("campo personalizado (rank)", Field::Rank),
    ("rank", Field::Rank),
    ("watchers", Field::Watchers),
    ("sprint", Field::Sprint),
    ("interesados", Field::Watchers),
];

fn field_of(header: &str) -> Option<Field> {
    let h = header.trim().to_lowercase();
    // Jira names a link column by its direction and type: "Outward issue link (Blocks)".
    if h.ends_with("(blocks)") {
        if h.starts_with("outward") || h.contains("saliente") {
            return Some(Field::Blocks);
        }
        if h.starts_with("inward") || h.contains("entrante") {
            return Some(Field::BlockedBy);
        }
    }
    HEADERS.iter().find(|(n, _)| *n == h).map(|(_, f)| *f)
}

fn describe(f: Field) -> &'static str {
    match f {
        Field::Key => "external key",
        Field::Id => "parent links (Jira's numeric id)",
        Field::Summary => "title",
        Field::Type => "kind (original kept as a jira-type: label)",
        Field::Status => "status (original kept as a jira-status: label)",
        Field::Category => "status (Jira's status category)",
        Field::Description => "description (Jira wiki markup as Markdown)",
        Field::Labels => "labels",
        Field::Points => "points",
        Field::ParentKey | Field::Parent | Field::EpicLink | Field::Subtasks => "parent",
        Field::Created => "created date",
        Field::Updated => "source version (a newer export updates, an older one does not)",
        Field::Resolved | Field::Resolution => "status when the status is not recognized",
        Field::Assignee => "assignee (a member of the workspace, or a placeholder)",
        Field::Reporter => "reporter (a member of the workspace, or a placeholder)",
        Field::AssigneeId | Field::ReporterId => "comment authors named by their Jira account id",
        Field::Comment => "comments, with their authors and dates",
        Field::Priority => "a jira-priority: label (the backlog's order is the priority)",
        Field::Component => "jira-component: labels",
        Field::FixVersion => "jira-version: labels",
        Field::AffectsVersion => "jira-affects: labels",
        Field::Rank => "the backlog's order (Jira's rank)",
        Field::Blocks | Field::BlockedBy => "dependencies (blocks / blocked by)",
        Field::Watchers => "watchers (members of the workspace, or placeholders)",
        Field::Sprint => {
            "sprints, by name (the file gives no dates or states); the last one is current"
        }
    }
}

/// Why a column we do not read is left out, in words a user can act on.
fn not_mapped_reason(header: &str) -> &'static str {
    let h = header.trim().to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if has(&["sprint"]) {
        "sprints by name (the file gives no dates or states)"
    } else if has(&["watchers id", "id de los interesados"]) {
        "watchers are matched by name, as assignees are"
    } else if has(&["creator", "creador"]) {
        "the reporter is imported; the creator is not kept"
    } else if has(&["project lead", "responsable"]) {
        "the product is the one given with -p"
    } else if has(&["issue link", "incidencia interna", "incidencia saliente"]) {
        "only Blocks links are imported (as dependencies): other link types have no equivalent"
    } else if has(&[
        "log work",
        "time spent",
        "estimate",
        "work ratio",
        "σ",
        "tiempo",
        "estimación",
        "trabajo restante",
        "relación de trabajo",
    ]) {
        "time tracking has no field in Throughline"
    } else if has(&["project", "proyecto"]) {
        "the product is the one given with -p"
    } else if has(&["attachment", "adjunto"]) {
        "attachments are not imported"
    } else if has(&["parent summary", "epic link summary"]) {
        "the parent is linked by its key; its summary is its own item's title"
    } else if has(&["rank"]) {
        "the backlog keeps the file's order instead"
    } else if has(&["custom field", "campo personalizado"]) {
        "a custom field with no matching field in Throughline"
    } else {
        "no matching field in Throughline"
    }
}

/// Text of a file in any encoding Jira or a spreadsheet writes: UTF-8 (with or without BOM),
/// UTF-16 with BOM; anything else is read as Latin-1, with a note saying so.
pub fn decode(bytes: &[u8]) -> (String, Option<String>) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest).into_owned(), None);
    }
    let utf16 = |rest: &[u8], le: bool| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                let b = [c[0], c[1]];
                if le {
                    u16::from_le_bytes(b)
                } else {
                    u16::from_be_bytes(b)
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (utf16(rest, true), None);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (utf16(rest, false), None);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(_) => (
            bytes.iter().map(|&b| b as char).collect(),
            Some("the file is not UTF-8: read as Latin-1".into()),
        ),
    }
}

/// The header row, when the text is CSV.
fn headers(text: &str) -> Option<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let row = r.records().next()?.ok()?;
    Some(row.iter().map(|h| h.trim().to_string()).collect())
}

/// A Jira CSV export names its key and its summary in the header row (in any language we know).
pub fn detect(text: &str) -> bool {
    let Some(h) = headers(text) else {
        return false;
    };
    let fields: Vec<Field> = h.iter().filter_map(|h| field_of(h)).collect();
    fields.contains(&Field::Key) && fields.contains(&Field::Summary)
}

/// Reads every row of a Jira CSV export.
pub fn read(text: &str) -> Result<Batch, String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = r.records();
    let header: Vec<String> = match rows.next() {
        Some(Ok(h)) => h.iter().map(|h| h.trim().to_string()).collect(),
        Some(Err(e)) => return Err(format!("the header row is not CSV: {e}")),
        None => return Err("the file is empty".into()),
    };
    let fields: Vec<Option<Field>> = header.iter().map(|h| field_of(h)).collect();
    let mut raw: Vec<Vec<String>> = Vec::new();
    for (i, row) in rows.enumerate() {
        let row = row.map_err(|e| format!("row {}: {e}", i + 2))?;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        raw.push(row.iter().map(str::to_string).collect());
    }
    let mut batch = Batch {
        format: "jira-csv",
        source: "jira",
        ..Batch::default()
    };
    account_columns(&mut batch, &header, &fields, &raw);
    // Each field's columns, in the order of HEADERS (the first filled one wins), worked out once
    // rather than for each cell read: an export may have hundreds of columns.
    let mut by_field: BTreeMap<Field, Vec<(usize, usize)>> = BTreeMap::new();
    for (i, f) in fields.iter().enumerate() {
        if let Some(f) = f {
            let name = header[i].to_lowercase();
            let order = HEADERS
                .iter()
                .position(|(n, _)| *n == name)
                .unwrap_or(usize::MAX);
            by_field.entry(*f).or_default().push((order, i));
        }
    }
    let by_field: BTreeMap<Field, Vec<usize>> = by_field
        .into_iter()
        .map(|(f, mut v)| {
            v.sort();
            (f, v.into_iter().map(|(_, i)| i).collect())
        })
        .collect();
    let cols = |f: Field| -> &[usize] { by_field.get(&f).map_or(&[], Vec::as_slice) };
    let get = |row: &[String], f: Field| -> String {
        cols(f)
            .iter()
            .filter_map(|&c| row.get(c))
            // A cell guarded against spreadsheet formulas (ours write them so) reads as its value.
            .map(|v| crate::csv_safe::value(v.trim()))
            .find(|v| !v.is_empty())
            .unwrap_or_default()
            .to_string()
    };
    let all = |row: &[String], f: Field| -> Vec<String> {
        cols(f)
            .iter()
            .filter_map(|&c| row.get(c))
            .map(|v| crate::csv_safe::value(v.trim()))
            .flat_map(|v| v.split([' ', ',', ';']))
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().to_string())
            .collect()
    };
    // Each cell of a repeated column as one value (a component's name may hold spaces).
    let cells = |row: &[String], f: Field| -> Vec<String> {
        cols(f)
            .iter()
            .filter_map(|&c| row.get(c))
            .map(|v| crate::csv_safe::value(v.trim()).to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let has = |f: Field| fields.contains(&Some(f));
    if !has(Field::Type) {
        batch
            .notes
            .push("the file has no issue type column: every item is a task".into());
    }
    let id_to_key: HashMap<String, String> = raw
        .iter()
        .map(|row| (get(row, Field::Id), get(row, Field::Key)))
        .filter(|(id, key)| !id.is_empty() && !key.is_empty())
        .collect();
    // Sprints by name only (the file gives no dates): read by position, as the column repeats.
    let sprint_cols: Vec<usize> = (0..header.len())
        .filter(|&i| header[i].eq_ignore_ascii_case("sprint"))
        .collect();
    // Comments name their authors by Jira account id; the assignee and reporter columns say
    // whose id is whose.
    let mut accounts: HashMap<String, String> = HashMap::new();
    for row in &raw {
        for (id, name) in [
            (Field::AssigneeId, Field::Assignee),
            (Field::ReporterId, Field::Reporter),
        ] {
            let (id, name) = (get(row, id), get(row, name));
            if !id.is_empty() && !name.is_empty() {
                accounts.entry(id).or_insert(name);
            }
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(raw.len());
    // Records are large: grown one at a time, 100,000 of them were copied over and over.
    batch.records.reserve(raw.len());
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &raw {
        let key = get(row, Field::Key);
        if key.is_empty() {
            *counts
                .entry("rows without an issue key were skipped")
                .or_default() += 1;
            continue;
        }
        if seen.contains_key(&key) {
            *counts
                .entry("rows repeating an issue key were skipped (the first one is kept)")
                .or_default() += 1;
            continue;
        }
        let source_type = get(row, Field::Type);
        let (kind, own_word) = map_type(&source_type);
        let source_status = get(row, Field::Status);
        let category = get(row, Field::Category);
        let resolution = get(row, Field::Resolution).to_lowercase();
        let resolved = !get(row, Field::Resolved).is_empty()
            || !(resolution.is_empty()
                || resolution == "unresolved"
                || resolution == "sin resolver");
        let status = map_status(
            &source_status,
            (!category.is_empty()).then_some(category.as_str()),
            resolved,
        );
        let mut labels = Vec::new();
        if !source_status.is_empty() {
            labels.extend(label_slug(&format!("jira-status:{source_status}")));
        }
        if !own_word && !source_type.is_empty() {
            labels.extend(label_slug(&format!("jira-type:{source_type}")));
        }
        let mut own: Vec<String> = all(row, Field::Labels)
            .iter()
            .filter_map(|l| label_slug(l))
            .collect();
        own.extend(super::kept_labels(
            "jira",
            &get(row, Field::Priority),
            &[
                ("component", cells(row, Field::Component)),
                ("version", cells(row, Field::FixVersion)),
                ("affects", cells(row, Field::AffectsVersion)),
            ],
        ));
        own.sort();
        own.dedup();
        if labels.len() + own.len() > 20 {
            *counts
                .entry("items had more than 20 labels: the first 20 are kept")
                .or_default() += 1;
            own.truncate(20 - labels.len());
        }
        labels.extend(own);
        let raw_points = get(row, Field::Points);
        let points = parse_points(&raw_points);
        if !raw_points.is_empty() && points.is_none() {
            *counts
                .entry("points that are not a number were left out")
                .or_default() += 1;
        }
        let mut title = get(row, Field::Summary);
        let mut description = super::markup::wiki_to_markdown(&get(row, Field::Description));
        if title.is_empty() {
            title = key.clone();
        }
        if title.chars().count() > 200 {
            *counts
                .entry("titles longer than 200 characters were shortened (the full title starts the description)")
                .or_default() += 1;
            description = format!("{title}\n\n{description}");
            title = title.chars().take(199).collect::<String>() + "…";
        }
        if description.chars().count() > 20_000 {
            *counts
                .entry("descriptions longer than 20,000 characters were cut")
                .or_default() += 1;
            description = description.chars().take(19_990).collect::<String>() + "\n\n[cut]";
        }
        let parent = parent_of(row, &get, &id_to_key, &mut counts);
        // Jira repeats the Sprint column: the item was carried over to the last one named.
        let mut sprints: Vec<String> = sprint_cols
            .iter()
            .filter_map(|&c| row.get(c))
            .map(|v| crate::csv_safe::value(v.trim()).to_string())
            .filter(|v| !v.is_empty())
            .collect();
        let sprint = sprints.pop();
        let comments = cols(Field::Comment)
            .iter()
            .filter_map(|&c| row.get(c))
            .filter_map(|c| comment(c, &accounts))
            .collect();
        seen.insert(key.clone(), batch.records.len());
        batch.records.push(Record {
            key,
            kind,
            source_type,
            status,
            source_status,
            title: title.trim().to_string(),
            description: description.trim().to_string(),
            points,
            labels,
            parent,
            created: parse_date(&get(row, Field::Created)),
            updated: parse_date(&get(row, Field::Updated)),
            resolved: parse_date(&get(row, Field::Resolved)),
            assignee: Person::named(&get(row, Field::Assignee)),
            reporter: Person::named(&get(row, Field::Reporter)),
            comments,
            sprint,
            earlier_sprints: sprints,
            rank: Some(get(row, Field::Rank)).filter(|r| !r.is_empty()),
            blocks: cells(row, Field::Blocks),
            blocked_by: cells(row, Field::BlockedBy),
            watchers: cells(row, Field::Watchers)
                .iter()
                .filter_map(|w| Person::named(w))
                .collect(),
            ..Record::default()
        });
    }
    // A "Sub-tasks" column names the children of the row it is on.
    for row in &raw {
        let parent = get(row, Field::Key);
        for child in all(row, Field::Subtasks) {
            if let Some(&i) = seen.get(&child) {
                if batch.records[i].parent.is_none() && child != parent {
                    batch.records[i].parent = Some(parent.clone());
                }
            }
        }
    }
    for (note, n) in counts {
        batch.notes.push(format!("{n}: {note}"));
    }
    Ok(batch)
}

/// A Jira comment cell, `date;author account id;body` (the body may hold more semicolons), its
/// author named through `accounts` (or as *Jira user …* when the file never names them).
fn comment(cell: &str, accounts: &HashMap<String, String>) -> Option<Note> {
    let cell = crate::csv_safe::value(cell.trim());
    if cell.is_empty() {
        return None;
    }
    let mut parts = cell.splitn(3, ';');
    let (date, author, body) = (parts.next()?, parts.next(), parts.next());
    match (parse_date(date), author, body) {
        (Some(at), Some(author), Some(body)) => {
            let author = author.trim();
            let name = accounts
                .get(author)
                .cloned()
                .unwrap_or_else(|| format!("Jira user {author}"));
            let author = (!author.is_empty()).then(|| Person::named(&name)).flatten();
            Note::new(author, Some(at), &super::markup::wiki_to_markdown(body))
        }
        _ => Note::new(None, None, &super::markup::wiki_to_markdown(cell)),
    }
}

/// The parent's key: `Parent key`, else `Parent`/`Parent id` (a key, or an id resolved through
/// `Issue id`), else the epic link.
fn parent_of(
    row: &[String],
    get: &dyn Fn(&[String], Field) -> String,
    id_to_key: &HashMap<String, String>,
    counts: &mut BTreeMap<&'static str, usize>,
) -> Option<String> {
    let by_key = get(row, Field::ParentKey);
    if !by_key.is_empty() {
        return Some(by_key);
    }
    let parent = get(row, Field::Parent);
    if !parent.is_empty() {
        if crate::backlog::parse_key(&parent).is_some() {
            return Some(parent);
        }
        if let Some(k) = id_to_key.get(&parent) {
            return Some(k.clone());
        }
        *counts
            .entry("parents named only by an id that is not in the file were left out")
            .or_default() += 1;
    }
    let epic = get(row, Field::EpicLink);
    (!epic.is_empty()).then_some(epic)
}

/// Lists each distinct header once: what it fills, or why it is left out.
fn account_columns(
    batch: &mut Batch,
    header: &[String],
    fields: &[Option<Field>],
    raw: &[Vec<String>],
) {
    let mut seen: Vec<String> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if seen.contains(name) {
            continue;
        }
        seen.push(name.clone());
        let same: Vec<usize> = (0..header.len()).filter(|&j| header[j] == *name).collect();
        let rows_filled = raw
            .iter()
            .filter(|r| {
                same.iter()
                    .any(|&j| r.get(j).is_some_and(|v| !v.trim().is_empty()))
            })
            .count();
        let (list, note) = match fields[i] {
            Some(f) => (&mut batch.columns_used, describe(f).to_string()),
            None if rows_filled == 0 => (
                &mut batch.columns_not_mapped,
                "empty in every row".to_string(),
            ),
            None => (
                &mut batch.columns_not_mapped,
                not_mapped_reason(name).to_string(),
            ),
        };
        list.push(Column {
            name: name.clone(),
            columns: same.len(),
            filled: rows_filled,
            note,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\u{feff}Summary,Issue key,Issue id,Issue Type,Status,Labels,Labels,Sprint,Sprint,Custom field (Story Points),Parent,Created\n\
        Epic one,AB-1,100,Epic,To Do,,,,,,,04/nov/25 1:16 PM\n\
        Child,AB-2,101,Sub-task,In Review,ux,API,S1,S2,0.5,100,15/Feb/26 4:37 PM\n";

    #[test]
    fn headers_are_recognized_in_english_and_spanish() {
        assert!(detect("Summary,Issue key,Status\nx,A-1,Done\n"));
        assert!(detect(
            "Clave de incidencia,ID de la incidencia,Resumen,Estado\nA-1,1,x,Hecho\n"
        ));
        assert!(detect("Key,Summary,Status\nHIVE-1,x,Closed\n"));
        assert!(!detect("name,idList,closed\nx,1,false\n"));
        assert!(!detect(""));
    }

    #[test]
    fn rows_become_records() {
        let (text, note) = decode(SAMPLE.as_bytes());
        assert!(note.is_none() && detect(&text));
        let b = read(&text).expect("reads");
        assert_eq!(b.records.len(), 2);
        let child = &b.records[1];
        assert_eq!(
            (child.kind, child.status, child.points),
            ("task", "in_review", Some(0.5))
        );
        assert_eq!(child.parent.as_deref(), Some("AB-1"));
        assert_eq!(
            child.labels,
            ["jira-status:in-review", "jira-type:sub-task", "api", "ux"]
        );
        assert_eq!(b.records[0].kind, "story");
        let sprint = b.columns_used.iter().find(|c| c.name == "Sprint");
        assert_eq!(sprint.map(|c| (c.columns, c.filled)), Some((2, 1)));
        let labels = b.columns_used.iter().find(|c| c.name == "Labels");
        assert_eq!(labels.map(|c| c.columns), Some(2));
    }

    #[test]
    fn other_encodings_decode() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Key,Summary".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&utf16).0, "Key,Summary");
        let (latin1, note) = decode(b"Key,Summary\nA-1,Caf\xe9\n");
        assert!(latin1.ends_with("Café\n") && note.is_some());
    }
}
