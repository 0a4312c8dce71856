//! "did you mean" for profile names: the same name in another case first, then the nearest
//! release of the same product (`rhel-7.8` means `rhel-7.7` more likely than `rhel-7.0`),
//! then the nearest spelling.

use crate::diagnostic::nearest;
use std::cmp::Reverse;

/// A name split around its release: `rhel-7.3-rhev` is ("rhel-", "7.3", "-rhev").
struct Named<'a> {
    product: (String, String),
    release: &'a str,
    numbers: Vec<u64>,
}

fn split(name: &str) -> Option<Named<'_>> {
    let bytes = name.as_bytes();
    let start = (1..bytes.len()).find(|&i| bytes[i - 1] == b'-' && bytes[i].is_ascii_digit())?;
    let end = name[start..].find(|c: char| !c.is_ascii_digit() && c != '.').map_or(name.len(), |e| start + e);
    let release = name[start..end].trim_end_matches('.');
    let end = start + release.len();
    let numbers = release.split('.').map(|n| n.parse().ok()).collect::<Option<Vec<u64>>>()?;
    let product = (name[..start].to_lowercase(), name[end..].to_lowercase());
    Some(Named { product, release, numbers })
}

/// How far release `b` is from `a`: the first component that differs (earlier is farther),
/// then by how much.
fn distance(a: &[u64], b: &[u64]) -> (Reverse<usize>, u64) {
    let len = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..len).find(|&i| at(a, i) != at(b, i)).map_or((Reverse(len), 0), |i| (Reverse(i), at(a, i).abs_diff(at(b, i))))
}

/// The profile of `names` that `name` most likely means, if any is near.
pub fn profile<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let names: Vec<&str> = names.into_iter().filter(|n| *n != name).collect();
    if let Some(same) = names.iter().find(|n| n.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    if let Some(wanted) = split(name) {
        let same: Vec<(&str, Named)> =
            names.iter().filter_map(|n| split(n).filter(|c| c.product == wanted.product).map(|c| (*n, c))).collect();
        // A character too many or too few in the release (`7.33` for `7.3`): a slip.
        let slip = same.iter().find(|(_, c)| {
            wanted.release.len().abs_diff(c.release.len()) == 1 && strsim::levenshtein(wanted.release, c.release) == 1
        });
        // Else the release just below or just above, whichever is nearer (the older when as near).
        let below =
            same.iter().filter(|(_, c)| c.numbers < wanted.numbers).max_by(|a, b| a.1.numbers.cmp(&b.1.numbers));
        let above =
            same.iter().filter(|(_, c)| c.numbers > wanted.numbers).min_by(|a, b| a.1.numbers.cmp(&b.1.numbers));
        let neighbour = match (below, above) {
            (Some(b), Some(a)) if distance(&wanted.numbers, &a.1.numbers) < distance(&wanted.numbers, &b.1.numbers) => {
                Some(a)
            }
            (Some(b), _) => Some(b),
            (None, a) => a,
        };
        if let Some((n, _)) = slip.or(neighbour) {
            return Some(n);
        }
    }
    nearest(name, names)
}

/// "did you mean `X`?" for `profile`.
pub fn did_you_mean_profile<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    profile(name, names).map(|p| format!("did you mean `{p}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &[
        "debian-13",
        "rhel-7.0",
        "rhel-7.1",
        "rhel-7.2",
        "rhel-7.3",
        "rhel-7.4",
        "rhel-7.5",
        "rhel-7.6",
        "rhel-7.7",
        "rhel-7.2-rhev",
        "rhel-7.3-rhev",
        "rhel-7.5-rhev",
        "rhel-7.6-rhev",
    ];

    fn suggest(name: &str) -> Option<&'static str> {
        profile(name, NAMES.iter().copied())
    }

    #[test]
    fn another_case_first() {
        assert_eq!(suggest("RHEL-7.3"), Some("rhel-7.3"));
        assert_eq!(suggest("Rhel-7.3-RHEV"), Some("rhel-7.3-rhev"));
    }

    #[test]
    fn then_the_nearest_release_of_the_same_product() {
        assert_eq!(suggest("rhel-7.8"), Some("rhel-7.7"));
        assert_eq!(suggest("rhel-7.9"), Some("rhel-7.7"));
        assert_eq!(suggest("rhel-8.0"), Some("rhel-7.7"));
        assert_eq!(suggest("rhel-7.4-rhev"), Some("rhel-7.3-rhev"));
        assert_eq!(suggest("rhel-7.7-rhev"), Some("rhel-7.6-rhev"));
        assert_eq!(suggest("debian-12"), Some("debian-13"));
        assert_eq!(suggest("RHEL-7.8"), Some("rhel-7.7"));
        // A slip of one character in the release wins over numeric nearness.
        assert_eq!(suggest("rhel-7.33"), Some("rhel-7.3"));
    }

    #[test]
    fn then_the_nearest_spelling() {
        assert_eq!(suggest("rhle-7.3"), Some("rhel-7.3"));
        assert_eq!(suggest("rhel-7.3-rhve"), Some("rhel-7.3-rhev"));
        assert_eq!(suggest("fedora-40"), None);
    }
}
