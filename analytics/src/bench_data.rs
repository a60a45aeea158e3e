//! Deterministic synthetic cohort for benchmarks (`analytics bench-data`):
//! exponential event times, about 30 % censored, 10 groups, 5 covariates.
//!
//! The generator is SplitMix64, so the same seed gives the same file on every
//! platform without a random-number crate.

use crate::config::BenchDataConfig;
use crate::error::CliError;
use anyhow::Context;
use std::io::{BufWriter, Write};

struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform on (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Writes `time,status,group,x1..x5`: hazard `0.1 exp(0.3 x1 - 0.2 x2 + 0.1 x3 +
/// 0.05 group)`, time rounded to 0.001 (so there are ties), status 0 with
/// probability 0.3 (independent censoring), groups `1..=10`.
pub fn write(c: &BenchDataConfig) -> Result<(), CliError> {
    let file =
        std::fs::File::create(&c.out).with_context(|| format!("creating {}", c.out.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut rng = SplitMix64(c.seed);
    writeln!(w, "time,status,group,x1,x2,x3,x4,x5").context("writing header")?;
    for _ in 0..c.rows {
        let group = 1 + (rng.next_u64() % 10);
        let x: [f64; 5] = [
            rng.normal(),
            rng.normal(),
            rng.normal(),
            rng.uniform(),
            (rng.uniform() < 0.4) as u8 as f64,
        ];
        let lp = 0.3 * x[0] - 0.2 * x[1] + 0.1 * x[2] + 0.05 * group as f64;
        let time = -rng.uniform().ln() / (0.1 * lp.exp());
        let status = u8::from(rng.uniform() >= 0.3);
        writeln!(
            w,
            "{:.3},{},{},{:.4},{:.4},{:.4},{:.4},{}",
            time, status, group, x[0], x[1], x[2], x[3], x[4]
        )
        .context("writing row")?;
    }
    w.flush().context("flushing output")?;
    Ok(())
}
