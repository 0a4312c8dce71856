//! The BuildRequires table (`buildrequires.toml`): the packages each build option needs, in
//! each distro's spelling, read from the real specs.

use indexmap::IndexMap;
use semver::{Version, VersionReq};
use serde::Deserialize;
use std::sync::OnceLock;

const TABLE: &str = include_str!("buildrequires.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildRequires {
    /// The build options that link a library.
    pub libraries: Vec<String>,
    pub spellings: IndexMap<String, Spelling>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spelling {
    pub summary: String,
    /// The profile products this spelling is for, with `releases`.
    pub products: Vec<String>,
    pub releases: VersionReq,
    /// Build option -> its packages, as the spec writes them (`glusterfs-api-devel >= 3.6.0`).
    pub packages: IndexMap<String, Vec<String>>,
}

impl BuildRequires {
    /// The embedded table, parsed once.
    pub fn get() -> &'static BuildRequires {
        static TABLE_PARSED: OnceLock<BuildRequires> = OnceLock::new();
        TABLE_PARSED.get_or_init(|| {
            toml_edit::de::from_str(TABLE).unwrap_or_else(|e| panic!("the embedded buildrequires.toml is invalid: {e}"))
        })
    }

    pub fn spelling(&self, name: &str) -> Option<&Spelling> {
        self.spellings.get(name)
    }

    /// The spelling for a profile of `product` and `release`, when exactly one fits.
    pub fn for_product(&self, product: &str, release: &Version) -> Option<(&str, &Spelling)> {
        let mut fitting = self
            .spellings
            .iter()
            .filter(|(_, s)| s.products.iter().any(|p| p == product) && s.releases.matches(release));
        match (fitting.next(), fitting.next()) {
            (Some((name, spelling)), None) => Some((name.as_str(), spelling)),
            _ => None,
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.spellings.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    #[test]
    fn every_option_of_the_table_is_a_catalogue_build_option_that_links_a_library() {
        let table = BuildRequires::get();
        let catalogue = Catalogue::get();
        for option in &table.libraries {
            assert!(catalogue.feature(option).is_some(), "{option} is not a build option of the catalogue");
        }
        for (name, spelling) in &table.spellings {
            for option in spelling.packages.keys() {
                assert!(table.libraries.contains(option), "{name}: {option} is not in `libraries`");
            }
        }
    }

    #[test]
    fn products_and_releases_choose_one_spelling() {
        let table = BuildRequires::get();
        let of = |product: &str, release: (u64, u64)| {
            table.for_product(product, &Version::new(release.0, release.1, 0)).map(|(n, _)| n)
        };
        assert_eq!(of("rhel", (7, 3)), Some("rhel7"));
        assert_eq!(of("rhel-rhev", (7, 6)), Some("rhel7"));
        assert_eq!(of("rhel", (8, 9)), Some("rhel8"));
        assert_eq!(of("rhel", (10, 1)), Some("rhel9"));
        assert_eq!(of("fedora", (43, 0)), Some("fedora"));
        assert_eq!(of("debian", (13, 0)), None);
    }
}
