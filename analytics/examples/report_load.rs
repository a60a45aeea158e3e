//! Benchmark of the report's typed load alone (SQLite -> Polars), not a test: it measures, it
//! does not judge. Issue 5 asks for at least 2 M rows/s.
//!
//! Reads `--db` `--repeats` times with each thread count of `--threads`, and prints per run the
//! wall time, the rows read, rows/s and the process CPU time it used (from `/proc/self/stat`, so
//! the figures can be told apart from a busy machine: CPU time barely moves with other load,
//! wall time does). Then the best and the median rows/s per thread count, with the load average.
//!
//! ```text
//! cargo run --release -p analytics --example report_load -- --db registry.sqlite
//! cargo run --release -p analytics --example report_load -- --db registry.sqlite --threads 1,2 --repeats 7
//! ```
//!
//! A 100,000-patient database comes from `registry seed --db PATH --patients 100000 --seed 1`.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;

use analytics::report::load;

/// Benchmark of the report's typed load.
#[derive(Debug, Parser)]
struct Opts {
    /// The registry database (seeded or real).
    #[arg(long, value_name = "PATH")]
    db: PathBuf,
    /// Data cut-off (YYYY-MM-DD); defaults to today, as the report does.
    #[arg(long)]
    cutoff: Option<chrono::NaiveDate>,
    /// Thread counts to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 2])]
    threads: Vec<usize>,
    /// Runs per thread count (after one warm-up run that is not counted).
    #[arg(long, default_value_t = 5)]
    repeats: usize,
}

/// User plus system CPU time of this process so far.
fn cpu_time() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("reading /proc/self/stat")?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("no ')' in /proc/self/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the state.
    let ticks = |i: usize| -> anyhow::Result<u64> {
        fields
            .get(i)
            .context("short /proc/self/stat")?
            .parse::<u64>()
            .context("a CPU time in /proc/self/stat")
    };
    // Linux reports these in clock ticks of 1/100 s on every architecture Rust targets here.
    Ok(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn main() -> anyhow::Result<()> {
    let opts = Opts::parse();
    if opts.repeats == 0 {
        bail!("--repeats must be at least 1");
    }
    let cutoff = opts
        .cutoff
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    println!(
        "database {} (cut-off {cutoff}); load average at start {}",
        opts.db.display(),
        load_average()
    );
    for &threads in &opts.threads {
        let n = NonZeroUsize::new(threads).context("--threads must be at least 1")?;
        load::load_with_threads(&opts.db, cutoff, n)?;
        let mut rates = Vec::with_capacity(opts.repeats);
        for run in 1..=opts.repeats {
            let cpu_before = cpu_time()?;
            let start = Instant::now();
            let registry = load::load_with_threads(&opts.db, cutoff, n)?;
            let wall = start.elapsed();
            let cpu = cpu_time()?.saturating_sub(cpu_before);
            let rows = registry.total_rows();
            drop(registry);
            let rate = rows as f64 / wall.as_secs_f64();
            println!(
                "threads {threads} run {run}: {rows} rows in {:.3} s wall, {:.2} s CPU: {:.2} M rows/s",
                wall.as_secs_f64(),
                cpu.as_secs_f64(),
                rate / 1e6
            );
            rates.push(rate);
        }
        rates.sort_by(f64::total_cmp);
        println!(
            "threads {threads}: best {:.2} M rows/s, median {:.2} M rows/s (load average {})",
            rates[rates.len() - 1] / 1e6,
            rates[rates.len() / 2] / 1e6,
            load_average()
        );
    }
    Ok(())
}
