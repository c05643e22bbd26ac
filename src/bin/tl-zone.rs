fn main() -> std::process::ExitCode {
    threatlist::cmd::zone::main()
}
