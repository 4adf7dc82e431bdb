//! Epics become initiatives of the product by default, with their children linked to them;
//! `--epics-as items` keeps them as parent items. Each file is read here on its own (csv,
//! serde_json, string scanning): the epics, the items left, and the children of epics. A dry
//! run writes no initiative; a repeat creates, updates and links nothing.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;
use throughline::db::Db;
use throughline::with_pool;

use super::corpus::{import, import_path, json, text};
use crate::support::cli::Cli;

/// What a file says about its epics.
#[derive(Debug, Default)]
struct Epics {
    keys: BTreeSet<String>,
    /// Work items besides the epics.
    items: i64,
    /// Items whose parent is an epic of the file.
    children: i64,
}

/// Initiatives of ONB by external key, items, items under an initiative, the sum of item and
/// initiative versions.
async fn held(db: &Db) -> (BTreeSet<String>, i64, i64, i64) {
    let keys: Vec<String> = with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT n.external_key FROM initiatives n JOIN products p ON p.id = n.product_id
         WHERE p.key = 'ONB' AND n.external_key IS NOT NULL")
        .fetch_all(p).await)
    .unwrap();
    let one = |sql: &'static str| async move {
        with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
    };
    (
        keys.into_iter().collect(),
        one("SELECT COUNT(*) FROM items").await,
        one("SELECT COUNT(*) FROM items WHERE initiative_id IS NOT NULL").await,
        one("SELECT CAST(COALESCE((SELECT SUM(version) FROM items), 0)
                    + COALESCE((SELECT SUM(version) FROM initiatives), 0) AS BIGINT)")
        .await,
    )
}

const AS_INITIATIVES: [&str; 2] = ["--epics-as", "initiatives"];

async fn become_initiatives(rel: &str, e: Epics) {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let db = super::db(&cli).await;
    let dry = import(
        &cli,
        &ada,
        rel,
        &[&AS_INITIATIVES[..], &["--dry-run"]].concat(),
    );
    assert_eq!(dry["initiatives_created"], e.keys.len(), "{rel}: {dry}");
    assert_eq!(
        held(&db).await,
        (BTreeSet::new(), 0, 0, 0),
        "{rel}: dry run"
    );
    let r = import(&cli, &ada, rel, &AS_INITIATIVES);
    assert_eq!(r["epics"], e.keys.len(), "{rel}");
    assert_eq!(r["initiatives_created"], e.keys.len(), "{rel}");
    assert_eq!(r["created"], e.items, "{rel}: items besides the epics");
    assert_eq!(r["linked_to_initiatives"], e.children, "{rel}");
    let after = held(&db).await;
    assert_eq!(
        (&after.0, after.1, after.2),
        (&e.keys, e.items, e.children),
        "{rel}: initiatives, items, items under an initiative"
    );
    let again = import(&cli, &ada, rel, &AS_INITIATIVES);
    for k in [
        "created",
        "updated",
        "initiatives_created",
        "initiatives_updated",
        "linked_to_initiatives",
    ] {
        assert_eq!(again[k], 0, "{rel}: a repeat: {k}");
    }
    assert_eq!(held(&db).await, after, "{rel}: a repeat changes nothing");
    db.close().await;
}

fn jira_csv(file: &str) -> Epics {
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
    let first = |row: &[String], names: &[&str]| -> String {
        (0..header.len())
            .filter(|&i| names.contains(&header[i].as_str()))
            .map(|i| row[i].clone())
            .find(|v| !v.is_empty())
            .unwrap_or_default()
    };
    let key_cols = ["Issue key", "Key", "Clave de incidencia"];
    let ids: HashMap<String, String> = rows
        .iter()
        .map(|r| {
            (
                first(r, &["Issue id", "ID de la incidencia"]),
                first(r, &key_cols),
            )
        })
        .collect();
    let mut e = Epics::default();
    let mut parents = Vec::new();
    for row in &rows {
        let key = first(row, &key_cols);
        if ["Epic", "Épica"].contains(&first(row, &["Issue Type", "Tipo de Incidencia"]).as_str())
        {
            e.keys.insert(key);
            continue;
        }
        e.items += 1;
        let by_key = first(row, &["Parent key", "Clave principal"]);
        let by_id = first(row, &["Parent", "Parent id", "Principal"]);
        let parent = if !by_key.is_empty() {
            by_key
        } else if let Some(k) = ids.get(&by_id).filter(|_| !by_id.is_empty()) {
            k.clone()
        } else {
            first(row, &["Custom field (Epic Link)"])
        };
        parents.push(parent);
    }
    e.children = parents.iter().filter(|p| e.keys.contains(*p)).count() as i64;
    e
}

#[tokio::test]
async fn jira_csv_epics_become_initiatives() {
    for file in [
        "bellali_agile_delivery_Jira.csv",
        "bsfse2025_team9_Jira.csv",
        "fleetbase_spanish_all_fields_Jira.csv",
        "harshal08_sprint1_Jira.csv",
    ] {
        let e = jira_csv(file);
        assert!(!e.keys.is_empty(), "{file} has epics");
        become_initiatives(&format!("jira_csv/{file}"), e).await;
    }
}

#[tokio::test]
async fn jira_csv_epics_become_initiatives_more() {
    for file in [
        "ishaanbhugra_Jira.csv",
        "kirtipatekar_Jira.csv",
        "peris25_support_Jira_311rows_379cols.csv",
        "rohan019_ugv_Jira.csv",
    ] {
        let e = jira_csv(file);
        assert!(!e.keys.is_empty(), "{file} has epics");
        become_initiatives(&format!("jira_csv/{file}"), e).await;
    }
}

#[tokio::test]
async fn a_jira_xml_epic_becomes_an_initiative() {
    let rel = "jira_xml/focalboard_test_jira-export.xml";
    let t = text(rel);
    let mut e = Epics::default();
    for item in t.split("<item>").skip(1) {
        let key = item
            .split("<key")
            .nth(1)
            .and_then(|k| k.split_once('>'))
            .unwrap()
            .1;
        let key = key.split('<').next().unwrap().to_string();
        let ty = item
            .split("<type")
            .nth(1)
            .and_then(|k| k.split_once('>'))
            .unwrap()
            .1;
        if ty.starts_with("Epic<") {
            e.keys.insert(key);
        } else {
            e.items += 1;
            assert!(!item.contains("<parent"), "the task has no parent");
        }
    }
    become_initiatives(rel, e).await;
}

#[tokio::test]
async fn the_taiga_epic_becomes_an_initiative_by_default() {
    let rel = "taiga/taiga_io_project_export_2016.json";
    let p = json(rel);
    let list = |k: &str| p[k].as_array().cloned().unwrap_or_default();
    let slug = p["slug"].as_str().unwrap();
    let refs: HashSet<i64> = list("user_stories")
        .iter()
        .map(|u| u["ref"].as_i64().unwrap())
        .collect();
    let mut e = Epics::default();
    for epic in list("epics") {
        e.keys.insert(format!("{slug}#{}", epic["ref"]));
        let rel: &[Value] = epic["related_user_stories"]
            .as_array()
            .map_or(&[], Vec::as_slice);
        e.children += rel
            .iter()
            .filter(|r| refs.contains(&r["user_story"].as_i64().unwrap()))
            .count() as i64;
    }
    e.items = (list("user_stories").len() + list("tasks").len() + list("issues").len()) as i64;
    become_initiatives(rel, e).await;

    // Without the option, epics are initiatives too; with `items`, none is made.
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let path = super::corpus::path(rel);
    let r = cli.json(&[
        "import",
        path.to_str().unwrap(),
        "--as",
        &ada,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--json",
    ]);
    assert_eq!(r["initiatives_created"], 1, "{r}");
    // The import's items are still as it made them (linking a new child keeps its first
    // version), so it can be undone as a whole.
    let id = r["import_id"].as_i64().expect("an import id").to_string();
    let undone = cli.json(&[
        "import", "--undo", &id, "--as", &ada, "-w", "acme", "-p", "ONB", "--json",
    ]);
    assert_eq!(undone["deleted"], r["created"], "{undone}");
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let r = import(&cli, &ada, rel, &["--epics-as", "items"]);
    assert_eq!(
        (&r["epics"], &r["initiatives_created"]),
        (&1.into(), &0.into())
    );
    let db = super::db(&cli).await;
    assert_eq!(held(&db).await.0, BTreeSet::new());
    db.close().await;
}

/// Items of ONB under an initiative; those among them still told to link one; those not under
/// one that are not told so.
async fn links_and_readiness(db: &Db) -> (i64, i64, i64) {
    let one = |sql: &'static str| async move {
        with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
    };
    (
        one("SELECT COUNT(*) FROM items WHERE initiative_id IS NOT NULL").await,
        one("SELECT COUNT(*) FROM items WHERE initiative_id IS NOT NULL
             AND readiness LIKE '%no_initiative%'")
        .await,
        one("SELECT COUNT(*) FROM items WHERE initiative_id IS NULL
             AND readiness NOT LIKE '%no_initiative%'")
        .await,
    )
}

/// More children than one round trip links (1,000): each goes under its epic's initiative and
/// is assessed again with it (the product asks for a link), and the import's undo puts each
/// back, assessed again without it.
#[tokio::test]
async fn more_children_than_a_round_trip_are_linked_and_unlinked_with_their_readiness() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let db = super::db(&cli).await;
    with_pool!(&db.write, p => sqlx::query(
        "UPDATE products SET ready_rules = '{\"needs_initiative\": true}' WHERE key = 'ONB'")
        .execute(p).await.map(|r| r.rows_affected()))
    .unwrap();
    let children = 1_100;
    let file = |name: &str, parent: &str| {
        let mut csv =
            String::from("Summary,Issue key,Issue id,Issue Type,Parent\nThe epic,BIG-1,1,Epic,\n");
        for i in 2..=children + 1 {
            csv.push_str(&format!("Child {i},BIG-{i},{i},Story,{parent}\n"));
        }
        let path = cli.dir.path().join(name);
        std::fs::write(&path, csv).unwrap();
        path
    };
    let run = |path: &std::path::Path, extra: &[&str]| {
        import_path(&cli, &ada, path, &[&AS_INITIATIVES[..], extra].concat())
    };
    // First without parents: the children are there, under nothing, and told so.
    let r = run(&file("loose.csv", ""), &[]);
    assert_eq!(
        (&r["created"], &r["linked_to_initiatives"]),
        (&children.into(), &0.into()),
        "{r}"
    );
    assert_eq!(links_and_readiness(&db).await, (0, 0, 0));
    let before = super::corpus::versions(&db).await;
    // Then with their epic: every child moves under its initiative, one version each.
    let path = file("linked.csv", "1");
    let dry = run(&path, &["--dry-run"]);
    assert_eq!(dry["linked_to_initiatives"], children, "{dry}");
    assert_eq!(
        links_and_readiness(&db).await,
        (0, 0, 0),
        "a dry run links nothing"
    );
    let r = run(&path, &[]);
    assert_eq!(r["linked_to_initiatives"], children, "{r}");
    assert_eq!(links_and_readiness(&db).await, (children, 0, 0));
    assert_eq!(super::corpus::versions(&db).await, before + children);
    assert_eq!(
        run(&path, &[])["linked_to_initiatives"],
        0,
        "a repeat links nothing"
    );
    // Its undo takes every child out again.
    let id = r["import_id"].as_i64().expect("an import id").to_string();
    cli.json(&[
        "import", "--undo", &id, "--as", &ada, "-w", "acme", "-p", "ONB", "--json",
    ]);
    assert_eq!(links_and_readiness(&db).await, (0, 0, 0), "after the undo");
    db.close().await;
}

/// A file of many epics lands them in blocks (an insert statement takes 500), each under its
/// key: one initiative per key (a row repeating a key is skipped), the keys an earlier import
/// made updated rather than made again, each child under its own epic.
#[tokio::test]
async fn many_epics_land_one_initiative_per_key() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let db = super::db(&cli).await;
    let file = |name: &str, epics: std::ops::RangeInclusive<usize>, title: &str| {
        let mut csv = String::from("Summary,Issue key,Issue id,Issue Type,Parent\n");
        for e in epics.clone() {
            csv.push_str(&format!("{title} {e},E-{e},{e},Epic,\n"));
        }
        // The first epic again, renamed, and a story under each epic.
        let first = epics.start();
        csv.push_str(&format!("Renamed {first},E-{first},{first},Epic,\n"));
        for e in epics {
            csv.push_str(&format!("Story of {e},S-{e},{},Story,{e}\n", 10_000 + e));
        }
        let path = cli.dir.path().join(name);
        std::fs::write(&path, csv).unwrap();
        path
    };
    let r = import_path(
        &cli,
        &ada,
        &file("first.csv", 1..=600, "Epic"),
        &AS_INITIATIVES,
    );
    assert_eq!(r["initiatives_created"], 600, "{r}");
    assert_eq!(r["initiatives_updated"], 0, "{r}");
    assert!(r["notes"]
        .to_string()
        .contains("1: rows repeating an issue key were skipped"));
    let titles = |db: &Db| {
        let db = db.clone();
        async move {
            with_pool!(&db.read, p => sqlx::query_as::<_, (String, String)>(
                "SELECT external_key, title FROM initiatives WHERE external_key IS NOT NULL")
                .fetch_all(p).await)
            .unwrap()
            .into_iter()
            .collect::<HashMap<String, String>>()
        }
    };
    let t = titles(&db).await;
    assert_eq!(t.len(), 600);
    assert_eq!(t["E-1"], "Epic 1");
    assert_eq!(t["E-600"], "Epic 600");
    // A later file: 200 known epics renamed, 200 new ones.
    let r = import_path(
        &cli,
        &ada,
        &file("second.csv", 401..=800, "Next"),
        &AS_INITIATIVES,
    );
    assert_eq!(r["initiatives_created"], 200, "{r}");
    assert_eq!(r["initiatives_updated"], 200, "{r}");
    let t = titles(&db).await;
    assert_eq!(t.len(), 800);
    assert_eq!(
        (
            t["E-400"].as_str(),
            t["E-401"].as_str(),
            t["E-800"].as_str()
        ),
        ("Epic 400", "Next 401", "Next 800")
    );
    let misplaced: i64 = with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM items i JOIN initiatives n ON n.id = i.initiative_id
         WHERE i.external_key LIKE 'S-%' AND 'S-' || SUBSTR(n.external_key, 3) <> i.external_key")
        .fetch_one(p).await)
    .unwrap();
    let linked: i64 = with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM items WHERE external_key LIKE 'S-%' AND initiative_id IS NOT NULL")
        .fetch_one(p).await)
    .unwrap();
    assert_eq!((linked, misplaced), (800, 0));
    db.close().await;
}
