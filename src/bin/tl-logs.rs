fn main() -> std::process::ExitCode {
    threatlist::cmd::logs::main()
}
