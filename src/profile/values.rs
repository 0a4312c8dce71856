//! What a profile's strings may hold, so that no value escapes its place in the generated
//! configure line, spec snippet or terminal: no control characters anywhere, names in the
//! grammar of what reads them, and extra-args one shell word as written.

/// The first control character (C0, DEL or C1: newlines, tabs, escapes) of `text`.
pub fn control_character(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_control())
}

/// `U+000A (line feed)`, for messages.
pub fn describe_char(c: char) -> String {
    let name = match c {
        '\n' => " (line feed)",
        '\r' => " (carriage return)",
        '\t' => " (tab)",
        '\u{1b}' => " (escape)",
        '\0' => " (NUL)",
        _ => "",
    };
    format!("U+{:04X}{name}", c as u32)
}

fn words(text: &str, first: impl Fn(char) -> bool, rest: impl Fn(char) -> bool) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(first) && chars.all(rest)
}

/// The NAME of `--enable-NAME`: lower-case letters and digits in words joined by `-`, as every
/// option of qemu 10.0.0's scripts/meson-buildoptions.sh (`_meson_option_parse`) and of the RHEL 7
/// configure flags in the shipped profiles is spelled.
pub fn is_flag(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// A meson option: a lower-case letter, then lower-case letters, digits and `_` (every option of
/// qemu 10.0.0's meson_options.txt).
pub fn is_meson_option(text: &str) -> bool {
    words(text, |c| c.is_ascii_lowercase(), |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// An rpm package name, a program name or a profile name: letters, digits and `. _ + -`, not
/// starting with a punctuation mark (rpm's Name: tag takes these; none of them means anything to
/// rpm's macro expansion, which also reads comments, or to the shell).
pub fn is_package_name(text: &str) -> bool {
    words(text, |c| c.is_ascii_alphanumeric(), |c| c.is_ascii_alphanumeric() || "._+-".contains(c))
}

/// What the rules of `shell_word` allow, for the help of its errors.
pub const SHELL_WORD_HELP: &str = "an extra-arg is one shell word as written: quote blanks and shell characters \
(--extra-cflags=\"%{optflags} -fPIE\" or 'a;b'); \"$NAME\" in double quotes and the rpm macros %{name}, %{?name}, \
%{!?name}, %name after the start and %% are passed; command substitution, rpm's %(...) and %{lua:...}, shell operators, globs and \
brace expansion outside quotes are not";

/// Why `text` is not one shell word that stays in its place, if it is not: run by sh after rpm
/// expanded the spec, it must be one argument of `./configure`, run nothing and end nothing.
pub fn shell_word(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err(
            "an empty extra-arg would be a blank line in the configure command (write '' for an empty argument)".into(),
        );
    }
    if let Some(c) = control_character(text) {
        return Err(format!("{} is not allowed in an extra-arg", describe_char(c)));
    }
    match shell_words::split(text) {
        Err(_) => return Err("a quote is not closed".into()),
        Ok(words) if words.is_empty() => return Err("it is a shell comment, not an argument".into()),
        Ok(words) if words.len() > 1 => {
            return Err(format!("it is {} shell words, not one: quote the blanks", words.len()));
        }
        Ok(_) => {}
    }
    scan(text)
}

#[derive(Clone, Copy, PartialEq)]
enum Quote {
    None,
    Single,
    Double,
}

/// What shell-words does not check: operators, expansions and rpm macros. `shell_word` has
/// already seen that the quotes balance.
fn scan(text: &str) -> Result<(), String> {
    let chars: Vec<char> = text.chars().collect();
    let mut quote = Quote::None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '%' {
            i = macro_end(&chars, i)?;
            continue;
        }
        match (quote, c) {
            (Quote::Single, '\'') => quote = Quote::None,
            (Quote::Single, _) => {}
            (_, '\\') => {
                if next.is_none() {
                    return Err("a backslash at the end would join the next line to the command".into());
                }
                i += 1;
            }
            (_, '`') => return Err("command substitution (`...`) runs a command".into()),
            (_, '$') if next == Some('(') => return Err("command substitution ($(...)) runs a command".into()),
            (Quote::None, '$') => {
                return Err("`$` outside double quotes is split into words by the shell: write \"$NAME\"".into());
            }
            (Quote::Double, '$') => i = parameter_end(&chars, i)? - 1,
            (Quote::Double, '"') => quote = Quote::None,
            (Quote::Double, _) => {}
            (Quote::None, '\'') => quote = Quote::Single,
            (Quote::None, '"') => quote = Quote::Double,
            (Quote::None, ';' | '&' | '|' | '<' | '>' | '(' | ')') => {
                return Err(format!("`{c}` outside quotes is a shell operator"));
            }
            (Quote::None, '*' | '?' | '[') => return Err(format!("`{c}` outside quotes is a glob")),
            (Quote::None, '{') if i == 0 || chars[i - 1] != '$' => {
                return Err("`{` outside quotes is brace expansion".into());
            }
            (Quote::None, _) => {}
        }
        i += 1;
    }
    Ok(())
}

/// The index after `$NAME` or `${NAME}` at `start` (a `$` in double quotes), the only
/// expansions passed.
fn parameter_end(chars: &[char], start: usize) -> Result<usize, String> {
    let refuse = || Err("in double quotes `$` must start $NAME or ${NAME}".to_string());
    let is_start = |c: &char| c.is_ascii_alphabetic() || *c == '_';
    let is_rest = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    match chars.get(start + 1) {
        Some('{') => {
            let name = chars[start + 2..].iter().take_while(|c| is_rest(c)).count();
            let ok = chars.get(start + 2).is_some_and(is_start) && chars.get(start + 2 + name) == Some(&'}');
            if ok { Ok(start + 3 + name) } else { refuse() }
        }
        Some(c) if is_start(c) => Ok(start + 1 + chars[start + 1..].iter().take_while(|c| is_rest(c)).count()),
        _ => refuse(),
    }
}

/// The index after the rpm macro at `start` (a `%`), if it is one that only substitutes a value.
fn macro_end(chars: &[char], start: usize) -> Result<usize, String> {
    let refuse = || {
        Err("rpm expands `%` everywhere in a spec: only %{name}, %{?name}, %{!?name}, %name after the start, and %% (a literal %) are passed"
            .to_string())
    };
    match chars.get(start + 1) {
        Some('%') => Ok(start + 2),
        Some('{') => {
            let Some(close) = chars[start + 2..].iter().position(|c| *c == '}') else { return refuse() };
            let body: String = chars[start + 2..start + 2 + close].iter().collect();
            let name = body.strip_prefix("!?").or_else(|| body.strip_prefix('?')).unwrap_or(&body);
            let is_name =
                words(name, |c| c.is_ascii_alphabetic() || c == '_', |c| c.is_ascii_alphanumeric() || c == '_');
            if is_name { Ok(start + 3 + close) } else { refuse() }
        }
        // `--x=%_prefix`, or one rpm leaves as it is when undefined (`qemu-%M`, RHEL 9's
        // --interp-prefix). Not at the start: there `%endif` or `%build` would be a directive.
        Some(c) if start > 0 && (c.is_ascii_alphabetic() || *c == '_') => {
            let len = chars[start + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '_').count();
            Ok(start + 1 + len)
        }
        _ => refuse(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_configure_option_names() {
        for ok in ["rbd", "live-block-ops", "vnc-ws", "libssh2", "9p"] {
            assert!(is_flag(ok), "{ok}");
        }
        for bad in ["", "spice; rm -rf /", "a\nb", "-x", "x-", "a--b", "Rbd", "a_b", "a=b"] {
            assert!(!is_flag(bad), "{bad:?}");
        }
        assert!(is_meson_option("live_block_ops"));
        assert!(!is_meson_option("live-block-ops"));
        assert!(!is_meson_option("_x"));
    }

    #[test]
    fn package_names_are_rpm_names() {
        for ok in ["qemu-kvm", "qemu-kvm-rhev", "libguestfs", "virt-v2v", "gtk+", "python3.11"] {
            assert!(is_package_name(ok), "{ok}");
        }
        for bad in ["", "qemu kvm", "qemu-%(reboot)", "%{name}", "-x", "a\nb", "é"] {
            assert!(!is_package_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn extra_args_that_stay_one_argument() {
        for ok in [
            "--prefix=%{_prefix}",
            "--extra-cflags=\"%{optflags} -fPIE -DPIE\"",
            "--target-list=x86_64-softmmu",
            "'a;b'",
            "\"a b\"",
            "--cc=\"$CC\"",
            "--cc=\"${CC}\"",
            "--x=\"$RPM_OPT_FLAGS\"",
            "a\\ b",
            "''",
            "--with-pkgversion=%{name}-%{version}-%{release}",
            "--x=%{?dist}",
            "100%%",
            "a#b",
            "--interp-prefix=%{_prefix}/qemu-%M",
            "--x=%_prefix",
        ] {
            assert_eq!(shell_word(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn extra_args_that_would_escape() {
        for (bad, why) in [
            ("", "empty"),
            ("--x\nrm -rf /", "U+000A"),
            ("--enable-spice; rm -rf /", "shell words"),
            ("--x;rm", "operator"),
            ("a&&b", "operator"),
            ("a|b", "operator"),
            ("a>b", "operator"),
            ("--cc=$CC", "split into words"),
            ("\"${,}\"", "must start $NAME"),
            ("\"$1\"", "must start $NAME"),
            ("$(reboot)", "command substitution"),
            ("\"$(reboot)\"", "command substitution"),
            ("`reboot`", "command substitution"),
            ("%(reboot)", "rpm expands"),
            ("'%(reboot)'", "rpm expands"),
            ("%{lua:os.exit()}", "rpm expands"),
            ("'%{lua: os.exit()}'", "rpm expands"),
            ("%endif", "rpm expands"),
            ("%build", "rpm expands"),
            ("50%", "rpm expands"),
            ("--x\\", "backslash"),
            ("#x", "comment"),
            ("\"a", "not closed"),
            ("*", "glob"),
            ("{a,b}", "brace"),
        ] {
            let err = shell_word(bad).expect_err(bad);
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }
}
