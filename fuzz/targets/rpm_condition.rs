//! The evaluator of rpm `%if` expressions (after macro expansion).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = drvpolicy::import::evaluate_condition(&String::from_utf8_lossy(data));
    });
}
