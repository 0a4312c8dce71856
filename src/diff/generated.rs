//! `diff --generated`: unified diffs of what `generate` writes for two profiles.

use crate::diagnostic::Result;
use crate::generate::{configure, libguestfs, spec};
use crate::options::Dialect;
use crate::policy::Policy;
use crate::render::Renderer;
use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// Which generated text to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Generated {
    /// `generate spec` (inline style).
    Spec,
    /// `generate configure`, per arch.
    Configure,
    /// `generate libguestfs` (text).
    Libguestfs,
}

/// Both sides' generated headers name the profile; this stands for it on both sides, so that
/// only differences of content show.
pub const PROFILE_PLACEHOLDER: &str = "PROFILE";

#[derive(Debug, Serialize)]
pub struct GeneratedDiff {
    /// Only the texts that differ.
    pub files: Vec<FileDiff>,
}

impl GeneratedDiff {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[derive(Debug, Serialize)]
pub struct FileDiff {
    pub old_name: String,
    pub new_name: String,
    pub hunks: Vec<Hunk>,
}

#[derive(Debug, Serialize)]
pub struct Hunk {
    /// `@@ -1,4 +1,5 @@`.
    pub header: String,
    pub lines: Vec<HunkLine>,
}

#[derive(Debug, Serialize)]
pub struct HunkLine {
    /// `-`, `+` or a space.
    pub sign: String,
    /// The line without its newline.
    pub text: String,
}

/// The unified diff (3 lines of context) of two texts, or `None` when they are equal.
pub fn unified(old_name: String, new_name: String, old: &str, new: &str) -> Option<FileDiff> {
    let diff = TextDiff::from_lines(old, new);
    let hunks: Vec<Hunk> = diff
        .unified_diff()
        .context_radius(3)
        .iter_hunks()
        .map(|hunk| Hunk {
            header: hunk.header().to_string(),
            lines: hunk
                .iter_changes()
                .map(|change| HunkLine {
                    sign: match change.tag() {
                        ChangeTag::Equal => " ",
                        ChangeTag::Delete => "-",
                        ChangeTag::Insert => "+",
                    }
                    .to_string(),
                    text: change.value().trim_end_matches('\n').to_string(),
                })
                .collect(),
        })
        .collect();
    (!hunks.is_empty()).then_some(FileDiff { old_name, new_name, hunks })
}

/// Generates `what` for both profiles and compares the texts. Configure compares `arches`
/// (each must be built by both profiles).
pub fn compare(
    old: &Policy,
    new: &Policy,
    what: Generated,
    arches: &[String],
    renderer: &Renderer,
) -> Result<GeneratedDiff> {
    let mut texts: Vec<(String, String, String, String)> = Vec::new();
    match what {
        Generated::Spec => {
            let render = |policy: &Policy| -> Result<String> {
                let mut view = spec::view(policy, spec::SpecStyle::Inline)?;
                view.profile = PROFILE_PLACEHOLDER.to_string();
                renderer.render("spec.j2", &view)
            };
            texts.push((
                format!("{} (generate spec)", old.name),
                format!("{} (generate spec)", new.name),
                render(old)?,
                render(new)?,
            ));
        }
        Generated::Libguestfs => {
            let render = |policy: &Policy| -> Result<String> {
                let mut view = libguestfs::view(policy, None);
                view.profile = PROFILE_PLACEHOLDER.to_string();
                renderer.render("libguestfs.txt.j2", &view)
            };
            texts.push((
                format!("{} (generate libguestfs)", old.name),
                format!("{} (generate libguestfs)", new.name),
                render(old)?,
                render(new)?,
            ));
        }
        Generated::Configure => {
            for arch in arches {
                let render = |policy: &Policy| -> Result<String> {
                    let arch = policy.arch(arch).expect("an arch of both profiles");
                    let mut view = configure::view(policy, arch, Dialect::Configure, false)?;
                    view.profile = PROFILE_PLACEHOLDER.to_string();
                    renderer.render("configure.j2", &view)
                };
                texts.push((
                    format!("{} (generate configure --arch {arch})", old.name),
                    format!("{} (generate configure --arch {arch})", new.name),
                    render(old)?,
                    render(new)?,
                ));
            }
        }
    }
    let files =
        texts.into_iter().filter_map(|(old_name, new_name, o, n)| unified(old_name, new_name, &o, &n)).collect();
    Ok(GeneratedDiff { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert!(unified("a".into(), "b".into(), "x\ny\n", "x\ny\n").is_none());
    }

    #[test]
    fn a_changed_line_is_one_hunk_with_context() {
        let diff = unified("a".into(), "b".into(), "1\n2\n3\n", "1\nTWO\n3\n").expect("a diff");
        assert_eq!(diff.hunks.len(), 1);
        assert_eq!(diff.hunks[0].header, "@@ -1,3 +1,3 @@");
        let lines: Vec<String> = diff.hunks[0].lines.iter().map(|l| format!("{}{}", l.sign, l.text)).collect();
        assert_eq!(lines, [" 1", "-2", "+TWO", " 3"]);
    }
}
