fn main() -> std::process::ExitCode {
    threatlist::cmd::compile::main()
}
