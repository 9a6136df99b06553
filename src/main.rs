fn main() -> std::process::ExitCode {
    s3path::cli::main()
}
