// glibc's malloc showed up at about 15 % of server CPU under load (arena locks across the
// runtime's and SQLite's threads); mimalloc keeps per-thread heaps.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    throughline::cli::run()
}
