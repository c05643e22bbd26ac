fn main() -> std::process::ExitCode {
    threatlist::cmd::set::main()
}
