fn main() -> std::process::ExitCode {
    threatlist::cmd::geo::main()
}
