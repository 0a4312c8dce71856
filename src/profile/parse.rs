//! TOML (toml_edit, with spans) to `RawProfile`, collecting every problem of the file.

use super::values::{self, describe_char};
use super::*;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{FileId, Span};
use toml_edit::{Document, Item, TableLike, Value};

const TOP_KEYS: &[&str] = &["profile", "qemu", "libguestfs", "libvirt", "consumers", "arch"];
const PROFILE_KEYS: &[&str] = &["product", "release", "description", "inherits", "sources", "arches"];
const QEMU_KEYS: &[&str] = &[
    "package",
    "version",
    "inherit",
    "build",
    "backports",
    "features",
    "custom-features",
    "rw-whitelist",
    "ro-whitelist",
    "whitelist-in-tools",
    "acknowledge-compiled-out",
    "extra-args",
    "tools-only-configure",
    "main-package",
    "module-dir",
    "obsoletes",
    "subpackages",
    "rpm",
    "build-requires",
];
const RPM_KEYS: &[&str] = &["evr", "obsoletes", "common"];
const QEMU_ARCH_KEYS: &[&str] = &[
    "build",
    "features",
    "rw-whitelist",
    "ro-whitelist",
    "whitelist-in-tools",
    "acknowledge-compiled-out",
    "extra-args",
    "tools-only-configure",
    "subpackages",
];
const LIBGUESTFS_KEYS: &[&str] = &["package", "version", "patch", "backend", "disabled-protocols"];
const LIBGUESTFS_ARCH_KEYS: &[&str] = &["disabled-protocols"];
const LIBVIRT_KEYS: &[&str] = &["package", "version", "inherit", "storage-backends", "disabled-protocols"];
const LIBVIRT_ARCH_KEYS: &[&str] = &["storage-backends", "disabled-protocols"];
const SUBPACKAGE_KEYS: &[&str] = &["name", "required"];
const ARCH_KEYS: &[&str] = &["qemu", "libguestfs", "libvirt", "consumers"];
const CONSUMER_KEYS: &[&str] = &["description", "arches", "needs", "requires"];
const REQUIREMENT_KEYS: &[&str] = &["package", "why"];
const NEED_KEYS: &[&str] = &["driver", "access", "program", "why"];
const CUSTOM_FEATURE_KEYS: &[&str] = &["flag", "meson", "summary"];
const EDIT_KEYS: &[&str] = &["add", "remove"];

/// Parses one profile file: the profile as far as it could be read, with every problem found
/// in `problems`, or only the problem when the text is not TOML at all.
pub fn parse_profile(name: &str, file: FileId, text: &str) -> Result<RawProfile, Diagnostic> {
    let (profile, diagnostics) = read(name, file, text);
    match profile {
        Some(mut p) => {
            p.problems = diagnostics;
            Ok(p)
        }
        None => Err(diagnostics.into_iter().next().expect("a syntax error")),
    }
}

fn read(name: &str, file: FileId, text: &str) -> (Option<RawProfile>, Vec<Diagnostic>) {
    let mut reader = Reader { file, diagnostics: Vec::new() };
    let document = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            let d = Diagnostic::error(Code::TomlSyntax, format!("invalid TOML: {message}"))
                .at(&Span::new(file, range), message);
            return (None, vec![d]);
        }
    };
    let root = document.as_table();
    reader.check_keys(root, TOP_KEYS, "the top level");
    let file_span = Span::new(file, 0..0);

    let mut profile = RawProfile {
        name: name.to_string(),
        file,
        span: file_span.clone(),
        product: None,
        release: None,
        release_text: None,
        description: None,
        inherits: None,
        sources: Vec::new(),
        arches: None,
        qemu_package: None,
        qemu_version: None,
        qemu_inherit: None,
        build_requires: None,
        backports: None,
        custom_features: Vec::new(),
        qemu_main_package: None,
        qemu_module_dir: None,
        qemu_obsoletes: None,
        rpm_evr: None,
        rpm_obsoletes: None,
        rpm_common: None,
        libguestfs_package: None,
        libguestfs_version: None,
        libguestfs_patch: None,
        libguestfs_backend: None,
        libvirt_package: None,
        libvirt_inherit: None,
        libvirt_version: None,
        base: Settings::default(),
        overrides: Vec::new(),
        problems: Vec::new(),
    };

    match reader.table(root, "profile") {
        Some(t) => {
            profile.span = reader.item_span(&root["profile"]).unwrap_or(file_span);
            reader.check_keys(t, PROFILE_KEYS, "[profile]");
            profile.product = reader.text(t, "product", "the product");
            if let Some(release) = reader.string(t, "release") {
                match crate::version::normalise(&release.value) {
                    Some(v) => {
                        profile.release_text = Some(release.value.clone());
                        profile.release = Some(Spanned::new(v, release.span));
                    }
                    None => reader.push(
                        Diagnostic::error(Code::BadVersion, format!("`{}` is not a release version", release.value))
                            .at(&release.span, "expected a version such as \"7.3\" or \"13\""),
                    ),
                }
            }
            profile.description = reader.text(t, "description", "the description").map(|s| s.value);
            profile.inherits = reader.string(t, "inherits");
            let sources = reader.string_array(t, "sources");
            for source in &sources {
                reader.check_text(source, "a source");
            }
            profile.sources = sources.into_iter().map(|s| s.value).collect();
            profile.arches = reader.list_edit(t, "arches", "[profile] arches", |r, v| r.string_value(v));
        }
        None => reader.push(
            Diagnostic::error(Code::MissingKey, "the profile has no [profile] table")
                .at(&profile.span, "expected a [profile] table with at least `release`")
                .with_help("add `[profile]` with `product` and `release`"),
        ),
    }

    if let Some(q) = reader.table(root, "qemu") {
        reader.check_keys(q, QEMU_KEYS, "[qemu]");
        profile.qemu_package = reader.package(q, "package", "the qemu package");
        if let Some(version) = reader.string(q, "version") {
            match crate::version::normalise(&version.value) {
                Some(v) if !v.pre.is_empty() => reader.push(
                    Diagnostic::error(Code::BadVersion, format!("`{}` is not a qemu release version", version.value))
                        .at(&version.span, "expected X.Y.Z")
                        .with_help(
                            "a release candidate carries the number in qemu's VERSION file (9.2.91 for 10.0.0-rc1)",
                        ),
                ),
                Some(v) => profile.qemu_version = Some(Spanned::new(v, version.span)),
                None => reader.push(
                    Diagnostic::error(Code::BadVersion, format!("`{}` is not a qemu version", version.value))
                        .at(&version.span, "expected a version such as \"1.5.3\""),
                ),
            }
        }
        profile.qemu_inherit = reader.boolean(q, "inherit");
        profile.qemu_main_package = reader.package(q, "main-package", "the main package");
        profile.qemu_module_dir = reader.path(q, "module-dir", "the module directory");
        profile.qemu_obsoletes =
            reader.list_edit(q, "obsoletes", "[qemu] obsoletes", |r, v| r.package_value(v, "an obsoleted package"));
        if let Some(rpm) = reader.table(q, "rpm") {
            reader.check_keys(rpm, RPM_KEYS, "[qemu.rpm]");
            profile.rpm_evr = reader.text(rpm, "evr", "[qemu.rpm] evr");
            profile.rpm_obsoletes = reader.text(rpm, "obsoletes", "[qemu.rpm] obsoletes");
            profile.rpm_common = reader.text(rpm, "common", "[qemu.rpm] common");
        }
        profile.build_requires = reader.string(q, "build-requires");
        profile.backports = reader.list_edit(q, "backports", "[qemu] backports", |r, v| r.string_value(v));
        profile.custom_features = reader.custom_features(q);
        reader.qemu_settings(q, &mut profile.base);
    }
    if let Some(g) = reader.table(root, "libguestfs") {
        reader.check_keys(g, LIBGUESTFS_KEYS, "[libguestfs]");
        profile.libguestfs_package = reader.package(g, "package", "the libguestfs package");
        profile.libguestfs_version = reader.package_version(g);
        profile.libguestfs_patch = reader.text(g, "patch", "the libguestfs patch");
        if let Some(v) = g.get("backend").and_then(Item::as_value) {
            profile.libguestfs_backend =
                reader.word(v, LibguestfsBackend::parse, LibguestfsBackend::NAMES, "libguestfs backend");
        } else if let Some(item) = g.get("backend") {
            let fallback = reader.key_span(g, "backend");
            reader.expected(item, &fallback, "a string");
        }
        profile.base.libguestfs_disabled = reader.protocol_list(g, "[libguestfs]");
    }
    if let Some(v) = reader.table(root, "libvirt") {
        reader.check_keys(v, LIBVIRT_KEYS, "[libvirt]");
        profile.libvirt_inherit = reader.boolean(v, "inherit");
        profile.libvirt_package = reader.package(v, "package", "the libvirt package");
        profile.libvirt_version = reader.package_version(v);
        reader.libvirt_settings(v, root.get("libvirt"), &mut profile.base);
    }
    profile.base.consumers = reader.consumers(root);

    if let Some(arch) = reader.table(root, "arch") {
        for (selector_text, item) in arch.iter() {
            let key_span = reader.key_span(arch, selector_text);
            let Some(table) = reader.table_item(item) else { continue };
            let Some(selector) = Selector::parse(selector_text) else {
                reader.push(
                    Diagnostic::error(Code::BadSelector, format!("`{selector_text}` is not an arch selector"))
                        .at(&key_span, "expected arch names or groups separated by commas, optionally after `!`"),
                );
                continue;
            };
            let where_ = format!("[arch.\"{selector_text}\"]");
            reader.check_keys(table, ARCH_KEYS, &where_);
            let mut settings = Settings::default();
            if let Some(q) = reader.table(table, "qemu") {
                reader.check_keys(q, QEMU_ARCH_KEYS, &format!("{where_} qemu (per-arch)"));
                reader.qemu_settings(q, &mut settings);
            }
            if let Some(g) = reader.table(table, "libguestfs") {
                reader.check_keys(g, LIBGUESTFS_ARCH_KEYS, &format!("{where_} libguestfs (per-arch)"));
                settings.libguestfs_disabled = reader.protocol_list(g, &where_);
            }
            if let Some(v) = reader.table(table, "libvirt") {
                reader.check_keys(v, LIBVIRT_ARCH_KEYS, &format!("{where_} libvirt (per-arch)"));
                reader.libvirt_settings(v, table.get("libvirt"), &mut settings);
            }
            settings.consumers = reader.consumers(table);
            profile.overrides.push(ArchOverride { selector: Spanned::new(selector, key_span), settings });
        }
    }

    (Some(profile), reader.diagnostics)
}

struct Reader {
    file: FileId,
    diagnostics: Vec<Diagnostic>,
}

fn type_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(Value::String(_)) => "a string",
        Item::Value(Value::Integer(_)) => "an integer",
        Item::Value(Value::Float(_)) => "a float",
        Item::Value(Value::Boolean(_)) => "a boolean",
        Item::Value(Value::Datetime(_)) => "a date-time",
        Item::Value(Value::Array(_)) => "an array",
        Item::Value(Value::InlineTable(_)) | Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
    }
}

const FLAG_GRAMMAR: &str =
    "lower-case letters and digits in words joined by `-`, as configure spells its options (`live-block-ops`)";
const MESON_GRAMMAR: &str = "a lower-case letter, then lower-case letters, digits and `_` (`live_block_ops`)";
const PACKAGE_GRAMMAR: &str =
    "letters, digits and `.`, `_`, `+`, `-`, starting with a letter or digit, as rpm names packages";

impl Reader {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// A string that reaches generated text or the terminal: no control characters.
    fn text(&mut self, table: &dyn TableLike, key: &str, what: &str) -> Option<Spanned<String>> {
        let value = self.string(table, key)?;
        self.check_text(&value, what);
        Some(value)
    }

    fn check_text(&mut self, value: &Spanned<String>, what: &str) {
        if let Some(c) = values::control_character(&value.value) {
            self.push(
                Diagnostic::error(
                    Code::ControlCharacter,
                    format!("{what} contains the control character {}", describe_char(c)),
                )
                .at(&value.span, "a control character here would break the generated text or the terminal")
                .with_help("write the value on one line, without tabs or escape sequences"),
            );
        }
    }

    /// A name that must follow `grammar`; false (and an error) when it does not.
    fn name(&mut self, value: &Spanned<String>, what: &str, valid: fn(&str) -> bool, grammar: &str) -> bool {
        if valid(&value.value) {
            return true;
        }
        let shown = value.value.escape_debug().to_string();
        self.push(
            Diagnostic::error(Code::BadName, format!("`{shown}` is not valid as {what}"))
                .at(&value.span, "not a valid name")
                .with_help(format!("expected {grammar}")),
        );
        false
    }

    fn package(&mut self, table: &dyn TableLike, key: &str, what: &str) -> Option<Spanned<String>> {
        let value = self.string(table, key)?;
        self.name(&value, what, values::is_package_name, PACKAGE_GRAMMAR);
        Some(value)
    }

    /// A package name as an item of a list.
    fn package_value(&mut self, value: &Value, what: &str) -> Option<Spanned<String>> {
        let value = self.string_value(value)?;
        self.name(&value, what, values::is_package_name, PACKAGE_GRAMMAR).then_some(value)
    }

    /// A path that generated `%files` lines and messages hold as one word.
    fn path(&mut self, table: &dyn TableLike, key: &str, what: &str) -> Option<Spanned<String>> {
        let value = self.string(table, key)?;
        let valid = |p: &str| !p.is_empty() && p.chars().all(|c| !c.is_control() && !c.is_whitespace());
        self.name(&value, what, valid, "a path without blanks or control characters, such as %{_libdir}/qemu-kvm")
            .then_some(value)
    }

    /// One extra configure argument: one shell word that stays one (`values::shell_word`).
    fn extra_arg(&mut self, value: &Value) -> Option<Spanned<String>> {
        let arg = self.string_value(value)?;
        match values::shell_word(&arg.value) {
            Ok(()) => Some(arg),
            Err(why) => {
                let shown = arg.value.escape_debug().to_string();
                self.push(
                    Diagnostic::error(
                        Code::BadExtraArg,
                        format!("the extra-arg `{shown}` would not stay one configure argument: {why}"),
                    )
                    .at(&arg.span, "not one shell word as written")
                    .with_help(values::SHELL_WORD_HELP),
                );
                None
            }
        }
    }

    fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        Span::new(self.file, range.unwrap_or(0..0))
    }

    fn item_span(&self, item: &Item) -> Option<Span> {
        let range = match item {
            Item::Value(v) => v.span(),
            Item::Table(t) => t.span(),
            Item::ArrayOfTables(a) => a.span(),
            Item::None => None,
        };
        range.map(|r| Span::new(self.file, r))
    }

    fn value_span(&self, value: &Value) -> Span {
        self.span(value.span())
    }

    fn key_span(&self, table: &dyn TableLike, key: &str) -> Span {
        let range = table.key(key).and_then(|k| k.span());
        let range = range.or_else(|| table.get(key).and_then(|i| self.item_span(i)).map(|s| s.range));
        self.span(range)
    }

    /// Reports every key of `table` that is not in `allowed`, with the nearest allowed key.
    fn check_keys(&mut self, table: &dyn TableLike, allowed: &[&str], where_: &str) {
        for (key, _) in table.iter() {
            if !allowed.contains(&key) {
                let span = self.key_span(table, key);
                let expected = allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                self.push(
                    Diagnostic::error(Code::UnknownKey, format!("unknown key `{key}` in {where_}"))
                        .at(&span, "not a key of this table")
                        .with_help(
                            did_you_mean(key, allowed.iter().copied())
                                .unwrap_or_else(|| format!("expected one of {expected}")),
                        ),
                );
            }
        }
    }

    fn expected(&mut self, item: &Item, fallback: &Span, what: &str) {
        let span = self.item_span(item).unwrap_or_else(|| fallback.clone());
        self.push(
            Diagnostic::error(Code::WrongType, format!("expected {what}, found {}", type_name(item)))
                .at(&span, format!("expected {what}")),
        );
    }

    fn table<'t>(&mut self, parent: &'t dyn TableLike, key: &str) -> Option<&'t dyn TableLike> {
        let item = parent.get(key)?;
        self.table_item(item)
    }

    fn table_item<'t>(&mut self, item: &'t Item) -> Option<&'t dyn TableLike> {
        match item.as_table_like() {
            Some(t) => Some(t),
            None => {
                let fallback = Span::new(self.file, 0..0);
                self.expected(item, &fallback, "a table");
                None
            }
        }
    }

    fn string(&mut self, table: &dyn TableLike, key: &str) -> Option<Spanned<String>> {
        let item = table.get(key)?;
        match item {
            Item::Value(v) => self.string_value(v),
            _ => {
                let fallback = self.key_span(table, key);
                self.expected(item, &fallback, "a string");
                None
            }
        }
    }

    fn string_value(&mut self, value: &Value) -> Option<Spanned<String>> {
        match value.as_str() {
            Some(s) => Some(Spanned::new(s.to_string(), self.value_span(value))),
            None => {
                let span = self.value_span(value);
                self.expected(&Item::Value(value.clone()), &span, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, table: &dyn TableLike, key: &str) -> Option<Spanned<bool>> {
        let item = table.get(key)?;
        match item.as_bool() {
            Some(b) => Some(Spanned::new(b, self.item_span(item).unwrap_or_else(|| self.key_span(table, key)))),
            None => {
                let fallback = self.key_span(table, key);
                self.expected(item, &fallback, "`true` or `false`");
                None
            }
        }
    }

    fn word<T: Copy>(
        &mut self,
        value: &Value,
        parse: fn(&str) -> Option<T>,
        names: &[&str],
        what: &str,
    ) -> Option<Spanned<T>> {
        let text = self.string_value(value)?;
        match parse(&text.value) {
            Some(v) => Some(Spanned::new(v, text.span)),
            None => {
                let expected = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
                self.push(
                    Diagnostic::error(Code::BadValue, format!("`{}` is not a {what}", text.value))
                        .at(&text.span, format!("expected one of {expected}"))
                        .with_help_opt(did_you_mean(&text.value, names.iter().copied())),
                );
                None
            }
        }
    }

    fn string_array(&mut self, table: &dyn TableLike, key: &str) -> Vec<Spanned<String>> {
        let Some(item) = table.get(key) else { return Vec::new() };
        match item.as_array() {
            Some(array) => array.iter().filter_map(|v| self.string_value(v)).collect(),
            None => {
                let fallback = self.key_span(table, key);
                self.expected(item, &fallback, "an array of strings");
                Vec::new()
            }
        }
    }

    /// `key = [..]` replaces the inherited list; `key = { add = [..], remove = [..] }` edits it.
    fn list_edit<T>(
        &mut self,
        table: &dyn TableLike,
        key: &str,
        where_: &str,
        mut element: impl FnMut(&mut Self, &Value) -> Option<Spanned<T>>,
    ) -> Option<SpannedList<T>> {
        let item = table.get(key)?;
        let span = self.item_span(item).unwrap_or_else(|| self.key_span(table, key));
        if let Some(array) = item.as_array() {
            let values = array.iter().filter_map(|v| element(self, v)).collect();
            return Some(SpannedList { edit: ListEdit::Replace(values), span });
        }
        if let Some(edits) = item.as_table_like() {
            self.check_keys(edits, EDIT_KEYS, &format!("the edits of {where_}.{key}"));
            let mut add = Vec::new();
            if let Some(item) = edits.get("add") {
                match item.as_array() {
                    Some(array) => add = array.iter().filter_map(|v| element(self, v)).collect(),
                    None => self.expected(item, &span, "an array"),
                }
            }
            let remove = self.string_array(edits, "remove");
            return Some(SpannedList { edit: ListEdit::Edit { add, remove }, span });
        }
        self.expected(item, &span, "an array (a new list) or a table with `add` and `remove` (edits)");
        None
    }

    fn protocol_list(&mut self, table: &dyn TableLike, where_: &str) -> Option<SpannedList<String>> {
        self.list_edit(table, "disabled-protocols", where_, |r, v| r.string_value(v))
    }

    /// A package version (`1.32.7`), read as a version.
    fn package_version(&mut self, table: &dyn TableLike) -> Option<Spanned<Version>> {
        let text = self.string(table, "version")?;
        match crate::version::normalise(&text.value) {
            Some(v) => Some(Spanned::new(v, text.span)),
            None => {
                self.push(
                    Diagnostic::error(Code::BadVersion, format!("`{}` is not a package version", text.value))
                        .at(&text.span, "expected a version such as \"1.32.7\""),
                );
                None
            }
        }
    }

    /// `[libvirt]` or `[arch."SEL".libvirt]`: what it is built with and what it refuses.
    fn libvirt_settings(&mut self, table: &dyn TableLike, item: Option<&Item>, settings: &mut Settings) {
        settings.libvirt = Some(item.and_then(|i| self.item_span(i)).unwrap_or_else(|| Span::new(self.file, 0..0)));
        settings.libvirt_disabled = self.protocol_list(table, "[libvirt]");
        if let Some(backends) = self.table(table, "storage-backends") {
            for (name, item) in backends.iter() {
                let key = Spanned::new(name.to_string(), self.key_span(backends, name));
                match item.as_bool() {
                    Some(b) => {
                        let span = self.item_span(item).unwrap_or_else(|| key.span.clone());
                        settings.libvirt_backends.push((key, Spanned::new(b, span)));
                    }
                    None => self.expected(item, &key.span, "`true` (built) or `false` (not built)"),
                }
            }
        }
    }

    /// `[qemu.subpackages]`: block modules and the subpackages that ship them.
    fn subpackages(&mut self, q: &dyn TableLike) -> Vec<RawSubpackage> {
        let Some(table) = self.table(q, "subpackages") else { return Vec::new() };
        let mut out = Vec::new();
        for (module, item) in table.iter() {
            let key = Spanned::new(module.to_string(), self.key_span(table, module));
            let span = self.item_span(item).unwrap_or_else(|| key.span.clone());
            if item.as_bool() == Some(false) {
                out.push(RawSubpackage { module: key, name: None, required: None, span });
                continue;
            }
            let Some(def) = item.as_table_like() else {
                self.expected(
                    item,
                    &key.span,
                    "a table such as { name = \"qemu-kvm-block-rbd\", required = true }, or `false` (shipped by no package here)",
                );
                continue;
            };
            self.check_keys(def, SUBPACKAGE_KEYS, &format!("subpackage of `{module}`"));
            let Some(name) = self.package(def, "name", "a subpackage name") else {
                if def.get("name").is_none() {
                    self.push(
                        Diagnostic::error(Code::MissingKey, format!("the subpackage of `{module}` has no `name`"))
                            .at(&key.span, "add `name = \"...\"`"),
                    );
                }
                continue;
            };
            let required = self.boolean(def, "required");
            out.push(RawSubpackage { module: key, name: Some(name), required, span });
        }
        out
    }

    fn qemu_settings(&mut self, q: &dyn TableLike, settings: &mut Settings) {
        if let Some(item) = q.get("build") {
            match item.as_value() {
                Some(v) => settings.build = self.word(v, BuildMode::parse, BuildMode::NAMES, "build mode"),
                None => {
                    let fallback = self.key_span(q, "build");
                    self.expected(item, &fallback, "a string");
                }
            }
        }
        if let Some(features) = self.table(q, "features") {
            for (name, item) in features.iter() {
                let key = Spanned::new(name.to_string(), self.key_span(features, name));
                match item.as_value() {
                    Some(v) => {
                        if let Some(state) = self.word(v, FeatureState::parse, FeatureState::NAMES, "feature setting") {
                            settings.features.push((key, state));
                        }
                    }
                    None => self.expected(item, &key.span, "a string"),
                }
            }
        }
        settings.rw_whitelist = self.list_edit(q, "rw-whitelist", "[qemu]", |r, v| r.string_value(v));
        settings.ro_whitelist = self.list_edit(q, "ro-whitelist", "[qemu]", |r, v| r.string_value(v));
        settings.whitelist_in_tools = self.boolean(q, "whitelist-in-tools");
        settings.acknowledge_compiled_out =
            self.list_edit(q, "acknowledge-compiled-out", "[qemu]", |r, v| r.string_value(v));
        settings.extra_args = self.list_edit(q, "extra-args", "[qemu]", |r, v| r.extra_arg(v));
        if let Some(item) = q.get("tools-only-configure") {
            match item.as_value() {
                Some(v) => {
                    settings.tools_configure =
                        self.word(v, ToolsConfigure::parse, ToolsConfigure::NAMES, "tools-only configure")
                }
                None => {
                    let fallback = self.key_span(q, "tools-only-configure");
                    self.expected(item, &fallback, "a string");
                }
            }
        }
        settings.subpackages = self.subpackages(q);
    }

    fn custom_features(&mut self, q: &dyn TableLike) -> Vec<CustomFeature> {
        let Some(table) = self.table(q, "custom-features") else { return Vec::new() };
        let mut out = Vec::new();
        for (name, item) in table.iter() {
            let key = Spanned::new(name.to_string(), self.key_span(table, name));
            let Some(def) = item.as_table_like() else {
                self.expected(item, &key.span, "a table such as { flag = \"spice\", summary = \"...\" }");
                continue;
            };
            self.check_keys(def, CUSTOM_FEATURE_KEYS, &format!("custom feature `{name}`"));
            let flag = self.string(def, "flag");
            let meson = self.string(def, "meson");
            let summary = self.text(def, "summary", "the summary of a custom feature");
            // The flag is the name unless given: one of them reaches `--enable-FLAG`.
            let mut ok = self.name(&key, "a custom feature's name", values::is_flag, FLAG_GRAMMAR);
            if let Some(flag) = &flag {
                ok &= self.name(flag, "a custom feature's flag", values::is_flag, FLAG_GRAMMAR);
            }
            if let Some(meson) = &meson {
                ok &= self.name(meson, "a custom feature's meson option", values::is_meson_option, MESON_GRAMMAR);
            }
            if !ok {
                continue;
            }
            out.push(CustomFeature {
                flag: flag.map_or_else(|| name.to_string(), |f| f.value),
                name: key,
                meson: meson.map(|s| s.value),
                summary: summary.map(|s| s.value),
            });
        }
        out
    }

    fn consumers(&mut self, parent: &dyn TableLike) -> Vec<RawConsumer> {
        let Some(table) = self.table(parent, "consumers") else { return Vec::new() };
        let mut out = Vec::new();
        for (name, item) in table.iter() {
            let key = Spanned::new(name.to_string(), self.key_span(table, name));
            let Some(def) = item.as_table_like() else {
                self.expected(item, &key.span, "a table");
                continue;
            };
            self.check_keys(def, CONSUMER_KEYS, &format!("consumer `{name}`"));
            self.name(&key, "a consumer's name", values::is_package_name, PACKAGE_GRAMMAR);
            out.push(RawConsumer {
                name: key,
                description: self.text(def, "description", "a consumer's description").map(|s| s.value),
                arches: self.list_edit(def, "arches", name, |r, v| r.string_value(v)),
                needs: self.list_edit(def, "needs", name, |r, v| r.need(v)),
                requires: self.list_edit(def, "requires", name, |r, v| r.requirement(v)),
            });
        }
        out
    }

    /// An inline table of a list (`needs`, `requires`), with its span; an error names `example`.
    fn inline_table<'v>(&mut self, value: &'v Value, example: &str) -> Option<(&'v toml_edit::InlineTable, Span)> {
        let span = self.value_span(value);
        match value.as_inline_table() {
            Some(table) => Some((table, span)),
            None => {
                self.expected(&Item::Value(value.clone()), &span, &format!("a table such as {example}"));
                None
            }
        }
    }

    /// `{ package = "nbdkit-curl-plugin", why = "..." }`: a package the consumer requires.
    fn requirement(&mut self, value: &Value) -> Option<Spanned<RawRequirement>> {
        let (table, span) = self.inline_table(value, "{ package = \"nbdkit-curl-plugin\", why = \"...\" }")?;
        self.check_keys(table, REQUIREMENT_KEYS, "a consumer requirement");
        let Some(package) = self.package(table, "package", "a required package") else {
            if table.get("package").is_none() {
                self.push(
                    Diagnostic::error(Code::MissingKey, "a consumer requirement without `package`")
                        .at(&span, "add `package` here"),
                );
            }
            return None;
        };
        let why = self.text(table, "why", "the reason of a requirement").map(|s| s.value).unwrap_or_default();
        Some(Spanned::new(RawRequirement { package, why }, span))
    }

    fn need(&mut self, value: &Value) -> Option<Spanned<RawNeed>> {
        let (table, span) =
            self.inline_table(value, "{ driver = \"https\", access = \"ro\", program = \"emulator\", why = \"...\" }")?;
        self.check_keys(table, NEED_KEYS, "a consumer need");
        let missing = |r: &mut Self, key: &str| {
            r.push(
                Diagnostic::error(Code::MissingKey, format!("a consumer need without `{key}`"))
                    .at(&span, format!("add `{key}` here")),
            )
        };
        let driver = self.string(table, "driver");
        let access = table.get("access").and_then(|v| self.word(v, Access::parse, &["ro", "rw"], "need access"));
        let program = table.get("program").and_then(|v| self.word(v, Program::parse, Program::NAMES, "program"));
        let why = self.text(table, "why", "the reason of a need").map(|s| s.value).unwrap_or_default();
        for (key, present) in
            [("driver", driver.is_some()), ("access", access.is_some()), ("program", program.is_some())]
        {
            if !present && table.get(key).is_none() {
                missing(self, key);
            }
        }
        let (driver, access, program) = (driver?, access?, program?);
        if access.value == Access::None {
            self.push(
                Diagnostic::error(Code::BadValue, "a need of no access").at(&access.span, "expected \"ro\" or \"rw\""),
            );
            return None;
        }
        Some(Spanned::new(RawNeed { driver, access, program, why }, span))
    }
}
