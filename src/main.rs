fn main() -> std::process::ExitCode {
    throughline::cli::run()
}
