fn main() -> std::process::ExitCode {
    threatlist::cmd::update::main()
}
