//! The imported profile as TOML, built with toml_edit so that it is formatted like the
//! shipped profiles, with a `# from FILE:LINE` comment on every value read from the input.

use super::arguments::Provenance;
use super::draft::{Draft, ExtraList, Layer, List, ListSetting};
use crate::profile::BuildMode;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value, value};

/// Everything the profile file says, with the comments to put next to the values.
pub struct ProfileText<'a> {
    /// Comment lines for the top of the file, without `# `.
    pub header: Vec<String>,
    pub product: String,
    pub release: String,
    /// A comment on the release (it is a placeholder).
    pub release_note: Option<String>,
    pub description: String,
    pub sources: Vec<String>,
    pub arches: (Vec<String>, String),
    pub package: (String, String),
    pub version: (String, String),
    /// Backports the file shows (an option only they make configure take), with the reason.
    pub backports: Vec<(String, String)>,
    pub draft: &'a Draft,
    /// Custom features (not in the catalogue) and their comments.
    pub custom: Vec<(String, String)>,
    /// How to describe a provenance (`from FILE:LINE`).
    pub describe: &'a dyn Fn(&Provenance) -> String,
}

fn comment(item: &mut Item, text: &str) {
    if let Some(v) = item.as_value_mut() {
        v.decor_mut().set_suffix(format!("  # {text}"));
    }
}

fn strings<'a>(values: impl IntoIterator<Item = &'a String>) -> Value {
    Value::Array(Array::from_iter(values.into_iter().map(String::as_str)))
}

fn set(table: &mut Table, key: &str, item: Item, note: Option<&str>) {
    table.insert(key, item);
    if let (Some(note), Some(item)) = (note, table.get_mut(key)) {
        comment(item, note);
    }
}

fn list_item(list: &List) -> Item {
    match &list.setting {
        ListSetting::Replace(values) => Item::Value(strings(values)),
        ListSetting::Edit { add, remove } => {
            let mut edit = InlineTable::new();
            if !add.is_empty() {
                edit.insert("add", strings(add));
            }
            if !remove.is_empty() {
                edit.insert("remove", strings(remove));
            }
            Item::Value(Value::InlineTable(edit))
        }
    }
}

/// `extra-args`: a list of two or more values one a line, each with where it came from;
/// an edit or a single value on one line, with one comment.
fn set_extra(table: &mut Table, extra: &ExtraList, text: &ProfileText) {
    let from = |value: &String| extra.from.iter().find(|(v, _)| v == value).map(|(_, p)| p);
    match &extra.setting {
        ListSetting::Replace(values) if values.len() > 1 => {
            let mut array = Array::new();
            for (i, v) in values.iter().enumerate() {
                let mut item = Value::from(v.as_str());
                // A value's comment goes after its comma, that is before the next value.
                let before = match i.checked_sub(1).and_then(|p| values.get(p)).and_then(from) {
                    Some(p) => format!("  # {}\n    ", (text.describe)(p)),
                    None => "\n    ".to_string(),
                };
                item.decor_mut().set_prefix(before);
                array.push_formatted(item);
            }
            array.set_trailing_comma(true);
            let last = values.last().and_then(from).map(|p| format!("  # {}", (text.describe)(p)));
            array.set_trailing(format!("{}\n", last.unwrap_or_default()));
            table.insert("extra-args", Item::Value(Value::Array(array)));
        }
        setting => {
            let mut joined: Option<Provenance> = None;
            for (_, p) in &extra.from {
                match &mut joined {
                    Some(j) => j.join(p),
                    None => joined = Some(p.clone()),
                }
            }
            let note = match (&joined, setting) {
                (Some(p), _) => (text.describe)(p),
                (None, ListSetting::Replace(_)) => "no extra arguments here".to_string(),
                (None, ListSetting::Edit { .. }) => "not passed here".to_string(),
            };
            set(table, "extra-args", list_item(&List { setting: setting.clone(), from: None }), Some(&note));
        }
    }
}

/// The keys of a `[qemu]` or `[arch."SEL".qemu]` table, and its `features` subtable.
fn layer_table(layer: &Layer, text: &ProfileText, table: &mut Table) {
    if let Some((mode, note, line)) = &layer.build {
        let why = note.clone().unwrap_or_else(|| format!("the configure at line {line}"));
        set(table, "build", value(mode.as_str()), Some(&why));
    }
    if layer.shared_configure {
        set(table, "tools-only-configure", value("shared"), Some("the full build's configure, options and whitelists"));
    }
    if let Some(extra) = &layer.extra {
        set_extra(table, extra, text);
    }
    for (key, list) in [("rw-whitelist", &layer.rw), ("ro-whitelist", &layer.ro)] {
        if let Some(list) = list {
            let note = list.from.as_ref().map(|p| (text.describe)(p));
            let note = note.unwrap_or_else(|| "the list is empty here".to_string());
            set(table, key, list_item(list), Some(&note));
        }
    }
    if let Some((on, from)) = &layer.in_tools {
        let note = from.as_ref().map(|p| (text.describe)(p)).unwrap_or_else(|| "no flag here".to_string());
        set(table, "whitelist-in-tools", value(*on), Some(&note));
    }
    if !layer.features.is_empty() {
        let mut features = Table::new();
        for f in &layer.features {
            let note = match &f.from {
                Some(p) => (text.describe)(p),
                None => "no flag here: configure's default".to_string(),
            };
            set(&mut features, &f.name, value(f.state.as_str()), Some(&note));
        }
        table.insert("features", Item::Table(features));
    }
}

pub fn render(text: &ProfileText) -> String {
    let mut doc = DocumentMut::new();

    let mut profile = Table::new();
    let header: String =
        text.header.iter().map(|l| if l.is_empty() { "#\n".into() } else { format!("# {l}\n") }).collect();
    profile.decor_mut().set_prefix(format!("{header}\n"));
    set(&mut profile, "product", value(&text.product), None);
    set(&mut profile, "release", value(&text.release), text.release_note.as_deref());
    set(&mut profile, "description", value(&text.description), None);
    set(&mut profile, "sources", Item::Value(strings(&text.sources)), None);
    set(&mut profile, "arches", Item::Value(strings(&text.arches.0)), Some(&text.arches.1));
    doc.insert("profile", Item::Table(profile));

    let mut qemu = Table::new();
    qemu.decor_mut().set_prefix("\n");
    set(&mut qemu, "package", value(&text.package.0), Some(&text.package.1));
    set(&mut qemu, "version", value(&text.version.0), Some(&text.version.1));
    if !text.backports.is_empty() {
        let names: Vec<String> = text.backports.iter().map(|(b, _)| b.clone()).collect();
        let why: Vec<&str> = text.backports.iter().map(|(_, w)| w.as_str()).collect();
        set(&mut qemu, "backports", Item::Value(strings(&names)), Some(&why.join("; ")));
    }
    layer_table(&text.draft.base, text, &mut qemu);
    if let Some(Item::Table(features)) = qemu.get_mut("features") {
        features.decor_mut().set_prefix("\n");
    }
    if !text.custom.is_empty() {
        let mut custom = Table::new();
        custom.decor_mut().set_prefix("\n# Options the catalogue does not know, passed as written.\n");
        for (name, note) in &text.custom {
            set(&mut custom, name, Item::Value(Value::InlineTable(InlineTable::new())), Some(note));
        }
        qemu.insert("custom-features", Item::Table(custom));
    }
    doc.insert("qemu", Item::Table(qemu));

    if !text.draft.overrides.is_empty() {
        let mut arch = Table::new();
        arch.set_implicit(true);
        for o in &text.draft.overrides {
            let mut selected = Table::new();
            selected.set_implicit(true);
            let mut q = Table::new();
            let what = match &o.layer.build {
                Some((BuildMode::ToolsOnly, _, _)) => "tools-only build",
                _ => "differs from [qemu]",
            };
            q.decor_mut().set_prefix(format!("\n# {}: {what}.\n", o.arches.join(", ")));
            layer_table(&o.layer, text, &mut q);
            selected.insert("qemu", Item::Table(q));
            arch.insert(&o.selector, Item::Table(selected));
        }
        doc.insert("arch", Item::Table(arch));
    }
    doc.to_string()
}
