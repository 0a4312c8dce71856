//! No value from a profile escapes its place (issue 10, section 1). Every string position of the
//! profile schema is fed, one at a time, with hostile text. Each case either fails to load with an
//! error located on the line of that value, or every output stays well-formed: no control
//! character reaches any text, the real `rpmspec -P` expands the generated spec and a real shell
//! gives `./configure` exactly one argument per generated argument, and `sh` does the same with the
//! lines of `generate configure`.

mod common;

use drvpolicy::diagnostic::Failure;
use drvpolicy::generate::spec::SpecStyle;
use drvpolicy::options::Dialect;
use drvpolicy::render::Renderer;
use drvpolicy::store::Store;
use std::process::Command;

/// A profile with a slot `{{name}}` at every string position. Slots inside quotes take the TOML
/// escape of the text; `inherits` and `backports` are whole lines or items, empty by default.
const TEMPLATE: &str = r#"[profile]
product = "{{product}}"
release = "{{release}}"
description = "{{description}}"
sources = ["{{source}}"]
arches = ["x86_64", "{{arch}}"]
{{inherits}}

[qemu]
package = "{{package}}"
version = "{{qemu_version}}"
build = "{{build}}"
main-package = "{{main_package}}"
module-dir = "{{module_dir}}"
obsoletes = ["{{obsoleted}}"]
build-requires = "{{build_requires}}"
tools-only-configure = "{{tools_only_configure}}"
backports = [{{backports}}]
extra-args = ["{{extra_arg}}"]
rw-whitelist = ["{{driver}}", "raw"]
ro-whitelist = ["vmdk"]

[qemu.rpm]
evr = "{{rpm_evr}}"
common = "{{rpm_common}}"
obsoletes = "{{rpm_obsoletes}}"

[qemu.features]
curl = "enable"
modules = "enable"
rbd = "enable"
"{{feature}}" = "enable"

[qemu.subpackages]
block-rbd = { name = "{{subpackage}}", required = true }

[qemu.custom-features]
"{{feature}}" = { flag = "{{flag}}", meson = "{{meson}}", summary = "{{summary}}" }

[libguestfs]
package = "{{guestfs_package}}"
backend = "{{guestfs_backend}}"
version = "{{guestfs_version}}"
patch = "{{patch}}"
disabled-protocols = ["{{protocol}}"]

[libvirt]
package = "{{libvirt_package}}"
version = "{{libvirt_version}}"
storage-backends = { "{{storage_backend}}" = true }

[consumers."{{consumer}}"]
description = "{{consumer_description}}"
needs = [{ driver = "{{need_driver}}", access = "{{need_access}}", program = "{{need_program}}", why = "{{why}}" }]
requires = [{ package = "{{required}}", why = "{{required_why}}" }]

[arch."{{selector}}".qemu]
extra-args = { add = ["{{arch_extra_arg}}"] }
"#;

const DEFAULTS: &[(&str, &str)] = &[
    ("product", "t"),
    ("release", "1.0"),
    ("description", "a profile"),
    ("source", "a source"),
    ("arch", "aarch64"),
    ("inherits", ""),
    ("package", "qemu-kvm"),
    ("qemu_version", "2.12.0"),
    ("build", "full"),
    ("main_package", "qemu-kvm"),
    ("module_dir", "%{_libdir}/qemu-kvm"),
    ("obsoleted", "qemu-kvm-block-ssh"),
    ("build_requires", "rhel9"),
    ("tools_only_configure", "shared"),
    ("rpm_evr", "%{epoch}:%{version}-%{release}"),
    ("rpm_common", "%{name}-common%{?_isa}"),
    ("rpm_obsoletes", "<= %{epoch}:%{version}"),
    ("subpackage", "qemu-kvm-block-rbd"),
    ("guestfs_backend", "libvirt"),
    ("libvirt_package", "libvirt"),
    ("storage_backend", "rbd"),
    ("required", "nbdkit-curl-plugin"),
    ("required_why", "https inputs"),
    ("backports", ""),
    ("extra_arg", "--disable-werror"),
    ("driver", "qcow2"),
    ("feature", "spice"),
    ("flag", "spice"),
    ("meson", "spice"),
    ("summary", "SPICE display"),
    ("guestfs_package", "libguestfs"),
    ("guestfs_version", "1.38.2"),
    ("patch", "RHEL: disable remote protocols"),
    ("protocol", "ftp"),
    ("libvirt_version", "4.5.0"),
    ("consumer", "virt-v2v"),
    ("consumer_description", "imports guests"),
    ("need_driver", "qcow2"),
    ("need_access", "rw"),
    ("need_program", "emulator"),
    ("why", "local disks"),
    ("selector", "aarch64"),
    ("arch_extra_arg", "--disable-strip"),
];

/// Text that has broken generated specs, configure lines or terminals, and text that must pass.
const HOSTILE: &[&str] = &[
    "a\nb",
    "a\r\nb",
    "%endif\nrm -rf /",
    "x\u{1b}[31mred",
    "\u{9b}31m",
    "a\u{7f}",
    "tab\there",
    "nul\0byte",
    "",
    " ",
    "spice; rm -rf /",
    "a;b",
    "a && b",
    "$(reboot)",
    "\"$(reboot)\"",
    "`reboot`",
    "%(reboot)",
    "%{lua:os.exit(1)}",
    "%endif",
    "--x\\",
    "#x",
    "\"",
    "'",
    "{a,b}",
    "*",
    "a b",
    "'a;b'",
    "\"a b\"",
    "--cc=$CC",
    "--cc=\"$CC\"",
    "é ünïcödé",
    "--enable-rbd",
    "1.5.3-",
    "0.0.1",
];

fn toml_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The profile with `slot` set to `value` (and the lines on which the slot is).
fn profile(slot: &str, value: &str) -> (String, Vec<usize>) {
    let mut text = TEMPLATE.to_string();
    let marker = format!("{{{{{slot}}}}}");
    let lines: Vec<usize> =
        TEMPLATE.lines().enumerate().filter(|(_, l)| l.contains(&marker)).map(|(i, _)| i + 1).collect();
    for (name, default) in DEFAULTS {
        let wanted = if *name == slot { value } else { default };
        let filled = match *name {
            "inherits" if !wanted.is_empty() => format!("inherits = \"{}\"", toml_escape(wanted)),
            "backports" if !wanted.is_empty() => format!("\"{}\"", toml_escape(wanted)),
            "inherits" | "backports" => String::new(),
            _ => toml_escape(wanted),
        };
        text = text.replace(&format!("{{{{{name}}}}}"), &filled);
    }
    (text, lines)
}

/// No control character but the line feed in `text`.
fn assert_clean(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
        panic!("{what}: a control character U+{:04X} reached the output:\n{text}", c as u32);
    }
}

struct Accepted {
    case: String,
    specs: [String; 2],
    /// Per arch (x86_64, aarch64): the arguments as `generate configure` writes them.
    configure: [Vec<String>; 2],
}

enum Outcome {
    Refused,
    Accepted(Box<Accepted>),
}

fn try_case(dir: &std::path::Path, slot: &str, value: &str) -> Outcome {
    let case = format!("{slot} = {value:?}");
    let (text, lines) = profile(slot, value);
    let profiles = dir.join("profiles");
    let _ = std::fs::remove_dir_all(&profiles);
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(profiles.join("t-1.0.toml"), &text).unwrap();
    let mut store = Store::new(std::slice::from_ref(&profiles)).unwrap();
    let renderer = Renderer::new(None).unwrap();
    let located = |failure: &Failure, sources: &drvpolicy::source::Sources| {
        for d in &failure.diagnostics {
            assert_clean(&case, &d.render(sources));
        }
        let on_slot = failure
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .any(|d| d.primary_span().is_some_and(|s| lines.contains(&sources.location(s).line)));
        let all: Vec<String> = failure.diagnostics.iter().map(|d| d.render(sources)).collect();
        assert!(on_slot, "{case}: refused, but no error is on line {lines:?}:\n{}\n{text}", all.join(""));
        Outcome::Refused
    };
    let policy = match drvpolicy::resolve::resolve(&mut store, "t-1.0") {
        Ok(resolved) => resolved.policy,
        Err(failure) => return located(&failure, &store.sources),
    };
    let mut configure = [Vec::new(), Vec::new()];
    for (i, arch) in ["x86_64", "aarch64"].into_iter().enumerate() {
        let arch = policy.arch(arch).expect("both arches");
        let view = match drvpolicy::generate::configure::view(&policy, arch, Dialect::Configure, false) {
            Ok(view) => view,
            Err(failure) => return located(&failure, &store.sources),
        };
        configure[i] = view.arguments.clone();
        assert_clean(&case, &renderer.render("configure.j2", &view).unwrap());
    }
    let mut specs = [String::new(), String::new()];
    for (i, style) in [SpecStyle::Inline, SpecStyle::Globals].into_iter().enumerate() {
        let view = drvpolicy::generate::spec::view(&policy, style).unwrap();
        specs[i] = renderer.render("spec.j2", &view).unwrap();
        assert_clean(&case, &specs[i]);
    }
    let sources = &store.sources;
    let libguestfs = drvpolicy::generate::libguestfs::view(&policy, None);
    assert_clean(&case, &renderer.render("libguestfs.txt.j2", &libguestfs).unwrap());
    assert_clean(&case, &renderer.render("libguestfs.md.j2", &libguestfs).unwrap());
    assert_clean(&case, &renderer.render("show.j2", drvpolicy::show::view(&policy, None, sources)).unwrap());
    let list = drvpolicy::show::list(std::slice::from_ref(&policy), |_| None);
    assert_clean(&case, &renderer.render("list.j2", drvpolicy::show::list_view(&list)).unwrap());
    let explain =
        drvpolicy::explain::view(&policy, None, "qcow2", &drvpolicy::access::Installed::All, sources).unwrap();
    assert_clean(&case, &renderer.render("explain.j2", &explain).unwrap());
    // The issue 7 outputs: subpackage stanzas and macros, BuildRequires, libvirt's options.
    use drvpolicy::generate::{buildrequires, libvirt, subpackages};
    for part in [subpackages::Part::Packages, subpackages::Part::Macros] {
        match subpackages::view(&policy, part) {
            Ok(view) => assert_clean(&case, &renderer.render("subpackages.j2", &view).unwrap()),
            Err(failure) => return located(&failure, sources),
        }
    }
    if let Ok((view, _)) = buildrequires::view(&policy, sources) {
        assert_clean(&case, &renderer.render("buildrequires.j2", &view).unwrap());
    }
    let libvirt_views = [libvirt::spec(&policy), libvirt::arguments(&policy, &policy.arches[0])];
    for view in libvirt_views.into_iter().flatten() {
        assert_clean(&case, &renderer.render("libvirt.j2", &view).unwrap());
    }
    let checked = drvpolicy::check::check(&mut store, "t-1.0");
    let view = drvpolicy::check::text_view(std::slice::from_ref(&checked), false, 0, &store.sources, false);
    assert_clean(&case, &renderer.render("check.j2", &view).unwrap());
    Outcome::Accepted(Box::new(Accepted { case, specs, configure }))
}

/// `CC` in the shells of this test: a value with a blank, which an unquoted `$CC` would split.
const CC: &str = "gcc -m64";

/// What a shell makes of one argument as written: exactly one word (rpm turns `%%` into `%`).
fn one_word(case: &str, text: &str, rpm: bool) -> String {
    let words = shell_words::split(text).unwrap_or_else(|e| panic!("{case}: `{text}` is not shell: {e}"));
    assert_eq!(words.len(), 1, "{case}: `{text}` is {} words", words.len());
    let word = words[0].replace("$CC", CC);
    if rpm { word.replace("%%", "%") } else { word }
}

const SPEC_HEAD: &str =
    "Name: hostile\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\n%description\nd\n\n%build\n";

/// Each snippet's configure is one call of the stub; a marker between them keeps them apart.
fn check_specs(dir: &std::path::Path, accepted: &[Accepted]) {
    for (style, name) in ["inline", "globals"].into_iter().enumerate() {
        let mut spec = SPEC_HEAD.to_string();
        for a in accepted {
            spec.push_str("./configure '=== case'\n");
            spec.push_str(&a.specs[style]);
        }
        spec.push_str("\n%install\n");
        for (i, arch) in ["x86_64", "aarch64"].into_iter().enumerate() {
            let got = common::rpm::configure_arguments(dir, &spec, arch, "%build\n", &[]);
            let calls: Vec<&[String]> = got.split(|l| l == "=== case").skip(1).collect();
            assert_eq!(calls.len(), accepted.len(), "{name} on {arch}: one configure per snippet\n{got:?}");
            for (a, call) in accepted.iter().zip(calls) {
                let expected: Vec<String> = a.configure[i].iter().map(|t| one_word(&a.case, t, true)).collect();
                assert_eq!(call, expected.as_slice(), "{} ({name} spec on {arch}):\n{}", a.case, a.specs[style]);
            }
        }
    }
}

/// `generate configure`'s arguments through `sh -c 'printf "%s\n" "$@"' x ARGS`.
fn check_configure_lines(accepted: &[Accepted]) {
    for a in accepted {
        for arguments in &a.configure {
            let line = arguments.join(" ");
            let out = Command::new("sh").arg("-c").arg(format!("printf '[%s]\\n' {line}")).output().unwrap();
            assert!(out.status.success(), "{}: sh refused `{line}`", a.case);
            let got: Vec<String> = String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(|l| l.strip_prefix('[').and_then(|l| l.strip_suffix(']')).expect("[arg]").to_string())
                .collect();
            let expected: Vec<String> = arguments.iter().map(|t| one_word(&a.case, t, false)).collect();
            assert_eq!(got, expected, "{}: `{line}`", a.case);
        }
    }
}

#[test]
fn hostile_text_in_every_string_position_is_refused_at_its_line_or_stays_in_its_place() {
    // SAFETY: the only test of this binary; the shells it starts read CC.
    unsafe { std::env::set_var("CC", CC) };
    let dir = tempfile::tempdir().unwrap();
    let (mut accepted, mut refused) = (Vec::new(), 0);
    // The template as it is passes: every slot's default is a valid value.
    match try_case(dir.path(), "product", "t") {
        Outcome::Accepted(a) => accepted.push(*a),
        Outcome::Refused => panic!("the template with its defaults must load"),
    }
    for (slot, _) in DEFAULTS {
        for value in HOSTILE {
            match try_case(dir.path(), slot, value) {
                Outcome::Accepted(a) => accepted.push(*a),
                Outcome::Refused => refused += 1,
            }
        }
    }
    // Control characters are refused in every position; so is every value of an extra-arg that
    // would not stay one argument.
    for a in &accepted {
        assert!(!a.case.contains("\\n") && !a.case.contains("\\u{1b}"), "accepted: {}", a.case);
    }
    assert!(refused > DEFAULTS.len() * 8, "only {refused} refusals");
    check_configure_lines(&accepted);
    if common::require_tool("rpmspec") {
        check_specs(dir.path(), &accepted);
    }
    eprintln!("{} cases accepted and checked, {refused} refused at their line", accepted.len());
}

/// The hand-written part of the extra-arg check (`values::shell_word`) against a real shell:
/// whatever it accepts, `sh` reads as exactly one argument, the one shell-words reads, and it
/// runs nothing (no file appears in the directory it runs in).
mod shell_word_against_sh {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
        #[test]
        fn an_accepted_extra_arg_is_one_argument_for_sh(text in "[a-z=\\-;&|<>()$`'\" *?\\[\\]{},#%\\\\!]{1,12}") {
            if drvpolicy::profile::values::shell_word(&text).is_ok() {
                let dir = tempfile::tempdir().unwrap();
                let out = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(format!("printf '[%s]\\n' {text}"))
                    .current_dir(dir.path())
                    .env_clear()
                    .output()
                    .unwrap();
                prop_assert!(out.status.success(), "sh refused {:?}", text);
                let printed = String::from_utf8_lossy(&out.stdout).into_owned();
                prop_assert_eq!(printed.lines().count(), 1, "{:?}", text);
                // Unset parameters expand to nothing; the rest is the text as shell-words reads it.
                if !text.contains('$') {
                    let expected = shell_words::split(&text).unwrap();
                    prop_assert_eq!(printed, format!("[{}]\n", expected[0]), "{:?}", text);
                }
                prop_assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{:?} made a file", text);
            }
        }
    }
}
