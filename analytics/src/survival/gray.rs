//! Gray's k-sample test for equality of cumulative incidence functions (the
//! `Tests` of cmprsk's `cuminc`). The `survival` crate has no such test; this is
//! written here from Gray (1988).

use super::cox::chisq_upper;
use super::{CompetingRisksData, StatsError};
use serde::Serialize;

/// Gray's test for one cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrayTest {
    pub cause: String,
    /// NaN when the score variance is singular (cmprsk reports -1).
    pub stat: f64,
    pub df: usize,
    pub p: f64,
}

/// Gray's test of `H0: F_k^1 = ... = F_k^G` for every cause `k`, unstratified.
///
/// Score for group g (Gray 1988, eq. 2.3, weight `K(t) = (1 - F_k(t-))^rho` times
/// the risk-set factor):
/// `s_g = sum_t w(t) [d_gk(t) - d_k(t) R_g(t) / R(t)]` with
/// `R_g(t) = n_g(t) (1 - F_gk(t-)) / S_g(t-)` (`S_g` the all-cause Kaplan-Meier
/// and `F_gk` the cause-k incidence in group g, both left-continuous) and
/// `R = sum_g R_g`. The variance of `(s_1..s_{G-1})` is Gray's consistent estimator
/// (his section 2, the martingale representation for the cause of interest and
/// for the competing causes, with the tie corrections used by cmprsk);
/// `stat = s' V^-1 s` on `G - 1` degrees of freedom. `rho = 0` is cmprsk's default.
///
/// Reference: Gray RJ (1988), "A class of K-sample tests for comparing the
/// cumulative incidence of a competing risk", Ann Stat 16:1141-1154;
/// R package cmprsk, `cuminc`.
///
/// Errors: [`StatsError::OneGroup`] without groups or with one group.
pub fn gray_test(data: &CompetingRisksData, rho: f64) -> Result<Vec<GrayTest>, StatsError> {
    if !rho.is_finite() {
        return Err(StatsError::InvalidArgument(format!(
            "rho must be finite, got {rho}"
        )));
    }
    let groups = data.groups().ok_or(StatsError::OneGroup {
        level: "all".into(),
        test: "Gray's test",
    })?;
    let ng = groups.levels().len();
    if ng < 2 {
        return Err(StatsError::OneGroup {
            level: groups.levels().first().cloned().unwrap_or_default(),
            test: "Gray's test",
        });
    }
    let mut order: Vec<usize> = (0..data.time().len()).collect();
    order.sort_by(|&a, &b| data.time()[a].total_cmp(&data.time()[b]));
    let time: Vec<f64> = order.iter().map(|&i| data.time()[i]).collect();
    let group: Vec<usize> = order.iter().map(|&i| groups.codes()[i] as usize).collect();
    let cause: Vec<u32> = order.iter().map(|&i| data.cause()[i]).collect();
    let df = ng - 1;
    data.causes()
        .iter()
        .enumerate()
        .map(|(k, name)| {
            // 0 censored, 1 the cause of interest, 2 a competing cause
            let kind: Vec<u8> = cause
                .iter()
                .map(|&c| match c {
                    0 => 0,
                    c if c as usize == k + 1 => 1,
                    _ => 2,
                })
                .collect();
            let (s, v) = gray_score(&time, &kind, &group, ng, rho);
            let stat = quadratic_form_inverse(&s, &v).unwrap_or(f64::NAN);
            Ok(GrayTest {
                cause: name.clone(),
                stat,
                df,
                p: chisq_upper(stat, df),
            })
        })
        .collect()
}

/// Per-group running quantities, left-continuous at the current time.
#[derive(Clone, Copy)]
struct GroupState {
    at_risk: f64,
    /// All-cause Kaplan-Meier S_g(t-) and its value after this time.
    surv_before: f64,
    surv_after: f64,
    /// Cause-of-interest incidence F_g(t-) and after.
    cif_before: f64,
    cif_after: f64,
}

/// Score vector (first `ng - 1` groups) and its variance for one cause; rows
/// sorted by time, `kind` 0/1/2 as in [`gray_test`].
fn gray_score(
    time: &[f64],
    kind: &[u8],
    group: &[usize],
    ng: usize,
    rho: f64,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let m = ng - 1;
    let mut st = vec![
        GroupState {
            at_risk: 0.0,
            surv_before: 1.0,
            surv_after: 1.0,
            cif_before: 0.0,
            cif_after: 0.0,
        };
        ng
    ];
    for &g in group {
        st[g].at_risk += 1.0;
    }
    let mut score = vec![0.0; m];
    let mut var = vec![vec![0.0; m]; m];
    // accumulated c (ng x ng), and the per-group pieces combined at the end
    let mut c = vec![vec![0.0; ng]; ng];
    let mut a = vec![vec![0.0; ng]; ng];
    let mut v_own = vec![0.0; ng];
    let mut v_cross = vec![vec![0.0; ng]; m];
    let mut pooled_before = 0.0; // pooled F(t-)
    let mut start = 0;
    while start < time.len() {
        let mut end = start + 1;
        while end < time.len() && time[end] <= time[start] {
            end += 1;
        }
        // counts at this time: d[kind][group]
        let mut d = vec![[0.0f64; 3]; ng];
        for i in start..end {
            d[group[i]][kind[i] as usize] += 1.0;
        }
        let d1: f64 = d.iter().map(|x| x[1]).sum();
        let d2: f64 = d.iter().map(|x| x[2]).sum();
        if d1 > 0.0 || d2 > 0.0 {
            let mut r_total = 0.0; // sum_g n_g / S_g(t-)
            let mut q_total = 0.0; // sum_g R_g
            for (g, s) in st.iter_mut().enumerate() {
                if s.at_risk <= 0.0 {
                    continue;
                }
                let events = d[g][1] + d[g][2];
                s.surv_after = s.surv_before * (s.at_risk - events) / s.at_risk;
                s.cif_after = s.cif_before + s.surv_before * d[g][1] / s.at_risk;
                r_total += s.at_risk / s.surv_before;
                q_total += s.at_risk * (1.0 - s.cif_before) / s.surv_before;
            }
            let pooled = pooled_before + d1 / r_total;
            let weight = (1.0 - pooled_before).powf(rho);
            for row in a.iter_mut() {
                row.iter_mut().for_each(|x| *x = 0.0);
            }
            let c_step = d1 / (r_total * (1.0 - pooled_before));
            for g in 0..ng {
                if st[g].at_risk <= 0.0 {
                    continue;
                }
                let hg = st[g].at_risk / st[g].surv_before;
                a[g][g] = weight * hg * (1.0 - hg / r_total);
                c[g][g] += a[g][g] * c_step;
                for h in g + 1..ng {
                    if st[h].at_risk <= 0.0 {
                        continue;
                    }
                    a[g][h] = -weight * hg * st[h].at_risk / (st[h].surv_before * r_total);
                    c[g][h] += a[g][h] * c_step;
                }
            }
            for g in 1..ng {
                for h in 0..g {
                    a[g][h] = a[h][g];
                    c[g][h] = c[h][g];
                }
            }
            for (g, s) in score.iter_mut().enumerate() {
                let sg = &st[g];
                if sg.at_risk <= 0.0 {
                    continue;
                }
                *s += weight
                    * (d[g][1]
                        - d1 * sg.at_risk * (1.0 - sg.cif_before) / (sg.surv_before * q_total));
            }
            if d1 > 0.0 {
                for k in 0..ng {
                    let sk = st[k];
                    if sk.at_risk <= 0.0 {
                        continue;
                    }
                    let t4 = if sk.surv_after > 0.0 {
                        1.0 - (1.0 - pooled) / sk.surv_after
                    } else {
                        1.0
                    };
                    let tie = if d1 > 1.0 {
                        1.0 - (d1 - 1.0) / (r_total * sk.surv_before - 1.0)
                    } else {
                        1.0
                    };
                    let t3 = tie * sk.surv_before * d1 / (r_total * sk.at_risk);
                    v_own[k] += t4 * t4 * t3;
                    for i in 0..m {
                        let t1 = a[i][k] - t4 * c[i][k];
                        v_cross[i][k] += t1 * t4 * t3;
                        for j in 0..=i {
                            let t2 = a[j][k] - t4 * c[j][k];
                            var[i][j] += t1 * t2 * t3;
                        }
                    }
                }
            }
            if d2 > 0.0 {
                for k in 0..ng {
                    let sk = st[k];
                    let d2k = d[k][2];
                    if sk.surv_after <= 0.0 || d2k <= 0.0 {
                        continue;
                    }
                    let t4 = (1.0 - pooled) / sk.surv_after;
                    let tie = if d2k > 1.0 {
                        1.0 - (d2k - 1.0) / (sk.at_risk - 1.0)
                    } else {
                        1.0
                    };
                    let t3 =
                        tie * sk.surv_before * sk.surv_before * d2k / (sk.at_risk * sk.at_risk);
                    v_own[k] += t4 * t4 * t3;
                    for i in 0..m {
                        let t1 = t4 * c[i][k];
                        v_cross[i][k] -= t1 * t4 * t3;
                        for j in 0..=i {
                            let t2 = t4 * c[j][k];
                            var[i][j] += t1 * t2 * t3;
                        }
                    }
                }
            }
            pooled_before = pooled;
        }
        for &g in &group[start..end] {
            st[g].at_risk -= 1.0;
        }
        for s in st.iter_mut() {
            s.cif_before = s.cif_after;
            s.surv_before = s.surv_after;
        }
        start = end;
    }
    for i in 0..m {
        for j in 0..=i {
            for k in 0..ng {
                var[i][j] += c[i][k] * c[j][k] * v_own[k]
                    + c[i][k] * v_cross[j][k]
                    + c[j][k] * v_cross[i][k];
            }
            var[j][i] = var[i][j];
        }
    }
    (score, var)
}

/// `s' V^-1 s` by Gaussian elimination with partial pivoting; `None` when `V` is
/// numerically singular (pivot below 1e-7 of the largest diagonal, R's `qr` tolerance).
pub(crate) fn quadratic_form_inverse(s: &[f64], v: &[Vec<f64>]) -> Option<f64> {
    let n = s.len();
    let mut a: Vec<Vec<f64>> = v.to_vec();
    let mut b = s.to_vec();
    let scale = (0..n).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    if scale.is_nan() || scale <= 0.0 {
        return None;
    }
    for col in 0..n {
        let piv = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[piv][col].abs() <= 1e-7 * scale {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (offset, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            row.iter_mut()
                .zip(pivot_row)
                .skip(col)
                .for_each(|(x, p)| *x -= f * p);
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let mut acc = b[row];
        for k in row + 1..n {
            acc -= a[row][k] * x[k];
        }
        x[row] = acc / a[row][row];
    }
    Some(s.iter().zip(&x).map(|(a, b)| a * b).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadratic_form_and_singularity() {
        let v = vec![vec![2.0, 0.0], vec![0.0, 4.0]];
        assert_eq!(quadratic_form_inverse(&[2.0, 4.0], &v), Some(2.0 + 4.0));
        let singular = vec![vec![1.0, 1.0], vec![1.0, 1.0]];
        assert_eq!(quadratic_form_inverse(&[1.0, 1.0], &singular), None);
    }
}
