//! All rendered text comes from minijinja templates: the embedded ones in `templates/`,
//! each replaceable by a file of the same name in `--templates DIR`.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result};
use include_dir::{Dir, include_dir};
use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

pub struct Renderer {
    env: Environment<'static>,
    /// Whether a render leaves its context's values unfreed (`for_one_run`).
    keep_values: bool,
}

impl Renderer {
    /// The embedded templates, overridden by name from `dir` if given.
    pub fn new(dir: Option<&Path>) -> Result<Renderer> {
        if let Some(dir) = dir
            && !dir.is_dir()
        {
            let message = format!("the template directory {} does not exist", dir.display());
            return Err(Failure::single(Diagnostic::error(Code::Io, message)));
        }
        let dir: Option<PathBuf> = dir.map(Path::to_path_buf);
        let mut env = match dir {
            // A user's templates may use any of minijinja's builtins.
            Some(_) => Environment::new(),
            None => embedded_environment(),
        };
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| Failure::single(Diagnostic::error(Code::Template, e.to_string())))?;
        env.set_syntax(syntax);
        env.add_filter("pad", pad);
        env.add_filter("layer", layer_label);
        env.add_filter("outcome", outcome_symbol);
        env.add_filter("origin", origin_text);
        env.add_filter("installed", installed_text);
        env.add_filter("short", column_header);
        env.add_filter("symbol", cell_symbol);
        env.add_filter("per_arch", per_arch);
        env.set_loader(move |name| {
            if let Some(dir) = &dir {
                let path = dir.join(name);
                if path.is_file() {
                    return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            format!("cannot read {}: {e}", path.display()),
                        )
                    });
                }
            }
            Ok(TEMPLATES.get_file(name).and_then(|f| f.contents_utf8()).map(str::to_string))
        });
        Ok(Renderer { env, keep_values: false })
    }

    /// For a process that ends once its output is written: each render leaves the values it
    /// made of its context for the exit to free (`list` of 10,000 profiles spent a tenth of
    /// its serial time freeing them).
    pub fn for_one_run(mut self) -> Renderer {
        self.keep_values = true;
        self
    }

    /// Renders `template` with `context`. An unknown variable is an error, not a blank.
    pub fn render(&self, template: &str, context: impl Serialize) -> Result<String> {
        let values = minijinja::Value::from(minijinja::value::Serde(&context));
        let result = self.env.get_template(template).and_then(|t| t.render(values.clone()));
        if self.keep_values {
            std::mem::forget(values);
        }
        result.map_err(|e| {
            let mut message = format!("template `{template}`: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            Failure::single(
                Diagnostic::error(Code::Template, message)
                    .with_help("check the template against the variables of README.md"),
            )
        })
    }

    /// The embedded templates: name and text, by name.
    pub fn embedded() -> Vec<(&'static str, &'static str)> {
        let mut all: Vec<(&str, &str)> =
            TEMPLATES.files().filter_map(|f| Some((f.path().to_str()?, f.contents_utf8()?))).collect();
        all.sort_unstable();
        all
    }
}

/// An environment with only the builtins the embedded templates use: building minijinja's
/// whole set of filters and tests is a tenth of a short command's work in minijinja.
fn embedded_environment() -> Environment<'static> {
    use minijinja::{filters, tests};
    let mut env = Environment::empty();
    env.set_auto_escape_callback(minijinja::default_auto_escape_callback);
    env.add_filter("default", filters::default);
    env.add_filter("join", filters::join);
    env.add_filter("length", filters::length);
    env.add_filter("list", filters::list);
    env.add_filter("map", filters::map);
    env.add_filter("max", filters::max);
    env.add_filter("rejectattr", filters::rejectattr);
    env.add_filter("replace", filters::replace);
    env.add_filter("selectattr", filters::selectattr);
    env.add_filter("sum", filters::sum);
    env.add_filter("trim", filters::trim);
    env.add_test("eq", tests::is_eq);
    env.add_test("none", tests::is_none);
    env.add_function("namespace", minijinja::functions::namespace);
    env
}

/// `{{ step.layer | layer }}`: `rw whitelist` for `rw-whitelist`.
fn layer_label(id: String) -> String {
    crate::access::Layer::from_id(&id).map_or(id, |l| l.label().to_string())
}

/// `{{ step.outcome | outcome }}`: `ok`, `ro`, `refused` or `-`.
fn outcome_symbol(id: String) -> String {
    match id.as_str() {
        "pass" => "ok",
        "read-only" => "ro",
        "refuse" => "refused",
        "no-effect" => "-",
        other => other,
    }
    .to_string()
}

/// `{{ step.origin | origin }}`: a view's origin or line as text (`file:line:col`,
/// `catalogue: FACT`, `default`, or `file:line`).
fn origin_text(value: minijinja::Value) -> std::result::Result<String, minijinja::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Where {
        Origin(crate::source::OriginView),
        Line(crate::source::FileLine),
    }
    let place = Where::deserialize(value).map_err(|e| {
        minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, format!("`origin` of a value that is none: {e}"))
    })?;
    Ok(match place {
        Where::Origin(origin) => origin.to_string(),
        Where::Line(line) => line.to_string(),
    })
}

/// `{{ column.name | short }}`: a matrix column's narrow header.
fn column_header(name: String) -> String {
    match name.as_str() {
        "emulator" => "emu",
        "libguestfs" => "guestfs",
        "libvirt" => "virt",
        "libvirt-pool" => "pool",
        other => other,
    }
    .to_string()
}

/// `{{ cell | symbol }}`: what a matrix cell shows: `-` for no access, and nothing in the pool
/// column where no pool backend stores the driver's disks.
fn cell_symbol(cell: minijinja::Value) -> std::result::Result<String, minijinja::Error> {
    let field = |name: &str| cell.get_attr(name).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    Ok(match (field("column").as_str(), field("access").as_str()) {
        (_, "none") => "-".to_string(),
        ("libvirt-pool", "n/a") => String::new(),
        (_, access) => access.to_string(),
    })
}

/// `{{ p.emulator | per_arch }}` of a map arch -> value: the value when every arch has it,
/// else `ro on x86_64; none on ppc64le, aarch64` (values in the order first seen).
fn per_arch(map: minijinja::Value) -> std::result::Result<String, minijinja::Error> {
    let mut folded: Vec<(String, Vec<String>)> = Vec::new();
    for arch in map.try_iter()? {
        let value = map.get_item(&arch)?.to_string();
        match folded.iter_mut().find(|(v, _)| *v == value) {
            Some((_, arches)) => arches.push(arch.to_string()),
            None => folded.push((value, vec![arch.to_string()])),
        }
    }
    Ok(match folded.as_slice() {
        [(value, _)] => value.clone(),
        _ => folded.iter().map(|(v, arches)| format!("{v} on {}", arches.join(", "))).collect::<Vec<_>>().join("; "),
    })
}

/// `{{ installed | installed }}`: the install assumption of a view in words.
fn installed_text(value: minijinja::Value) -> std::result::Result<String, minijinja::Error> {
    let installed = crate::access::Installed::deserialize(value).map_err(|e| {
        minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, format!("`installed` of another value: {e}"))
    })?;
    Ok(installed.describe())
}

/// `{{ value | pad(12) }}`: left-aligned in a column of `width` characters.
fn pad(value: &minijinja::Value, width: usize) -> minijinja::Value {
    // By hand rather than `format!("{:<width$}")`: `list` pads 40,000 cells, and the
    // formatter's padding was most of its template's time. Width counts chars, as `format!` does.
    let owned;
    let text = match value.as_str() {
        Some(text) => text,
        None => {
            owned = value.to_string();
            &owned
        }
    };
    let fill = width.saturating_sub(text.chars().count());
    // minijinja copies the cell into its value anyway: a short one is built on the stack, not in
    // a string of its own.
    let mut cell = [b' '; 64];
    if let Some(bytes) = cell.get_mut(..text.len() + fill) {
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        return std::str::from_utf8(bytes).map_or_else(|_| padded_string(text, fill), minijinja::Value::from);
    }
    padded_string(text, fill)
}

/// `text` and `fill` spaces in a string of its own, for a cell longer than the stack buffer.
fn padded_string(text: &str, fill: usize) -> minijinja::Value {
    let mut padded = String::with_capacity(text.len() + fill);
    padded.push_str(text);
    padded.extend(std::iter::repeat_n(' ', fill));
    padded.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A renderer for one run renders what any renderer does, errors too.
    #[test]
    fn a_renderer_for_one_run_renders_alike() {
        let (plain, kept) = (Renderer::new(None).unwrap(), Renderer::new(None).unwrap().for_one_run());
        let entries = vec![crate::show::ListEntry {
            arches: vec!["x86_64".to_string(), "s390x".to_string()],
            description: "d".to_string(),
            name: "rhel-9.2".to_string(),
            parent: None,
            product: "rhel".to_string(),
            qemu: crate::policy::QemuName { package: "qemu-kvm".to_string(), version: "7.2.0".to_string() },
            release: "9.2".to_string(),
            shadows_shipped: None,
        }];
        let view = crate::show::list_view(&entries);
        let text = kept.render("list.j2", &view).unwrap();
        assert_eq!(text, plain.render("list.j2", &view).unwrap());
        assert!(text.contains("rhel-9.2") && text.contains("x86_64 s390x"), "{text}");
        let error =
            |r: &Renderer| r.render("list.j2", serde_json::json!({})).unwrap_err().diagnostics[0].message.clone();
        assert_eq!(error(&kept), error(&plain));
    }

    #[test]
    fn pad_fills_a_column_of_any_value() {
        let renderer = Renderer::new(None).unwrap();
        let text = renderer
            .env
            .render_str(
                "[{{ 'ab'|pad(4) }}][{{ 7|pad(3) }}][{{ none|pad(6) }}][{{ 'long'|pad(2) }}][{{ 'äé'|pad(3) }}][{{ 'x'|pad(70) }}]",
                (),
            )
            .unwrap();
        // none as minijinja writes it for Rust (`None`), as before a string was padded without a copy.
        assert_eq!(text, format!("[ab  ][7  ][None  ][long][äé ][x{}]", " ".repeat(69)));
    }
}
