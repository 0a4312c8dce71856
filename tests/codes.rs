//! The README's table of diagnostic codes is the one `Code` gives: every code, its severity
//! and what it means, in the enum's order.

use drvpolicy::code::Code;
use drvpolicy::diagnostic::Severity;

const BEGIN: &str = "<!-- codes: generated from src/code.rs; tests/codes.rs checks it -->\n";
const END: &str = "<!-- end of codes -->\n";

fn table() -> String {
    let mut text = String::from("| code | severity | what |\n|---|---|---|\n");
    for code in Code::ALL {
        let severity = match code.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        text.push_str(&format!("| `{}` | {severity} | {} |\n", code.as_str(), code.description()));
    }
    text
}

#[test]
fn the_readme_table_lists_every_code_as_the_enum_does() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find(BEGIN).expect("README.md has the codes marker") + BEGIN.len();
    let end = start + readme[start..].find(END).expect("README.md ends the codes table");
    let expected = table();
    assert!(
        readme[start..end] == expected,
        "README.md's table of codes is not the one src/code.rs gives; put this between the markers:\n{expected}"
    );
}

#[test]
fn the_table_has_a_row_per_code() {
    // A table of the header alone would pass the test above as well.
    assert_eq!(table().lines().count(), Code::ALL.len() + 2);
    assert!(table().contains("| `need-not-met` | error | "));
    assert!(table().contains("| `import-note` | warning | "));
}
