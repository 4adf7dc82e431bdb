//! The hand-off kit: every file of the demo's kit against golden files, the formats' own
//! rules (Task Master, spec-kit, Kiro, Cursor, Codex, skills), the manifest's hashes, the
//! zip's determinism, the API's negotiation and bad input, and the Product Owner's
//! exceptions for items that are not ready.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::api::initiative;
use super::golden::{golden, AS, DAY, GUIDED_SETUP};
use crate::support::cli::Cli;
use crate::support::scrum::{json_ok, ready_story, sprint, team, P};
use crate::support::{spawn_app, Caller, TestApp};

/// Every file under `dir`, by its path inside it.
fn files_under(dir: &std::path::Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            (f.name().to_string(), s)
        })
        .collect()
}

fn kit_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["doc", "kit"];
    a.extend(AS);
    a.extend(extra);
    a
}

/// The YAML front matter's `key: value` lines of a Markdown file.
fn front_matter(text: &str) -> BTreeMap<String, String> {
    let body = text
        .strip_prefix("---\n")
        .expect("front matter opens the file");
    let (head, _) = body.split_once("\n---\n").expect("front matter is closed");
    head.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn the_demo_kit_matches_its_golden_files_and_its_manifest() {
    let cli = Cli::demo_on(DAY).await;
    let dir = cli.dir.path().join("kit");
    let dir_s = dir.to_string_lossy().to_string();
    cli.ok(&kit_args(&["--initiative", GUIDED_SETUP, "--out", &dir_s]));
    let files = files_under(&dir);
    for (path, text) in &files {
        golden(&format!("kit-guided-setup/{path}"), text);
    }
    // The manifest lists every other file with its hash and size, and nothing else.
    let manifest: Value = serde_json::from_str(&files["manifest.json"]).unwrap();
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let on_disk: Vec<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|p| *p != "manifest.json")
        .collect();
    assert_eq!(listed, on_disk);
    for f in manifest["files"].as_array().unwrap() {
        let text = &files[f["path"].as_str().unwrap()];
        assert_eq!(f["sha256"], hex::encode(Sha256::digest(text.as_bytes())));
        assert_eq!(f["bytes"], text.len());
    }
    // Only ready items went in; the unready one is listed with why.
    let items = manifest["items"].as_array().unwrap();
    for it in items {
        let key = it["key"].as_str().unwrap();
        let brief = files.contains_key(&format!("stories/{key}.md"));
        assert_eq!(brief, it["included"] != "left_out", "{it}");
    }
    assert!(items
        .iter()
        .any(|i| i["included"] == "left_out"
            && i["reason"].as_str().unwrap().contains("Not estimated")));
    assert!(manifest["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["kind"] == "initiative" && s["key"] == GUIDED_SETUP));

    // The zip holds the same files, and is the same bytes when made again.
    let zip1 = cli.dir.path().join("a.zip");
    let zip2 = cli.dir.path().join("b.zip");
    for z in [&zip1, &zip2] {
        cli.ok(&kit_args(&[
            "--initiative",
            GUIDED_SETUP,
            "--out",
            &z.to_string_lossy(),
        ]));
    }
    let (a, b) = (std::fs::read(&zip1).unwrap(), std::fs::read(&zip2).unwrap());
    assert_eq!(a, b, "the same data gives the same zip");
    assert_eq!(unzip(&a), files);
}

#[tokio::test]
async fn each_kit_file_follows_its_format() {
    let cli = Cli::demo_on(DAY).await;
    let dir = cli.dir.path().join("kit");
    cli.ok(&kit_args(&[
        "--initiative",
        GUIDED_SETUP,
        "--out",
        &dir.to_string_lossy(),
    ]));
    let f = files_under(&dir);

    assert_eq!(f["CLAUDE.md"], "@AGENTS.md\n");
    let rule = front_matter(&f[".cursor/rules/throughline.mdc"]);
    assert_eq!(rule["alwaysApply"], "true");
    assert!(rule["description"].len() > 20);
    let skill = front_matter(&f[".claude/skills/next-story/SKILL.md"]);
    assert_eq!(skill["name"], "next-story");
    assert!(skill.contains_key("description"));

    // MCP connections: each file parses and points at the server's /mcp.
    for path in [".mcp.json", ".cursor/mcp.json"] {
        let v: Value = serde_json::from_str(&f[path]).unwrap();
        assert_eq!(
            v["mcpServers"]["throughline"]["url"], "http://127.0.0.1:8080/mcp",
            "{path}"
        );
    }
    let vs: Value = serde_json::from_str(&f[".vscode/mcp.json"]).unwrap();
    assert_eq!(vs["servers"]["throughline"]["type"], "http");
    let codex: toml::Table = toml::from_str(&f[".codex/config.toml"]).unwrap();
    assert_eq!(
        codex["mcp_servers"]["throughline"]["url"].as_str(),
        Some("http://127.0.0.1:8080/mcp")
    );
    assert_eq!(
        codex["mcp_servers"]["throughline"]["bearer_token_env_var"].as_str(),
        Some("THROUGHLINE_TOKEN")
    );

    // Task Master: ids 1..n, dependencies on earlier tasks only, its own enums.
    let tm: Value = serde_json::from_str(&f[".taskmaster/tasks/tasks.json"]).unwrap();
    let tasks = tm["master"]["tasks"].as_array().unwrap();
    assert!(!tasks.is_empty());
    for (n, t) in tasks.iter().enumerate() {
        assert_eq!(t["id"], n + 1);
        for k in ["title", "description", "details", "testStrategy"] {
            assert!(t[k].as_str().is_some_and(|s| !s.is_empty()), "{k} of {t}");
        }
        assert!(["high", "medium", "low"].contains(&t["priority"].as_str().unwrap()));
        assert_eq!(t["status"], "pending");
        for d in t["dependencies"].as_array().unwrap() {
            assert!(
                d.as_u64().unwrap() < (n + 1) as u64,
                "a task depends on an earlier one"
            );
        }
        for (i, s) in t["subtasks"].as_array().unwrap().iter().enumerate() {
            assert_eq!(s["id"], i + 1);
            assert_eq!(s["status"], "pending");
            assert!(s["dependencies"].is_array());
        }
    }
    assert!(tm["master"]["metadata"]["created"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    // spec-kit: numbered tasks naming their user story; scenarios bolded Given/When/Then.
    let tasks = &f["specs/001-guided-workspace-setup/tasks.md"];
    let lines: Vec<&str> = tasks.lines().filter(|l| l.starts_with("- [ ] ")).collect();
    assert!(!lines.is_empty());
    for (n, l) in lines.iter().enumerate() {
        let rest = l
            .strip_prefix(&format!("- [ ] T{:03} ", n + 1))
            .unwrap_or_else(|| panic!("{l}"));
        let rest = rest.strip_prefix("[P] ").unwrap_or(rest);
        assert!(rest.starts_with("[US"), "{l}");
    }
    let spec = &f["specs/001-guided-workspace-setup/spec.md"];
    assert!(spec.contains("### User Story 1 - "));
    assert!(spec.contains("**Given** "));
    assert!(spec.contains("- **FR-001**: System MUST satisfy `ONB-"));

    // Kiro: EARS criteria, and every `_Requirements: N.M_` names a criterion that exists.
    let req = &f[".kiro/specs/guided-workspace-setup/requirements.md"];
    let mut criteria = HashSet::new();
    let mut requirement = 0;
    for l in req.lines() {
        if let Some(r) = l.strip_prefix("### Requirement ") {
            requirement = r.split(':').next().unwrap().parse::<u32>().unwrap();
        } else if let Some((n, text)) = l.split_once(". ") {
            if let Ok(n) = n.parse::<u32>() {
                assert!(text.contains(" SHALL "), "EARS: {l}");
                criteria.insert(format!("{requirement}.{n}"));
            }
        }
    }
    let ktasks = &f[".kiro/specs/guided-workspace-setup/tasks.md"];
    let refs: Vec<&str> = ktasks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- _Requirements: "))
        .map(|r| r.trim_end_matches('_'))
        .collect();
    assert!(!refs.is_empty());
    for r in refs {
        assert!(criteria.contains(r), "{r} names no acceptance criterion");
    }

    // The app builders' prompt fits in 8 KB, and its links carry it whole.
    let prompt = &f["prompts/app-builder.md"];
    assert!(prompt.len() <= 8 * 1024);
    let links = &f["prompts/links.md"];
    let encoded: String =
        percent_encoding::utf8_percent_encode(prompt, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let lovable = links.lines().find(|l| l.contains("lovable.dev")).unwrap();
    assert!(lovable.starts_with("- Lovable: <https://lovable.dev/?autosubmit=true#prompt="));
    let q = lovable
        .split("#prompt=")
        .nth(1)
        .unwrap()
        .trim_end_matches('>');
    assert_eq!(
        percent_encoding::percent_decode_str(q)
            .decode_utf8()
            .unwrap(),
        percent_encoding::percent_decode_str(&encoded)
            .decode_utf8()
            .unwrap()
    );
}

async fn kit(app: &TestApp, who: &Caller, query: &str, accept: &str) -> reqwest::Response {
    app.req(who, Method::GET, &format!("{P}/documents/kit?{query}"))
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_api_answers_a_zip_or_its_manifest_and_names_bad_input() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let i = initiative(&app, &pm, "Guided setup").await;
    let ready = ready_story(
        &app,
        &pm,
        "Invite the team",
        3,
        &["Given an admin, when they invite 3 people, then 3 e-mails go out"],
    )
    .await;
    app.link_initiative(&pm, &ready, &json!(i)).await;
    let unready = app.item(&pm, json!({"title": "Make setup fast"})).await["key"]
        .as_str()
        .unwrap()
        .to_string();
    app.link_initiative(&pm, &unready, &json!(i)).await;

    let r = kit(&app, &pm, &format!("initiative={i}"), "application/zip").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"onb-initiative-{i}-guided-setup.zip\"")
    );
    let files = unzip(&r.bytes().await.unwrap());
    assert!(files.contains_key(&format!("stories/{ready}.md")));
    // A zip is compressed already: a browser that takes zstd gets it as it is.
    let as_browser = app
        .req(
            &pm,
            Method::GET,
            &format!("{P}/documents/kit?initiative={i}"),
        )
        .header("Accept", "application/zip")
        .header("Accept-Encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert!(as_browser.headers().get("content-encoding").is_none());
    assert_eq!(unzip(&as_browser.bytes().await.unwrap()).len(), files.len());
    assert!(
        !files.contains_key(&format!("stories/{unready}.md")),
        "not ready: left out"
    );
    assert!(files["AGENTS.md"].contains(&format!("**{unready}** Make setup fast: ")));

    let manifest = json_ok(
        kit(&app, &pm, &format!("initiative={i}"), "application/json").await,
        200,
    )
    .await;
    assert_eq!(
        manifest["scope"],
        json!({"kind": "initiative", "id": i, "title": "Guided setup"})
    );
    assert_eq!(manifest["items"][1]["key"], unready.as_str());
    assert_eq!(manifest["items"][1]["included"], "left_out");

    assert_eq!(
        kit(&app, &pm, &format!("initiative={i}"), "text/markdown")
            .await
            .status(),
        406
    );
    for (query, field) in [
        ("", "initiative"),
        ("initiative=1&sprint=2", "initiative"),
        ("initiative=999", "initiative"),
        ("release=999", "release"),
        ("sprint=999", "sprint"),
    ] {
        let p = json_ok(kit(&app, &pm, query, "application/zip").await, 422).await;
        assert_eq!(p["field"], field, "{query}: {p}");
    }
    let r = kit(
        &app,
        &pm,
        &format!("initiative={i}&colour=red"),
        "application/zip",
    )
    .await;
    assert!([400, 422].contains(&r.status().as_u16()), "{}", r.status());
    assert!(r.text().await.unwrap().contains("colour"));
}

#[tokio::test]
async fn the_product_owner_lets_an_unready_item_in_with_a_reason() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let dev = app.member(&pm, "Dana", &["dev"]).await;
    let i = initiative(&app, &pm, "Guided setup").await;
    let unready = app
        .item(&pm, json!({"title": "Spike: measure setup time"}))
        .await["key"]
        .as_str()
        .unwrap()
        .to_string();
    app.link_initiative(&pm, &unready, &json!(i)).await;
    let exceptions = format!("{P}/documents/kit/exceptions");

    let refused = app
        .post(
            &dev,
            &exceptions,
            json!({"item": unready, "reason": "needed"}),
        )
        .await;
    assert_eq!(refused.status(), 403);
    let p = json_ok(
        app.post(&pm, &exceptions, json!({"item": unready, "reason": "  "}))
            .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "reason");
    let p = json_ok(
        app.post(&pm, &exceptions, json!({"item": "ONB-999", "reason": "x"}))
            .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "item");
    let list = json_ok(app.get(&pm, &exceptions).await, 200).await;
    assert_eq!(list, json!([]), "a refused request wrote nothing");

    let list = json_ok(
        app.post(
            &pm,
            &exceptions,
            json!({"item": unready, "reason": "The spike decides the design"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(list[0]["item"], unready.as_str());
    let manifest = json_ok(
        kit(&app, &pm, &format!("initiative={i}"), "application/json").await,
        200,
    )
    .await;
    assert_eq!(manifest["items"][0]["included"], "exception");
    assert_eq!(
        manifest["items"][0]["reason"],
        "The spike decides the design"
    );
    let files = unzip(
        &kit(&app, &pm, &format!("initiative={i}"), "*/*")
            .await
            .bytes()
            .await
            .unwrap(),
    );
    let brief = &files[&format!("stories/{unready}.md")];
    assert!(
        brief.contains("The Product Owner let it into this kit: The spike decides the design."),
        "{brief}"
    );

    let r = app
        .req(&pm, Method::DELETE, &format!("{exceptions}/{unready}"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_ok(r, 200).await, json!([]));
    let manifest = json_ok(
        kit(&app, &pm, &format!("initiative={i}"), "application/json").await,
        200,
    )
    .await;
    assert_eq!(manifest["items"][0]["included"], "left_out");
    let audit = json_ok(app.get(&pm, "/api/v1/workspaces/acme/audit").await, 200).await;
    assert!(
        audit.to_string().contains("The spike decides the design"),
        "{audit}"
    );
}

#[tokio::test]
async fn a_sprint_with_nothing_ready_gives_a_kit_that_says_so() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let sm = app.member(&pm, "Sam", &["sm"]).await;
    let t = team(&app, &pm, &sm).await;
    let s = sprint(&app, &sm, t, "Sprint 1", "2099-01-05", "2099-01-18").await["id"]
        .as_i64()
        .unwrap();
    let files = unzip(
        &kit(&app, &pm, &format!("sprint={s}"), "application/zip")
            .await
            .bytes()
            .await
            .unwrap(),
    );
    let agents = &files["AGENTS.md"];
    assert!(agents.contains("> **Missing:** no item of this sprint is ready, so there is nothing to build yet. To add one:"), "{agents}");
    assert!(
        agents.contains("**Sprint goal (Sprint 1):** New users get started alone."),
        "{agents}"
    );
    let tm: Value = serde_json::from_str(&files[".taskmaster/tasks/tasks.json"]).unwrap();
    assert_eq!(tm["master"]["tasks"], json!([]));
    // "Sprint 1" is sprint 1: the kit is named once, not onb-sprint-1-sprint-1.
    assert_eq!(s, 1, "the first sprint of a fresh database");
    let manifest: Value = serde_json::from_str(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["name"], "onb-sprint-1");
}
