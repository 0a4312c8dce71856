//! The JSON Schemas of `schemas/` against the JSON that every command writes: each schema is
//! valid draft 2020-12, its closed sets are the code's enums, a wrong document fails, and the
//! output of every command for every shipped profile (every arch, every explainable name, the
//! import fixtures, sync, the installed qemu-img) validates, checked by the `jsonschema` crate.

mod common;
use common::Case;
use drvpolicy::access::{Installed, Layer};
use drvpolicy::catalogue::Catalogue;
use drvpolicy::code::Code;
use drvpolicy::diff::DiffLayer;
use drvpolicy::options::Dialect;
use drvpolicy::policy::Policy;
use drvpolicy::profile::{Access, BuildMode, FeatureState, Program};
use drvpolicy::schema::Schema;
use drvpolicy::store::Store;
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn validator(schema: Schema) -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema.document())
        .unwrap_or_else(|e| panic!("the {} schema does not build: {e}", schema.name()))
}

/// The errors of `document` against `validator`, one a line with where each is.
fn errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator.iter_errors(document).map(|e| format!("at `{}`: {e}", e.instance_path())).collect()
}

fn assert_valid(validator: &jsonschema::Validator, document: &Value, what: &str) {
    let errors = errors(validator, document);
    assert!(errors.is_empty(), "{what}: the JSON does not follow its schema:\n{}", errors.join("\n"));
}

/// The document of `schema` for `view`, as `--format json` writes it.
fn document(schema: Schema, view: &impl serde::Serialize) -> Value {
    serde_json::to_value(schema.wrap(view)).expect("views serialise")
}

/// Runs drvpolicy; its stdout is the JSON of `schema`, whatever the exit status (some are 1 or 2).
fn run_json(args: &[&str]) -> (i32, Value) {
    let run = Case::new(args).run();
    let value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: exit {}, not JSON ({e}):\n{}{}", run.code, run.stdout, run.stderr));
    (run.code, value)
}

fn check_run(validator: &jsonschema::Validator, args: &[&str]) -> i32 {
    let (code, value) = run_json(args);
    assert_valid(validator, &value, &format!("drvpolicy {}", args.join(" ")));
    code
}

fn policies() -> (Store, Vec<Policy>) {
    let mut store = Store::new(&[]).unwrap();
    let names: Vec<String> = store.names().map(str::to_string).collect();
    let policies = names.iter().map(|n| drvpolicy::resolve::resolve(&mut store, n).unwrap().policy).collect();
    (store, policies)
}

fn enum_of<'a>(schema: &'a Value, def: &str) -> Vec<&'a str> {
    schema["$defs"][def]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("common.json has an enum `{def}`"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn the_schemas_are_valid_json_schema_2020_12() {
    let common: Value = serde_json::from_str(include_str!("../schemas/common.json")).unwrap();
    jsonschema::draft202012::meta::validate(&common).unwrap_or_else(|e| panic!("common.json: {e}"));
    for &schema in Schema::ALL {
        let source: Value = serde_json::from_str(schema.source()).unwrap();
        jsonschema::draft202012::meta::validate(&source).unwrap_or_else(|e| panic!("{}.json: {e}", schema.name()));
        assert_eq!(source["$schema"], "https://json-schema.org/draft/2020-12/schema", "{}", schema.name());
        assert_eq!(source["properties"]["schema"]["const"], schema.name());
        assert_eq!(source["properties"]["schema_version"]["const"], drvpolicy::schema::VERSION);
        // Printed with common.json embedded, it stands alone: every reference resolves.
        let document = schema.document();
        jsonschema::draft202012::meta::validate(&document).unwrap_or_else(|e| panic!("{}: {e}", schema.name()));
        validator(schema);
    }
}

#[test]
fn each_schema_file_is_an_output_and_each_output_has_a_file() {
    let mut files: Vec<String> = std::fs::read_dir(format!("{ROOT}/schemas"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected: Vec<String> = Schema::ALL.iter().map(|s| format!("{}.json", s.name())).collect();
    expected.push("common.json".into());
    expected.sort();
    assert_eq!(files, expected);
}

#[test]
fn the_closed_sets_of_the_schemas_are_the_enums_of_the_code() {
    let common: Value = serde_json::from_str(include_str!("../schemas/common.json")).unwrap();
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(enum_of(&common, "code"), codes, "common.json's codes are src/code.rs's");
    let layers: Vec<&str> = Layer::ALL.iter().map(|l| l.id()).collect();
    assert_eq!(enum_of(&common, "layer"), layers);
    let diff_layers: Vec<&str> = DiffLayer::ALL.iter().map(|l| l.as_str()).collect();
    assert_eq!(enum_of(&common, "diff_layer"), diff_layers);
    assert_eq!(enum_of(&common, "program"), Program::NAMES);
    assert_eq!(enum_of(&common, "access"), Access::NAMES);
    assert_eq!(enum_of(&common, "feature_state"), FeatureState::NAMES);
    assert_eq!(enum_of(&common, "build_mode"), BuildMode::NAMES);
}

/// A change that makes a valid document wrong.
type Corruption = dyn Fn(&mut Value);

/// Each of these changes to a real document must fail validation, or the schemas say nothing.
#[test]
fn a_wrong_document_fails() {
    let check = validator(Schema::Check);
    let dir = format!("{ROOT}/tests/fixtures/check");
    let (_, valid) = run_json(&["--profiles", &dir, "check", "--all", "--format", "json"]);
    assert_valid(&check, &valid, "check of the fixtures");
    let diagnostic = |v: &mut Value| -> Value {
        let profiles = v["profiles"].as_array().unwrap();
        let i = profiles.iter().position(|p| !p["diagnostics"].as_array().unwrap().is_empty()).unwrap();
        v["profiles"][i]["diagnostics"][0].clone()
    };
    let wrong: Vec<(&str, Box<Corruption>)> = vec![
        ("an unknown top-level field", Box::new(|v| v["extra"] = json!(1))),
        ("another schema version", Box::new(|v| v["schema_version"] = json!(2))),
        ("another schema's name", Box::new(|v| v["schema"] = json!("list"))),
        ("a required field missing", Box::new(|v| drop(v.as_object_mut().unwrap().remove("status")))),
        ("a status outside its set", Box::new(|v| v["status"] = json!("fine"))),
        ("a count that is not a number", Box::new(|v| v["errors"] = json!("1"))),
        (
            "a code that is not a code",
            Box::new(move |v| {
                let mut d = diagnostic(v);
                d["code"] = json!("no-such-code");
                v["profiles"][0]["diagnostics"] = json!([d]);
            }),
        ),
        (
            "a location as a mixed string",
            Box::new(move |v| {
                let mut d = diagnostic(v);
                d["location"] = json!("profiles/rhel-7.2.toml:20:32");
                v["profiles"][0]["diagnostics"] = json!([d]);
            }),
        ),
        (
            "an unknown field of a diagnostic",
            Box::new(move |v| {
                let mut d = diagnostic(v);
                d["rendered"] = json!("error[x]: y");
                v["profiles"][0]["diagnostics"] = json!([d]);
            }),
        ),
    ];
    for (what, change) in &wrong {
        let mut document = valid.clone();
        change(&mut document);
        assert!(!errors(&check, &document).is_empty(), "{what}: the check schema accepts it");
    }

    // Origins are structured: the text form of one is refused where an origin goes.
    let show = validator(Schema::Show);
    let (_, mut view) = run_json(&["show", "rhel-7.3", "--format", "json"]);
    assert_valid(&show, &view, "show rhel-7.3");
    view["qemu"]["version"]["origin"] = json!("profiles/rhel-7.0.toml:10:11");
    assert!(!errors(&show, &view).is_empty(), "show accepts an origin as a string");
    view["qemu"]["version"]["origin"] = json!({"kind": "profile", "file": "profiles/rhel-7.0.toml", "line": 10});
    assert!(!errors(&show, &view).is_empty(), "show accepts a profile origin without its column");
    view["qemu"]["version"]["origin"] = json!({"kind": "catalogue", "fact": "qemu 1.5.3"});
    assert_valid(&show, &view, "a catalogue origin");

    // libguestfs's per-arch access is data: the old summary sentence is refused.
    let libguestfs = validator(Schema::GenerateLibguestfs);
    let (_, mut view) = run_json(&["generate", "libguestfs", "rhel-7.3", "--format", "json"]);
    assert_valid(&libguestfs, &view, "generate libguestfs rhel-7.3");
    view["groups"][0]["disabled"][3]["emulator"] = json!("ro on x86_64; none on ppc64le, aarch64");
    assert!(!errors(&libguestfs, &view).is_empty());
    view["groups"][0]["disabled"][3]["emulator"] = json!({"x86_64": "read"});
    assert!(!errors(&libguestfs, &view).is_empty(), "an access outside its set");

    // A rendering detail has no place: explain's old column width.
    let explain = validator(Schema::Explain);
    let (_, mut view) = run_json(&["explain", "rhel-7.3", "https", "--format", "json"]);
    assert_valid(&explain, &view, "explain rhel-7.3 https");
    view["driver"]["detail_width"] = json!(106);
    assert!(!errors(&explain, &view).is_empty(), "explain accepts detail_width");
}

#[test]
fn list_and_show_of_every_shipped_profile_and_arch() {
    let list = validator(Schema::List);
    assert_eq!(check_run(&list, &["list", "--format", "json"]), 0);
    let (store, policies) = policies();
    let show = validator(Schema::Show);
    for policy in &policies {
        let args = ["show", &policy.name, "--format", "json"];
        assert_eq!(check_run(&show, &args), 0);
        let view = drvpolicy::show::view(policy, None, &store.sources);
        assert_valid(&show, &document(Schema::Show, &view), &policy.name);
        for arch in policy.arch_names() {
            let view = drvpolicy::show::view(policy, Some(arch), &store.sources);
            assert_valid(&show, &document(Schema::Show, &view), &format!("show {} --arch {arch}", policy.name));
        }
    }
}

#[test]
fn generate_configure_and_libguestfs_of_every_shipped_profile_and_arch() {
    let configure = validator(Schema::GenerateConfigure);
    let libguestfs = validator(Schema::GenerateLibguestfs);
    let (_, policies) = policies();
    let mut documents = 0;
    for policy in &policies {
        for arch in &policy.arches {
            let args = ["generate", "configure", &policy.name, "--arch", &arch.arch, "--format", "json"];
            assert_eq!(check_run(&configure, &args), 0);
            for dialect in [Dialect::Configure, Dialect::Meson] {
                // meson only from qemu 6.0: where the version has none, there is no document.
                let Ok(view) = drvpolicy::generate::configure::view(policy, arch, dialect, false) else { continue };
                let what = format!("generate configure {} --arch {} ({dialect:?})", policy.name, arch.arch);
                assert_valid(&configure, &document(Schema::GenerateConfigure, &view.json().unwrap()), &what);
                documents += 1;
            }
            let view = drvpolicy::generate::libguestfs::view(policy, Some(&arch.arch));
            let what = format!("generate libguestfs {} --arch {}", policy.name, arch.arch);
            assert_valid(&libguestfs, &document(Schema::GenerateLibguestfs, &view), &what);
        }
        assert_eq!(check_run(&libguestfs, &["generate", "libguestfs", &policy.name, "--format", "json"]), 0);
    }
    assert!(documents > policies.len() * 2, "both dialects of many arches: {documents}");
}

/// Every name explain takes (drivers, libguestfs protocols, build options, consumers) on
/// every shipped profile, all arches and each arch, with every subpackage and a default install.
#[test]
fn explain_of_every_name_of_every_shipped_profile() {
    let explain = validator(Schema::Explain);
    let (store, policies) = policies();
    let catalogue = Catalogue::get();
    let assumptions = [Installed::All, Installed::defaults()];
    let mut documents = 0;
    for policy in &policies {
        let mut names: Vec<String> = catalogue.drivers.keys().map(|n| n.to_string()).collect();
        names.extend(catalogue.libguestfs.protocols.keys().map(|n| n.to_string()));
        names.extend(catalogue.features.keys().map(|n| n.to_string()));
        names.extend(policy.qemu.custom_features.iter().map(|f| f.name.clone()));
        names.extend(policy.arches.iter().flat_map(|a| a.consumers.iter().map(|c| c.name.clone())));
        names.sort();
        names.dedup();
        let arches: Vec<Option<&str>> =
            std::iter::once(None).chain(policy.arch_names().into_iter().map(Some)).collect();
        for name in &names {
            for &arch in &arches {
                for installed in &assumptions {
                    let Ok(view) = drvpolicy::explain::view(policy, arch, name, installed, &store.sources) else {
                        continue;
                    };
                    let what = format!("explain {} {name} --arch {arch:?} ({installed:?})", policy.name);
                    assert_valid(&explain, &document(Schema::Explain, &view), &what);
                    documents += 1;
                }
            }
        }
        for name in ["https", "rbd", "curl"] {
            assert_eq!(check_run(&explain, &["explain", &policy.name, name, "--format", "json"]), 0);
        }
    }
    assert!(documents > 10_000, "{documents} explain documents");
}

#[test]
fn matrix_of_every_shipped_profile() {
    let matrix = validator(Schema::Matrix);
    let (store, policies) = policies();
    for policy in &policies {
        assert_eq!(check_run(&matrix, &["matrix", &policy.name, "--format", "json"]), 0);
        let defaults = Installed::defaults();
        for (all_drivers, installed) in [(true, &Installed::All), (false, &defaults), (true, &defaults)] {
            let view = drvpolicy::matrix::view(policy, all_drivers, installed, &store.sources);
            let what = format!("matrix {} (all drivers: {all_drivers}, {installed:?})", policy.name);
            assert_valid(&matrix, &document(Schema::Matrix, &view), &what);
        }
    }
}

/// `diff` of every ordered pair of shipped profiles, whole and one layer and one arch at a time.
#[test]
fn diff_of_every_pair_of_shipped_profiles() {
    let diff = validator(Schema::Diff);
    let (_, policies) = policies();
    for old in &policies {
        for new in &policies {
            let changes = drvpolicy::diff::compare(old, new);
            assert_valid(&diff, &document(Schema::Diff, &changes), &format!("diff {} {}", old.name, new.name));
        }
    }
    for pair in policies.windows(2) {
        let (old, new) = (&pair[0], &pair[1]);
        let code = check_run(&diff, &["diff", &old.name, &new.name, "--format", "json"]);
        assert!(code <= 1, "diff {} {}: exit {code}", old.name, new.name);
        for &layer in &DiffLayer::ALL {
            let filter = drvpolicy::diff::Filter { layer: Some(layer), arch: None };
            let changes = drvpolicy::diff::compare_with(old, new, &filter);
            assert_valid(
                &diff,
                &document(Schema::Diff, &changes),
                &format!("diff {} {} --layer {layer:?}", old.name, new.name),
            );
        }
        for arch in old.arch_names() {
            let filter = drvpolicy::diff::Filter { layer: None, arch: Some(arch.to_string()) };
            let changes = drvpolicy::diff::compare_with(old, new, &filter);
            assert_valid(
                &diff,
                &document(Schema::Diff, &changes),
                &format!("diff {} {} --arch {arch}", old.name, new.name),
            );
        }
    }
}

#[test]
fn history_of_every_product() {
    let history = validator(Schema::History);
    let (_, policies) = policies();
    let mut products: Vec<&str> = policies.iter().map(|p| p.product.as_str()).collect();
    products.sort_unstable();
    products.dedup();
    for product in products {
        let code = check_run(&history, &["history", product, "--format", "json"]);
        // A product of one profile has no history: exit 2 and no document.
        assert!(code == 0, "history {product}: exit {code}");
        for layer in ["access", "build", "consumers"] {
            assert_eq!(check_run(&history, &["history", product, "--layer", layer, "--format", "json"]), 0);
        }
    }
    let names: Vec<&str> = policies.iter().map(|p| p.name.as_str()).collect();
    let mut args = vec!["history"];
    args.extend(&names);
    args.extend(["--format", "json"]);
    assert_eq!(check_run(&history, &args), 0, "every shipped profile in one series");
}

#[test]
fn check_of_every_shipped_profile_and_of_the_fixtures() {
    let check = validator(Schema::Check);
    for name in common::shipped_profiles() {
        assert_eq!(check_run(&check, &["check", &name, "--format", "json"]), 0, "{name}");
    }
    assert_eq!(check_run(&check, &["check", "--all", "--deny-warnings", "--format", "json"]), 0);
    // Errors, warnings and profiles that do not load, each fixture alone and all at once.
    let dir = format!("{ROOT}/tests/fixtures/check");
    let mut codes = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        codes.push(check_run(&check, &["--profiles", &dir, "check", &name, "--format", "json"]));
    }
    assert!(codes.contains(&1), "some fixture has findings: {codes:?}");
    // unknown-driver.toml does not load: exit 2, and the document lists it with the rest.
    assert_eq!(check_run(&check, &["--profiles", &dir, "check", "--all", "--format", "json"]), 2);
    // A profile that does not load is still a document (exit 2).
    let run = Case::new(["check", "bad", "--format", "json"]).profile("bad", "[profile]\nrelease = \n").run();
    run.exits(2);
    assert_valid(&check, &serde_json::from_str(&run.stdout).unwrap(), "check of a profile that does not load");
}

#[test]
fn verify_with_the_installed_qemu_img_and_the_saved_help_texts() {
    let verify = validator(Schema::Verify);
    if common::require_tool("qemu-img") {
        let code = check_run(
            &verify,
            &["verify", "debian-13", "--arch", "x86_64", "--qemu-img", "qemu-img", "--format", "json"],
        );
        assert!(code <= 1, "verify debian-13 against the installed qemu-img: exit {code}");
    }
    let fixtures: Vec<String> = std::fs::read_dir(format!("{ROOT}/tests/fixtures/verify"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".txt"))
        .collect();
    assert!(fixtures.len() >= 4);
    for name in common::shipped_profiles() {
        for fixture in &fixtures {
            for module_dir in [None, Some("/nonexistent")] {
                let mut args = vec!["verify", &name, "--help-text", fixture.as_str(), "--format", "json"];
                // The first arch of every shipped profile is x86_64.
                args.extend(["--arch", "x86_64"]);
                if let Some(dir) = module_dir {
                    args.extend(["--module-dir", dir]);
                }
                let code = check_run(&verify, &args);
                assert!(code <= 1, "{args:?}: exit {code}");
            }
        }
    }
}

#[test]
fn import_of_the_fixture_specs_and_of_every_generated_spec() {
    let import = validator(Schema::Import);
    let fixture = |name: &str| format!("{ROOT}/tests/fixtures/import/{name}");
    let cases: Vec<Vec<String>> = vec![
        vec![fixture("qemu-kvm-el7.spec"), "--name".into(), "my-7.7".into(), "--set".into(), "rhel=7".into()],
        vec![fixture("qemu-kvm-el7.spec"), "--name".into(), "my".into()],
        vec![fixture("qemu-kvm-el9.spec"), "--name".into(), "my-9.2".into(), "--undefine".into(), "target_list".into()],
        vec![fixture("qemu-kvm-rhev.spec"), "--name".into(), "rhev-7.3".into()],
        vec![fixture("qemu-fedora.spec"), "--name".into(), "f-43".into()],
        vec![
            fixture("build_configure.sh"),
            "--qemu-version".into(),
            "2.3.0".into(),
            "--arches".into(),
            "x86_64".into(),
            "--name".into(),
            "ev-7.2".into(),
            "--set".into(),
            "have_rbd=enable".into(),
            "--set".into(),
            "@=".into(),
        ],
        vec![
            fixture("build_configure.sh"),
            "--qemu-version".into(),
            "2.3.0".into(),
            "--arches".into(),
            "x86_64".into(),
        ],
    ];
    for case in &cases {
        let mut args: Vec<&str> = vec!["import", "spec"];
        args.extend(case.iter().map(String::as_str));
        args.extend(["--format", "json"]);
        let code = check_run(&import, &args);
        assert!(code <= 1, "{args:?}: exit {code}");
    }
    // What `generate spec` writes, read back: every shipped profile, both configure styles.
    let (_, policies) = policies();
    for policy in &policies {
        let (name, arches) = (&policy.name, policy.arch_names().join(","));
        // (The macros style has no configure run to read.)
        for style in ["inline", "globals"] {
            let spec = Case::new(["generate", "spec", name, "--style", style]).run();
            spec.exits(0);
            let args = ["import", "spec", "-", "--name", name, "--arches", &arches, "--format", "json"];
            let run = Case::new(args).stdin(&spec.stdout).run();
            assert!(run.code <= 1, "import of {name}'s {style} spec: exit {}\n{}", run.code, run.stderr);
            let value: Value = serde_json::from_str(&run.stdout).unwrap();
            assert_valid(&import, &value, &format!("import of {name}'s {style} spec"));
        }
    }
}

#[test]
fn sync_of_a_spec_stale_synced_and_checked() {
    let sync = validator(Schema::Sync);
    let spec = std::fs::read_to_string(format!("{ROOT}/tests/fixtures/sync/qemu-kvm.spec")).unwrap();
    let both = "%if %{rhev}\n# drvpolicy:begin rhel-7.3-rhev style=buildrequires\n# drvpolicy:end\n%else\n\
# drvpolicy:begin rhel-7.3 style=buildrequires\n# drvpolicy:end\n%endif\n%build\n# drvpolicy:begin rhel-7.3\n# drvpolicy:end\n";
    let case = |args: &[&str]| {
        Case::new(args).file("q.spec", &spec).file("both.spec", both).file("none.spec", "Name: x\n").run()
    };
    for (args, code) in [
        (vec!["sync", "q.spec", "both.spec", "--check", "--format", "json"], 1),
        (vec!["sync", "q.spec", "both.spec", "--format", "json"], 0),
        (vec!["sync", "q.spec", "rhel-7.3", "--check", "--format", "json"], 1),
        // One file without markers: exit 2, the others still reported.
        (vec!["sync", "q.spec", "none.spec", "--format", "json"], 2),
    ] {
        let run = case(&args);
        run.exits(code);
        assert_valid(&sync, &serde_json::from_str(&run.stdout).unwrap(), &format!("{args:?}"));
    }
    // Synced, then checked: up to date.
    let run = Case::new(["sync", "q.spec", "--format", "json"]).file("q.spec", &spec).run();
    run.exits(0);
    let synced = run.file("q.spec");
    let run = Case::new(["sync", "q.spec", "--check", "--format", "json"]).file("q.spec", &synced).run();
    run.exits(0);
    let value: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid(&sync, &value, "sync --check of a synced spec");
    assert_eq!(value["stale"], false);
}

#[test]
fn the_schema_command_lists_the_schemas_and_prints_each() {
    let list = Case::new(["schema"]).run();
    list.exits(0);
    let width = Schema::ALL.iter().map(|s| s.name().len()).max().unwrap();
    let expected: String = Schema::ALL.iter().map(|s| format!("{:width$}  {}\n", s.name(), s.what())).collect();
    assert_eq!(list.stdout, expected);
    assert!(list.stdout.starts_with("list                 drvpolicy list --format json\n"));
    assert_eq!(Case::new(["schema", "--list"]).run().stdout, expected);
    for &schema in Schema::ALL {
        let run = Case::new(["schema", schema.name()]).run();
        run.exits(0);
        let printed: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(printed, schema.document(), "{}", schema.name());
        // What a user saves is enough to validate with: it builds on its own.
        jsonschema::draft202012::new(&printed).unwrap();
    }
    let run = Case::new(["schema", "explian"]).run();
    run.exits(2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error[unknown-schema]: no JSON output has a schema named `explian`\n = help: did you mean `explain`?\n\n"
    );
}
