//! The parser of `qemu-img --help` output (verify's format list).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = drvpolicy::verify::help::parse(&String::from_utf8_lossy(data));
    });
}
