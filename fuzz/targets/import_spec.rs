//! `import spec` on any text read as a spec file: rpm's layer, then the shell's.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let text = String::from_utf8_lossy(data);
        let mut sources = drvpolicy::source::Sources::default();
        let file = sources.add("fuzz.spec", text.into_owned());
        let options = drvpolicy::import::Options {
            name: Some("fuzz-1".into()),
            arches: Some(vec!["x86_64".into(), "ppc64le".into()]),
            qemu_version: Some("7.2.0".into()),
            ..Default::default()
        };
        let _ = drvpolicy::import::import(&mut sources, file, &options);
    });
}
