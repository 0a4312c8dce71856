//! `diff --generated`: unified diffs of what `generate` writes for two profiles.

use crate::diagnostic::Result;
use crate::generate::{configure, libguestfs, spec};
use crate::options::Dialect;
use crate::policy::Policy;
use crate::render::Renderer;
use crate::unified::{UnifiedDiff, unified};
use serde::Serialize;

/// Which generated text to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Generated {
    /// `generate spec` (inline style).
    Spec,
    /// `generate configure`, per arch.
    Configure,
    /// `generate libguestfs` (text).
    Libguestfs,
}

impl Generated {
    pub const ALL: [Generated; 3] = [Generated::Spec, Generated::Configure, Generated::Libguestfs];

    pub fn as_str(self) -> &'static str {
        match self {
            Generated::Spec => "spec",
            Generated::Configure => "configure",
            Generated::Libguestfs => "libguestfs",
        }
    }
}

/// Both sides' generated headers name the profile; this stands for it on both sides, so that
/// only differences of content show.
pub const PROFILE_PLACEHOLDER: &str = "PROFILE";

#[derive(Debug, Serialize)]
pub struct GeneratedDiff {
    /// Only the texts that differ.
    pub files: Vec<UnifiedDiff>,
}

impl GeneratedDiff {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
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
    let files = texts
        .into_iter()
        .map(|(old_name, new_name, o, n)| unified(&old_name, &new_name, &o, &n))
        .filter(|d| !d.is_empty())
        .collect();
    Ok(GeneratedDiff { files })
}
