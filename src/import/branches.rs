//! The stack of open conditionals while rpm's lines are read in order: `%if`/`%elif`/`%else`/
//! `%endif`.
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
    /// An `elif` or a second `else` after the `else` of its conditional (rpm: "%elif after %else").
    AfterElse { at: Keyword },
}

impl Imbalance {
    pub fn keyword(&self) -> &Keyword {
        match self {
            Imbalance::Unclosed { at, .. } | Imbalance::Stray { at } | Imbalance::AfterElse { at } => at,
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
            Imbalance::AfterElse { at } => (
                format!("`{}` after `%else`", at.word),
                format!("{tool} refuses a `{}` after the `%else` of its conditional", at.word),
                "move the branch before the `%else`".to_string(),
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
    /// Its `else` was met.
    else_seen: bool,
    /// Where a line in it stands, its enclosing frames included (kept so that `reach` is O(1)).
    reach: Reach,
}

/// Where the current line stands.
#[derive(Debug, Clone, Copy)]
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
    /// `%elif`s and `%else`s after an `%else`.
    after_else: Vec<Keyword>,
}

/// Skipped when any frame is not taken, else the outermost unknown, else runs.
fn combine(outer: Reach, branch: Branch) -> Reach {
    match (outer, branch) {
        (Reach::Skipped, _) | (_, Branch::NotTaken) => Reach::Skipped,
        (Reach::Unknown(u), _) | (Reach::Runs, Branch::Unknown(u)) => Reach::Unknown(u),
        (Reach::Runs, Branch::Taken) => Reach::Runs,
    }
}

impl Conditionals {
    pub(super) fn reach(&self) -> Reach {
        self.frames.last().map_or(Reach::Runs, |f| f.reach)
    }

    /// Where the enclosing frames of the innermost one stand.
    fn outer(&self) -> Reach {
        let outer = self.frames.len().checked_sub(2).and_then(|i| self.frames.get(i));
        outer.map_or(Reach::Runs, |f| f.reach)
    }

    fn skipped(&self) -> bool {
        matches!(self.reach(), Reach::Skipped)
    }

    /// `if` at `opened`, closed by `closer`: `condition` is asked only when the line can run at all.
    pub(super) fn open(&mut self, opened: Keyword, closer: &'static str, condition: impl FnOnce() -> Branch) {
        let dead = self.skipped();
        let branch = if dead { Branch::NotTaken } else { condition() };
        let reach = combine(self.reach(), branch);
        let taken_before = matches!(branch, Branch::Taken);
        self.frames.push(Frame { opened, closer, branch, taken_before, dead, else_seen: false, reach });
    }

    /// `elif`: `condition` is asked only when no earlier branch ran or may have run.
    pub(super) fn elif(&mut self, at: Keyword, condition: impl FnOnce() -> Branch) {
        let outer = self.outer();
        let Some(frame) = self.frames.last_mut() else { return self.strays.push(at) };
        if frame.else_seen {
            self.after_else.push(at);
            frame.branch = Branch::NotTaken;
            frame.reach = Reach::Skipped;
            return;
        }
        frame.branch = match frame.branch {
            _ if frame.dead => Branch::NotTaken,
            Branch::Unknown(u) => Branch::Unknown(u),
            _ if frame.taken_before => Branch::NotTaken,
            _ => condition(),
        };
        frame.taken_before |= matches!(frame.branch, Branch::Taken);
        frame.reach = combine(outer, frame.branch);
    }

    /// `else`.
    pub(super) fn otherwise(&mut self, at: Keyword) {
        let outer = self.outer();
        let Some(frame) = self.frames.last_mut() else { return self.strays.push(at) };
        if frame.else_seen {
            self.after_else.push(at);
        }
        frame.else_seen = true;
        frame.branch = match frame.branch {
            _ if frame.dead || frame.taken_before => Branch::NotTaken,
            Branch::Unknown(u) => Branch::Unknown(u),
            _ => Branch::Taken,
        };
        frame.taken_before = true;
        frame.reach = combine(outer, frame.branch);
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
        let after_else = self.after_else.iter().map(|at| Imbalance::AfterElse { at: at.clone() });
        let open = self.frames.iter().map(|f| Imbalance::Unclosed { at: f.opened.clone(), closer: f.closer });
        strays.chain(after_else).chain(open).collect()
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
        c.open(at(3, "if"), "fi", || Branch::Unknown(0));
        c.close(at(4, "fi"));
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

    #[test]
    fn an_elif_after_else_is_refused_and_its_branch_does_not_run() {
        let mut c = Conditionals::default();
        c.open(at(1, "%if"), "%endif", || Branch::NotTaken);
        c.otherwise(at(2, "%else"));
        assert!(runs(&c));
        c.elif(at(3, "%elif"), || panic!("not asked after %else"));
        assert!(!runs(&c));
        c.close(at(4, "%endif"));
        assert_eq!(c.imbalances(), [Imbalance::AfterElse { at: at(3, "%elif") }]);
    }

    #[test]
    fn deep_nesting_stays_linear() {
        let mut c = Conditionals::default();
        for line in 0..200_000 {
            c.open(at(line, "%if"), "%endif", || Branch::Taken);
            assert!(runs(&c));
        }
        assert_eq!(c.imbalances().len(), 200_000);
    }
}
