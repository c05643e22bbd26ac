fn main() -> std::process::ExitCode {
    threatlist::cmd::ingest::main()
}
