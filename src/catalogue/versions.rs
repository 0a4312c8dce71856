//! The catalogue's versions and version ranges. In the TOML they are text (`"1.7"`,
//! `">=2.8, <8.0"`), parsed as the catalogue is read; in the compact form build.rs writes they
//! are their numbers, so that start-up parses no version (it parsed 107 ranges and 65 versions).

use semver::{Comparator, Op, Prerelease, Version, VersionReq};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A release as the catalogue names it (`"1.7"` is 1.7.0: `version::normalise`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release(Version);

impl std::ops::Deref for Release {
    type Target = Version;

    fn deref(&self) -> &Version {
        &self.0
    }
}

/// A version range (`VersionReq`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range(VersionReq);

impl std::ops::Deref for Range {
    type Target = VersionReq;

    fn deref(&self) -> &VersionReq {
        &self.0
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A version's numbers and pre-release tag, as the compact form holds them.
#[derive(Serialize, Deserialize)]
struct Numbers<'a> {
    major: u64,
    minor: u64,
    patch: u64,
    pre: &'a str,
}

/// One comparator of a range, its operator as a number (`OPS`).
#[derive(Serialize, Deserialize)]
struct CompactComparator<'a> {
    op: u8,
    major: u64,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: &'a str,
}

/// The operators in the order of their numbers in the compact form.
const OPS: [Op; 8] = [Op::Exact, Op::Greater, Op::GreaterEq, Op::Less, Op::LessEq, Op::Tilde, Op::Caret, Op::Wildcard];

fn prerelease<E: serde::de::Error>(pre: &str) -> Result<Prerelease, E> {
    if pre.is_empty() { Ok(Prerelease::EMPTY) } else { Prerelease::new(pre).map_err(E::custom) }
}

impl Serialize for Release {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(&self.0)
        } else {
            let v = &self.0;
            Numbers { major: v.major, minor: v.minor, patch: v.patch, pre: v.pre.as_str() }.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for Release {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Release, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            crate::version::normalise(&text)
                .map(Release)
                .ok_or_else(|| D::Error::custom(format!("`{text}` is not a version (`1.7`, `2.12.0`)")))
        } else {
            let n = Numbers::deserialize(deserializer)?;
            Ok(Release(Version { pre: prerelease(n.pre)?, ..Version::new(n.major, n.minor, n.patch) }))
        }
    }
}

impl Serialize for Range {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return self.0.serialize(serializer);
        }
        let mut comparators = Vec::with_capacity(self.0.comparators.len());
        for c in &self.0.comparators {
            let op = OPS.iter().position(|op| *op == c.op).ok_or_else(|| {
                serde::ser::Error::custom(format!("`{c}`: an operator the compact form does not know"))
            })?;
            let op = u8::try_from(op).expect("eight operators");
            comparators.push(CompactComparator {
                op,
                major: c.major,
                minor: c.minor,
                patch: c.patch,
                pre: c.pre.as_str(),
            });
        }
        comparators.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Range {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Range, D::Error> {
        if deserializer.is_human_readable() {
            return VersionReq::deserialize(deserializer).map(Range);
        }
        // Straight into the comparators: no list of compact ones in between.
        struct Comparators;
        impl<'de> serde::de::Visitor<'de> for Comparators {
            type Value = Range;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of comparators")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Range, A::Error> {
                let mut comparators = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(8));
                while let Some(c) = seq.next_element::<CompactComparator>()? {
                    let op = *OPS.get(usize::from(c.op)).ok_or_else(|| A::Error::custom("an unknown operator"))?;
                    comparators.push(Comparator {
                        op,
                        major: c.major,
                        minor: c.minor,
                        patch: c.patch,
                        pre: prerelease(c.pre)?,
                    });
                }
                Ok(Range(VersionReq { comparators }))
            }
        }
        deserializer.deserialize_seq(Comparators)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Serialize + for<'a> Deserialize<'a>>(value: &T) -> T {
        let mut buffer = [0u8; 256];
        let bytes = postcard::to_slice(value, &mut buffer).unwrap();
        postcard::from_bytes(bytes).unwrap()
    }

    /// Every operator and a pre-release tag come back from the compact form as they went in.
    #[test]
    fn the_compact_form_keeps_each_range_and_release() {
        for text in ["=1.2.3", ">1", ">=2.8, <8.0", "<3.1.4-rc1", "<=7", "~1.5", "^2.1", "*", "1.*", ">=1.2.3-beta.2"] {
            let range = Range(VersionReq::parse(text).unwrap());
            let back = round_trip(&range);
            assert_eq!(back, range, "{text}");
            assert_eq!(back.to_string(), range.to_string(), "{text}");
        }
        for text in ["1.7", "2.12.0", "10.1.0-rc2"] {
            let release = Release(crate::version::normalise(text).unwrap());
            let back = round_trip(&release);
            assert_eq!(back, release, "{text}");
        }
    }

    #[test]
    fn a_release_that_is_no_version_is_an_error_in_the_toml() {
        #[derive(Deserialize)]
        struct T {
            #[allow(dead_code)]
            r: Release,
        }
        let error = toml_edit::de::from_str::<T>("r = \"1.x\"").err().unwrap().to_string();
        assert!(error.contains("`1.x` is not a version"), "{error}");
    }
}
