//! `--color auto|always|never`: whether diagnostics carry terminal colours. `auto` colours a
//! stream that is a terminal, unless NO_COLOR is set (anstream's rules: NO_COLOR,
//! CLICOLOR, CLICOLOR_FORCE, TERM=dumb).

use anstream::ColorChoice;
use anstream::stream::RawStream;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum When {
    /// Colours on a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    /// Colours wherever the output goes.
    Always,
    /// No colours.
    Never,
}

/// Whether each stream gets colours.
#[derive(Debug, Clone, Copy, Default)]
pub struct Colours {
    pub stdout: bool,
    pub stderr: bool,
}

impl When {
    /// Decides for both streams, and for clap's own help and errors.
    pub fn apply(self) -> Colours {
        ColorChoice::write_global(match self {
            When::Auto => ColorChoice::Auto,
            When::Always => ColorChoice::Always,
            When::Never => ColorChoice::Never,
        });
        Colours { stdout: on(&std::io::stdout()), stderr: on(&std::io::stderr()) }
    }

    /// `--color` from arguments that clap refused or answered itself (`--help`), so that its
    /// message follows the option too.
    pub fn from_raw_args(args: &[String]) -> When {
        super::raw_values(args, "--color")
            .iter()
            .rev()
            .find_map(|v| <When as clap::ValueEnum>::from_str(v, false).ok())
            .unwrap_or_default()
    }
}

fn on(stream: &impl RawStream) -> bool {
    anstream::AutoStream::choice(stream) != ColorChoice::Never
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn color_is_found_wherever_it_stands() {
        assert_eq!(When::from_raw_args(&args(&["drvpolicy", "--color", "never", "list", "--help"])), When::Never);
        assert_eq!(When::from_raw_args(&args(&["drvpolicy", "check", "--bogus", "--color=always"])), When::Always);
        assert_eq!(When::from_raw_args(&args(&["drvpolicy", "show", "x", "--help"])), When::Auto);
        assert_eq!(When::from_raw_args(&args(&["drvpolicy", "--color", "nonsense"])), When::Auto);
    }
}
