//! What the profile is called and what it describes: name, product and release, the qemu
//! package and version, the arches. Each comes from an option, from the file, or from the
//! header `generate spec` writes; each says where it came from.

use super::rpm::{SourceLine, Tag};
use super::unknown::first_unknown;
use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result, did_you_mean};

/// A value and where it came from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fact {
    pub value: String,
    pub from: Source,
}

/// Where a fact of the profile came from: structured in JSON; as text (`Display`), the
/// comment the written profile gives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// A command-line option (`--qemu-version`).
    Option { option: String },
    /// Lines of the file: a tag (`Version:`, `ExclusiveArch`) or the drvpolicy header.
    Lines { lines: Vec<TaggedLine> },
    /// The profile's name (`my-7.9`: product `my`, release `7.9`); `whole` when all of it.
    Name { name: String, whole: bool },
    /// The arches the file's `%ifarch` lines name (it has no ExclusiveArch).
    Conditionals { file: String },
    /// Nothing said it: the package `qemu`.
    Default,
    /// Nothing said it: a release the packager is to set.
    Placeholder { name: String },
}

/// One line of the file and what on it says the fact.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaggedLine {
    pub file: String,
    pub line: usize,
    /// `Version:`, `Name:`, `ExclusiveArch`, `BuildArch` or `the drvpolicy header`.
    pub what: String,
}

impl Source {
    fn option(option: &str) -> Source {
        Source::Option { option: option.to_string() }
    }

    fn line(file: &str, line: usize, what: &str) -> Source {
        Source::Lines { lines: vec![TaggedLine { file: file.to_string(), line, what: what.to_string() }] }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Option { option } => f.write_str(option),
            Source::Lines { lines } => {
                let lines: Vec<String> = lines.iter().map(|l| format!("{}:{} ({})", l.file, l.line, l.what)).collect();
                write!(f, "from {}", lines.join(", "))
            }
            Source::Name { whole: true, .. } => f.write_str("the name"),
            Source::Name { name, whole: false } => write!(f, "from the name {name}"),
            Source::Conditionals { file } => {
                write!(f, "named in the conditionals of {file} (it has no ExclusiveArch): check them")
            }
            Source::Default => f.write_str("a default: pass --package"),
            Source::Placeholder { name } => write!(f, "a placeholder: the name {name} does not end in a release"),
        }
    }
}

/// What `generate spec` writes at the top of its snippet, and a sync region's begin marker.
#[derive(Debug, Default)]
pub struct Header {
    /// (profile, package, version, line).
    pub generated: Option<(String, String, String, usize)>,
    /// (profile, line) of `# drvpolicy:begin PROFILE`.
    pub marker: Option<(String, usize)>,
}

const GENERATED: &str = "# drvpolicy: qemu block-driver configuration of ";
const BEGIN: &str = "# drvpolicy:begin ";

pub fn header(lines: &[SourceLine]) -> Header {
    let mut header = Header::default();
    for line in lines {
        let text = line.text.trim();
        if header.generated.is_none()
            && let Some(rest) = text.strip_prefix(GENERATED)
            && let Some((name, package_version)) =
                rest.trim_end_matches('.').strip_suffix(')').and_then(|r| r.split_once(" ("))
            && let Some((package, version)) = package_version.rsplit_once(' ')
        {
            header.generated = Some((name.to_string(), package.to_string(), version.to_string(), line.number));
        }
        if header.marker.is_none()
            && let Some(rest) = text.strip_prefix(BEGIN)
            && let Some(name) = rest.split_whitespace().next()
        {
            header.marker = Some((name.to_string(), line.number));
        }
    }
    header
}

fn tag<'a>(tags: &'a [Tag], name: &str) -> Option<&'a Tag> {
    tags.iter().find(|t| t.name == name)
}

/// The qemu version: `--qemu-version`, `Version:`, or the generated header; required.
pub fn version(option: Option<&str>, tags: &[Tag], header: &Header, file: &str) -> Result<Fact> {
    let fact = if let Some(v) = option {
        Fact { value: v.to_string(), from: Source::option("--qemu-version") }
    } else if let Some(t) = tag(tags, "version").filter(|t| first_unknown(&t.value).is_none()) {
        Fact { value: t.value.clone(), from: Source::line(file, t.line, "Version:") }
    } else if let Some((_, _, v, line)) = &header.generated {
        Fact { value: v.clone(), from: Source::line(file, *line, "the drvpolicy header") }
    } else {
        return Err(Failure::single(
            Diagnostic::error(Code::NoQemuVersion, format!("{file} does not say which qemu version it builds"))
                .with_help("pass --qemu-version, for example --qemu-version 1.5.3"),
        ));
    };
    match crate::version::normalise(&fact.value) {
        Some(v) => Ok(Fact { value: crate::version::short(&v), from: fact.from }),
        None => Err(Failure::single(
            Diagnostic::error(Code::BadVersion, format!("`{}` is not a qemu version ({})", fact.value, fact.from))
                .with_help("pass --qemu-version, for example --qemu-version 2.12.0"),
        )),
    }
}

/// The qemu package: `--package`, `Name:`, the generated header, or `qemu` (with a note).
pub fn package(option: Option<&str>, tags: &[Tag], header: &Header, file: &str) -> (Fact, Option<String>) {
    if let Some(p) = option {
        return (Fact { value: p.to_string(), from: Source::option("--package") }, None);
    }
    if let Some(t) = tag(tags, "name").filter(|t| first_unknown(&t.value).is_none() && !t.value.is_empty()) {
        return (Fact { value: t.value.clone(), from: Source::line(file, t.line, "Name:") }, None);
    }
    if let Some((_, p, _, line)) = &header.generated {
        return (Fact { value: p.clone(), from: Source::line(file, *line, "the drvpolicy header") }, None);
    }
    let note = format!("{file} names no package (no `Name:`): the profile says `qemu`; pass --package to change it");
    (Fact { value: "qemu".into(), from: Source::Default }, Some(note))
}

fn file_stem(path: &str) -> String {
    let name = std::path::Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or(path);
    name.to_string()
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The profile name: `--name`, the stem of `--output`, the header or marker, the file's stem.
pub fn name(option: Option<&str>, output: Option<&str>, header: &Header, file: &str) -> Result<String> {
    let output_stem = output.map(file_stem);
    if let (Some(name), Some(stem)) = (option, &output_stem)
        && name != stem
    {
        return Err(Failure::single(
            Diagnostic::error(
                Code::NameMismatch,
                format!(
                    "--name {name} and --output {}: drvpolicy knows a profile by its file name",
                    output.unwrap_or("")
                ),
            )
            .with_help(format!("write it to {name}.toml, or drop --name")),
        ));
    }
    let name = option
        .map(str::to_string)
        .or(output_stem)
        .or_else(|| header.generated.as_ref().map(|g| g.0.clone()))
        .or_else(|| header.marker.as_ref().map(|m| m.0.clone()))
        .unwrap_or_else(|| file_stem(file));
    if !valid_name(&name) {
        return Err(Failure::single(
            Diagnostic::error(Code::BadName, format!("`{name}` cannot be a profile name"))
                .with_help("use letters, digits, `.`, `_` and `-`, as in my-7.9"),
        ));
    }
    Ok(name)
}

/// `rhel-7.2-rhev` -> (`rhel-rhev`, `7.2`): the last dash-separated part that is a version.
fn split_name(name: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = name.split('-').collect();
    let index = parts.iter().rposition(|p| {
        p.chars().next().is_some_and(|c| c.is_ascii_digit()) && crate::version::normalise(p).is_some()
    })?;
    let product: Vec<&str> = parts.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, p)| *p).collect();
    let product = if product.is_empty() { name.to_string() } else { product.join("-") };
    Some((product, parts.get(index)?.to_string()))
}

/// What `[profile] release` says when neither `--release` nor the name gives one: the
/// profile is written all the same, the value marked for the packager to set.
pub const PLACEHOLDER_RELEASE: &str = "0";

/// `[profile]` product and release: the options, or read from the name. A release that
/// neither gives is `None` (a placeholder is written); one that is not a version is an error.
pub fn product_release(name: &str, product: Option<&str>, release: Option<&str>) -> Result<(Fact, Option<Fact>)> {
    let derived = split_name(name);
    let release = match (release, &derived) {
        (Some(r), _) => Some(Fact { value: r.to_string(), from: Source::option("--release") }),
        (None, Some((_, r))) => {
            Some(Fact { value: r.clone(), from: Source::Name { name: name.to_string(), whole: false } })
        }
        (None, None) => None,
    };
    if let Some(r) = release.as_ref().filter(|r| crate::version::normalise(&r.value).is_none()) {
        return Err(Failure::single(
            Diagnostic::error(Code::BadVersion, format!("`{}` is not a release version ({})", r.value, r.from))
                .with_help("a release is a version such as 7.9 or 13"),
        ));
    }
    let product = match (product, derived) {
        (Some(p), _) => Fact { value: p.to_string(), from: Source::option("--product") },
        (None, Some((p, _))) => Fact { value: p, from: Source::Name { name: name.to_string(), whole: false } },
        (None, None) => Fact { value: name.to_string(), from: Source::Name { name: name.to_string(), whole: true } },
    };
    Ok((product, release))
}

/// The arches of the profile, where they came from, and notes on names left out.
pub struct Arches {
    pub list: Vec<String>,
    pub from: Source,
    /// Set when the arches are only inferred from the spec's conditionals.
    pub guessed: bool,
    pub notes: Vec<String>,
}

fn check_known(arch: &str) -> Result<()> {
    let catalogue = Catalogue::get();
    if catalogue.is_known_arch(arch) {
        return Ok(());
    }
    Err(Failure::single(
        Diagnostic::error(Code::UnknownArch, format!("unknown architecture `{arch}` in --arches")).with_help(
            did_you_mean(arch, catalogue.arches.known.iter().map(crate::catalogue::Text::as_str))
                .unwrap_or_else(|| format!("known: {}", catalogue.arches.known.join(", "))),
        ),
    ))
}

/// `--arches`, else `ExclusiveArch:`/`BuildArch:` (less `ExcludeArch:`), else the arches the
/// conditionals name. A build script names none: it needs `--arches`.
pub fn arches(option: Option<&[String]>, tags: &[Tag], conditional: &[String], file: &str) -> Result<Arches> {
    let catalogue = Catalogue::get();
    let mut notes = Vec::new();
    if let Some(list) = option {
        let mut out: Vec<String> = Vec::new();
        for arch in list {
            check_known(arch)?;
            if !out.contains(arch) {
                out.push(arch.clone());
            }
        }
        return Ok(Arches { list: out, from: Source::option("--arches"), guessed: false, notes });
    }
    let mut list: Vec<String> = Vec::new();
    let mut from_lines = Vec::new();
    for t in tags.iter().filter(|t| t.name == "exclusivearch" || t.name == "buildarch") {
        if first_unknown(&t.value).is_some() {
            notes.push(format!("{file}:{}: the arches of `{}` are not all known; pass --arches", t.line, t.value));
        }
        let tag = if t.name == "buildarch" { "BuildArch" } else { "ExclusiveArch" };
        from_lines.push(TaggedLine { file: file.to_string(), line: t.line, what: tag.to_string() });
        for word in super::unknown::pieces(&t.value).into_iter().filter_map(|p| match p {
            super::unknown::Piece::Text(t) => Some(t),
            super::unknown::Piece::Unknown(_) => None,
        }) {
            for arch in word.split([' ', '\t', ',']).filter(|a| !a.is_empty() && *a != "noarch") {
                if !catalogue.is_known_arch(arch) {
                    notes.push(format!("{file}:{}: `{arch}` is not an arch the catalogue knows; left out", t.line));
                } else if !list.iter().any(|a| a == arch) {
                    list.push(arch.to_string());
                }
            }
        }
    }
    for t in tags.iter().filter(|t| t.name == "excludearch") {
        let excluded: Vec<&str> = t.value.split_whitespace().collect();
        list.retain(|a| !excluded.contains(&a.as_str()));
    }
    if !list.is_empty() {
        return Ok(Arches { list, from: Source::Lines { lines: from_lines }, guessed: false, notes });
    }
    let named: Vec<String> = conditional.iter().filter(|a| catalogue.is_known_arch(a)).cloned().collect();
    if !named.is_empty() {
        return Ok(Arches { list: named, from: Source::Conditionals { file: file.to_string() }, guessed: true, notes });
    }
    Err(Failure::single(
        Diagnostic::error(Code::NoArches, format!("{file} does not say which arches it builds"))
            .with_help("pass --arches, for example --arches x86_64,ppc64le,aarch64"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_and_release_from_the_name() {
        assert_eq!(split_name("rhel-7.2-rhev"), Some(("rhel-rhev".into(), "7.2".into())));
        assert_eq!(split_name("my-7.9"), Some(("my".into(), "7.9".into())));
        assert_eq!(split_name("debian-13"), Some(("debian".into(), "13".into())));
        assert_eq!(split_name("qemu-kvm"), None);
        let values = |(p, r): (Fact, Option<Fact>)| (p.value, r.map(|r| r.value));
        // No release in the name: none is made up (the caller writes a marked placeholder).
        assert_eq!(values(product_release("qemu-kvm-el7", None, None).unwrap()), ("qemu-kvm-el7".into(), None));
        assert_eq!(
            values(product_release("qemu-kvm", Some("rhel"), Some("7.9")).unwrap()),
            ("rhel".into(), Some("7.9".into()))
        );
        assert_eq!(values(product_release("my-7.9", None, None).unwrap()), ("my".into(), Some("7.9".into())));
        assert!(product_release("my-7.9", None, Some("seven")).is_err(), "a --release that is no version");
    }

    #[test]
    fn the_generated_header_names_profile_package_and_version() {
        let lines = super::super::rpm::split_lines(
            "# drvpolicy:begin rhel-7.3 style=globals\n# drvpolicy: qemu block-driver configuration of rhel-7.2-rhev (qemu-kvm-rhev 2.3.0).\n",
        );
        let h = header(&lines);
        assert_eq!(h.generated, Some(("rhel-7.2-rhev".into(), "qemu-kvm-rhev".into(), "2.3.0".into(), 2)));
        assert_eq!(h.marker, Some(("rhel-7.3".into(), 1)));
    }

    #[test]
    fn names_follow_the_output_file() {
        let h = Header::default();
        assert_eq!(name(None, Some("profiles/my-7.9.toml"), &h, "qemu-kvm.spec").unwrap(), "my-7.9");
        assert!(name(Some("my-7.9"), Some("profiles/other.toml"), &h, "x.spec").is_err());
        assert_eq!(name(None, None, &h, "dir/qemu-kvm.spec").unwrap(), "qemu-kvm");
        assert!(name(Some("a b"), None, &h, "x.spec").is_err());
    }
}
