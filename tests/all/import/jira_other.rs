//! Jira's XML and REST JSON exports land whole. The XML is read here by plain string scanning of
//! each `<item>` block (no XML library), the JSON with serde_json; the mapping of the corpus's
//! types and statuses is written out.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::corpus::{json, lands, stored_points, text, Facts};

fn kind_of(jira_type: &str) -> &'static str {
    match jira_type {
        "Task" | "Tarea" | "Subtarea" | "Subtask" | "Sub-task" | "Задача" | "Подзадача"
        | "extRequest" => "task",
        "Epic" | "Story" | "История" => "story",
        "Bug" | "Баг" => "bug",
        other => panic!("a type this test does not know: {other:?}"),
    }
}

/// Jira's status category, a review-like name refining "in progress".
fn status_of(category: &str, name: &str) -> &'static str {
    let n = name.to_lowercase();
    let review = [
        "review",
        "test",
        "qa",
        "verif",
        "тестир",
        "ревью",
        "проверк",
    ]
    .iter()
    .any(|w| n.contains(w));
    match category {
        "new" | "To Do" => "todo",
        "indeterminate" | "In Progress" if review => "in_review",
        "indeterminate" | "In Progress" => "in_progress",
        "done" | "Done" => "done",
        "" if n == "open" => "todo",
        other => panic!("a status category this test does not know: {other:?} ({name})"),
    }
}

/// `&#1041;` and the five XML entities decoded (the Russian export writes its words so).
pub(super) fn decoded(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('&').enumerate() {
        if i == 0 {
            out.push_str(part);
            continue;
        }
        let Some((name, rest)) = part.split_once(';') else {
            out.push('&');
            out.push_str(part);
            continue;
        };
        match name {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            n => out.push(char::from_u32(n.trim_start_matches('#').parse().unwrap()).unwrap()),
        }
        out.push_str(rest);
    }
    out
}

/// The text of the first `<tag …>text</tag>` in `block`, entities left as written.
fn element<'a>(block: &'a str, tag: &str) -> &'a str {
    let open = [">", " ", "/"].map(|end| format!("<{tag}{end}"));
    let Some(at) = open.iter().filter_map(|o| block.find(o.as_str())).min() else {
        return "";
    };
    let rest = &block[at..];
    if rest[..rest.find('>').unwrap()].ends_with('/') {
        return "";
    }
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find(&format!("</{tag}>")).unwrap();
    rest[start..end].trim()
}

/// The first value of the custom field called `name` in an item block.
fn custom<'a>(block: &'a str, name: &str) -> &'a str {
    let Some(at) = block.find(&format!("<customfieldname>{name}</customfieldname>")) else {
        return "";
    };
    let field = &block[at..block[at..]
        .find("</customfield>")
        .map_or(block.len(), |e| at + e)];
    element(field, "customfieldvalue")
}

fn jira_xml(rel: &str) -> Facts {
    let t = text(rel);
    let blocks: Vec<&str> = t.split("<item>").skip(1).collect();
    let keys: HashSet<&str> = blocks.iter().map(|b| element(b, "key")).collect();
    let by_summary: HashMap<&str, &str> = blocks
        .iter()
        .map(|b| (element(b, "summary"), element(b, "key")))
        .collect();
    let mut subtask_parent: HashMap<&str, &str> = HashMap::new();
    for b in &blocks {
        for sub in element(b, "subtasks").split("<subtask").skip(1) {
            let key = sub[sub.find('>').unwrap() + 1..sub.find("</subtask>").unwrap()].trim();
            subtask_parent.insert(key, element(b, "key"));
        }
    }
    let mut f = Facts::default();
    for b in &blocks {
        let category = b
            .split("<statusCategory")
            .nth(1)
            .and_then(|r| r.split("key=\"").nth(1))
            .and_then(|r| r.split('"').next())
            .unwrap_or("");
        let points = ["Story Points", "Story point estimate"]
            .iter()
            .map(|n| custom(b, n))
            .find(|v| !v.is_empty())
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0, stored_points);
        let (kind, status) = (decoded(element(b, "type")), decoded(element(b, "status")));
        f.add(kind_of(&kind), status_of(category, &status), points);
        let parent = Some(element(b, "parent"))
            .filter(|p| !p.is_empty())
            .or_else(|| by_summary.get(custom(b, "Epic Link")).copied())
            .or_else(|| subtask_parent.get(element(b, "key")).copied());
        f.with_parent += i64::from(parent.is_some_and(|p| keys.contains(p)));
    }
    f
}

#[tokio::test]
async fn jira_xml_spanish_metsis2() {
    let rel = "jira_xml/es_locale_metsis2_Jira.xml";
    lands(rel, "jira-xml", jira_xml(rel)).await;
}

#[tokio::test]
async fn jira_xml_focalboard() {
    let rel = "jira_xml/focalboard_test_jira-export.xml";
    lands(rel, "jira-xml", jira_xml(rel)).await;
}

#[tokio::test]
async fn jira_xml_insurance_company() {
    let rel = "jira_xml/insurance_company_SearchRequest.xml";
    lands(rel, "jira-xml", jira_xml(rel)).await;
}

#[tokio::test]
async fn jira_xml_mitsusarkar() {
    let rel = "jira_xml/mitsusarkar_Jira.xml";
    lands(rel, "jira-xml", jira_xml(rel)).await;
}

#[tokio::test]
async fn jira_xml_russian_landing_estimator() {
    let rel = "jira_xml/ru_locale_landing_estimator_Jira.xml";
    let f = jira_xml(rel);
    assert_eq!(f.items, 103);
    let report = lands(rel, "jira-xml", f).await;
    let t = text(rel);
    let with_sprint = t
        .split("<item>")
        .skip(1)
        .filter(|b| !custom(b, "Sprint").is_empty())
        .count();
    assert_eq!(report["with_sprint"], with_sprint);
}

fn jira_json(rel: &str) -> Facts {
    let root = json(rel);
    let issues: Vec<&Value> = match root["issues"].as_array() {
        Some(list) => list.iter().collect(),
        None => vec![&root],
    };
    let keys: HashSet<&str> = issues.iter().filter_map(|i| i["key"].as_str()).collect();
    let mut subtask_parent: HashMap<&str, &str> = HashMap::new();
    for i in &issues {
        for sub in i["fields"]["subtasks"].as_array().into_iter().flatten() {
            subtask_parent.insert(sub["key"].as_str().unwrap(), i["key"].as_str().unwrap());
        }
    }
    let mut f = Facts::default();
    for i in &issues {
        let fl = &i["fields"];
        let category = fl["status"]["statusCategory"]["name"]
            .as_str()
            .unwrap_or("");
        let status = status_of(category, fl["status"]["name"].as_str().unwrap_or(""));
        f.add(
            kind_of(fl["issuetype"]["name"].as_str().unwrap()),
            status,
            0,
        );
        let parent = [fl["parent"]["key"].as_str(), fl["epic"]["key"].as_str()]
            .into_iter()
            .flatten()
            .next()
            .or_else(|| subtask_parent.get(i["key"].as_str().unwrap()).copied());
        f.with_parent += i64::from(parent.is_some_and(|p| keys.contains(p)));
    }
    f
}

#[tokio::test]
async fn jira_json_search_11_issues() {
    let rel = "jira_json/jiraruby_search_11_issues.json";
    lands(rel, "jira-json", jira_json(rel)).await;
}

#[tokio::test]
async fn jira_json_fiware_pages() {
    for page in [
        "perceval_fiware_search_page1.json",
        "perceval_fiware_search_page2.json",
    ] {
        let rel = format!("jira_json/{page}");
        lands(&rel, "jira-json", jira_json(&rel)).await;
    }
}

#[tokio::test]
async fn jira_json_one_issue_and_an_agile_page() {
    for rel in [
        "jira_json/appcelerator_APSTUD-8374_issue_with_changelog.json",
        "jira_json/gojira_agile_issues_in_sprint.json",
    ] {
        lands(rel, "jira-json", jira_json(rel)).await;
    }
}
