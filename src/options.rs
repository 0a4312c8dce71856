//! A resolved arch's build options as arguments: `./configure` flags or meson `-D` options,
//! spelled for the profile's qemu version. The one place that knows option spelling.

use crate::catalogue::{Catalogue, Effect, WhitelistOption};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::{ArchPolicy, Policy};
use crate::profile::FeatureState;
use crate::source::Origin;
use semver::Version;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// `./configure --enable-X` flags.
    Configure,
    /// meson `-DX=enabled` options (qemu 6.0 and later).
    Meson,
}

impl Dialect {
    pub const ALL: [Dialect; 2] = [Dialect::Configure, Dialect::Meson];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Configure => "configure",
            Dialect::Meson => "meson",
        }
    }
}

/// What an argument sets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "name")]
pub enum Setting {
    /// `extra-args`, passed as written.
    Extra,
    Feature(String),
    RwWhitelist,
    RoWhitelist,
    WhitelistInTools,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    pub text: String,
    pub setting: Setting,
    pub origin: Origin,
}

/// An option the qemu version cannot take as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub origin: Origin,
    pub help: Option<String>,
}

impl Problem {
    /// The diagnostic, pointing at the profile line that set the option.
    pub fn into_diagnostic(self) -> Diagnostic {
        let d = match self.severity {
            Severity::Error => Diagnostic::error(self.code, self.message),
            Severity::Warning => Diagnostic::warning(self.code, self.message),
        };
        d.at_origin(&self.origin, "set here").with_help_opt(self.help)
    }
}

/// The first meson-built qemu. Source: qemu.md 1e (meson options from 6.0).
const FIRST_MESON: Version = Version::new(6, 0, 0);

/// The arguments for one arch, in order: `extra-args` as written, build options as declared,
/// then the whitelists.
pub fn arguments(policy: &Policy, arch: &ArchPolicy, dialect: Dialect) -> (Vec<Argument>, Vec<Problem>) {
    build(policy, arch, dialect, true)
}

/// What `arguments` finds that the qemu version cannot take, without writing the arguments
/// (`check` asks it of every arch of every profile).
pub fn problems(policy: &Policy, arch: &ArchPolicy, dialect: Dialect) -> Vec<Problem> {
    build(policy, arch, dialect, false).1
}

fn build(policy: &Policy, arch: &ArchPolicy, dialect: Dialect, keep: bool) -> (Vec<Argument>, Vec<Problem>) {
    let catalogue = Catalogue::get();
    let version = &policy.qemu.version.value;
    let backports = &policy.qemu.backports;
    let mut out = Outcome { keep, arguments: Vec::new(), problems: Vec::new() };
    if dialect == Dialect::Meson && *version < FIRST_MESON {
        out.error(
            Code::NoMeson,
            format!("qemu {version} is built with configure only; meson options exist from 6.0"),
            policy.qemu.version.origin.clone(),
            Some("use the configure dialect".into()),
        );
        return (out.arguments, out.problems);
    }
    for extra in arch.extra_args.iter() {
        if let Some(owner) = modelled_by(&extra.value, policy) {
            out.error(
                Code::ExtraArgModelled,
                format!("`{}` is a build option drvpolicy models: it belongs in {owner}", extra.value),
                extra.origin.clone(),
                Some(
                    "extra-args are passed unchecked; the model's own settings are checked against the qemu version"
                        .into(),
                ),
            );
            continue;
        }
        out.push(|| extra.value.clone(), || Setting::Extra, &extra.origin);
    }
    for setting in arch.features.iter() {
        let enable = match setting.state {
            FeatureState::Enable => true,
            FeatureState::Disable => false,
            FeatureState::Auto | FeatureState::Unavailable => continue,
        };
        let feature_setting = || Setting::Feature(setting.name.clone());
        let origin = setting.origin.clone();
        if let Some(custom) = policy.custom_feature(&setting.name) {
            match dialect {
                Dialect::Configure => out.push(|| switch(&custom.flag, enable), feature_setting, &origin),
                Dialect::Meson => match &custom.meson {
                    Some(option) => out.push(|| meson_feature(option, enable), feature_setting, &origin),
                    None => out.error(
                        Code::NoMesonOption,
                        format!("the custom feature `{}` has no meson spelling", setting.name),
                        origin,
                        Some(format!("add `meson = \"...\"` to custom-features.{}", setting.name)),
                    ),
                },
            }
            continue;
        }
        let Some(feature) = catalogue.feature(&setting.name) else { continue };
        match dialect {
            Dialect::Configure => {
                match feature.configure.iter().find(|r| r.versions.matches(version)) {
                    Some(range) => {
                        if range.effect == Effect::Obsolete {
                            out.problems.push(Problem {
                                severity: Severity::Warning,
                                code: Code::ObsoleteOption,
                                message: format!(
                                    "qemu {version}'s configure accepts {} but ignores it",
                                    switch(&setting.name, enable)
                                ),
                                origin: origin.clone(),
                                help: Some(format!("{}: the flag changes nothing in this version", feature.summary)),
                            });
                        }
                        out.push(|| switch(&setting.name, enable), feature_setting, &origin);
                    }
                    None => {
                        let accepted = feature.configure_versions();
                        out.error(
                        Code::UnsupportedOption,
                        format!("qemu {version}'s configure does not accept {} (it fails with \"ERROR: unknown option\")", switch(&setting.name, enable)),
                        origin,
                        Some(replacement(&setting.name, version, catalogue).map_or_else(
                            || format!("configure accepts it in qemu {accepted}"),
                            |r| format!("configure accepts it in qemu {accepted}; in {version} use `{r}`"),
                        )),
                    );
                    }
                }
            }
            Dialect::Meson => match feature.meson.as_ref().filter(|m| m.versions.matches(version)) {
                Some(m) => out.push(|| meson_feature(&m.option, enable), feature_setting, &origin),
                None => out.error(
                    Code::NoMesonOption,
                    format!("qemu {version} has no meson option for `{}`", setting.name),
                    origin,
                    feature
                        .meson
                        .as_ref()
                        .map(|m| format!("meson option `{}` exists in qemu {}", m.option, m.versions)),
                ),
            },
        }
    }

    let whitelist = &catalogue.whitelist;
    for (list, option, legacy, setting) in [
        (&arch.rw_whitelist, &whitelist.rw, Some(&whitelist.legacy), Setting::RwWhitelist),
        (&arch.ro_whitelist, &whitelist.ro, None, Setting::RoWhitelist),
    ] {
        let Some(first) = list.first() else { continue };
        let value = || list.iter().map(|d| d.value.as_str()).collect::<Vec<_>>().join(",");
        let origin = first.origin.clone();
        match dialect {
            Dialect::Configure => {
                let flag =
                    [Some(option), legacy].into_iter().flatten().find(|o| o.configure_accepts(version, backports));
                match flag {
                    Some(o) => out.push(|| format!("{}={}", o.flag, value()), || setting.clone(), &origin),
                    None => out.error(
                        Code::UnsupportedOption,
                        format!("qemu {version}'s configure has no {} option", option.flag),
                        origin,
                        Some(whitelist_help(option)),
                    ),
                }
            }
            Dialect::Meson => match option.meson_option(version) {
                Some(m) => out.push(|| format!("-D{m}={}", value()), || setting.clone(), &origin),
                None => out.error(
                    Code::NoMesonOption,
                    format!("qemu {version} has no meson option for {}", option.flag),
                    origin,
                    Some(meson_help(option)),
                ),
            },
        }
    }
    if arch.whitelist_in_tools.value || arch.whitelist_in_tools_set {
        let on = arch.whitelist_in_tools.value;
        let option = &whitelist.in_tools;
        let origin = arch.whitelist_in_tools.origin.clone();
        match dialect {
            Dialect::Configure if option.configure_accepts(version, backports) => {
                let flag =
                    || if on { option.flag.to_string() } else { option.flag.replacen("--enable-", "--disable-", 1) };
                out.push(flag, || Setting::WhitelistInTools, &origin)
            }
            Dialect::Meson if option.meson_option(version).is_some() => out.push(
                || format!("-D{}={on}", option.meson_option(version).unwrap_or_default()),
                || Setting::WhitelistInTools,
                &origin,
            ),
            _ => out.error(
                Code::UnsupportedOption,
                if on {
                    format!("qemu {version} cannot apply the whitelists in the tools")
                } else {
                    format!("qemu {version}'s configure has no {} option to turn off", option.flag)
                },
                origin,
                Some(whitelist_help(option)),
            ),
        }
    }
    (out.arguments, out.problems)
}

/// Whether `arguments` gives two arches of one policy the same arguments and problems: it reads
/// only these of an arch (of the whitelists, their first entry's origin and their text).
pub fn same_options(a: &ArchPolicy, b: &ArchPolicy) -> bool {
    a.extra_args == b.extra_args
        && a.features == b.features
        && a.rw_whitelist == b.rw_whitelist
        && a.ro_whitelist == b.ro_whitelist
        && a.whitelist_in_tools == b.whitelist_in_tools
        && a.whitelist_in_tools_set == b.whitelist_in_tools_set
}

struct Outcome {
    /// Whether the arguments are wanted, or only the problems (`problems`).
    keep: bool,
    arguments: Vec<Argument>,
    problems: Vec<Problem>,
}

impl Outcome {
    /// An argument, written only when it is kept.
    fn push(&mut self, text: impl FnOnce() -> String, setting: impl FnOnce() -> Setting, origin: &Origin) {
        if self.keep {
            self.arguments.push(Argument { text: text(), setting: setting(), origin: origin.clone() });
        }
    }

    fn error(&mut self, code: Code, message: String, origin: Origin, help: Option<String>) {
        self.problems.push(Problem { severity: Severity::Error, code, message, origin, help });
    }
}

/// Where an argument written in `extra-args` belongs when the model has a setting for it.
fn modelled_by(argument: &str, policy: &Policy) -> Option<String> {
    modelled_option(argument, &|name| policy.custom_feature(name).is_some())
}

/// `modelled_by` for a profile still being written (`import`), which knows its custom
/// features by name only.
pub fn modelled_option(argument: &str, custom: &dyn Fn(&str) -> bool) -> Option<String> {
    let catalogue = Catalogue::get();
    let option = argument.split_once('=').map_or(argument, |(o, _)| o);
    let whitelist = &catalogue.whitelist;
    if [&whitelist.rw, &whitelist.ro, &whitelist.legacy].iter().any(|w| w.flag == option) {
        return Some("rw-whitelist / ro-whitelist".to_string());
    }
    if option == whitelist.in_tools.flag || option == whitelist.in_tools.flag.replacen("--enable-", "--disable-", 1) {
        return Some("whitelist-in-tools".to_string());
    }
    let name = option.strip_prefix("--enable-").or_else(|| option.strip_prefix("--disable-"))?;
    (catalogue.feature(name).is_some() || custom(name)).then(|| {
        format!(
            "[qemu.features] as `{name} = \"{}\"`",
            if option.starts_with("--enable-") { "enable" } else { "disable" }
        )
    })
}

fn switch(flag: &str, enable: bool) -> String {
    format!("--{}-{flag}", if enable { "enable" } else { "disable" })
}

fn meson_feature(option: &str, enable: bool) -> String {
    format!("-D{option}={}", if enable { "enabled" } else { "disabled" })
}

fn whitelist_help(option: &WhitelistOption) -> String {
    match &option.backport {
        Some(b) => format!(
            "{} exists from qemu {} (or with the backport `{b}` in [qemu] backports)",
            option.flag, option.versions
        ),
        None => format!("{} exists in qemu {}", option.flag, option.versions),
    }
}

fn meson_help(option: &WhitelistOption) -> String {
    match (&option.meson, &option.meson_versions) {
        (Some(m), Some(v)) => format!("meson option `{m}` exists in qemu {v}"),
        _ => "there is no meson spelling".into(),
    }
}

/// Another feature that builds the same drivers and that this version accepts
/// (`libssh` for `libssh2` on 4.1+).
fn replacement(feature: &str, version: &Version, catalogue: &Catalogue) -> Option<String> {
    catalogue.drivers.values().filter(|d| d.features().any(|f| f == feature)).find_map(|d| {
        let now = d.built_by(version)?;
        (now != feature && catalogue.feature(now)?.configure.iter().any(|r| r.versions.matches(version)))
            .then(|| now.to_string())
    })
}

/// Arguments as plain strings, for callers that only need the text.
pub fn texts(arguments: &[Argument]) -> Vec<String> {
    arguments.iter().map(|a| a.text.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `problems` is `arguments` without the arguments: the same problems, for every arch of the
    /// shipped profiles and of the check fixtures (which have options their versions reject), in
    /// both dialects (the meson one also finds the problems of versions before meson).
    #[test]
    fn problems_are_the_problems_of_arguments() {
        let (mut written_any, mut found_any) = (0, 0);
        // With their errors too: those of the options are what is compared.
        for (name, policy) in crate::resolve::check_fixture_policies() {
            for arch in &policy.arches {
                for dialect in Dialect::ALL {
                    let (written, found) = arguments(&policy, arch, dialect);
                    assert_eq!(problems(&policy, arch, dialect), found, "{name} {} {dialect:?}", arch.arch);
                    written_any += usize::from(!written.is_empty());
                    found_any += found.len();
                }
            }
        }
        assert!(written_any > 100 && found_any > 20, "{written_any} {found_any}");
    }
}
