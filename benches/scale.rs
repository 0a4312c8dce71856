//! The scale and start-up benchmark of issue 10: builds the synthetic profile sets and the hostile
//! files, runs each row side by side with a hello-world Rust binary it compiles itself (start-up
//! against both its default, dynamically linked build and a statically linked one), and prints
//! medians, ratios and peak memory. Run it with `benches/scale.sh` (or `cargo bench --bench scale`);
//! `-- --binary PATH` measures another build (the figures "before"), `-- --quick` runs each row
//! fewer times, `-- --only GROUP` runs one group (startup, scale, deep, hostile), and
//! `-- --instructions` adds the ratios counted in instructions by valgrind, which the machine's
//! noise does not move. Nothing here asserts a time: the table is for people.
//!
//! The synthetic sets (issue 10, section 4): chains of 20 profiles, the root naming 8 arches, qemu
//! 2.12.0, two whitelists and four features, each child changing one thing (a whitelist add or
//! remove, a feature, an arch-selector feature); 10,000 profiles are 500 chains.

use std::fmt::Write as _;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const ARCHES: &str = r#"["x86_64", "i686", "aarch64", "ppc64", "ppc64le", "s390x", "armv7hl", "riscv64"]"#;
/// A run that takes longer is stopped and reported as such (the FIFO of section 3 hangs for ever).
const TIMEOUT: Duration = Duration::from_secs(20);
/// The address space a run may take (the `/dev/zero` profile reads until memory runs out).
const MEMORY_LIMIT: u64 = 4 << 30;

fn root(product: &str) -> String {
    format!(
        r#"[profile]
product = "{product}"
release = "1.0"
description = "synthetic root"
arches = {ARCHES}

[qemu]
package = "qemu-kvm"
version = "2.12.0"
rw-whitelist = ["qcow2", "raw", "file", "host_device", "nbd", "iscsi", "rbd"]
ro-whitelist = ["vmdk", "vhdx", "vpc", "https", "ssh"]

[qemu.features]
curl = "enable"
rbd = "enable"
libiscsi = "enable"
libssh2 = "enable"
"#
    )
}

/// The `i`th child (from 1) changes one thing, in turn: the ro whitelist, a feature, an
/// arch-selector feature, the rw whitelist; adds and removes alternate so that every edit is valid.
fn child(product: &str, i: usize) -> String {
    let first = (i / 4).is_multiple_of(2);
    let change = match i % 4 {
        1 => format!("[qemu]\nro-whitelist = {{ {} = [\"dmg\"] }}\n", if first { "add" } else { "remove" }),
        2 => format!("[qemu.features]\nlibnfs = \"{}\"\n", if first { "enable" } else { "disable" }),
        3 => format!(
            "[arch.\"ppc64le,s390x\".qemu]\nfeatures = {{ glusterfs = \"{}\" }}\n",
            if first { "enable" } else { "disable" }
        ),
        _ => format!("[qemu]\nrw-whitelist = {{ {} = [\"qed\"] }}\n", if first { "remove" } else { "add" }),
    };
    format!(
        "[profile]\nrelease = \"1.{i}\"\ninherits = \"{product}-1.{}\"\ndescription = \"synthetic child {i}\"\n\n{change}",
        i - 1
    )
}

/// `chains` chains of `depth` profiles in `dir`, products s0000, s0001, ...
fn synthetic(dir: &Path, chains: usize, depth: usize) {
    if dir.join(".done").exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("set dir");
    for c in 0..chains {
        let product = format!("s{c:04}");
        for i in 0..depth {
            let text = if i == 0 { root(&product) } else { child(&product, i) };
            std::fs::write(dir.join(format!("{product}-1.{i}.toml")), text).expect("write profile");
        }
    }
    std::fs::write(dir.join(".done"), "").expect("mark");
}

/// A profile with `keys` unknown keys in [profile] (section 3: `resolve::dedup` was quadratic).
fn unknown_keys(dir: &Path, keys: usize) -> PathBuf {
    let path = dir.join(format!("keys-{keys}"));
    std::fs::create_dir_all(&path).expect("dir");
    let mut text = String::from("[profile]\nrelease = \"1.0\"\n");
    for k in 0..keys {
        let _ = writeln!(text, "k{k} = 1");
    }
    std::fs::write(path.join("keys.toml"), text).expect("write");
    path
}

/// `qemu-img --help` with a format list of `names` names (section 3: the parse was quadratic).
fn help_text(dir: &Path, names: usize) -> PathBuf {
    let path = dir.join(format!("help-{names}.txt"));
    let mut text = String::from("qemu-img version 1.5.3\n\nSupported formats:");
    for n in 0..names {
        let _ = write!(text, " f{n}");
    }
    text.push('\n');
    std::fs::write(&path, text).expect("write");
    path
}

fn hostile(dir: &Path) -> Hostile {
    std::fs::create_dir_all(dir).expect("hostile dir");
    let special = |name: &str, make: &dyn Fn(&Path)| {
        let d = dir.join(name);
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        make(&d.join("x.toml"));
        d
    };
    let fifo = special("fifo", &|p| {
        assert!(Command::new("mkfifo").arg(p).status().expect("mkfifo").success());
    });
    let zero = special("zero", &|p| std::os::unix::fs::symlink("/dev/zero", p).expect("symlink"));
    let big = special("big", &|p| {
        let mut text = String::from("[profile]\nrelease = \"1.0\"\ndescription = \"");
        text.push_str(&"x".repeat(2 << 20));
        text.push_str("\"\n");
        std::fs::write(p, text).expect("write")
    });
    Hostile {
        keys: [20_000, 40_000, 80_000].map(|k| (k, unknown_keys(dir, k))).to_vec(),
        keys_70k: unknown_keys(dir, 70_000),
        help: [50_000, 100_000, 200_000].map(|n| (n, help_text(dir, n))).to_vec(),
        fifo,
        zero,
        big,
    }
}

struct Hostile {
    keys: Vec<(usize, PathBuf)>,
    keys_70k: PathBuf,
    help: Vec<(usize, PathBuf)>,
    fifo: PathBuf,
    zero: PathBuf,
    big: PathBuf,
}

/// One run: wall time, peak resident memory, exit status (`None`: stopped at the timeout).
struct Sample {
    wall: Duration,
    max_rss_kib: i64,
    exit: Option<i32>,
}

/// One run. `guarded`: with a memory limit and a timeout, for input that may not end; the
/// start-up rows run without, since forking for the limit and the watchdog thread cost time of
/// the order of what they measure.
fn run_once(program: &Path, args: &[String], guarded: bool) -> Sample {
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    if !guarded {
        let start = Instant::now();
        // Reaped below by wait4, which also gives its peak memory.
        #[allow(clippy::zombie_processes)]
        let child = command.spawn().expect("spawn");
        let pid = child.id() as libc::pid_t;
        let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
        // SAFETY: waits for our own child, which std does not wait for afterwards.
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let wall = start.elapsed();
        assert_eq!(waited, pid, "wait4");
        let exit = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
        return Sample { wall, max_rss_kib: usage.ru_maxrss, exit: Some(exit) };
    }
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: MEMORY_LIMIT, rlim_max: MEMORY_LIMIT };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let start = Instant::now();
    // Reaped below by wait4, which also gives its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = command.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let done = Arc::new(AtomicBool::new(false));
    let timed_out = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (done, timed_out) = (done.clone(), timed_out.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + TIMEOUT;
            while !done.load(Ordering::SeqCst) {
                if Instant::now() >= deadline {
                    timed_out.store(true, Ordering::SeqCst);
                    // SAFETY: the child is not reaped before `done` is set, so the pid is still ours.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; std's Child is not waited on afterwards.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    done.store(true, Ordering::SeqCst);
    let _ = watchdog.join();
    assert_eq!(waited, pid, "wait4");
    let exit = (!timed_out.load(Ordering::SeqCst))
        .then(|| if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) });
    Sample { wall, max_rss_kib: usage.ru_maxrss, exit }
}

struct Measured {
    median: Duration,
    max_rss_kib: i64,
    exit: Option<i32>,
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// `runs` runs of `args`, each after a run of every baseline (side by side, so that the
/// machine's noise hits them alike).
fn measure(program: &Path, args: &[String], runs: usize, baselines: &[&Path]) -> (Measured, Vec<Measured>) {
    // Side by side with a baseline means start-up: unguarded.
    let guarded = baselines.is_empty();
    let mut walls = Vec::new();
    let mut base_walls = vec![Vec::new(); baselines.len()];
    let mut base_rss = vec![0; baselines.len()];
    let (mut rss, mut exit) = (0, None);
    for _ in 0..runs {
        for (i, base) in baselines.iter().enumerate() {
            let s = run_once(base, &[], guarded);
            base_walls[i].push(s.wall);
            base_rss[i] = base_rss[i].max(s.max_rss_kib);
        }
        let s = run_once(program, args, guarded);
        walls.push(s.wall);
        rss = rss.max(s.max_rss_kib);
        exit = s.exit;
        if exit.is_none() {
            break;
        }
    }
    let measured = Measured { median: median(walls), max_rss_kib: rss, exit };
    let bases = base_walls
        .into_iter()
        .zip(base_rss)
        .map(|(walls, max_rss_kib)| Measured { median: median(walls), max_rss_kib, exit: Some(0) })
        .collect();
    (measured, bases)
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 { format!("{ms:.0} ms") } else { format!("{ms:.2} ms") }
}

fn mib(kib: i64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn exit_text(exit: Option<i32>) -> String {
    exit.map_or_else(|| format!("killed at {}s", TIMEOUT.as_secs()), |e| e.to_string())
}

fn args(profiles: Option<&Path>, rest: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(dir) = profiles {
        out.push("--profiles".to_string());
        out.push(dir.display().to_string());
    }
    out.extend(rest.iter().map(|s| s.to_string()));
    out
}

struct Table {
    rows: Vec<[String; 6]>,
}

impl Table {
    fn row(&mut self, work: &str, time: String, memory: String, exit: String, figure: String, goal: &str) {
        self.rows.push([work.to_string(), time, memory, exit, figure, goal.to_string()]);
        let last = self.rows.last().expect("row");
        eprintln!("  {} | {} | {} | exit {} | {} | goal: {}", last[0], last[1], last[2], last[3], last[4], last[5]);
    }

    fn print(&self) {
        println!("| work | median | peak memory | exit | figure | goal |");
        println!("|---|---|---|---|---|---|");
        for r in &self.rows {
            println!("| {} | {} | {} | {} | {} | {} |", r[0], r[1], r[2], r[3], r[4], r[5]);
        }
    }
}

fn main() {
    let mut binary = PathBuf::from(env!("CARGO_BIN_EXE_drvpolicy"));
    let mut quick = false;
    let mut counting = false;
    let mut only: Option<String> = None;
    let mut argv = std::env::args().skip(1);
    while let Some(arg) = argv.next() {
        match arg.as_str() {
            "--binary" => binary = PathBuf::from(argv.next().expect("--binary PATH")),
            "--quick" => quick = true,
            "--instructions" => counting = true,
            "--only" => only = argv.next(),
            "--bench" => {}
            other => panic!("unknown argument {other}: expected --binary PATH, --quick, --instructions, --only WORD"),
        }
    }
    let work = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/scale");
    std::fs::create_dir_all(&work).expect("work dir");
    // A copy, as an install makes one: in this project's virtual machines the file a linker has
    // just written starts up to a third slower (its pages are cached as the linker wrote them).
    let measured = work.join("measured");
    std::fs::create_dir_all(&measured).expect("measured dir");
    let copy = measured.join("drvpolicy");
    let _ = std::fs::remove_file(&copy);
    std::fs::copy(&binary, &copy).unwrap_or_else(|e| panic!("cannot copy {}: {e}", binary.display()));
    eprintln!("measuring a copy of {}", binary.display());
    let (source, binary) = (binary, copy);

    // The baseline as rustc builds it by default (linked dynamically, as the default build of
    // drvpolicy is), and the same linked statically, to read a static build against.
    let hello_src = work.join("hello.rs");
    std::fs::write(&hello_src, "fn main() {\n    println!(\"hello, world\");\n}\n").expect("hello.rs");
    let hello = work.join("hello");
    let hello_static = work.join("hello-static");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    for (out, flags) in [(&hello, &[][..]), (&hello_static, &["-C", "target-feature=+crt-static"][..])] {
        let status = Command::new(&rustc).args(["-O"]).args(flags).arg("-o").arg(out).arg(&hello_src).status();
        assert!(status.expect("rustc").success(), "cannot build the hello-world baseline {}", out.display());
    }

    eprintln!("building the synthetic sets in {}", work.display());
    let set10k = work.join("set-10k");
    let set20k = work.join("set-20k");
    let deep1000 = work.join("deep-1000");
    let deep2000 = work.join("deep-2000");
    synthetic(&set10k, 500, 20);
    synthetic(&set20k, 1000, 20);
    synthetic(&deep1000, 1, 1000);
    synthetic(&deep2000, 1, 2000);
    let hostile = hostile(&work.join("hostile"));

    let short = if quick { 21 } else { 201 };
    let long = if quick { 3 } else { 5 };
    let mut table = Table { rows: Vec::new() };
    // `--only WORD`: the rows of a group (startup, scale, deep, hostile) or whose name has WORD.
    let wanted = |group: &str, name: &str| only.as_deref().is_none_or(|o| o == group || name.contains(o));

    // Start-up: side by side with both hello-world binaries.
    for (work, rest, goal) in [
        ("`--version`", &["--version"][..], "as close as it gets"),
        ("`generate spec rhel-7.3`", &["generate", "spec", "rhel-7.3"][..], "at most 1.6x hello"),
        ("`diff rhel-7.2 rhel-7.3`", &["diff", "rhel-7.2", "rhel-7.3"][..], "at most 1.6x hello"),
    ] {
        if !wanted("startup", work) {
            continue;
        }
        let (m, bases) = measure(&binary, &args(None, rest), short, &[&hello, &hello_static]);
        let ratio = |base: &Measured| m.median.as_secs_f64() / base.median.as_secs_f64();
        table.row(
            work,
            format!("{} (hello {}, static {})", ms(m.median), ms(bases[0].median), ms(bases[1].median)),
            mib(m.max_rss_kib),
            exit_text(m.exit),
            format!("{:.2}x hello, {:.2}x static hello", ratio(&bases[0]), ratio(&bases[1])),
            goal,
        );
    }

    // The 10,000 and 20,000 profiles, and the doubling.
    let series = ["s0250"];
    for (work, rest, goal) in [
        ("`check --all`", &["check", "--all"][..], "under 0.5 s, under 100 MB"),
        ("`list`", &["list"][..], "under 0.3 s, under 100 MB"),
        ("`history` of one series", &["history", series[0]][..], "under 0.1 s"),
    ] {
        if !wanted("scale", work) {
            continue;
        }
        let (small, _) = measure(&binary, &args(Some(&set10k), rest), long, &[]);
        table.row(
            &format!("{work}, 10,000 profiles"),
            ms(small.median),
            mib(small.max_rss_kib),
            exit_text(small.exit),
            String::new(),
            goal,
        );
        let (large, _) = measure(&binary, &args(Some(&set20k), rest), long, &[]);
        let ratio = large.median.as_secs_f64() / small.median.as_secs_f64();
        table.row(
            &format!("{work}, 20,000 profiles"),
            ms(large.median),
            mib(large.max_rss_kib),
            exit_text(large.exit),
            format!("{ratio:.2}x the 10,000"),
            "at most 2.2x",
        );
    }

    // One chain of depth 1,000 and 2,000.
    for (work, rest) in [("`list`", &["list"][..]), ("`check --all`", &["check", "--all"][..])] {
        if !wanted("deep", work) {
            continue;
        }
        let (d1, _) = measure(&binary, &args(Some(&deep1000), rest), long, &[]);
        let (d2, _) = measure(&binary, &args(Some(&deep2000), rest), long, &[]);
        let ratio = d2.median.as_secs_f64() / d1.median.as_secs_f64();
        table.row(
            &format!("{work}, one chain of depth 2,000"),
            format!("{} (depth 1,000: {})", ms(d2.median), ms(d1.median)),
            mib(d2.max_rss_kib),
            exit_text(d2.exit),
            format!("{ratio:.2}x depth 1,000"),
            "linear (at most 2.2x)",
        );
    }

    // Hostile input: bounded time and memory, exit 2.
    if wanted("hostile", "unknown keys") {
        for (keys, dir) in &hostile.keys {
            let (m, _) = measure(&binary, &args(Some(dir), &["show", "keys"]), long, &[]);
            table.row(
                &format!("`show` of a profile with {keys} unknown keys"),
                ms(m.median),
                mib(m.max_rss_kib),
                exit_text(m.exit),
                String::new(),
                "linear",
            );
        }
        let (m, _) = measure(&binary, &args(Some(&hostile.keys_70k), &["show", "keys"]), long, &[]);
        let size = std::fs::metadata(hostile.keys_70k.join("keys.toml")).map(|m| m.len()).unwrap_or(0);
        table.row(
            &format!("`show` of a 70,000-key profile ({} KiB)", size / 1024),
            ms(m.median),
            mib(m.max_rss_kib),
            exit_text(m.exit),
            String::new(),
            "exit 2 in under 1 s",
        );
    }
    if wanted("hostile", "help text") {
        for (names, path) in &hostile.help {
            let rest = ["verify", "rhel-7.3", "--arch", "x86_64", "--help-text", &path.display().to_string()]
                .map(str::to_string);
            let (m, _) = measure(&binary, &rest, long, &[]);
            table.row(
                &format!("`verify --help-text` of {names} names"),
                ms(m.median),
                mib(m.max_rss_kib),
                exit_text(m.exit),
                String::new(),
                "linear",
            );
        }
    }
    if wanted("hostile", "not a regular file") {
        for (what, dir) in
            [("a FIFO", &hostile.fifo), ("a symlink to /dev/zero", &hostile.zero), ("a 2 MiB profile", &hostile.big)]
        {
            for command in ["list", "check"] {
                let rest: &[&str] = if command == "list" { &["list"] } else { &["check", "x"] };
                let (m, _) = measure(&binary, &args(Some(dir), rest), 1, &[]);
                table.row(
                    &format!("`{command}` with {what} as a profile"),
                    ms(m.median),
                    mib(m.max_rss_kib),
                    exit_text(m.exit),
                    String::new(),
                    "exit 2 at once",
                );
            }
        }
    }
    println!("\nbinary: {} (measured as a copy)", source.display());
    table.print();
    if counting {
        count_instructions(&binary, &hello, &set10k, &set20k, &deep1000, &deep2000);
    }
}

/// The instructions one run executes, every thread's, as callgrind counts them: unlike times, the
/// same on every run and machine load, so the ratios that the goals set are read without noise.
fn instructions(program: &Path, args: &[String]) -> u64 {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .expect("valgrind (the valgrind package) for --instructions");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let collected = stderr.lines().find_map(|l| l.split_once("Collected :")).map(|(_, n)| n.trim().to_string());
    collected.and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no instruction count from callgrind: {stderr}"))
}

/// The table's ratios in instructions (`--instructions`).
fn count_instructions(binary: &Path, hello: &Path, set10k: &Path, set20k: &Path, deep1000: &Path, deep2000: &Path) {
    let millions = |n: u64| format!("{:.2}M", n as f64 / 1e6);
    println!("\n| work | instructions | figure |\n|---|---|---|");
    let base = instructions(hello, &[]);
    println!("| hello-world | {} | |", millions(base));
    for rest in [&["--version"][..], &["generate", "spec", "rhel-7.3"], &["diff", "rhel-7.2", "rhel-7.3"]] {
        let n = instructions(binary, &args(None, rest));
        println!("| `{}` | {} | {:.2}x hello |", rest.join(" "), millions(n), n as f64 / base as f64);
    }
    for rest in [&["check", "--all"][..], &["list"], &["history", "s0250"]] {
        let small = instructions(binary, &args(Some(set10k), rest));
        let large = instructions(binary, &args(Some(set20k), rest));
        let ratio = large as f64 / small as f64;
        println!("| `{}`, 10,000 / 20,000 | {} / {} | {ratio:.2}x |", rest.join(" "), millions(small), millions(large));
    }
    for rest in [&["list"][..], &["check", "--all"]] {
        let d1 = instructions(binary, &args(Some(deep1000), rest));
        let d2 = instructions(binary, &args(Some(deep2000), rest));
        let ratio = d2 as f64 / d1 as f64;
        println!("| `{}`, depth 1,000 / 2,000 | {} / {} | {ratio:.2}x |", rest.join(" "), millions(d1), millions(d2));
    }
}
