fn main() -> std::process::ExitCode {
    threatlist::cmd::query::main()
}
