//! Fixture: binomial_exact.json (`binom.test`).

use crate::helpers::*;
use analytics::survival::clopper_pearson;
use analytics::survival::proportion::binomial_test_p;
use statrs::distribution::{Beta, ContinuousCDF};

#[test]
fn clopper_pearson_matches_binom_test() {
    let exp = expected("binomial_exact.json");
    for r in exp["results"].as_array().unwrap() {
        let (x, n) = (r["x"].as_u64().unwrap(), r["n"].as_u64().unwrap());
        let ci = clopper_pearson(x, n, 0.95).unwrap();
        assert_close(
            &format!("{x}/{n} estimate"),
            ci.estimate,
            num(&r["estimate"]),
            R_TOL,
        );
        assert_close(&format!("{x}/{n} lower"), ci.lower, num(&r["lower"]), R_TOL);
        assert_close(&format!("{x}/{n} upper"), ci.upper, num(&r["upper"]), R_TOL);
        let ci90 = clopper_pearson(x, n, 0.90).unwrap();
        assert_close(
            &format!("{x}/{n} lower 90"),
            ci90.lower,
            num(&r["lower_90"]),
            R_TOL,
        );
        assert_close(
            &format!("{x}/{n} upper 90"),
            ci90.upper,
            num(&r["upper_90"]),
            R_TOL,
        );
        let p = binomial_test_p(x, n, 0.5).unwrap();
        assert_close(&format!("{x}/{n} p"), p, num(&r["p_value"]), R_TOL);
    }
}

/// The measurement that lets `proportion.rs` trust statrs' `Beta::inverse_cdf`
/// directly: its worst relative error against R's qbeta (5.7e-13 with statrs
/// 0.19.1) must stay below the 1e-9 we promise. `--nocapture` prints it.
#[test]
fn statrs_inverse_beta_alone_measured() {
    let exp = expected("binomial_exact.json");
    let mut worst: f64 = 0.0;
    for r in exp["results"].as_array().unwrap() {
        let (x, n) = (num(&r["x"]), num(&r["n"]));
        if x > 0.0 {
            let q = Beta::new(x, n - x + 1.0).unwrap().inverse_cdf(0.025);
            worst = worst.max(((q - num(&r["lower"])) / num(&r["lower"])).abs());
        }
        if x < n {
            let q = Beta::new(x + 1.0, n - x).unwrap().inverse_cdf(0.975);
            worst = worst.max(((q - num(&r["upper"])) / num(&r["upper"])).abs());
        }
    }
    println!("statrs Beta::inverse_cdf worst relative error vs R: {worst:e}");
    assert!(worst < R_TOL, "statrs inverse beta off by {worst:e}");
}

#[test]
fn invalid_counts_are_refused() {
    assert!(clopper_pearson(3, 2, 0.95).is_err());
    assert!(clopper_pearson(0, 0, 0.95).is_err());
    assert!(clopper_pearson(1, 2, 1.0).is_err());
}
