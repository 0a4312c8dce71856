//! The stack of open conditionals while lines are read in order: rpm's `%if`/`%elif`/`%else`/
//! `%endif` and the shell's `if`/`elif`/`else`/`fi` follow the same rules.

/// Whether a branch runs: known, or not known because of the unknown numbered `u`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Branch {
    Taken,
    NotTaken,
    Unknown(usize),
}

#[derive(Debug)]
struct Frame {
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

    /// `if`: `condition` is asked only when the line can run at all.
    pub(super) fn open(&mut self, condition: impl FnOnce() -> Branch) {
        let dead = self.skipped();
        let branch = if dead { Branch::NotTaken } else { condition() };
        self.frames.push(Frame { branch, taken_before: matches!(branch, Branch::Taken), dead });
    }

    /// A construct whose body may run or not for a reason numbered `unknown` (a loop, a
    /// `case`); `unknown` is asked only when the line can run at all.
    pub(super) fn open_unknown(&mut self, unknown: impl FnOnce() -> usize) {
        let dead = self.skipped();
        let branch = if dead { Branch::NotTaken } else { Branch::Unknown(unknown()) };
        self.frames.push(Frame { branch, taken_before: true, dead });
    }

    /// `elif`: `condition` is asked only when no earlier branch ran or may have run.
    pub(super) fn elif(&mut self, condition: impl FnOnce() -> Branch) {
        let Some(frame) = self.frames.last_mut() else { return };
        frame.branch = match frame.branch {
            _ if frame.dead => Branch::NotTaken,
            Branch::Unknown(u) => Branch::Unknown(u),
            _ if frame.taken_before => Branch::NotTaken,
            _ => condition(),
        };
        frame.taken_before |= matches!(frame.branch, Branch::Taken);
    }

    /// `else`.
    pub(super) fn otherwise(&mut self) {
        let Some(frame) = self.frames.last_mut() else { return };
        frame.branch = match frame.branch {
            _ if frame.dead || frame.taken_before => Branch::NotTaken,
            Branch::Unknown(u) => Branch::Unknown(u),
            _ => Branch::Taken,
        };
        frame.taken_before = true;
    }

    /// `endif`, `fi`, `done`, `esac`.
    pub(super) fn close(&mut self) {
        self.frames.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(c: &Conditionals) -> bool {
        matches!(c.reach(), Reach::Runs)
    }

    #[test]
    fn only_the_first_true_branch_runs() {
        let mut c = Conditionals::default();
        c.open(|| Branch::NotTaken);
        assert!(!runs(&c));
        c.elif(|| Branch::Taken);
        assert!(runs(&c));
        c.elif(|| panic!("not asked: a branch already ran"));
        assert!(!runs(&c));
        c.otherwise();
        assert!(!runs(&c));
        c.close();
        assert!(runs(&c));
    }

    #[test]
    fn an_unknown_condition_makes_every_branch_unknown() {
        let mut c = Conditionals::default();
        c.open(|| Branch::Unknown(7));
        assert!(matches!(c.reach(), Reach::Unknown(7)));
        c.otherwise();
        assert!(matches!(c.reach(), Reach::Unknown(7)));
    }

    #[test]
    fn nothing_is_asked_under_a_skipped_branch() {
        let mut c = Conditionals::default();
        c.open(|| Branch::NotTaken);
        c.open(|| panic!("not asked under a skipped branch"));
        c.otherwise();
        assert!(!runs(&c));
        c.close();
        c.otherwise();
        assert!(runs(&c));
    }
}
