//! Questions and comment threads from the terminal, on the demo.

use crate::support::cli::Cli;

const PO: [&str; 4] = ["--as", "demo@throughline.local", "-w", "demo"];
const DEV: [&str; 4] = ["--as", "dev@throughline.local", "-w", "demo"];

fn with<'a>(verb: &[&'a str], who: &[&'a str]) -> Vec<&'a str> {
    verb.iter().chain(who).copied().collect()
}

#[tokio::test]
async fn questions_and_comments_from_the_terminal() {
    let cli = Cli::demo().await;
    let q = cli.json(&with(
        &[
            "question",
            "ask",
            "ONB-3",
            "--body",
            "Which provider?",
            "--json",
        ],
        &DEV,
    ));
    assert_eq!(q["blocking"], true);
    let id = q["id"].to_string();
    let out = cli.ok(&with(
        &[
            "comment",
            "add",
            "ONB-3",
            "--body",
            "Postmark?",
            "--question",
            &id,
        ],
        &DEV,
    ));
    assert!(out.contains("comment"), "{out}");
    let out = cli.ok(&with(
        &["question", "answer", "ONB-3", &id, "--body", "Postmark"],
        &PO,
    ));
    assert!(out.contains("answered"), "{out}");
    let late = cli.fails(&with(
        &[
            "comment",
            "add",
            "ONB-3",
            "--body",
            "and SES?",
            "--question",
            &id,
        ],
        &DEV,
    ));
    assert!(late.contains("is answered"), "{late}");
    let c = cli.json(&with(
        &[
            "comment",
            "add",
            "ONB-3",
            "--body",
            "@priya see above",
            "--json",
        ],
        &DEV,
    ));
    let cid = c["id"].to_string();
    let e = cli.fails(&with(
        &["comment", "edit", "ONB-3", &cid, "--body", "mine now"],
        &PO,
    ));
    assert!(e.contains("only its author"), "{e}");
    let edited = cli.json(&with(
        &[
            "comment",
            "edit",
            "ONB-3",
            &cid,
            "--body",
            "@priya see the answer",
            "--json",
        ],
        &DEV,
    ));
    assert_eq!(edited["edits"][0]["body"], "@priya see above");
    let list = cli.ok(&with(&["question", "list", "ONB-3"], &PO));
    assert!(
        list.contains("Postmark?") && list.contains("answer by"),
        "{list}"
    );
}
