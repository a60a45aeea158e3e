//! Properties that hold whatever R says: row order, a time shift, relabelled
//! groups, and the k-sample log-rank on two groups equal to a naive two-sample one.

use crate::helpers::*;
use analytics::survival::{
    CompetingRisksData, ConfType, CoxCovariates, CoxData, Groups, SurvivalData, Ties, cox,
    gray_test, kaplan_meier, log_rank,
};

/// A fixed permutation (no RNG): i -> (i * 7919) mod n over n coprime to 7919.
fn permute<T: Clone>(v: &[T]) -> Vec<T> {
    let n = v.len();
    (0..n).map(|i| v[(i * 7919 + 3) % n].clone()).collect()
}

fn veteran() -> (Vec<f64>, Vec<bool>, Vec<String>, Vec<f64>) {
    let text = std::fs::read_to_string(dataset("veteran.csv")).unwrap();
    let mut t = Vec::new();
    let mut e = Vec::new();
    let mut cell = Vec::new();
    let mut karno = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        cell.push(f[1].to_owned());
        t.push(f[2].parse().unwrap());
        e.push(f[3] == "1");
        karno.push(f[4].parse().unwrap());
    }
    (t, e, cell, karno)
}

#[test]
fn row_order_does_not_matter() {
    let (t, e, cell, karno) = veteran();
    assert_ne!(t.len() % 7919, 0, "the permutation needs n coprime to 7919");
    let a = SurvivalData::new(t.clone(), e.clone())
        .unwrap()
        .with_groups(Groups::from_strings("celltype", &cell))
        .unwrap();
    let b = SurvivalData::new(permute(&t), permute(&e))
        .unwrap()
        .with_groups(Groups::from_strings("celltype", &permute(&cell)))
        .unwrap();
    let (fa, fb) = (
        kaplan_meier(&a, ConfType::LogLog, 0.95).unwrap(),
        kaplan_meier(&b, ConfType::LogLog, 0.95).unwrap(),
    );
    for (ca, cb) in fa.strata.iter().zip(&fb.strata) {
        assert_eq!(ca.stratum, cb.stratum);
        assert_all_close("surv", &ca.surv, &cb.surv, 1e-14);
        assert_all_close("std_err", &ca.std_err, &cb.std_err, 1e-14);
        assert_all_close("lower", &ca.lower, &cb.lower, 1e-14);
    }
    let (la, lb) = (log_rank(&a, 0.0).unwrap(), log_rank(&b, 0.0).unwrap());
    assert_close("chisq", la.chisq, lb.chisq, 1e-12);
    let xa = CoxCovariates::new()
        .numeric("karno", karno.clone())
        .unwrap();
    let xb = CoxCovariates::new()
        .numeric("karno", permute(&karno))
        .unwrap();
    let ca = cox(
        &CoxData::new(t.clone(), e.clone(), xa).unwrap(),
        Ties::Efron,
        0.95,
    )
    .unwrap();
    let cb = cox(
        &CoxData::new(permute(&t), permute(&e), xb).unwrap(),
        Ties::Efron,
        0.95,
    )
    .unwrap();
    assert_close(
        "cox coef",
        ca.coefficients[0].coef,
        cb.coefficients[0].coef,
        1e-10,
    );
    assert_close("cox loglik", ca.loglik, cb.loglik, 1e-12);
}

#[test]
fn shifting_times_shifts_the_curve_only() {
    let (t, e, cell, _) = veteran();
    let shifted: Vec<f64> = t.iter().map(|x| x + 1000.0).collect();
    let a = SurvivalData::new(t, e.clone())
        .unwrap()
        .with_groups(Groups::from_strings("celltype", &cell))
        .unwrap();
    let b = SurvivalData::new(shifted, e)
        .unwrap()
        .with_groups(Groups::from_strings("celltype", &cell))
        .unwrap();
    let (fa, fb) = (
        kaplan_meier(&a, ConfType::Log, 0.95).unwrap(),
        kaplan_meier(&b, ConfType::Log, 0.95).unwrap(),
    );
    for (ca, cb) in fa.strata.iter().zip(&fb.strata) {
        assert_all_close("surv", &ca.surv, &cb.surv, 1e-14);
        let back: Vec<f64> = cb.time.iter().map(|x| x - 1000.0).collect();
        assert_all_close("time", &ca.time, &back, 1e-14);
        let (ma, mb) = (ca.median(), cb.median());
        assert_close(
            "median",
            ma.estimate.unwrap() + 1000.0,
            mb.estimate.unwrap(),
            1e-14,
        );
    }
    assert_close(
        "log-rank",
        log_rank(&a, 0.0).unwrap().chisq,
        log_rank(&b, 0.0).unwrap().chisq,
        1e-12,
    );
    assert_close(
        "peto",
        log_rank(&a, 1.0).unwrap().chisq,
        log_rank(&b, 1.0).unwrap().chisq,
        1e-12,
    );
}

#[test]
fn relabelling_groups_permutes_but_does_not_change_tests() {
    let (t, e, cell, _) = veteran();
    let renamed: Vec<String> = cell
        .iter()
        .map(|c| {
            format!(
                "{}",
                4 - ["adeno", "large", "smallcell", "squamous"]
                    .iter()
                    .position(|x| x == c)
                    .unwrap()
            )
        })
        .collect();
    let a = SurvivalData::new(t.clone(), e.clone())
        .unwrap()
        .with_groups(Groups::from_strings("g", &cell))
        .unwrap();
    let b = SurvivalData::new(t.clone(), e.clone())
        .unwrap()
        .with_groups(Groups::from_strings("g", &renamed))
        .unwrap();
    for rho in [0.0, 1.0] {
        let (la, lb) = (log_rank(&a, rho).unwrap(), log_rank(&b, rho).unwrap());
        assert_close("chisq", la.chisq, lb.chisq, 1e-12);
        assert_close("p", la.p, lb.p, 1e-12);
        // adeno (first in a) is 4 (last in b)
        assert_close("observed", la.observed[0], lb.observed[3], 1e-12);
    }
    // Gray's test on two causes made from the data (death before / after day 100)
    let cause: Vec<u32> = t
        .iter()
        .zip(&e)
        .map(|(x, d)| {
            if !d {
                0
            } else if *x < 100.0 {
                1
            } else {
                2
            }
        })
        .collect();
    let causes = vec!["early".to_owned(), "late".to_owned()];
    let ga = gray_test(
        &CompetingRisksData::new(t.clone(), cause.clone(), causes.clone())
            .unwrap()
            .with_groups(Groups::from_strings("g", &cell))
            .unwrap(),
        0.0,
    )
    .unwrap();
    let gb = gray_test(
        &CompetingRisksData::new(t, cause, causes)
            .unwrap()
            .with_groups(Groups::from_strings("g", &renamed))
            .unwrap(),
        0.0,
    )
    .unwrap();
    for (x, y) in ga.iter().zip(&gb) {
        assert_close("gray stat", x.stat, y.stat, 1e-10);
    }
}

/// Naive two-sample log-rank (hypergeometric variance), written from the textbook.
fn naive_two_sample(t: &[f64], e: &[bool], in_first: &[bool]) -> f64 {
    let mut times: Vec<f64> = t
        .iter()
        .zip(e)
        .filter(|(_, d)| **d)
        .map(|(x, _)| *x)
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let (mut o_minus_e, mut var) = (0.0, 0.0);
    for &s in &times {
        let n = t.iter().filter(|&&x| x >= s).count() as f64;
        let n1 = t
            .iter()
            .zip(in_first)
            .filter(|(x, g)| **x >= s && **g)
            .count() as f64;
        let d = t.iter().zip(e).filter(|(x, ev)| **x == s && **ev).count() as f64;
        let d1 = (0..t.len())
            .filter(|&i| t[i] == s && e[i] && in_first[i])
            .count() as f64;
        o_minus_e += d1 - d * n1 / n;
        if n > 1.0 {
            var += d * (n1 / n) * (1.0 - n1 / n) * (n - d) / (n - 1.0);
        }
    }
    o_minus_e * o_minus_e / var
}

#[test]
fn two_group_k_sample_equals_naive_two_sample() {
    let (t, e, cell, _) = veteran();
    let levels = ["adeno", "large", "smallcell", "squamous"];
    for i in 0..4 {
        for j in i + 1..4 {
            let rows: Vec<usize> = (0..t.len())
                .filter(|&r| cell[r] == levels[i] || cell[r] == levels[j])
                .collect();
            let ts: Vec<f64> = rows.iter().map(|&r| t[r]).collect();
            let es: Vec<bool> = rows.iter().map(|&r| e[r]).collect();
            let gs: Vec<String> = rows.iter().map(|&r| cell[r].clone()).collect();
            let first: Vec<bool> = gs.iter().map(|g| g == levels[i]).collect();
            let data = SurvivalData::new(ts.clone(), es.clone())
                .unwrap()
                .with_groups(Groups::from_strings("celltype", &gs))
                .unwrap();
            let got = log_rank(&data, 0.0).unwrap();
            assert_eq!(got.df, 1);
            assert_close(
                &format!("{} vs {}", levels[i], levels[j]),
                got.chisq,
                naive_two_sample(&ts, &es, &first),
                1e-12,
            );
        }
    }
}

/// Without tied event times the log-rank statistic is the Cox score test of the
/// group indicator (Breslow = Efron then); two methods, two code paths.
#[test]
fn log_rank_equals_cox_score_test_without_ties() {
    let text = std::fs::read_to_string(dataset("veteran.csv")).unwrap();
    let (mut t, mut e, mut trt) = (Vec::new(), Vec::new(), Vec::new());
    for (i, line) in text.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        trt.push(f[0].parse::<f64>().unwrap());
        t.push(f[2].parse::<f64>().unwrap() + i as f64 * 1e-3); // break ties
        e.push(f[3] == "1");
    }
    let data = SurvivalData::new(t.clone(), e.clone())
        .unwrap()
        .with_groups(Groups::from_numbers("trt", &trt).unwrap())
        .unwrap();
    let lr = log_rank(&data, 0.0).unwrap();
    let x = CoxCovariates::new().numeric("trt", trt).unwrap();
    let fit = cox(&CoxData::new(t, e, x).unwrap(), Ties::Breslow, 0.95).unwrap();
    assert_close("log-rank vs score", lr.chisq, fit.score_test.stat, 1e-10);
}
