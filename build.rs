// The migrations are embedded by `sqlx::migrate!`; without this, adding a migration file would
// not rebuild the crate and the binary would silently lack it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
