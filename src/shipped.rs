//! The shipped profiles: their files, embedded in the binary, and the parse of each one that
//! build.rs made with the same parser (the text is parsed again only for one with problems,
//! which are reported from the parse of this run).

use crate::profile::RawProfile;
use crate::source::FileId;
use include_dir::{Dir, include_dir};

pub static FILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/profiles");

/// The build's parse of the shipped profile `name` as the file `file` of this run, if it has one.
pub fn parsed(name: &str, file: FileId) -> Option<RawProfile> {
    static BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/profiles.postcard"));
    // The names and where each parse lies, decoded once for the chain's several profiles.
    static INDEX: std::sync::OnceLock<Vec<(&str, &[u8])>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| postcard::from_bytes(BYTES).unwrap_or_default());
    let (_, bytes) = index.iter().find(|(n, _)| *n == name)?;
    crate::source::decoding_in(file, || postcard::from_bytes(bytes).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped profiles are clean, so each has a build-time parse, and it is the parse of
    /// this run, spans and all, in whichever file it is added as.
    #[test]
    fn each_build_time_parse_is_the_run_time_parse() {
        let mut seen = 0;
        for (i, file) in FILES.files().enumerate() {
            let name = file.path().file_stem().and_then(|s| s.to_str()).expect("a profile name");
            let text = file.contents_utf8().expect("UTF-8");
            let run = crate::profile::parse_profile(name, i + 3, text).expect(name);
            assert!(run.problems.is_empty(), "{name}: {:?}", run.problems);
            let built = parsed(name, i + 3).unwrap_or_else(|| panic!("{name} has no build-time parse"));
            assert_eq!(format!("{built:?}"), format!("{run:?}"), "{name}");
            seen += 1;
        }
        assert!(seen >= 20, "{seen} shipped profiles");
        assert!(parsed("no-such-profile", 0).is_none());
    }
}
