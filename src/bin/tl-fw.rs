fn main() -> std::process::ExitCode {
    threatlist::cmd::fw::main()
}
