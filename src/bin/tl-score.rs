fn main() -> std::process::ExitCode {
    threatlist::cmd::score::main()
}
