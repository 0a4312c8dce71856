//! The profile loader: TOML text to a spanned raw profile, then resolved as a chain of one.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else { return };
        let mut sources = drvpolicy::source::Sources::default();
        let file = sources.add("fuzz-1.toml", text.to_string());
        if let Ok(raw) = drvpolicy::profile::parse_profile("fuzz-1", file, text) {
            let _ = drvpolicy::resolve::resolve_chain(&[raw]);
        }
    });
}
