//! `templates` and `show --toml`: what a user of an installed binary starts their own from.

mod common;
use common::Case;

const TEMPLATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");

fn shipped_templates() -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(TEMPLATES).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn templates_lists_the_embedded_ones() {
    let run = Case::new(["templates"]).run();
    run.exits(0);
    assert_eq!(run.stdout, shipped_templates().iter().map(|n| format!("{n}\n")).collect::<String>());
}

#[test]
fn dump_writes_each_template_as_shipped_and_keeps_existing_files() {
    let run = Case::new(["templates", "--dump", "mine"]).run();
    run.exits(0);
    let names = shipped_templates();
    assert_eq!(run.stdout, format!("{} of {} templates written to mine\n", names.len(), names.len()));
    for name in &names {
        let shipped = std::fs::read_to_string(format!("{TEMPLATES}/{name}")).unwrap();
        assert_eq!(run.file(&format!("mine/{name}")), shipped, "{name}");
    }

    let run = Case::new(["templates", "--dump", "mine"]).file("mine/spec.j2", "my own\n").run();
    run.exits(1).stderr_has("warning[exists]: mine already holds spec.j2: left as they are");
    assert_eq!(run.file("mine/spec.j2"), "my own\n");
    assert_eq!(run.stdout, format!("{} of {} templates written to mine\n", names.len() - 1, names.len()));
    let run = Case::new(["templates", "--dump", "mine", "--force"]).file("mine/spec.j2", "my own\n").run();
    run.exits(0);
    assert!(run.file("mine/spec.j2").starts_with("# drvpolicy: "));
}

#[test]
fn a_dumped_template_changed_is_used_with_templates() {
    let dumped = Case::new(["templates", "--dump", "mine"]).run();
    dumped.exits(0);
    let dir = dumped.path("mine");
    let spec = std::fs::read_to_string(dir.join("spec.j2")).unwrap();
    std::fs::write(dir.join("spec.j2"), format!("# my team's header\n{spec}")).unwrap();
    let run = Case::new(["--templates", &dir.display().to_string(), "generate", "spec", "rhel-7.3"]).run();
    run.exits(0);
    assert!(run.stdout.starts_with("# my team's header\n# drvpolicy: "), "{}", run.stdout);
}

#[test]
fn show_toml_prints_the_profile_file_as_it_is() {
    for name in common::shipped_profiles() {
        let run = Case::new(["show", &name, "--toml"]).run();
        run.exits(0);
        let file = std::fs::read_to_string(format!("{}/profiles/{name}.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert_eq!(run.stdout, file, "{name}");
    }
    let mine = "[profile]\nproduct = \"t\"\nrelease = \"1\"\narches = [\"x86_64\"]\n[qemu]\npackage = \"q\"\nversion = \"2.12.0\"\n";
    Case::new(["show", "t-1", "--toml"]).profile("t-1", mine).run().exits(0);
    // The output is a profile again: a copy under another name resolves to the same policy.
    let run = Case::new(["show", "rhel-7.0", "--toml"]).run();
    let copy = Case::new(["show", "my-7.0", "--format", "json"]).profile("my-7.0", &run.stdout).run();
    copy.exits(0).stdout_has("\"profile\": \"my-7.0\"");
    Case::new(["show", "rhel-7.3", "--toml", "--arch", "x86_64"]).run().exits(2);
}
