//! The demo's documents, written by the CLI on a fixed day, against golden files kept under
//! `tests/golden/docs/`, byte for byte. A deliberate change is recorded by running the tests
//! with `UPDATE_GOLDEN=1` and reviewing the diff of the golden files.

use std::path::PathBuf;

use crate::support::cli::Cli;

/// The day the demo is seeded on: a Wednesday, so the running sprint is half-way.
pub const DAY: &str = "2026-11-18";
pub const AS: [&str; 6] = ["--as", "demo@throughline.local", "-w", "demo", "-p", "ONB"];

/// The demo's first initiative, "Guided workspace setup".
pub const GUIDED_SETUP: &str = "1";

pub fn doc(cli: &Cli, kind: &str, extra: &[&str]) -> String {
    let mut args = vec!["doc", kind];
    args.extend(AS);
    args.extend(extra);
    cli.ok(&args)
}

/// Compares `text` with the golden file `name`, or rewrites it when UPDATE_GOLDEN is set.
pub fn golden(name: &str, text: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/docs")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (write it with UPDATE_GOLDEN=1)", path.display()));
    if want != text {
        let at = want
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(text.lines().count()));
        panic!(
            "{name} differs from its golden file at line {}:\n  golden: {:?}\n  now:    {:?}",
            at + 1,
            want.lines().nth(at),
            text.lines().nth(at)
        );
    }
}

#[tokio::test]
async fn the_demo_documents_match_their_golden_files() {
    let cli = Cli::demo_on(DAY).await;
    let brief = doc(&cli, "brief", &["--quarter", "2026-Q4"]);
    golden("brief.md", &brief);
    golden(
        "blueprint-guided-setup.md",
        &doc(&cli, "blueprint", &["--initiative", GUIDED_SETUP]),
    );
    golden(
        "plan-guided-setup.md",
        &doc(&cli, "plan", &["--initiative", GUIDED_SETUP]),
    );
    golden("plan-product.md", &doc(&cli, "plan", &[]));
    golden(
        "brief-letter.html",
        &doc(
            &cli,
            "brief",
            &[
                "--quarter",
                "2026-Q4",
                "--format",
                "html",
                "--paper",
                "letter",
            ],
        ),
    );
    // Written twice from the same data: the same bytes.
    assert_eq!(doc(&cli, "brief", &["--quarter", "2026-Q4"]), brief);
}

#[tokio::test]
async fn changing_one_story_changes_exactly_its_lines_of_the_blueprint() {
    let cli = Cli::demo_on(DAY).await;
    let before = doc(&cli, "blueprint", &["--initiative", GUIDED_SETUP]);
    let mut edit = vec![
        "item",
        "edit",
        "ONB-2",
        "--title",
        "Invite the whole team from the welcome screen",
    ];
    edit.extend(&AS[..4]);
    cli.ok(&edit);
    let after = doc(&cli, "blueprint", &["--initiative", GUIDED_SETUP]);
    let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(b.len(), a.len(), "a title change adds or removes no line");
    let changed: Vec<(&str, &str)> = b
        .iter()
        .zip(&a)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| (*x, *y))
        .collect();
    assert_eq!(
        changed,
        vec![
            (
                "#### ONB-2 Invite teammates from the welcome screen",
                "#### ONB-2 Invite the whole team from the welcome screen"
            ),
            ("| item | ONB-2 | 3 |", "| item | ONB-2 | 4 |"),
        ]
    );
}
