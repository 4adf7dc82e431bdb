//! `throughline doc`: a document into a file or on standard output, its sources as JSON, and
//! clear refusals that print nothing.

use super::golden::{doc, AS, DAY, GUIDED_SETUP};
use crate::support::cli::Cli;

#[tokio::test]
async fn doc_writes_to_a_file_or_prints_and_refuses_bad_input() {
    let cli = Cli::demo_on(DAY).await;
    let out = cli.dir.path().join("plan.html");
    let said = doc(
        &cli,
        "plan",
        &[
            "--initiative",
            GUIDED_SETUP,
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(
        said, "",
        "nothing on standard output when --out names a file"
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("@page { size: A4;"));
    assert!(
        html.contains("<h1>Implementation Plan: Guided workspace setup (ONB)</h1>"),
        "{html}"
    );

    let sources = {
        let mut args = vec!["doc", "blueprint", "--initiative", GUIDED_SETUP, "--json"];
        args.extend(AS);
        cli.json(&args)
    };
    assert_eq!(
        sources["title"],
        "Solution Blueprint: Guided workspace setup (ONB)"
    );
    let items: Vec<&str> = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "item")
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert!(
        items.contains(&"ONB-2") && items.contains(&"ONB-39"),
        "{items:?}"
    );

    let mut no_initiative = vec!["doc", "blueprint"];
    no_initiative.extend(AS);
    let err = cli.fails(&no_initiative);
    assert!(err.contains("a blueprint is of one initiative"), "{err}");
    let mut bad_quarter = vec!["doc", "brief", "--quarter", "Q4"];
    bad_quarter.extend(AS);
    assert!(cli.fails(&bad_quarter).contains("quarter"));
}
