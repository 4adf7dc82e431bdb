//! `throughline seed`: the demo workspace, or a benchmark dataset; the data itself is `crate::seed`.

use std::time::Instant;

use clap::Args;

use crate::config::DbArgs;
use crate::seed::Scale;

#[derive(Args, Debug)]
pub struct SeedArgs {
    /// Seed the demo workspace (as `serve --demo` does on first start).
    #[arg(long, conflicts_with = "scale")]
    pub demo: bool,
    /// Seed a dataset: `tiny` (2 products × 1,500 items, what the tests run), `large` (20 products × 5,000 items, the benchmark's) or `huge` (1,000,000 items).
    #[arg(long, value_enum)]
    pub scale: Option<Scale>,
}

pub async fn run(db_args: &DbArgs, a: SeedArgs) -> anyhow::Result<()> {
    let db = db_args.open(true).await?;
    match (a.demo, a.scale) {
        (true, _) => match crate::seed::demo_if_empty(&db).await? {
            Some((email, password)) => {
                println!("demo workspace ready: sign in as {email} with password {password}")
            }
            None => println!("the database already has accounts; demo not seeded"),
        },
        (false, Some(scale)) => {
            let started = Instant::now();
            let items = crate::seed::scale_dataset(&db, scale).await?;
            println!(
                "seeded {items} backlog items in {:.2} s",
                started.elapsed().as_secs_f64()
            );
        }
        (false, None) => anyhow::bail!("say what to seed: --demo or --scale tiny|large|huge"),
    }
    db.close().await;
    Ok(())
}
