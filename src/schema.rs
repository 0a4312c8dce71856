//! The JSON outputs: each command's `--format json` is one schema's document, versioned, and
//! `schemas/NAME.json` (JSON Schema draft 2020-12, embedded here) says what it holds.

use indexmap::IndexMap;
use serde::Serialize;

/// The version of every JSON output's schema: it changes when a field changes meaning or goes
/// away (new fields may come without it).
pub const VERSION: u32 = 1;

/// What every schema shares (origins, diagnostics, codes, layers): an embedded resource of
/// each printed schema, which refers to it as `common.json`.
const COMMON: &str = include_str!("../schemas/common.json");

macro_rules! schemas {
    ($($variant:ident = $name:literal, $file:literal, $what:literal;)*) => {
        /// A JSON output of drvpolicy.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Schema {
            $(#[doc = $what] $variant,)*
        }

        impl Schema {
            pub const ALL: &[Schema] = &[$(Schema::$variant,)*];

            /// The name in `"schema"` of the document and in `drvpolicy schema NAME`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Schema::$variant => $name,)*
                }
            }

            /// The command whose `--format json` writes it.
            pub fn what(self) -> &'static str {
                match self {
                    $(Schema::$variant => $what,)*
                }
            }

            /// The schema file as shipped.
            pub fn source(self) -> &'static str {
                match self {
                    $(Schema::$variant => include_str!(concat!("../schemas/", $file)),)*
                }
            }
        }
    };
}

schemas! {
    List = "list", "list.json", "drvpolicy list --format json";
    Show = "show", "show.json", "drvpolicy show PROFILE --format json";
    GenerateConfigure = "generate-configure", "generate-configure.json", "drvpolicy generate configure PROFILE --format json";
    GenerateLibguestfs = "generate-libguestfs", "generate-libguestfs.json", "drvpolicy generate libguestfs PROFILE --format json";
    Explain = "explain", "explain.json", "drvpolicy explain PROFILE NAME --format json";
    Matrix = "matrix", "matrix.json", "drvpolicy matrix PROFILE --format json";
    Diff = "diff", "diff.json", "drvpolicy diff OLD NEW --format json";
    History = "history", "history.json", "drvpolicy history SERIES --format json";
    Check = "check", "check.json", "drvpolicy check PROFILE... --format json";
    Verify = "verify", "verify.json", "drvpolicy verify PROFILE --format json";
    Import = "import", "import.json", "drvpolicy import spec FILE --format json";
    Sync = "sync", "sync.json", "drvpolicy sync SPEC... --format json";
}

impl Schema {
    pub fn from_name(name: &str) -> Option<Schema> {
        Schema::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// The schema named `name`, or an error with the nearest name (or the list of them).
    pub fn find(name: &str) -> crate::diagnostic::Result<Schema> {
        Schema::from_name(name).ok_or_else(|| {
            let names = Schema::ALL.iter().map(|s| s.name());
            let help = crate::diagnostic::did_you_mean(name, names.clone())
                .unwrap_or_else(|| format!("the schemas: {}", names.collect::<Vec<_>>().join(", ")));
            let message = format!("no JSON output has a schema named `{name}`");
            crate::diagnostic::Diagnostic::error(crate::code::Code::UnknownSchema, message).with_help(help).into()
        })
    }

    /// The schema as one document: the file, with `common.json` embedded in its `$defs` (a
    /// schema resource of its own `$id`, where the file's references to it resolve).
    pub fn document(self) -> serde_json::Value {
        let mut document: serde_json::Value =
            serde_json::from_str(self.source()).expect("the shipped schemas are JSON (tests/schema.rs)");
        let common: serde_json::Value = serde_json::from_str(COMMON).expect("common.json is JSON (tests/schema.rs)");
        document["$defs"]["common"] = common;
        document
    }

    /// `document` as people read it: each file's keys in their order, `$schema` first.
    pub fn text(self) -> String {
        let mut document: IndexMap<String, Ordered> =
            serde_json::from_str(self.source()).expect("the shipped schemas are JSON (tests/schema.rs)");
        let common: Ordered = serde_json::from_str(COMMON).expect("common.json is JSON (tests/schema.rs)");
        let defs = document.entry("$defs".to_string()).or_insert_with(|| Ordered::Object(IndexMap::new()));
        if let Ordered::Object(defs) = defs {
            defs.insert("common".to_string(), common);
        }
        let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialise");
        text.push('\n');
        text
    }

    /// `value` as this schema's document: `schema` and `schema_version` first, then its fields.
    pub fn wrap<T: Serialize>(self, value: &T) -> Versioned<'_, T> {
        Versioned { schema: self.name(), schema_version: VERSION, value }
    }
}

/// A JSON value whose objects keep their keys' order (serde_json's `Value` sorts them).
#[derive(Debug, Serialize, serde::Deserialize)]
#[serde(untagged)]
enum Ordered {
    Null(()),
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
    Array(Vec<Ordered>),
    Object(IndexMap<String, Ordered>),
}

/// A JSON output: the schema it follows, its version, and the command's view.
#[derive(Debug, Serialize)]
pub struct Versioned<'a, T: Serialize> {
    pub schema: &'static str,
    pub schema_version: u32,
    #[serde(flatten)]
    pub value: &'a T,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_starts_with_its_schema_and_version() {
        #[derive(Serialize)]
        struct View {
            profile: &'static str,
        }
        let text = serde_json::to_string(&Schema::List.wrap(&View { profile: "rhel-7.3" })).unwrap();
        assert_eq!(text, r#"{"schema":"list","schema_version":1,"profile":"rhel-7.3"}"#);
    }

    #[test]
    fn an_unknown_name_suggests_the_nearest() {
        let failure = Schema::find("explian").unwrap_err();
        assert_eq!(failure.diagnostics[0].code, crate::code::Code::UnknownSchema);
        assert_eq!(failure.diagnostics[0].help.as_deref(), Some("did you mean `explain`?"));
        let failure = Schema::find("zzz").unwrap_err();
        assert!(failure.diagnostics[0].help.as_deref().unwrap().starts_with("the schemas: list, show, "));
    }

    #[test]
    fn the_text_is_the_document_in_the_files_order() {
        for &schema in Schema::ALL {
            let text = schema.text();
            assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), schema.document());
            assert!(text.starts_with("{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n  \"$id\""));
        }
    }

    #[test]
    fn names_give_back_their_schema() {
        for &schema in Schema::ALL {
            assert_eq!(Schema::from_name(schema.name()), Some(schema));
        }
        assert_eq!(Schema::from_name("lists"), None);
    }
}
