use super::{Context, Report};
use drvpolicy::diagnostic::{Diagnostic, Failure};

/// (not yet implemented)
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

pub fn run(_context: &mut Context, _args: Args) -> Result<Report, Failure> {
    Err(Failure::single(Diagnostic::error("unimplemented", "explain is not implemented yet")))
}
