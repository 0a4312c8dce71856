//! `import spec` on any text read as a build script: the shell layer alone, with `"$@"` set.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let text = String::from_utf8_lossy(data);
        let mut sources = drvpolicy::source::Sources::default();
        let file = sources.add("fuzz.sh", format!("#!/bin/sh\n{text}"));
        let mut sets = indexmap::IndexMap::new();
        sets.insert("@".to_string(), "--target-list=x86_64-softmmu 'a b'".to_string());
        let options = drvpolicy::import::Options {
            name: Some("fuzz-1".into()),
            arches: Some(vec!["x86_64".into()]),
            qemu_version: Some("2.12.0".into()),
            sets,
            ..Default::default()
        };
        let _ = drvpolicy::import::import(&mut sources, file, &options);
    });
}
