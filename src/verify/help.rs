//! The format list of `qemu-img --help`, in the three shapes qemu has printed (qemu.md
//! section 3): one `Supported formats:` line, unsorted and with duplicates before 2.1
//! (deduplicated but unsorted in RHEL 7's 1.5.3) and sorted from 2.1; and the wrapped
//! `Supported image formats:` block of 10.1 and of Debian's patched 10.0.x.

use serde::Serialize;

/// How the list was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// `Supported formats: a b c` on one line (qemu up to 10.0).
    OneLine,
    /// `Supported image formats:`, an empty line, then indented lines wrapped at ~75 columns.
    Wrapped,
}

/// The format list as qemu-img printed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormatList {
    pub shape: Shape,
    /// Each name once, in the order printed.
    pub names: Vec<String>,
    /// Names printed more than once (qemu before 2.1 prints one per registered driver).
    pub duplicates: Vec<String>,
    pub sorted: bool,
    /// `X.Y.Z` of the `qemu-img version X.Y.Z` line, if the text has one.
    pub version: Option<String>,
}

const ONE_LINE: &str = "Supported formats:";
const WRAPPED: &str = "Supported image formats:";

fn is_name(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-+.".contains(&b))
}

/// Finds and reads the format list; `None` if the text has none.
pub fn parse(text: &str) -> Option<FormatList> {
    let lines: Vec<&str> = text.lines().collect();
    let (shape, tokens) = lines.iter().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix(ONE_LINE) {
            // qemu prints one line; a copy from a web page may be wrapped, so lines of names
            // that follow up to a blank line belong to it too.
            let mut tokens: Vec<&str> = rest.split_whitespace().collect();
            for next in &lines[i + 1..] {
                let words: Vec<&str> = next.split_whitespace().collect();
                if words.is_empty() || !words.iter().all(|w| is_name(w)) {
                    break;
                }
                tokens.extend(words);
            }
            Some((Shape::OneLine, tokens))
        } else if trimmed == WRAPPED {
            // The block's lines are indented; the first line that is not ends it.
            let block = lines[i + 1..].iter().skip_while(|l| l.trim().is_empty());
            let indented = |l: &&&str| l.starts_with(char::is_whitespace) && !l.trim().is_empty();
            let tokens = block.take_while(indented).flat_map(|l| l.split_whitespace()).collect();
            Some((Shape::Wrapped, tokens))
        } else {
            None
        }
    })?;
    // Sets beside the lists: a list of 200,000 names stays linear.
    let mut names: Vec<String> = Vec::new();
    let mut duplicates: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut repeated = std::collections::HashSet::new();
    for token in tokens {
        if !seen.insert(token) {
            if repeated.insert(token) {
                duplicates.push(token.to_string());
            }
        } else {
            names.push(token.to_string());
        }
    }
    let sorted = names.windows(2).all(|w| w[0] <= w[1]);
    Some(FormatList { shape, names, duplicates, sorted, version: version(&lines) })
}

/// The version of a `qemu-img version 1.5.3, Copyright ...` or `qemu-img version 10.0.2 (Debian ...)` line.
fn version(lines: &[&str]) -> Option<String> {
    lines.iter().find_map(|line| {
        let rest = line.trim().strip_prefix("qemu-img version ")?;
        let word = rest.split_whitespace().next()?.trim_end_matches(',');
        crate::version::normalise(word).map(|_| word.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upstream 1.x: one line, in reverse registration order, one name per registered driver
    /// (the Debian qemu 1.x list quoted in qemu.md section 3), and exit status 1.
    const UPSTREAM_1X: &str = "qemu-img version 1.5.3, Copyright (c) 2004-2008 Fabrice Bellard\n\
usage: qemu-img command [command options]\n\
QEMU disk image utility\n\
\n\
Supported formats: vvfat vpc vmdk vdi sheepdog sheepdog sheepdog rbd raw host_cdrom host_floppy host_device file qed qcow2 qcow parallels nbd nbd nbd dmg tftp ftps ftp https http cow cloop bochs blkverify blkdebug\n";

    /// RHEL 7's 1.5.3: deduplicated by the e855e4fb backport but not sorted, no cow. The
    /// list is the one of seed-post.txt, which a blog page wrapped over four lines.
    const SEED_POST: &str = "$ qemu-img --help\n\
Supported formats: vvfat vpc vmdk vhdx vdi ssh\n\
sheepdog rbd raw host_cdrom host_floppy host_device\n\
file qed qcow2 qcow parallels nbd iscsi gluster dmg\n\
tftp ftps ftp https http cloop bochs blkverify blkdebug\n\
\n\
Although you can use all of those in qemu-img, not all of those drivers work in qemu (the hypervisor).\n";

    /// 2.10+: one sorted line, a blank line, then QEMU_HELP_BOTTOM (https from 2.11).
    const SORTED_2X: &str = "qemu-img version 2.12.0 (qemu-kvm-ev-2.12.0-44.1.el7_8.1)\n\
Copyright (c) 2003-2017 Fabrice Bellard and the QEMU Project developers\n\
\n\
Supported formats: blkdebug blkverify bochs cloop dmg file ftp ftps host_cdrom host_device http https luks nbd null-aio null-co qcow2 raw vpc\n\
\n\
See <https://qemu.org/contribute/report-a-bug> for how to report bugs.\n\
More information on the QEMU project at <https://qemu.org>.\n";

    /// Debian 10.0.2 (qemu.md section 4, the real output of this machine's qemu-img).
    const WRAPPED_10: &str = include_str!("../../tests/fixtures/verify/debian-10.0.2.txt");

    #[test]
    fn upstream_1x_line_with_duplicates() {
        let list = parse(UPSTREAM_1X).unwrap();
        assert_eq!(list.shape, Shape::OneLine);
        assert_eq!(list.names.len(), 27);
        assert_eq!(list.names[..4], ["vvfat", "vpc", "vmdk", "vdi"]);
        assert_eq!(list.duplicates, ["sheepdog", "nbd"]);
        assert!(!list.sorted);
        assert_eq!(list.version.as_deref(), Some("1.5.3"));
    }

    #[test]
    fn rhel_1_5_3_line_deduplicated_unsorted_even_when_wrapped_by_a_web_page() {
        let list = parse(SEED_POST).unwrap();
        assert_eq!(list.shape, Shape::OneLine);
        assert_eq!(list.names.len(), 30);
        assert!(list.duplicates.is_empty());
        assert!(!list.sorted);
        assert!(!list.names.contains(&"cow".to_string()));
        assert_eq!(list.names.last().map(String::as_str), Some("blkdebug"));
        assert_eq!(list.version, None);
    }

    #[test]
    fn sorted_line_stops_before_the_help_bottom() {
        let list = parse(SORTED_2X).unwrap();
        assert_eq!(list.shape, Shape::OneLine);
        assert_eq!(list.names.len(), 19);
        assert!(list.sorted);
        assert!(!list.names.iter().any(|n| n.contains("qemu.org")));
        assert_eq!(list.version.as_deref(), Some("2.12.0"));
    }

    #[test]
    fn wrapped_block_of_debian_10() {
        let list = parse(WRAPPED_10).unwrap();
        assert_eq!(list.shape, Shape::Wrapped);
        let expected = "blkdebug blklogwrites blkverify bochs cloop compress copy-before-write copy-on-read dmg file ftp ftps gluster host_cdrom host_device http https iscsi iser luks nbd nfs null-aio null-co nvme parallels preallocate qcow qcow2 qed quorum raw rbd replication snapshot-access ssh throttle vdi vhdx vmdk vpc vvfat";
        assert_eq!(list.names.join(" "), expected);
        assert!(list.sorted);
        assert!(list.duplicates.is_empty());
        assert_eq!(list.version.as_deref(), Some("10.0.2"));
    }

    #[test]
    fn no_list_is_none() {
        assert_eq!(parse("qemu-img: command not found\n"), None);
        // The emulator's `-drive format=help` has a read-only line that is not qemu-img's list.
        assert_eq!(parse("Supported formats (read-only): vmdk vpc\n"), None);
    }

    #[test]
    fn an_empty_wrapped_block_is_an_empty_list() {
        let list = parse("Supported image formats:\n\nSee <https://qemu.org/contribute/report-a-bug>\n").unwrap();
        assert_eq!(list.shape, Shape::Wrapped);
        assert!(list.names.is_empty());
    }
}
