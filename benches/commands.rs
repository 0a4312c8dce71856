//! Wall time of whole `drvpolicy` runs on the shipped profiles (process start included), and of
//! the library's load+resolve step in process. Run with `cargo bench`; the figures go in the
//! issue notes. Targets: every command a few milliseconds.

use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 40;

fn stats(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (pick(0.0), pick(0.5), pick(0.95))
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let binary = env!("CARGO_BIN_EXE_drvpolicy");
    let commands: &[&[&str]] = &[
        &["--version"],
        &["list"],
        &["show", "rhel-7.6-rhev"],
        &["generate", "configure", "rhel-7.3", "--arch", "x86_64"],
        &["generate", "spec", "rhel-7.3"],
        &["generate", "spec", "rhel-7.6-rhev", "--style", "globals"],
        &["generate", "libguestfs", "rhel-7.3", "--format", "markdown"],
        &["explain", "rhel-7.3", "https"],
        &["matrix", "rhel-7.6-rhev"],
        &["diff", "rhel-7.2", "rhel-7.3"],
        &["history", "rhel"],
        &["check", "--all"],
    ];
    println!("{:<60} {:>10} {:>10} {:>10}", "command", "min", "median", "p95");
    for args in commands {
        let mut samples = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let start = Instant::now();
            let output = Command::new(binary).args(*args).output().expect("run drvpolicy");
            samples.push(start.elapsed());
            // Exit 1 is "differences/findings", still a complete run.
            assert!(
                output.status.code().is_some_and(|c| c <= 1),
                "{args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let (min, median, p95) = stats(samples);
        println!("{:<60} {:>10} {:>10} {:>10}", format!("drvpolicy {}", args.join(" ")), ms(min), ms(median), ms(p95));
    }

    let mut samples = Vec::new();
    for _ in 0..200 {
        let start = Instant::now();
        let mut store = drvpolicy::store::Store::new(&[]).expect("store");
        let resolved = drvpolicy::resolve::resolve(&mut store, "rhel-7.6-rhev").expect("resolve");
        std::hint::black_box(resolved);
        samples.push(start.elapsed());
    }
    let (min, median, p95) = stats(samples);
    println!(
        "{:<60} {:>10} {:>10} {:>10}",
        "library: load + resolve rhel-7.6-rhev (5 files)",
        ms(min),
        ms(median),
        ms(p95)
    );
}
