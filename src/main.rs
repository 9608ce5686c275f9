use std::process::ExitCode;

use buysocial::cli::{self, Cli};
use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    match cli::run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            buysocial::telemetry::say_error(&err.to_string());
            ExitCode::FAILURE
        }
    }
}
