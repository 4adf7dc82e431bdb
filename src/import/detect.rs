//! Which export a file is, from its content (never its name): the format that reads it, or a
//! sentence saying what the file is when it holds something other than work items (a sprint
//! list, a field map, a page of comments…), so the user knows which export to make instead.

use serde_json::Value;

use super::table::Table;

/// The formats an import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JiraCsv,
    JiraXml,
    JiraJson,
    Trello,
    Github,
    Linear,
    Asana,
    Pivotal,
    Plane,
    Taiga,
    /// A tracker's entity dump (`entity_id;type;status;ticket_number;name;…`).
    Tracker,
    /// A research data set of issues with story points (`issuekey,title,…,storypoint`).
    StoryPoints,
}

pub const NAMES: [(&str, Format); 12] = [
    ("jira-csv", Format::JiraCsv),
    ("jira-xml", Format::JiraXml),
    ("jira-json", Format::JiraJson),
    ("trello", Format::Trello),
    ("github", Format::Github),
    ("linear", Format::Linear),
    ("asana", Format::Asana),
    ("pivotal", Format::Pivotal),
    ("plane", Format::Plane),
    ("taiga", Format::Taiga),
    ("tracker-csv", Format::Tracker),
    ("story-points-csv", Format::StoryPoints),
];

impl Format {
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("unknown", |(n, _)| n)
    }

    /// `--format auto` is none; any other name is a format, or an error listing them.
    pub fn parse(s: &str) -> Result<Option<Format>, String> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(None);
        }
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, f)| Some(*f))
            .ok_or_else(|| {
                let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
                format!("{s:?} is not a format: use auto, {}", names.join(", "))
            })
    }
}

/// The format of `text`, or why it cannot be imported.
pub fn detect(text: &str) -> Result<Format, String> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('{') || head.starts_with('[') {
        return detect_json(head);
    }
    let start: String = head.chars().take(4000).collect();
    if start.starts_with('<') || start.contains("<rss") {
        return if start.contains("<rss") || start.contains("<channel") {
            Ok(Format::JiraXml)
        } else {
            Err("an XML file that is not a Jira XML (RSS) export, the one XML format read".into())
        };
    }
    detect_csv(text)
}

fn detect_json(text: &str) -> Result<Format, String> {
    let value = match serde_json::from_str::<Value>(text) {
        Ok(v) => v,
        // JSON Lines: one object a line (GitHub issues dumped by a script).
        Err(e) => match text.lines().next().map(serde_json::from_str::<Value>) {
            Some(Ok(first)) if first.is_object() => Value::Array(vec![first]),
            _ => {
                return Err(format!(
                    "the file starts like JSON but is not JSON (line {}, column {}: {e})",
                    e.line(),
                    e.column()
                ))
            }
        },
    };
    let has = |v: &Value, k: &str| v.get(k).is_some();
    if let Some(list) = value.as_array() {
        let Some(first) = list.iter().find(|v| v.is_object()) else {
            return Err("a JSON list with no objects in it: nothing to import".into());
        };
        if has(first, "number") && (has(first, "html_url") || has(first, "repository_url")) {
            return Ok(Format::Github);
        }
        if has(first, "clauseNames") || (has(first, "schema") && has(first, "custom")) {
            return Err(format!(
                "a list of {} Jira field definitions (/rest/api/2/field), not work items: export \
                 the issues with a search (/rest/api/2/search) instead",
                list.len()
            ));
        }
        return Err(
            "a JSON list of objects this version does not read: GitHub issues (with \
                    number and html_url) are the one list read"
                .into(),
        );
    }
    if has(&value, "cards") && has(&value, "lists") {
        return Ok(Format::Trello);
    }
    if has(&value, "user_stories") && has(&value, "us_statuses") {
        return Ok(Format::Taiga);
    }
    if let Some(issues) = value.get("issues").and_then(Value::as_array) {
        if issues.iter().any(|i| i.get("fields").is_some()) || issues.is_empty() {
            return Ok(Format::JiraJson);
        }
        return Err(format!(
            "a list of {} Jira issue keys without their fields (the request asked for none): \
             export them with fields, e.g. /rest/api/2/search?jql=…&fields=*all",
            issues.len()
        ));
    }
    if has(&value, "fields") && has(&value, "key") {
        return Ok(Format::JiraJson);
    }
    if has(&value, "number") && has(&value, "html_url") {
        return Ok(Format::Github);
    }
    if let Some(values) = value.get("values").and_then(Value::as_array) {
        let sprints = values
            .iter()
            .any(|v| has(v, "state") && (has(v, "startDate") || has(v, "originBoardId")));
        if sprints {
            return Err(format!(
                "a list of {} Jira sprints (/rest/agile/1.0/board/…/sprint), not work items: \
                 export the issues of the board or of a search instead",
                values.len()
            ));
        }
    }
    if has(&value, "comments") && has(&value, "total") {
        return Err(
            "a page of comments on one Jira issue, not work items: export the issues \
                    with a search (/rest/api/2/search) instead"
                .into(),
        );
    }
    if has(&value, "columnConfig") {
        return Err(
            "a Jira board's configuration (its columns and statuses), not work items: \
                    export the board's issues instead"
                .into(),
        );
    }
    Err(
        "a JSON file this version does not read: Trello board, GitHub issues, Jira search \
         results and Taiga project exports are the JSON formats read"
            .into(),
    )
}

fn detect_csv(text: &str) -> Result<Format, String> {
    if super::jira_csv::detect(text) {
        return Ok(Format::JiraCsv);
    }
    let Some(header) = Table::header_of(text) else {
        return Err(unknown());
    };
    let h: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    let has = |n: &str| h.iter().any(|x| x == n);
    let all = |ns: &[&str]| ns.iter().all(|n| has(n));
    if all(&["id", "team", "title", "status"]) && (has("cycle number") || has("estimate")) {
        return Ok(Format::Linear);
    }
    if all(&["task id", "name"]) && (has("projects") || has("parent task")) {
        return Ok(Format::Asana);
    }
    if all(&["id", "title", "current state"]) {
        return Ok(Format::Pivotal);
    }
    if all(&["identifier", "name", "state name"]) || all(&["name", "state", "module name"]) {
        return Ok(Format::Plane);
    }
    if all(&["entity_id", "ticket_number", "name", "status"]) {
        return Ok(Format::Tracker);
    }
    if all(&["issuekey", "title"]) && (has("storypoint") || has("storypoints")) {
        return Ok(Format::StoryPoints);
    }
    if all(&["boardid", "sprintid", "type", "priority"]) {
        return Err(
            "per-issue features from a research data set (board, sprint, type, priority \
                    and counts), not work items: it names no issue, no key nor title"
                .into(),
        );
    }
    if all(&["boardid", "sprintid", "name"]) && h.iter().any(|x| x.starts_with("vel_")) {
        return Err(
            "a list of sprints (iterations) with their velocities, not work items: \
                    export the issues instead"
                .into(),
        );
    }
    if has("linkedissuekey") || (has("idissuelink") && has("issuekey")) {
        return Err(
            "a list of links between issues (issue key, linked key, link name), not the \
                    issues themselves"
                .into(),
        );
    }
    Err(unknown())
}

fn unknown() -> String {
    let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
    format!(
        "not an export this version reads ({}); if it is one of these, say which with --format",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_from_content() {
        assert_eq!(detect("Summary,Issue key\nx,A-1\n"), Ok(Format::JiraCsv));
        assert_eq!(detect(r#"{"cards":[],"lists":[]}"#), Ok(Format::Trello));
        assert_eq!(
            detect("{\"number\":1,\"html_url\":\"u\"}\n{\"number\":2,\"html_url\":\"u\"}\n"),
            Ok(Format::Github)
        );
        assert_eq!(
            detect(r#"{"issues":[{"key":"A-1","fields":{}}]}"#),
            Ok(Format::JiraJson)
        );
        assert_eq!(
            detect("<?xml version=\"1.0\"?>\n<rss><channel/></rss>"),
            Ok(Format::JiraXml)
        );
        assert_eq!(
            detect("issuekey,title,description,storypoint\n"),
            Ok(Format::StoryPoints)
        );
        assert_eq!(
            detect("Table 1;;;\nentity_id;type;status;ticket_number;name\n"),
            Ok(Format::Tracker)
        );
    }

    #[test]
    fn other_files_are_named() {
        let sprints = r#"{"values":[{"id":1,"state":"closed","startDate":"x"}]}"#;
        assert!(detect(sprints).is_err_and(|e| e.contains("sprints")));
        let fields = r#"[{"id":"summary","custom":false,"schema":{}}]"#;
        assert!(detect(fields).is_err_and(|e| e.contains("field definitions")));
        assert!(detect("boardid,sprintid,name,vel_diff\n").is_err_and(|e| e.contains("sprints")));
        assert!(detect("hello").is_err_and(|e| e.contains("--format")));
        assert!(detect("{\"a\":").is_err_and(|e| e.contains("line 1")));
    }

    #[test]
    fn format_names_parse() {
        assert_eq!(Format::parse("auto"), Ok(None));
        assert_eq!(Format::parse("Trello"), Ok(Some(Format::Trello)));
        assert!(Format::parse("excel").is_err_and(|e| e.contains("jira-csv")));
        assert!(NAMES.iter().all(|(n, f)| f.name() == *n));
    }
}
