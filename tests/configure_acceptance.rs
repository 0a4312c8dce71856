//! The catalogue against the real `configure` and `meson_options.txt` of qemu 7.2 and 10.0.x,
//! from Debian's bookworm and trixie source packages (tests/qemu-sources/fetch.sh puts them in
//! target/qemu-configure). For every build option and whitelist option the catalogue knows:
//! the flag drvpolicy generates for that version is accepted by that release's configure (and
//! one it calls obsolete is accepted and ignored), an option it refuses is one configure rejects
//! with "ERROR: unknown option", and a meson option it spells is in meson_options.txt (one it
//! says does not exist is not).
//!
//! configure parses its options before it looks for a compiler or meson, and `--help` stops it
//! right after: `configure FLAG --help` from an empty directory exits 0 when FLAG is known and 1
//! with "ERROR: unknown option FLAG" when it is not, in well under a second
//! (/work/research/qemu-upstream.md section 5).

mod common;

use drvpolicy::catalogue::{Catalogue, NO_BACKPORTS};
use drvpolicy::code::Code;
use drvpolicy::diagnostic::Severity;
use drvpolicy::options::{self, Dialect, Problem, Setting};
use drvpolicy::policy::Policy;
use drvpolicy::resolve;
use drvpolicy::store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The releases the test needs, as (major, minor): Debian bookworm's and trixie's qemu.
const REQUIRED: [(u64, u64); 2] = [(7, 2), (10, 0)];

/// Whitelist values for the generated list options; any registered driver does.
const RW_VALUE: &str = "qcow2";
const RO_VALUE: &str = "vmdk";

/// The disable spelling of whitelist-in-tools, which drvpolicy never generates but knows as
/// that setting (`options::modelled_option`).
const IN_TOOLS_OFF: &str = "--disable-block-drv-whitelist-in-tools";

/// An extracted source tree: what `configure FLAG --help` reads, plus VERSION and meson_options.txt.
struct Tree {
    dir: PathBuf,
    version: semver::Version,
}

/// The trees fetch.sh extracted, or `None` (a skip outside CI, a failure in CI) when one of
/// the required releases is missing.
fn trees() -> Option<Vec<Tree>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/qemu-configure");
    let mut trees: Vec<Tree> = std::fs::read_dir(&root)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let dir = entry.ok()?.path();
            let text = std::fs::read_to_string(dir.join("VERSION")).ok()?;
            let version = drvpolicy::version::normalise(text.trim())
                .unwrap_or_else(|| panic!("{}/VERSION: not a version: {text:?}", dir.display()));
            Some(Tree { dir, version })
        })
        .collect();
    trees.sort_by(|a, b| a.version.cmp(&b.version));
    let has = |(major, minor): (u64, u64)| trees.iter().any(|t| (t.version.major, t.version.minor) == (major, minor));
    let missing: Vec<String> = REQUIRED.iter().filter(|r| !has(**r)).map(|(a, b)| format!("{a}.{b}")).collect();
    let found = common::require(
        missing.is_empty(),
        &format!(
            "the qemu {} sources are not in {}; run tests/qemu-sources/fetch.sh",
            missing.join(" and "),
            root.display()
        ),
    );
    found.then_some(trees)
}

/// What drvpolicy says about one configure argument in one version.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Claim {
    /// It generates the flag; `obsolete` when it warns that configure ignores it.
    Accepts { flag: String, obsolete: bool },
    /// It refuses the option: configure must reject the flag.
    Refuses { flag: String },
}

impl Claim {
    fn flag(&self) -> &str {
        match self {
            Claim::Accepts { flag, .. } | Claim::Refuses { flag } => flag,
        }
    }
}

/// One thing to run: a claim about a setting (`feature curl = enable`) and who makes it.
#[derive(Debug)]
struct Check {
    setting: String,
    claim: Claim,
    /// Who says so and why, for the report ("drvpolicy generates it").
    said: String,
}

fn state(enable: bool) -> &'static str {
    if enable { "enable" } else { "disable" }
}

/// One setting under test: its label, the profile that sets it, and the catalogue's facts.
struct Case {
    label: String,
    profile: String,
    setting: Setting,
    /// The meson name the catalogue knows for it in some version.
    meson: Option<&'static str>,
    /// The configure versions it has, for the report.
    versions: String,
}

/// Every catalogue feature (enabled and disabled) and each whitelist setting drvpolicy writes.
fn cases() -> Vec<Case> {
    let catalogue = Catalogue::get();
    let mut cases = Vec::new();
    for (name, feature) in &catalogue.features {
        for enable in [true, false] {
            cases.push(Case {
                label: format!("feature {name} = {}", state(enable)),
                profile: format!("feature-{name}-{}", state(enable)),
                setting: Setting::Feature(name.to_string()),
                meson: feature.meson.as_ref().map(|m| m.option.as_str()),
                versions: feature.configure_versions(),
            });
        }
    }
    let whitelist = &catalogue.whitelist;
    for (label, setting, option) in [
        (format!("rw-whitelist = [\"{RW_VALUE}\"]"), Setting::RwWhitelist, &whitelist.rw),
        (format!("ro-whitelist = [\"{RO_VALUE}\"]"), Setting::RoWhitelist, &whitelist.ro),
        ("whitelist-in-tools = true".to_string(), Setting::WhitelistInTools, &whitelist.in_tools),
    ] {
        let profile = label.split_once(' ').map_or(label.as_str(), |(p, _)| p).to_string();
        let versions = option.versions.to_string();
        cases.push(Case { label, profile, setting, meson: option.meson.as_deref(), versions });
    }
    cases
}

/// A profile with one setting: `qemu` in its [qemu] section, `features` in [qemu.features].
fn profile(version: &semver::Version, qemu: &str, features: &str) -> String {
    format!(
        r#"[profile]
product = "configure-test"
release = "1"
description = "one setting against the real configure"
sources = ["tests/configure_acceptance.rs"]
arches = ["x86_64"]

[qemu]
package = "qemu"
version = "{version}"
{qemu}
[qemu.features]
{features}
"#
    )
}

/// The policy of each case at `version`, by profile name, resolved through a `--profiles`
/// directory as the CLI does. An option the version refuses leaves the policy usable.
fn policies(version: &semver::Version, cases: &[Case]) -> BTreeMap<String, Policy> {
    let dir = tempfile::tempdir().expect("temp dir");
    for case in cases {
        let text = match &case.setting {
            Setting::Feature(name) => {
                let state = case.profile.rsplit('-').next().expect("feature-NAME-STATE");
                profile(version, "", &format!("\"{name}\" = \"{state}\""))
            }
            _ => profile(version, &case.label, ""),
        };
        std::fs::write(dir.path().join(format!("{}.toml", case.profile)), text).expect("write profile");
    }
    let mut store = Store::new(&[dir.path().to_path_buf()]).expect("profile store");
    cases
        .iter()
        .map(|case| {
            let name = &case.profile;
            let chain = store.load_chain(name).unwrap_or_else(|f| panic!("{name}: {f:?}"));
            let attempt = resolve::attempt_chain(&chain);
            let policy = attempt.policy.unwrap_or_else(|| panic!("{name}: {:?}", attempt.diagnostics));
            (name.clone(), policy)
        })
        .collect()
}

/// The arguments and problems of a one-arch policy.
fn arguments(policy: &Policy, dialect: Dialect) -> (Vec<options::Argument>, Vec<Problem>) {
    assert_eq!(policy.arches.len(), 1, "{}: one arch", policy.name);
    options::arguments(policy, &policy.arches[0], dialect)
}

/// The one argument for `setting`, or the one error drvpolicy gives instead.
fn outcome(policy: &Policy, dialect: Dialect, setting: &Setting) -> Result<String, Problem> {
    let (args, problems) = arguments(policy, dialect);
    let mut texts = args.iter().filter(|a| &a.setting == setting).map(|a| a.text.clone());
    match (texts.next(), texts.next()) {
        (Some(text), None) => Ok(text),
        (None, _) => {
            let mut errors = problems.into_iter().filter(|p| p.severity == Severity::Error);
            match (errors.next(), errors.next()) {
                (Some(error), None) => Err(error),
                other => panic!("{}: neither one argument nor one error for {setting:?}: {other:?}", policy.name),
            }
        }
        (Some(a), Some(b)) => panic!("{}: two arguments for {setting:?}: {a}, {b}", policy.name),
    }
}

/// The configure flag drvpolicy generates for a case, or the one it refuses: a feature's
/// `unsupported-option` error names it ("... does not accept --enable-vmdk (...)"); a refused
/// whitelist option is the catalogue's flag, with a value where it takes one.
fn configure_claim(case: &Case, policy: &Policy) -> Claim {
    match outcome(policy, Dialect::Configure, &case.setting) {
        Ok(flag) => {
            let (_, problems) = arguments(policy, Dialect::Configure);
            Claim::Accepts { flag, obsolete: problems.iter().any(|p| p.code == Code::ObsoleteOption) }
        }
        Err(problem) => {
            assert_eq!(problem.code, Code::UnsupportedOption, "{}: {problem:?}", case.label);
            let whitelist = &Catalogue::get().whitelist;
            let flag = match &case.setting {
                Setting::Feature(_) => problem
                    .message
                    .split_whitespace()
                    .find(|w| w.starts_with("--"))
                    .unwrap_or_else(|| panic!("the error names no flag: {}", problem.message))
                    .to_string(),
                Setting::RwWhitelist => format!("{}={RW_VALUE}", whitelist.rw.flag),
                Setting::RoWhitelist => format!("{}={RO_VALUE}", whitelist.ro.flag),
                Setting::WhitelistInTools => whitelist.in_tools.flag.to_string(),
                Setting::Extra => unreachable!("no case sets extra-args"),
            };
            let known = options::modelled_option(&flag, &|_| false);
            assert!(known.is_some(), "drvpolicy does not know {flag} as a setting");
            Claim::Refuses { flag }
        }
    }
}

/// What drvpolicy says about every option at `version`.
fn configure_checks(version: &semver::Version) -> Vec<Check> {
    let cases = cases();
    let policies = policies(version, &cases);
    let mut checks: Vec<Check> = cases
        .iter()
        .map(|case| {
            let claim = configure_claim(case, &policies[&case.profile]);
            let said = match &claim {
                Claim::Accepts { obsolete: true, .. } => {
                    "drvpolicy generates it, warning that it is ignored".to_string()
                }
                Claim::Accepts { .. } => "drvpolicy generates it".to_string(),
                Claim::Refuses { .. } => format!("drvpolicy refuses it (configure has it in qemu {})", case.versions),
            };
            Check { setting: case.label.clone(), claim, said }
        })
        .collect();
    // drvpolicy never writes these two: the catalogue's version ranges are the claim.
    let whitelist = &Catalogue::get().whitelist;
    let legacy = &whitelist.legacy;
    let flag = format!("{}={RW_VALUE}", legacy.flag);
    checks.push(catalogue_check(
        "legacy whitelist",
        flag,
        legacy.configure_accepts(version, NO_BACKPORTS),
        &legacy.versions,
    ));
    assert_eq!(
        options::modelled_option(IN_TOOLS_OFF, &|_| false).as_deref(),
        Some("whitelist-in-tools"),
        "drvpolicy no longer reads {IN_TOOLS_OFF} as whitelist-in-tools"
    );
    let in_tools = &whitelist.in_tools;
    let accepted = in_tools.configure_accepts(version, NO_BACKPORTS);
    checks.push(catalogue_check("whitelist-in-tools = false", IN_TOOLS_OFF.to_string(), accepted, &in_tools.versions));
    checks
}

fn catalogue_check(setting: &str, flag: String, accepted: bool, versions: &semver::VersionReq) -> Check {
    let said = format!("drvpolicy's catalogue says it exists in qemu {versions}");
    let claim = if accepted { Claim::Accepts { flag, obsolete: false } } else { Claim::Refuses { flag } };
    Check { setting: setting.to_string(), claim, said }
}

/// What a real configure made of one flag.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// Exit 0; `obsolete` when configure said the option "is obsolete".
    Accepted { obsolete: bool },
    /// Exit 1 with "ERROR: unknown option FLAG" on stdout.
    Rejected,
    /// Anything else: the harness is broken, not the catalogue.
    Broken(String),
}

/// `configure FLAG --help`, run from an empty directory of its own.
fn run_configure(tree: &Tree, flag: &str) -> Verdict {
    let scratch = tempfile::tempdir().expect("scratch dir");
    let output = Command::new(tree.dir.join("configure"))
        .arg(flag)
        .arg("--help")
        .current_dir(scratch.path())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}/configure: {e}", tree.dir.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => Verdict::Accepted { obsolete: stderr.contains(&format!("{flag} is obsolete")) },
        Some(1) if stdout.lines().any(|l| l == format!("ERROR: unknown option {flag}")) => Verdict::Rejected,
        code => {
            let text: Vec<&str> = stdout.lines().chain(stderr.lines()).take(4).collect();
            Verdict::Broken(format!("exit {code:?}: {}", text.join(" / ")))
        }
    }
}

/// Runs each (tree, flag) job on every core, one configure per flag; the verdicts in job order.
fn run_all(jobs: &[(&Tree, String)]) -> Vec<Verdict> {
    let next = AtomicUsize::new(0);
    let verdicts = Mutex::new(vec![None; jobs.len()]);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((tree, flag)) = jobs.get(i) else { break };
                    let verdict = run_configure(tree, flag);
                    verdicts.lock().unwrap()[i] = Some(verdict);
                }
            });
        }
    });
    verdicts.into_inner().unwrap().into_iter().map(|v| v.expect("every job ran")).collect()
}

/// A flag no qemu has: the harness must see configure reject it, or it cannot tell anything.
const CONTROL_FLAG: &str = "--enable-drvpolicy-control-no-such-option";

#[test]
fn configure_takes_what_drvpolicy_generates_and_rejects_what_it_refuses() {
    let Some(trees) = trees() else { return };
    let catalogue = Catalogue::get();
    let mut checks: Vec<(&Tree, Check)> = Vec::new();
    for tree in &trees {
        let version_checks = configure_checks(&tree.version);
        // Every feature both ways, rw, ro, in-tools, legacy and in-tools off.
        assert_eq!(version_checks.len(), catalogue.features.len() * 2 + 5);
        checks.extend(version_checks.into_iter().map(|c| (tree, c)));
        let control = Claim::Refuses { flag: CONTROL_FLAG.to_string() };
        let said = "the harness expects a rejection: no qemu has it".to_string();
        checks.push((tree, Check { setting: "control".into(), claim: control, said }));
    }
    let jobs: Vec<(&Tree, String)> = checks.iter().map(|(t, c)| (*t, c.claim.flag().to_string())).collect();
    let verdicts = run_all(&jobs);

    let mut mismatches = Vec::new();
    let mut tally: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for ((tree, check), verdict) in checks.iter().zip(&verdicts) {
        let agrees = match (&check.claim, verdict) {
            (Claim::Accepts { obsolete, .. }, Verdict::Accepted { obsolete: ignored }) => obsolete == ignored,
            (Claim::Refuses { .. }, Verdict::Rejected) => true,
            _ => false,
        };
        let kind = match &check.claim {
            _ if check.setting == "control" => "rejected (the control)",
            Claim::Accepts { obsolete: true, .. } => "accepted, obsolete",
            Claim::Accepts { .. } => "accepted",
            Claim::Refuses { .. } => "rejected",
        };
        *tally.entry((tree.version.to_string(), kind)).or_default() += 1;
        if !agrees {
            let configure = match verdict {
                Verdict::Accepted { obsolete: true } => "accepts it and says it is obsolete".to_string(),
                Verdict::Accepted { obsolete: false } => "accepts it (exit 0)".to_string(),
                Verdict::Rejected => "rejects it: ERROR: unknown option".to_string(),
                Verdict::Broken(how) => format!("HARNESS ERROR: {how}"),
            };
            let (version, flag, setting, said) = (&tree.version, check.claim.flag(), &check.setting, &check.said);
            mismatches.push(format!("qemu {version} {flag} ({setting}): {said}; configure {configure}"));
        }
    }
    for ((version, kind), n) in &tally {
        eprintln!("qemu {version}: {n} flags {kind}");
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

/// A meson option of meson_options.txt: its type, default and, for a combo, its choices.
#[derive(Debug)]
struct MesonOption {
    kind: String,
    /// The default when it is quoted (`auto`, `disabled`), else empty.
    value: String,
    choices: Vec<String>,
}

impl MesonOption {
    fn takes(&self, value: &str) -> bool {
        match self.kind.as_str() {
            "feature" => matches!(value, "enabled" | "disabled" | "auto"),
            "boolean" => matches!(value, "true" | "false"),
            "combo" => self.choices.iter().any(|c| c == value),
            "string" | "array" => true,
            _ => false,
        }
    }
}

/// The first '…'-quoted word after `key` and a colon in `call`.
fn quoted_after<'a>(call: &'a str, key: &str) -> Option<&'a str> {
    call.match_indices(key).find_map(|(at, _)| {
        let rest = call[at + key.len()..].trim_start().strip_prefix(':')?.trim_start();
        let rest = rest.strip_prefix('[').unwrap_or(rest).trim_start().strip_prefix('\'')?;
        rest.split_once('\'').map(|(word, _)| word)
    })
}

/// `option('NAME', type : 'KIND', ...)` calls of a meson_options.txt; each starts a line.
fn meson_options(text: &str) -> BTreeMap<String, MesonOption> {
    let mut calls: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        match calls.last_mut() {
            Some(call) if !line.starts_with("option(") => call.push_str(line),
            _ => calls.push(line.to_string()),
        }
    }
    calls
        .iter()
        .filter_map(|call| {
            let name = call.strip_prefix("option(")?.trim_start().strip_prefix('\'')?.split_once('\'')?.0;
            let kind = quoted_after(call, "type").unwrap_or_else(|| panic!("no type in {call}")).to_string();
            let value = quoted_after(call, "value").unwrap_or_default().to_string();
            let choices = match call.find("choices") {
                Some(at) => {
                    let list = &call[at..];
                    let list = &list[list.find('[').unwrap_or(0)..list.find(']').unwrap_or(list.len())];
                    list.split(',').map(|c| c.trim_matches(|ch: char| "[' ".contains(ch)).to_string()).collect()
                }
                None => Vec::new(),
            };
            Some((name.to_string(), MesonOption { kind, value, choices }))
        })
        .collect()
}

/// scripts/meson-buildoptions.sh's `_meson_option_parse`: configure flag -> meson option
/// (`--enable-curl) printf "%s" -Dcurl=enabled ;;`, `--block-drv-rw-whitelist=*) quote_sh "-D…=$2" ;;`).
fn buildoptions(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let (pattern, action) = line.trim().split_once(") ")?;
            let flag = pattern.strip_suffix("=*").unwrap_or(pattern);
            let option = action.split_once("-D")?.1.split_once('=')?.0;
            flag.starts_with("--").then(|| (flag.to_string(), option.to_string()))
        })
        .collect()
}

/// `-Dname=value` -> (name, value).
fn meson_argument(text: &str) -> (&str, &str) {
    text.strip_prefix("-D").and_then(|t| t.split_once('=')).unwrap_or_else(|| panic!("not a meson argument: {text}"))
}

/// A tree's meson_options.txt and what its configure passes to meson.
struct Meson {
    options: BTreeMap<String, MesonOption>,
    passes: BTreeMap<String, String>,
}

impl Meson {
    fn read(tree: &Tree) -> Meson {
        let read = |file: &str| std::fs::read_to_string(tree.dir.join(file)).expect(file);
        let meson = Meson {
            options: meson_options(&read("meson_options.txt")),
            passes: buildoptions(&read("scripts/meson-buildoptions.sh")),
        };
        // The readers understood the files: a feature, a boolean and a string option.
        assert_eq!(meson.options.get("curl").map(|o| o.kind.as_str()), Some("feature"));
        assert_eq!(meson.options.get("block_drv_whitelist_in_tools").map(|o| o.kind.as_str()), Some("boolean"));
        assert_eq!(meson.options.get("block_drv_rw_whitelist").map(|o| o.kind.as_str()), Some("string"));
        assert_eq!(meson.passes.get("--enable-curl").map(String::as_str), Some("curl"));
        meson
    }
}

#[test]
fn meson_options_are_the_ones_drvpolicy_spells() {
    let Some(trees) = trees() else { return };
    let cases = cases();
    let mut mismatches = Vec::new();
    for tree in &trees {
        let meson = Meson::read(tree);
        let policies = policies(&tree.version, &cases);
        for case in &cases {
            let policy = &policies[&case.profile];
            // The configure flag of the same setting, and what configure passes it to meson as.
            let flag = configure_claim(case, policy).flag().to_string();
            let flag = flag.split_once('=').map_or(flag.as_str(), |(f, _)| f);
            let passed = meson.passes.get(flag);
            let mut report = |text: String| mismatches.push(format!("qemu {} {}: {text}", tree.version, case.label));
            match outcome(policy, Dialect::Meson, &case.setting) {
                Ok(text) => {
                    let (name, value) = meson_argument(&text);
                    match meson.options.get(name) {
                        None => report(format!("drvpolicy writes {text}; meson_options.txt has no `{name}`")),
                        Some(option) if !option.takes(value) => report(format!(
                            "drvpolicy writes {text}; meson_options.txt's `{name}` is a {} option, which does not take `{value}`",
                            option.kind
                        )),
                        Some(_) => {}
                    }
                    if let Some(passed) = passed.filter(|p| *p != name) {
                        report(format!("drvpolicy writes {text}; configure passes {flag} to meson as -D{passed}"));
                    }
                }
                Err(problem) => {
                    let codes = [Code::NoMesonOption, Code::UnsupportedOption];
                    assert!(codes.contains(&problem.code), "{}: {problem:?}", case.label);
                    if let Some(name) = case.meson.filter(|m| meson.options.contains_key(*m)) {
                        report(format!("drvpolicy says there is no meson option; meson_options.txt has `{name}`"));
                    }
                    if let Some(passed) = passed {
                        report(format!(
                            "drvpolicy says there is no meson option; configure passes {flag} to meson as -D{passed}"
                        ));
                    }
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

/// What a feature does when the profile does not set it: the catalogue's `default` against
/// the `value` of the meson option, where the version has one.
#[test]
fn feature_defaults_are_meson_defaults() {
    let Some(trees) = trees() else { return };
    let mut mismatches = Vec::new();
    for tree in &trees {
        let meson = Meson::read(tree);
        for (name, feature) in &Catalogue::get().features {
            let Some(option) = feature.meson.as_ref().filter(|m| m.versions.matches(&tree.version)) else { continue };
            let Some(range) = feature.configure.iter().find(|r| r.versions.matches(&tree.version)) else { continue };
            let Some(found) = meson.options.get(option.option.as_str()) else { continue };
            let expected = match range.default {
                drvpolicy::catalogue::Default::Auto => "auto",
                drvpolicy::catalogue::Default::Disabled => "disabled",
            };
            if found.value != expected {
                mismatches.push(format!(
                    "qemu {} feature {name}: the catalogue's default is {expected:?}; meson_options.txt's `{}` has value {:?}",
                    tree.version, option.option, found.value
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}
