//! The stack of open conditionals while lines are read in order: rpm's `%if`/`%elif`/`%else`/
//! `%endif` and the shell's `if`/`elif`/`else`/`fi` follow the same rules.
//!
//! The stack also remembers where each conditional opened, so that one left open at the end
//! of the input, or a keyword that continues or closes one when none is open, is reported
//! instead of read silently (rpmbuild and sh both stop at such a file).

use super::place::Place;

/// Whether a branch runs: known, or not known because of the unknown numbered `u`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Branch {
    Taken,
    NotTaken,
    Unknown(usize),
}

/// A keyword of a conditional where the file writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Keyword {
    /// The keyword's own bytes when known (a shell `if` after `;`), else its line.
    pub at: Place,
    /// `%if`, `%ifarch`, `fi`, `done`, ...
    pub word: String,
}

impl Keyword {
    /// A keyword that starts its line (rpm's).
    pub fn new(line: usize, word: impl Into<String>) -> Self {
        Keyword { at: Place::line(line), word: word.into() }
    }
}

/// Where the conditionals do not balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Imbalance {
    /// Still open at the end of the input; `closer` is the keyword that should close it.
    Unclosed { at: Keyword, closer: &'static str },
    /// An `elif`, `else` or closing keyword with nothing open.
    Stray { at: Keyword },
}

impl Imbalance {
    pub fn keyword(&self) -> &Keyword {
        match self {
            Imbalance::Unclosed { at, .. } | Imbalance::Stray { at } => at,
        }
    }

    /// What, why and how to fix it, for a finding; `tool` is what refuses such a file.
    pub fn describe(&self, tool: &str) -> (String, String, String) {
        match self {
            Imbalance::Unclosed { at, closer } => (
                format!("an unclosed `{}`", at.word),
                format!(
                    "no `{closer}` closes it, so every line after it was read as inside it ({tool} stops at such a file)"
                ),
                format!("add the `{closer}` where it ends"),
            ),
            Imbalance::Stray { at } => (
                format!("a stray `{}`", at.word),
                format!("nothing is open here for it to continue or close, so it was ignored ({tool} stops at it)"),
                "remove it, or add what it belongs to".to_string(),
            ),
        }
    }
}

#[derive(Debug)]
struct Frame {
    /// Where it opened, and what closes it.
    opened: Keyword,
    closer: &'static str,
    branch: Branch,
    /// A branch of this conditional has run (later `elif`/`else` branches cannot).
    taken_before: bool,
    /// Under a branch known not to run: nothing in it counts, whatever its condition.
    dead: bool,
}

/// Where the current line stands.
pub(super) enum Reach {
    Runs,
    Skipped,
    /// Runs or not depending on the unknown numbered `u`.
    Unknown(usize),
}

#[derive(Debug, Default)]
pub(super) struct Conditionals {
    frames: Vec<Frame>,
    /// Keywords met with nothing open, in order.
    strays: Vec<Keyword>,
}

impl Conditionals {
    pub(super) fn reach(&self) -> Reach {
        if self.frames.iter().any(|f| matches!(f.branch, Branch::NotTaken)) {
            return Reach::Skipped;
        }
        match self.frames.iter().find_map(|f| if let Branch::Unknown(u) = f.branch { Some(u) } else { None }) {
            Some(u) => Reach::Unknown(u),
            None => Reach::Runs,
        }
    }

    fn skipped(&self) -> bool {
        matches!(self.reach(), Reach::Skipped)
    }

    /// `if` at `opened`, closed by `closer`: `condition` is asked only when the line can run at all.
    pub(super) fn open(&mut self, opened: Keyword, closer: &'static str, condition: impl FnOnce() -> Branch) {
        let dead = self.skipped();
        let branch = if dead { Branch::NotTaken } else { condition() };
        self.frames.push(Frame { opened, closer, branch, taken_before: matches!(branch, Branch::Taken), dead });
    }

    /// A construct whose body may run or not for a reason numbered `unknown` (a loop, a
    /// `case`); `unknown` is asked only when the line can run at all.
    pub(super) fn open_unknown(&mut self, opened: Keyword, closer: &'static str, unknown: impl FnOnce() -> usize) {
        let dead = self.skipped();
        let branch = if dead { Branch::NotTaken } else { Branch::Unknown(unknown()) };
        self.frames.push(Frame { opened, closer, branch, taken_before: true, dead });
    }

    /// `elif`: `condition` is asked only when no earlier branch ran or may have run.
    pub(super) fn elif(&mut self, at: Keyword, condition: impl FnOnce() -> Branch) {
        let Some(frame) = self.frames.last_mut() else { return self.strays.push(at) };
        frame.branch = match frame.branch {
            _ if frame.dead => Branch::NotTaken,
            Branch::Unknown(u) => Branch::Unknown(u),
            _ if frame.taken_before => Branch::NotTaken,
            _ => condition(),
        };
        frame.taken_before |= matches!(frame.branch, Branch::Taken);
    }

    /// `else`.
    pub(super) fn otherwise(&mut self, at: Keyword) {
        let Some(frame) = self.frames.last_mut() else { return self.strays.push(at) };
        frame.branch = match frame.branch {
            _ if frame.dead || frame.taken_before => Branch::NotTaken,
            Branch::Unknown(u) => Branch::Unknown(u),
            _ => Branch::Taken,
        };
        frame.taken_before = true;
    }

    /// `endif`, `fi`, `done`, `esac`.
    pub(super) fn close(&mut self, at: Keyword) {
        if self.frames.pop().is_none() {
            self.strays.push(at);
        }
    }

    /// At the end of the input: the keywords met with nothing open, then the conditionals
    /// still open (outermost first).
    pub(super) fn imbalances(&self) -> Vec<Imbalance> {
        let strays = self.strays.iter().map(|at| Imbalance::Stray { at: at.clone() });
        let open = self.frames.iter().map(|f| Imbalance::Unclosed { at: f.opened.clone(), closer: f.closer });
        strays.chain(open).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(c: &Conditionals) -> bool {
        matches!(c.reach(), Reach::Runs)
    }

    fn at(line: usize, word: &str) -> Keyword {
        Keyword::new(line, word)
    }

    #[test]
    fn only_the_first_true_branch_runs() {
        let mut c = Conditionals::default();
        c.open(at(1, "%if"), "%endif", || Branch::NotTaken);
        assert!(!runs(&c));
        c.elif(at(2, "%elif"), || Branch::Taken);
        assert!(runs(&c));
        c.elif(at(3, "%elif"), || panic!("not asked: a branch already ran"));
        assert!(!runs(&c));
        c.otherwise(at(4, "%else"));
        assert!(!runs(&c));
        c.close(at(5, "%endif"));
        assert!(runs(&c));
        assert_eq!(c.imbalances(), []);
    }

    #[test]
    fn an_unknown_condition_makes_every_branch_unknown() {
        let mut c = Conditionals::default();
        c.open(at(1, "%if"), "%endif", || Branch::Unknown(7));
        assert!(matches!(c.reach(), Reach::Unknown(7)));
        c.otherwise(at(2, "%else"));
        assert!(matches!(c.reach(), Reach::Unknown(7)));
    }

    #[test]
    fn nothing_is_asked_under_a_skipped_branch() {
        let mut c = Conditionals::default();
        c.open(at(1, "%if"), "%endif", || Branch::NotTaken);
        c.open(at(2, "%if"), "%endif", || panic!("not asked under a skipped branch"));
        c.otherwise(at(3, "%else"));
        assert!(!runs(&c));
        c.close(at(4, "%endif"));
        c.otherwise(at(5, "%else"));
        assert!(runs(&c));
        c.close(at(6, "%endif"));
        assert_eq!(c.imbalances(), []);
    }

    #[test]
    fn what_is_left_open_and_what_closes_nothing() {
        let mut c = Conditionals::default();
        c.close(at(1, "fi"));
        c.open(at(2, "if"), "fi", || Branch::Taken);
        c.open_unknown(at(3, "for"), "done", || 0);
        c.close(at(4, "done"));
        c.open(at(5, "if"), "fi", || Branch::NotTaken);
        // A dead conditional is still one that must be closed.
        c.open(at(6, "if"), "fi", || panic!("not asked"));
        c.close(at(7, "fi"));
        assert_eq!(
            c.imbalances(),
            [
                Imbalance::Stray { at: at(1, "fi") },
                Imbalance::Unclosed { at: at(2, "if"), closer: "fi" },
                Imbalance::Unclosed { at: at(5, "if"), closer: "fi" },
            ]
        );
        let mut c = Conditionals::default();
        c.elif(at(1, "%elif"), || panic!("nothing is open"));
        c.otherwise(at(2, "%else"));
        assert!(runs(&c), "a stray %else changes nothing");
        assert_eq!(c.imbalances(), [Imbalance::Stray { at: at(1, "%elif") }, Imbalance::Stray { at: at(2, "%else") }]);
    }
}
