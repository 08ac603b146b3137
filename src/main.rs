//! The `parkflow` binary: everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    parkflow::cli::main()
}
