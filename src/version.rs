//! Versions: qemu versions and product releases, both ordered as semver after normalising.

use semver::Version;

/// Parses `7`, `7.3` or `7.3.1` (missing parts are zero) into a semver version, so that
/// "7.3" sorts before "7.10". Anything after a `-` is kept as a pre-release tag.
pub fn normalise(text: &str) -> Option<Version> {
    let (core, pre) = match text.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (text, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let number = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<u64>().ok());
    let mut version = Version::new(number(0)?, number(1)?, number(2)?);
    if let Some(pre) = pre {
        // `1.5.3-` is not 1.5.3: a `-` must be followed by a tag.
        if pre.is_empty() {
            return None;
        }
        version.pre = semver::Prerelease::new(pre).ok()?;
    }
    Some(version)
}

/// `1.5.3`: always three parts, without a pre-release tag.
pub fn short(version: &Version) -> String {
    format!("{}.{}.{}", version.major, version.minor, version.patch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_sort_as_versions() {
        let a = normalise("7.3").unwrap();
        let b = normalise("7.10").unwrap();
        assert!(a < b);
        assert_eq!(normalise("1.5.3").unwrap(), Version::new(1, 5, 3));
        assert_eq!(normalise("13").unwrap(), Version::new(13, 0, 0));
        assert!(normalise("7.x").is_none());
        assert!(normalise("").is_none());
        assert!(normalise("1.2.3.4").is_none());
        assert!(normalise("1.5.3-").is_none());
        assert!(normalise("7.3-").is_none());
        assert_eq!(normalise("9.2.91-rc1").unwrap().pre.as_str(), "rc1");
    }
}
