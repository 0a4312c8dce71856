//! The process's start on glibc Linux, in place of std's. std's start finds the main thread's
//! stack (glibc reads all of `/proc/self/maps` for it, a third of a hello-world's
//! instructions) and maps a signal stack, to print a message when the stack overflows; the
//! overflow still ends the process without it (a SIGSEGV on the kernel's guard gap), and the
//! parsers bound their depth. What of std's start the tool relies on is done here; std reads
//! the arguments itself before `main` on glibc (from `.init_array`).

/// Standard streams that are closed get `/dev/null`, so that no file the run opens takes
/// their place; SIGPIPE is ignored, so that a write to a closed pipe is an error that
/// `finish` answers quietly (as std's start does for both).
pub fn prepare() {
    // SAFETY: `fds` is a valid array of three pollfd; the other calls take no pointer of ours
    // but the path, a NUL-terminated literal.
    unsafe {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd { fd, events: 0, revents: 0 });
        let closed: [bool; 3] = loop {
            if libc::poll(fds.as_mut_ptr(), 3, 0) != -1 {
                break fds.map(|fd| fd.revents & libc::POLLNVAL != 0);
            }
            match *libc::__errno_location() {
                libc::EINTR => continue,
                // poll cannot answer (too low a file limit, no memory): ask of each fd.
                libc::EINVAL | libc::EAGAIN | libc::ENOMEM => {
                    break [0, 1, 2]
                        .map(|fd| libc::fcntl(fd, libc::F_GETFD) == -1 && *libc::__errno_location() == libc::EBADF);
                }
                _ => libc::abort(),
            }
        };
        // `open` takes the lowest free fd: the closed ones, in order.
        for _ in closed.iter().filter(|c| **c) {
            if libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) == -1 {
                libc::abort();
            }
        }
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// The run's exit status: a panic's is 101, as with std's start (the panic hook has printed it).
pub fn run(main: fn() -> u8) -> libc::c_int {
    std::panic::catch_unwind(main).map_or(101, libc::c_int::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_status_is_the_runs_and_a_panics_is_101() {
        assert_eq!(run(|| 3), 3);
        assert_eq!(run(|| panic!("a bug")), 101);
    }

    /// In a child process, so that no other test's file takes the closed fd meanwhile.
    #[test]
    fn a_closed_standard_stream_gets_dev_null() {
        // SAFETY: the child calls only async-signal-safe functions (close, poll, fcntl, open,
        // signal, fstat, stat, _exit) before it exits.
        unsafe {
            let child = libc::fork();
            assert!(child >= 0);
            if child == 0 {
                libc::close(0);
                prepare();
                let (mut fd0, mut null): (libc::stat, libc::stat) = (std::mem::zeroed(), std::mem::zeroed());
                let same = libc::fstat(0, &mut fd0) == 0
                    && libc::stat(c"/dev/null".as_ptr(), &mut null) == 0
                    && (fd0.st_dev, fd0.st_ino) == (null.st_dev, null.st_ino);
                libc::_exit(if same { 0 } else { 1 });
            }
            let mut status = 0;
            assert_eq!(libc::waitpid(child, &mut status, 0), child);
            assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "status {status}");
        }
    }

    #[test]
    fn sigpipe_is_ignored_after_prepare() {
        // std's own start (this test binary's) ignores it already: undo that first.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
        prepare();
        // SAFETY: a query of the current disposition into a zeroed sigaction.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut action) }, 0);
        assert_eq!(action.sa_sigaction, libc::SIG_IGN);
    }
}
