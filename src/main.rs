//! The `dualwrite` command-line tool; all of it lives in [`dualwrite::cli`].

fn main() -> std::process::ExitCode {
    dualwrite::cli::main()
}
