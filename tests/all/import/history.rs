//! The team comes with the items: for each corpus file that names people or holds comments, a
//! reading of the file here (csv, serde_json, string scanning; not the importer's readers) gives
//! the distinct people, the items with an assignee or a reporter, and the comments. The import
//! lands them as placeholder members (who cannot sign in) and as item comments; a repeat adds
//! nothing; a dry run writes none of it.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;
use throughline::db::Db;
use throughline::with_pool;

use super::corpus::{csv_rows, import, json, text};
use crate::support::cli::Cli;

/// What a file says about its people and comments.
#[derive(Debug, Default)]
pub(super) struct Team {
    /// Each person once: by e-mail when the file gives one, else by name (case and spaces
    /// aside), as accounts are matched.
    pub people: BTreeSet<String>,
    assigned: i64,
    reported: i64,
    pub comments: i64,
    /// Distinct (item, watcher) pairs.
    watching: BTreeSet<(String, String)>,
    /// Comments the file does not sign (they go to one "Unknown author" placeholder).
    unsigned: i64,
}

impl Team {
    fn person(&mut self, name: &str, email: &str) -> bool {
        let email = email.trim().to_lowercase();
        let key = if email.contains('@') {
            email
        } else {
            let name = name.trim();
            if name.contains('@') && !name.contains(' ') {
                name.to_lowercase()
            } else {
                name.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            }
        };
        if key.is_empty() {
            return false;
        }
        self.people.insert(key);
        true
    }
    fn assignee(&mut self, name: &str, email: &str) {
        self.assigned += i64::from(self.person(name, email));
    }
    fn watcher(&mut self, item: &str, name: &str) {
        if self.person(name, "") {
            let key = name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            self.watching.insert((item.to_string(), key));
        }
    }
    fn reporter(&mut self, name: &str, email: &str) {
        self.reported += i64::from(self.person(name, email));
    }
    fn comment(&mut self, author: Option<(&str, &str)>) {
        self.comments += 1;
        match author {
            Some((name, email)) if self.person(name, email) => {}
            _ => self.unsigned += 1,
        }
    }
    /// Accounts the import should create in an empty workspace.
    pub fn accounts(&self) -> i64 {
        self.people.len() as i64 + i64::from(self.unsigned > 0)
    }
}

/// What the database holds: placeholders in acme, items with an assignee and with a reporter,
/// comments on ONB's items, placeholders with a password, audit rows.
async fn held(db: &Db) -> [i64; 6] {
    let one = |sql: &'static str| async move {
        with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
    };
    [
        one(
            "SELECT COUNT(*) FROM users u JOIN workspace_members m ON m.user_id = u.id
             JOIN workspaces w ON w.id = m.workspace_id WHERE w.slug = 'acme' AND u.placeholder",
        )
        .await,
        one("SELECT COUNT(*) FROM items WHERE assignee_id IS NOT NULL").await,
        one("SELECT COUNT(*) FROM items WHERE reporter_id IS NOT NULL").await,
        one("SELECT COUNT(*) FROM comments").await,
        one("SELECT COUNT(*) FROM users WHERE placeholder AND password_hash <> ''").await,
        one("SELECT COUNT(*) FROM audit_log").await,
    ]
}

/// Imports `rel` into an empty product after a dry run (which writes none of it), compares
/// with `team`, then imports it again and finds nothing added.
async fn brings_the_team(rel: &str, team: Team) {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let db = super::db(&cli).await;
    let empty = held(&db).await;
    let dry = import(&cli, &ada, rel, &["--dry-run"]);
    assert_eq!(dry["people_created"], team.accounts(), "{rel}: dry run");
    assert_eq!(held(&db).await, empty, "{rel}: a dry run writes nothing");
    let report = import(&cli, &ada, rel, &[]);
    assert_eq!(report["people"], team.people.len(), "{rel}: {team:?}");
    assert_eq!(report["people_created"], team.accounts(), "{rel}");
    assert_eq!(report["comments"], team.comments, "{rel}");
    assert_eq!(report["comments_added"], team.comments, "{rel}");
    assert_eq!(report["watchers_added"], team.watching.len(), "{rel}");
    let after = held(&db).await;
    assert_eq!(
        after[..5],
        [
            team.accounts(),
            team.assigned,
            team.reported,
            team.comments,
            0
        ],
        "{rel}: placeholders, assigned, reported, comments, placeholders with a password"
    );
    let again = import(&cli, &ada, rel, &[]);
    assert_eq!(
        (&again["people_created"], &again["comments_added"]),
        (&Value::from(0), &Value::from(0)),
        "{rel}: a repeat adds nobody and no comment"
    );
    assert_eq!(again["people_matched"], team.accounts(), "{rel}");
    assert_eq!(held(&db).await, after, "{rel}: a repeat changes nothing");
    db.close().await;
}

// --- Jira CSV -------------------------------------------------------------------------------

fn jira_csv(file: &str) -> Team {
    let t = text(&format!("jira_csv/{file}"));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(t.as_bytes());
    let mut rows = r.records().map(Result::unwrap);
    let header: Vec<String> = rows.next().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<Vec<String>> = rows
        .map(|r| r.iter().map(|c| c.trim().to_string()).collect())
        .collect();
    let cols = |names: &[&str]| -> Vec<usize> {
        (0..header.len())
            .filter(|&i| names.contains(&header[i].as_str()))
            .collect()
    };
    let first = |row: &[String], names: &[&str]| {
        cols(names)
            .into_iter()
            .map(|i| row[i].clone())
            .find(|v| !v.is_empty())
            .unwrap_or_default()
    };
    let (assignee, assignee_id) = (
        ["Assignee", "Persona asignada"],
        ["Assignee Id", "ID de la persona asignada"],
    );
    let (reporter, reporter_id) = (
        ["Reporter", "Informador"],
        ["Reporter Id", "ID del informador"],
    );
    let mut names: HashMap<String, String> = HashMap::new();
    for row in &rows {
        for (id, name) in [(&assignee_id, &assignee), (&reporter_id, &reporter)] {
            let (id, name) = (first(row, &id[..]), first(row, &name[..]));
            if !id.is_empty() && !name.is_empty() {
                names.entry(id).or_insert(name);
            }
        }
    }
    let mut team = Team::default();
    for row in &rows {
        team.assignee(&first(row, &assignee), "");
        team.reporter(&first(row, &reporter), "");
        let key = first(row, &["Issue key", "Clave de incidencia", "Clave"]);
        for c in cols(&["Watchers", "Interesados"]) {
            if !row[c].is_empty() {
                team.watcher(&key, &row[c]);
            }
        }
        for c in cols(&["Comment"]) {
            if row[c].is_empty() {
                continue;
            }
            let id = row[c].split(';').nth(1).unwrap();
            let name = names
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("Jira user {id}"));
            team.comment(Some((&name, "")));
        }
    }
    team
}

#[tokio::test]
async fn jira_csv_people_and_comments() {
    for file in [
        "bellali_agile_delivery_Jira.csv",
        "ericmedlock_planeso_migration_Jira.csv",
        "fleetbase_spanish_all_fields_Jira.csv",
        "mitsusarkar_Jira.csv",
        "rohan019_ugv_Jira.csv",
    ] {
        brings_the_team(&format!("jira_csv/{file}"), jira_csv(file)).await;
    }
}

#[tokio::test]
async fn jira_csv_people_and_comments_more() {
    for file in [
        "bsfse2025_team9_Jira.csv",
        "harshal08_sprint1_Jira.csv",
        "ishaanbhugra_Jira.csv",
        "kirtipatekar_Jira.csv",
    ] {
        brings_the_team(&format!("jira_csv/{file}"), jira_csv(file)).await;
    }
}

#[tokio::test]
async fn jira_csv_support_desk_with_984_comments() {
    let file = "peris25_support_Jira_311rows_379cols.csv";
    let team = jira_csv(file);
    assert_eq!(team.comments, 984, "the file's comment cells");
    brings_the_team(&format!("jira_csv/{file}"), team).await;
}

/// A comment is shown on its item with its author and its date from the file.
#[tokio::test]
async fn a_jira_comment_keeps_its_author_and_date() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    import(
        &cli,
        &ada,
        "jira_csv/ericmedlock_planeso_migration_Jira.csv",
        &[],
    );
    let db = super::db(&cli).await;
    // `05/Sep/25 7:23 AM;5fe07a7dd3649601392ba191;Dev Team is worki…`
    let (name, at, placeholder): (String, chrono::DateTime<chrono::Utc>, bool) =
        with_pool!(&db.read, p => sqlx::query_as(
        "SELECT u.name, c.created_at, u.placeholder FROM comments c
         JOIN users u ON u.id = c.author_id WHERE c.body LIKE 'Dev Team is worki%'")
        .fetch_one(p).await)
        .unwrap();
    assert_eq!(name, "Saicharan Basireddy");
    assert_eq!(at.to_rfc3339(), "2025-09-05T07:23:00+00:00");
    assert!(placeholder);
    let members = cli.json(&["member", "list", "--as", &ada, "-w", "acme", "--json"]);
    let marked = members
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["placeholder"] == true);
    assert_eq!(
        marked.count(),
        jira_csv("ericmedlock_planeso_migration_Jira.csv")
            .people
            .len()
    );
    db.close().await;
}

/// Someone the workspace already has is found by e-mail, in any case, and not made again.
#[tokio::test]
async fn people_with_an_account_are_matched_by_email() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    cli.ok(&[
        "user",
        "add",
        "--email",
        "Admin@Example.com",
        "--name",
        "Jira Admin",
        "--password",
        "long enough pw",
    ]);
    let r = import(&cli, &ada, "jira_json/jiraruby_search_11_issues.json", &[]);
    assert_eq!(
        (&r["people_created"], &r["people_matched"]),
        (&0.into(), &1.into()),
        "{r}"
    );
    let members = cli.json(&["member", "list", "--as", &ada, "-w", "acme", "--json"]);
    assert!(
        members.to_string().contains("admin@example.com"),
        "{members}"
    );
}

// --- Jira XML and JSON ----------------------------------------------------------------------

fn between<'a>(s: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    s.split(open)
        .skip(1)
        .filter_map(|p| p.split_once(close).map(|(a, _)| a))
        .collect()
}

fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    tag.split(&format!("{name}=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
}

fn jira_xml(rel: &str) -> Team {
    let t = text(rel);
    let items = between(&t, "<item>", "</item>");
    // (account id, name) of every assignee and reporter.
    let who = |item: &str, tag: &str| -> Option<(String, String)> {
        let open = format!("<{tag} ");
        let rest = item.split(&open).nth(1)?;
        let (attrs, rest) = rest.split_once('>')?;
        let name = rest.split(&format!("</{tag}>")).next()?;
        let id = attr(attrs, "accountid");
        (id != "-1").then(|| (id.to_string(), super::jira_other::decoded(name.trim())))
    };
    let names: HashMap<String, String> = items
        .iter()
        .flat_map(|i| [who(i, "assignee"), who(i, "reporter")])
        .flatten()
        .collect();
    let mut team = Team::default();
    for item in &items {
        if let Some((_, n)) = who(item, "assignee") {
            team.assignee(&n, "");
        }
        if let Some((_, n)) = who(item, "reporter") {
            team.reporter(&n, "");
        }
        for c in item.split("<comment ").skip(1) {
            // A comment with no text (an image, an attachment) is left out.
            let body = c.split_once('>').map_or("", |b| b.1);
            let body = super::jira_other::decoded(body.split("</comment>").next().unwrap_or(""));
            let words: String = body
                .split('<')
                .map(|p| p.split_once('>').map_or(p, |t| t.1))
                .collect();
            if words.trim().is_empty() {
                continue;
            }
            let id = attr(c, "author");
            let name = names
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("Jira user {id}"));
            team.comment(Some((&name, "")));
        }
    }
    team
}

#[tokio::test]
async fn jira_xml_people_and_comments() {
    for rel in [
        "jira_xml/es_locale_metsis2_Jira.xml",
        "jira_xml/focalboard_test_jira-export.xml",
        "jira_xml/insurance_company_SearchRequest.xml",
        "jira_xml/mitsusarkar_Jira.xml",
        "jira_xml/ru_locale_landing_estimator_Jira.xml",
    ] {
        brings_the_team(rel, jira_xml(rel)).await;
    }
}

fn jira_json(rel: &str) -> Team {
    let v = json(rel);
    let issues: Vec<&Value> = match v.get("issues").and_then(Value::as_array) {
        Some(list) => list.iter().collect(),
        None => vec![&v],
    };
    let user = |u: &Value| -> Option<(String, String)> {
        let u = u.as_object()?;
        let s = |k: &str| u.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let name = Some(s("displayName"))
            .filter(|n| !n.is_empty())
            .unwrap_or(s("name"));
        Some((name, s("emailAddress")))
    };
    let mut team = Team::default();
    for i in issues {
        let f = &i["fields"];
        if let Some((n, e)) = user(&f["assignee"]) {
            team.assignee(&n, &e);
        }
        if let Some((n, e)) = user(&f["reporter"]) {
            team.reporter(&n, &e);
        }
        for c in f["comment"]["comments"].as_array().into_iter().flatten() {
            match user(&c["author"]) {
                Some((n, e)) => team.comment(Some((&n, &e))),
                None => team.comment(None),
            }
        }
    }
    team
}

#[tokio::test]
async fn jira_json_people_and_comments() {
    for rel in [
        "jira_json/jiraruby_search_11_issues.json",
        "jira_json/appcelerator_APSTUD-8374_issue_with_changelog.json",
        "jira_json/perceval_fiware_search_page1.json",
        "jira_json/gojira_agile_issues_in_sprint.json",
    ] {
        brings_the_team(rel, jira_json(rel)).await;
    }
}

// --- Boards, trackers and tables ------------------------------------------------------------

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

pub(super) fn trello(rel: &str) -> Team {
    let b = json(rel);
    let list = |k: &str| b[k].as_array().cloned().unwrap_or_default();
    let closed_lists: HashSet<String> = list("lists")
        .iter()
        .filter(|l| l["closed"] == true)
        .map(|l| s(l, "id").to_string())
        .collect();
    let members: HashMap<String, String> = list("members")
        .iter()
        .map(|m| (s(m, "id").to_string(), s(m, "fullName").to_string()))
        .collect();
    let mut open = HashSet::new();
    let mut team = Team::default();
    for c in list("cards") {
        if c["closed"] == true || closed_lists.contains(s(&c, "idList")) {
            continue;
        }
        open.insert(s(&c, "id").to_string());
        let first = c["idMembers"].as_array().and_then(|m| m.first()).cloned();
        if let Some(name) = first.as_ref().and_then(|m| members.get(m.as_str()?)) {
            team.assignee(name, "");
        }
    }
    for a in list("actions") {
        let card = a.pointer("/data/card/id").and_then(Value::as_str);
        if s(&a, "type") != "commentCard" || !card.is_some_and(|c| open.contains(c)) {
            continue;
        }
        if a.pointer("/data/text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .is_empty()
        {
            continue;
        }
        let name = a["memberCreator"]["fullName"].as_str().unwrap_or("");
        team.comment(Some((name, "")));
    }
    team
}

#[tokio::test]
async fn trello_members_and_comments() {
    for rel in [
        "trello/clipkit_board.json",
        "trello/gocd_test_drive_board.json",
        "trello/volunteerbridge_scrum_board.json",
        "trello/sidelinehd_apps_board_682cards.json",
    ] {
        brings_the_team(rel, trello(rel)).await;
    }
}

#[tokio::test]
async fn taiga_owners_and_history_comments() {
    let rel = "taiga/taiga_io_project_export_2016.json";
    let p = json(rel);
    let mut team = Team::default();
    for k in ["epics", "user_stories", "tasks", "issues"] {
        for v in p[k].as_array().into_iter().flatten() {
            team.assignee(s(v, "assigned_to"), s(v, "assigned_to"));
            team.reporter(s(v, "owner"), s(v, "owner"));
            for h in v["history"].as_array().into_iter().flatten() {
                if s(h, "comment").trim().is_empty() {
                    continue;
                }
                let who = &h["user"];
                team.comment(Some((
                    who[1].as_str().unwrap_or(""),
                    who[0].as_str().unwrap_or(""),
                )));
            }
        }
    }
    brings_the_team(rel, team).await;
}

fn pivotal(rel: &str) -> Team {
    let t = text(rel);
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(t.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut team = Team::default();
    for row in r.records().map(Result::unwrap) {
        let cell = |n: &str| {
            header
                .iter()
                .position(|h| h == n)
                .and_then(|i| row.get(i))
                .map_or("", str::trim)
        };
        team.assignee(cell("Owned By"), "");
        team.reporter(cell("Requested By"), "");
        for (i, h) in header.iter().enumerate() {
            let c = row.get(i).unwrap_or("").trim();
            if h != "Comment" || c.is_empty() {
                continue;
            }
            // Signed as `text (Name - May 6, 2014)`.
            let signed = c
                .strip_suffix(')')
                .and_then(|c| c.rsplit_once('('))
                .and_then(|(_, sig)| sig.split_once(" - "));
            team.comment(signed.map(|(name, _)| (name, "")));
        }
    }
    team
}

#[tokio::test]
async fn pivotal_owners_requesters_and_comments() {
    for rel in [
        "pivotal/gschool_fish_with_sinatra_stories.csv",
        "pivotal/trackerhub_stories.csv",
    ] {
        brings_the_team(rel, pivotal(rel)).await;
    }
}

#[tokio::test]
async fn linear_plane_asana_and_tracker_people() {
    let mut team = Team::default();
    for row in csv_rows("linear/linear_export_test_workspace.csv", b',', 0) {
        if !row["Archived"].is_empty() {
            continue;
        }
        team.assignee(&row["Assignee"], "");
        team.reporter(&row["Creator"], "");
    }
    brings_the_team("linear/linear_export_test_workspace.csv", team).await;

    for rel in [
        "plane/linear_importer_plane_sample.csv",
        "plane/plane_export_1row.csv",
    ] {
        let mut team = Team::default();
        for row in csv_rows(rel, b',', 0) {
            let get = |k: &str| row.get(k).cloned().unwrap_or_default();
            if !get("Archived At").is_empty() {
                continue;
            }
            let who = get("Assignees") + &get("Assignee");
            let first = serde_json::from_str::<Vec<String>>(&who)
                .map(|l| l.first().cloned().unwrap_or_default())
                .unwrap_or(who);
            team.assignee(&first, "");
            team.reporter(&(get("Created By Name") + &get("Created By")), "");
            let comments: Vec<Value> = serde_json::from_str(&get("Comments")).unwrap_or_default();
            for c in comments {
                team.comment(Some((s(&c, "created_by"), "")));
            }
        }
        brings_the_team(rel, team).await;
    }

    let mut team = Team::default();
    for row in csv_rows("asana/asana_export_2016.csv", b',', 0) {
        team.assignee(&row["Assignee"], "");
    }
    brings_the_team("asana/asana_export_2016.csv", team).await;

    let rel = "other_trackers/ru_tasktracker_entities_semicolon.csv";
    let mut team = Team::default();
    let mut seen = HashSet::new();
    for row in csv_rows(rel, b';', 1) {
        if row["ticket_number"].is_empty() || !seen.insert(row["ticket_number"].clone()) {
            continue;
        }
        team.assignee(&row["assignee"], "");
        team.reporter(&row["created_by"], "");
    }
    brings_the_team(rel, team).await;
}

#[tokio::test]
async fn github_assignees_and_authors() {
    for rel in [
        "github_issues/rails_issues_500.json",
        "github_issues/huggingface_datasets_issues_1000.jsonl",
    ] {
        let issues: Vec<Value> = match serde_json::from_str(&text(rel)) {
            Ok(Value::Array(a)) => a,
            _ => text(rel)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
        };
        let mut team = Team::default();
        let mut seen = HashSet::new();
        for i in issues
            .iter()
            .filter(|i| i.get("pull_request").is_none_or(Value::is_null))
        {
            if !seen.insert(s(i, "html_url").to_string()) {
                continue;
            }
            if let Some(a) = i["assignee"].as_object() {
                team.assignee(a["login"].as_str().unwrap(), "");
            }
            team.reporter(s(&i["user"], "login"), "");
        }
        brings_the_team(rel, team).await;
    }
}

/// The distinct sprints a Jira file names, earlier ones included (Jira repeats its Sprint
/// column, and its XML field, for an item carried over), and the items carried over.
#[tokio::test]
async fn jira_sprints_are_counted_with_the_earlier_ones() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    for file in [
        "bellali_agile_delivery_Jira.csv",
        "fleetbase_spanish_all_fields_Jira.csv",
        "peris25_support_Jira_311rows_379cols.csv",
        "rohan019_ugv_Jira.csv",
    ] {
        let t = text(&format!("jira_csv/{file}"));
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(t.as_bytes());
        let mut rows = r.records().map(Result::unwrap);
        let header: Vec<String> = rows.next().unwrap().iter().map(str::to_string).collect();
        let (mut names, mut carried) = (BTreeSet::new(), 0);
        for row in rows {
            let named: Vec<&str> = (0..header.len())
                .filter(|&i| header[i] == "Sprint")
                .filter_map(|i| row.get(i).map(str::trim))
                .filter(|s| !s.is_empty())
                .collect();
            carried += i64::from(named.len() > 1);
            names.extend(named.into_iter().map(str::to_string));
        }
        let report = import(&cli, &ada, &format!("jira_csv/{file}"), &["--dry-run"]);
        let got: BTreeSet<String> = report["sprints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, names, "{file}");
        assert_eq!(report["carried_over"], carried, "{file}");
    }
    let rel = "jira_xml/ru_locale_landing_estimator_Jira.xml";
    let t = text(rel);
    let mut names = BTreeSet::new();
    for field in t.split("<customfieldname>Sprint</customfieldname>").skip(1) {
        let values = field.split("</customfieldvalues>").next().unwrap();
        for v in values.split("<customfieldvalue").skip(1) {
            let v = v.split_once('>').unwrap().1.split('<').next().unwrap();
            if !v.trim().is_empty() {
                names.insert(super::jira_other::decoded(v.trim()));
            }
        }
    }
    let report = import(&cli, &ada, rel, &["--dry-run"]);
    assert_eq!(
        report["sprints"].as_array().unwrap().len(),
        names.len(),
        "{rel}"
    );
}

/// A file that names an item imported before twice keeps its first row, says so, and sets that
/// row's people: an item is one row of the statement that sets them all.
#[tokio::test]
async fn an_item_named_twice_takes_the_people_of_its_first_row() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let write = |name: &str, text: &str| {
        let p = cli.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let first = write(
        "first.csv",
        "Summary,Issue key,Issue Type\nSign up,D-1,Story\n",
    );
    super::corpus::import_path(&cli, &ada, &first, &[]);
    let twice = write(
        "twice.csv",
        "Summary,Issue key,Issue Type,Assignee,Reporter\n\
         Sign up,D-1,Story,Ann Lee,\n\
         Sign up,D-1,Story,,Bo Chen\n",
    );
    let r = super::corpus::import_path(&cli, &ada, &twice, &[]);
    let notes = r["notes"].to_string();
    assert!(
        notes.contains("rows repeating an issue key were skipped"),
        "{r}"
    );
    let db = super::db(&cli).await;
    let people: (Option<String>, Option<String>) = with_pool!(&db.read, p => sqlx::query_as(
        "SELECT a.name, r.name FROM items i LEFT JOIN users a ON a.id = i.assignee_id
         LEFT JOIN users r ON r.id = i.reporter_id WHERE i.external_key = 'D-1'")
        .fetch_one(p).await)
    .unwrap();
    assert_eq!(people, (Some("Ann Lee".to_string()), None));
    db.close().await;
}
