//! The layers of the code, kept by a test: a room's core (its rules, stores and services) uses
//! only rooms on its layer or below. The web faces (the JSON handlers and the HTML pages) live
//! above every core, in `src/web/<room>/`: a face may use any core but no other room's face, and
//! only the router (`src/web/mod.rs`, `src/web/openapi`) wires them all; only the CLI sits above.
//! A new import that runs up a layer, or a face that reaches into another room's handlers, fails
//! here with its file and line.

use std::path::{Path, PathBuf};

/// Each room of `src/` and its layer, lowest first. A room may use the cores of rooms on its own
/// layer or below.
const LAYERS: &[(&str, u32)] = &[
    ("error", 0),
    ("db", 0),
    ("config", 0),
    ("calendar", 0),
    // Typed ids: integers in the database, distinct types in the code.
    ("ids", 0),
    ("chart", 0),
    ("assets", 0),
    ("extract", 0),
    ("csv_safe", 0),
    // The rule for control characters in text from outside, applied by every interface.
    ("text", 0),
    // Codes as people read them, for every page.
    ("words", 0),
    ("points", 0),
    // Monte Carlo forecasts: pure simulation over past throughput, no database.
    ("forecast", 0),
    ("passwords", 0),
    ("state", 1),
    // Backups copy the database file and judge the copies; they know no domain, only `db`.
    ("backup", 1),
    // E-mail: the SMTP connection, the messages and the outbox; it knows no domain, so the
    // rooms above (accounts, notifications, invitations) and doctor's probe all send through it.
    ("mail", 1),
    // Doctor reads the files, the database and the backups, and nothing of any domain.
    ("doctor", 2),
    ("auth", 2),
    ("page", 3),
    ("audit", 3),
    // The instance's settings and admins: what workspaces and invitations are allowed.
    ("instance", 3),
    ("workspace", 4),
    ("invite", 5),
    // Single sign-on makes accounts and sessions, and joins new people to a workspace.
    ("sso", 5),
    ("notify", 5),
    ("backlog", 6),
    ("story", 7),
    ("strategy", 7),
    ("sprint", 8),
    // Above the sprint room: an import creates, starts and closes sprints through its core.
    ("import", 9),
    ("governance", 9),
    ("roadmap", 10),
    ("retro", 10),
    ("report", 10),
    // Flow without sprints (E11): its board moves items, its reports read their history, and a
    // PM's reorder of its To do column is a governance override; the reports page shows it.
    ("flow", 10),
    ("export", 10),
    // Documents read every room's core (strategy, backlog, sprints, releases and sign-offs of
    // the roadmap) and nothing reads them but the router and the CLI.
    ("docs", 10),
    ("seed", 11),
    // A product's Overview reads the facts of every delivery and strategy room.
    ("overview", 11),
    // The first-run setup may load the demo, so administration sits beside the seed.
    ("admin", 11),
    // The MCP server is a face like the API: it calls every room's services, and only the
    // router and the CLI use it.
    ("mcp", 11),
    // The faces and the router: every room's handlers, above every core.
    ("web", 12),
    ("cli", 13),
    ("lib", 14),
    ("main", 14),
];

/// Faces that another room's face may use, and why: (file under `src/`, the room it uses).
const ALLOWED_FACES: &[(&str, &str, &str)] = &[(
    "web/story/pages.rs",
    "backlog",
    "a refused story form answers with the item page, which the backlog renders",
)];

/// The files that wire every room's handlers into one router and one API description.
fn is_router(rel: &str) -> bool {
    rel == "web/mod.rs" || rel == "web/openapi.rs" || rel.starts_with("web/openapi/")
}

/// The macros of `db` are used by name.
const DB_MACROS: &[&str] = &["with_pool", "on", "exec"];

fn layer(room: &str) -> Option<u32> {
    LAYERS.iter().find(|(r, _)| *r == room).map(|(_, l)| *l)
}

/// A web face: the JSON handlers and the HTML pages of a room, and their helpers.
fn is_face(module: &str) -> bool {
    module == "api"
        || module == "pages"
        || module.starts_with("api_")
        || module.starts_with("pages_")
        || module.ends_with("_api")
        || module.ends_with("_pages")
        || module.ends_with("_web")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::room` or `crate::room::module` a line names, with the module when there is one;
/// a group, `crate::room::{a, b::c}`, names each of its modules.
fn uses(line: &str) -> Vec<(String, Option<String>)> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let tail = &rest[at + "crate::".len()..];
        let room = ident(tail);
        let after = tail[room.len()..].strip_prefix("::").unwrap_or("");
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            let mut modules = Vec::new();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        modules.push(&group[start..i]);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        modules.push(&group[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            for m in modules {
                let m = ident(m.trim());
                found.push((room.clone(), Some(m).filter(|m| !m.is_empty())));
            }
        } else {
            found.push((room, Some(ident(after)).filter(|m| !m.is_empty())));
        }
        rest = tail;
    }
    found
}

/// The file's lines with each `use` statement joined onto its first line, so that a group
/// spread over several lines is read whole; comment lines are left out.
fn statements(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        if open {
            out.last_mut().unwrap().1.push_str(t);
        } else {
            out.push((n + 1, line.to_string()));
            open = t.starts_with("use ")
                || t.starts_with("pub use ")
                || t.starts_with("pub(crate) use ");
        }
        if open && t.trim_end().ends_with(';') {
            open = false;
        }
    }
    out
}

#[test]
fn no_room_uses_a_room_above_it_or_another_rooms_handlers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 50, "read the sources under {}", src.display());
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let mut parts = rel.split('/');
        let room = parts.next().unwrap().trim_end_matches(".rs").to_string();
        let own =
            layer(&room).unwrap_or_else(|| panic!("src/{rel}: room {room} has no layer in LAYERS"));
        let module = Path::new(&rel)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        // A face's own room: `web/backlog/pages.rs` is the backlog's.
        let face_of = (room == "web" && !is_router(&rel))
            .then(|| parts.next().map(|r| r.trim_end_matches(".rs").to_string()))
            .flatten();
        if room != "web" && is_face(&module) {
            wrong.push(format!(
                "src/{rel}: a web face outside src/web/ (handlers live in src/web/{room}/)"
            ));
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in statements(&text) {
            for (used, used_module) in uses(&line) {
                let used = if DB_MACROS.contains(&used.as_str()) {
                    "db".to_string()
                } else {
                    used
                };
                if used == "web" {
                    if let (Some(mine), Some(theirs)) = (&face_of, &used_module) {
                        let allowed = ALLOWED_FACES
                            .iter()
                            .any(|(f, u, _)| *f == rel && u == theirs);
                        if mine != theirs && !allowed {
                            wrong.push(format!(
                                "src/{rel}:{n}: uses another room's handlers, crate::web::{theirs}"
                            ));
                        }
                    }
                }
                if used == room {
                    continue;
                }
                let Some(theirs) = layer(&used) else { continue };
                if theirs > own {
                    wrong.push(format!(
                        "src/{rel}:{n}: {room} (layer {own}) uses crate::{used} (layer {theirs})"
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_reader_sees_every_form_of_use() {
    assert_eq!(
        uses("use crate::backlog::pages::{a, b}; crate::db::now()"),
        vec![
            ("backlog".to_string(), Some("pages".to_string())),
            ("db".to_string(), Some("now".to_string()))
        ]
    );
    assert_eq!(
        uses("use crate::backlog::{self, api::Page, store};"),
        vec![
            ("backlog".to_string(), Some("self".to_string())),
            ("backlog".to_string(), Some("api".to_string())),
            ("backlog".to_string(), Some("store".to_string()))
        ]
    );
    let joined = statements("use crate::x::{\n    a,\n    pages,\n};\nfn f() {}");
    assert_eq!(joined[0].0, 1);
    assert!(uses(&joined[0].1).contains(&("x".to_string(), Some("pages".to_string()))));
    assert_eq!(joined[1], (5, "fn f() {}".to_string()));
    assert_eq!(
        uses("crate::with_pool!(x)"),
        vec![("with_pool".to_string(), None)]
    );
}
