use super::{Cli, Report};
use drvpolicy::diagnostic::{Diagnostic, Failure};

/// (not yet implemented)
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// (not yet implemented)
#[derive(Debug, clap::Args)]
pub struct ManArgs {}

pub fn completions(_args: CompletionsArgs) -> Result<Report, Failure> {
    let _ = std::marker::PhantomData::<Cli>;
    Err(Failure::single(Diagnostic::error("unimplemented", "completions is not implemented yet")))
}

pub fn man(_args: ManArgs) -> Result<Report, Failure> {
    Err(Failure::single(Diagnostic::error("unimplemented", "man is not implemented yet")))
}
