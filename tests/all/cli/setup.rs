//! `workspace`, `product` and `member`: setting up a workspace from a terminal, and `migrate`
//! saying what it did.

use serde_json::Value;

use crate::support::cli::Cli;

const PASSWORD: &str = "long enough pw";

/// An account `name@example.com`; returns its e-mail.
fn account(cli: &Cli, name: &str) -> String {
    let email = format!("{}@example.com", name.to_lowercase());
    cli.ok(&[
        "user",
        "add",
        "--email",
        &email,
        "--name",
        name,
        "--password",
        PASSWORD,
    ]);
    email
}

/// Ada's workspace `acme` with product ONB, as a new user would set it up.
fn acme(cli: &Cli) -> String {
    cli.ok(&["migrate"]);
    let ada = account(cli, "Ada");
    cli.ok(&[
        "workspace",
        "create",
        "--as",
        &ada,
        "--slug",
        "acme",
        "--name",
        "Acme",
    ]);
    cli.ok(&[
        "product",
        "create",
        "--as",
        &ada,
        "-w",
        "acme",
        "--key",
        "ONB",
        "--name",
        "Onboarding",
    ]);
    ada
}

fn roles_of(members: &Value, email: &str, product: &str) -> Vec<String> {
    let m = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .unwrap_or_else(|| panic!("{email} is not in {members}"));
    m["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["product"] == product)
        .flat_map(|r| r["roles"].as_array().unwrap().iter())
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_products_creator_is_its_pm_and_po_and_adds_her_first_item() {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let out = cli.ok(&[
        "item",
        "add",
        "--as",
        &ada,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--title",
        "Invite teammates",
    ]);
    assert!(out.starts_with("ONB-1  Invite teammates"), "{out}");
    let members = cli.json(&["member", "list", "--as", &ada, "-w", "acme", "--json"]);
    assert_eq!(roles_of(&members, &ada, "ONB"), ["pm", "po"]);
    assert_eq!(members[0]["admin"], true);
}

#[tokio::test]
async fn workspaces_and_products_are_listed_for_their_members_only() {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let bob = account(&cli, "Bob");
    let mine = cli.json(&["workspace", "list", "--as", &ada, "--json"]);
    assert_eq!(mine[0]["slug"], "acme");
    let theirs = cli.json(&["workspace", "list", "--as", &bob, "--json"]);
    assert_eq!(theirs, serde_json::json!([]));
    let text = cli.ok(&["product", "list", "--as", &ada, "-w", "acme"]);
    assert!(text.starts_with("ONB  Onboarding"), "{text}");
    let e = cli.fails(&["product", "list", "--as", &bob, "-w", "acme"]);
    assert!(e.contains("workspace acme: not found"), "{e}");
}

#[tokio::test]
async fn only_admins_add_members_products_and_roles() {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let bob = account(&cli, "Bob");
    let cy = account(&cli, "Cy");
    let out = cli.ok(&["member", "add", "--as", &ada, "-w", "acme", "--email", &bob]);
    assert!(
        out.starts_with("added Bob <bob@example.com> to acme"),
        "{out}"
    );
    let e = cli.fails(&["member", "add", "--as", &bob, "-w", "acme", "--email", &cy]);
    assert!(e.contains("only workspace admins may add members"), "{e}");
    let e = cli.fails(&[
        "product", "create", "--as", &bob, "-w", "acme", "--key", "PAY", "--name", "Pay",
    ]);
    assert!(e.contains("only workspace admins may add products"), "{e}");
    let e = cli.fails(&[
        "member", "roles", "--as", &bob, "-w", "acme", "-p", "ONB", "--email", &bob, "--role", "po",
    ]);
    assert!(e.contains("only workspace admins"), "{e}");
    let members = cli.json(&["member", "list", "--as", &bob, "-w", "acme", "--json"]);
    assert_eq!(members.as_array().unwrap().len(), 2, "Cy was not added");
    assert!(roles_of(&members, &bob, "ONB").is_empty());
}

#[tokio::test]
async fn an_admin_sets_and_clears_a_members_roles_by_email() {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let bob = account(&cli, "Bob");
    cli.ok(&["member", "add", "--as", &ada, "-w", "acme", "--email", &bob]);
    let roles = |extra: &[&str]| -> String {
        let base = [
            "member", "roles", "--as", &ada, "-w", "acme", "-p", "ONB", "--email", &bob,
        ];
        cli.ok(&[&base[..], extra].concat())
    };
    let out = roles(&["--role", "dev", "--role", "sm"]);
    assert_eq!(out.trim(), "bob@example.com is dev, sm on ONB");
    let members = cli.json(&["member", "list", "--as", &ada, "-w", "acme", "--json"]);
    assert_eq!(roles_of(&members, &bob, "ONB"), ["dev", "sm"]);
    // Bob now works on the backlog with exactly those roles: a dev adds items, not orders them.
    cli.ok(&[
        "item",
        "add",
        "--as",
        &bob,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--title",
        "Fix the invite link",
    ]);
    let out = roles(&["--none"]);
    assert_eq!(out.trim(), "bob@example.com holds no role on ONB");
    let e = cli.fails(&[
        "member", "roles", "--as", &ada, "-w", "acme", "-p", "ONB", "--email", &bob, "--role",
        "boss",
    ]);
    assert!(
        e.starts_with("error: --role: \"boss\" is not a role"),
        "{e}"
    );
}

#[tokio::test]
async fn bad_input_names_the_flag_and_creates_nothing() {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let e = cli.fails(&[
        "workspace",
        "create",
        "--as",
        &ada,
        "--slug",
        "A B",
        "--name",
        "x",
    ]);
    assert!(e.starts_with("error: --slug: "), "{e}");
    let e = cli.fails(&[
        "product", "create", "--as", &ada, "-w", "acme", "--key", "ONB", "--name", "Again",
    ]);
    assert!(e.starts_with("error: --key: another product"), "{e}");
    let e = cli.fails(&[
        "member",
        "add",
        "--as",
        &ada,
        "-w",
        "acme",
        "--email",
        "nobody@example.com",
    ]);
    assert!(
        e.starts_with("error: --email: no account has that e-mail"),
        "{e}"
    );
    let list = cli.json(&["workspace", "list", "--as", &ada, "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn migrate_says_what_it_did() {
    let cli = Cli::new().await;
    let n = throughline::db::migration_versions().0.len();
    let first = cli.ok(&["migrate"]);
    let applied = format!("applied {n} migrations");
    match &cli.database_url {
        None => assert!(first.starts_with("created the database "), "{first}"),
        Some(_) => assert!(first.starts_with(&applied), "{first}"),
    }
    assert!(first.contains(&applied), "{first}");
    let again = cli.ok(&["migrate"]);
    assert!(again.starts_with("the database is up to date"), "{again}");
}
