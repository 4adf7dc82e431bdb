//! Build-time facts: the embedded migrations, and the git commit `--version` names.

use std::process::Command;

fn main() {
    // The migrations are embedded by `sqlx::migrate!`; without this, adding a migration file
    // would not rebuild the crate and the binary would silently lack it.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rustc-env=THROUGHLINE_COMMIT={}", commit());
}

/// The short commit: `THROUGHLINE_COMMIT` when set (a packager building from a tarball), else
/// git's, else "unknown". Only HEAD and the ref it points at are watched, so a commit re-runs
/// this script (and recompiles this crate, not its dependencies) and nothing else does.
fn commit() -> String {
    println!("cargo:rerun-if-env-changed=THROUGHLINE_COMMIT");
    if let Ok(c) = std::env::var("THROUGHLINE_COMMIT") {
        if !c.trim().is_empty() {
            return c.trim().to_string();
        }
    }
    let Some(hash) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    // In a worktree `.git` is a file; git names the real paths of HEAD and of its ref.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(head_ref);
    }
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--git-path", &name]) {
            if std::path::Path::new(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
    hash
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}
