//! Median follow-up by the reverse Kaplan-Meier method.

use super::{ConfType, Median, StatsError, SurvivalData, kaplan_meier};
use serde::Serialize;

/// Median potential follow-up per stratum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub stratum: String,
    pub n: usize,
    /// Number censored (the "events" of the reverse curve).
    pub censored: usize,
    pub median: Median,
}

/// Median follow-up: the median of the Kaplan-Meier curve of the censoring
/// times, with censoring as the event and events as censored (Schemper & Smith 1996).
///
/// Convention kept: exactly R's `survfit(Surv(time, status == 0) ~ group)` and
/// its printed median and limits (`print.survfit`, see
/// [`super::KmCurve::median`]); an event and a censoring at the same time are
/// not reordered (prodlim's `reverse = TRUE` would let the event leave first).
/// Variance: Greenwood on the reversed data, limits of `conf_type`.
///
/// Reference: Schemper M, Smith TL (1996), Control Clin Trials 17:343-346.
pub fn median_follow_up(
    data: &SurvivalData,
    conf_type: ConfType,
    conf_level: f64,
) -> Result<Vec<FollowUp>, StatsError> {
    let flipped: Vec<bool> = data.event().iter().map(|e| !e).collect();
    let mut reversed = SurvivalData::new(data.time().to_vec(), flipped)?;
    if let Some(g) = data.groups() {
        reversed = reversed.with_groups(g.clone())?;
    }
    let fit = kaplan_meier(&reversed, conf_type, conf_level)?;
    Ok(fit
        .strata
        .iter()
        .map(|c| FollowUp {
            stratum: c.stratum.clone(),
            n: c.n,
            censored: c.events,
            median: c.median(),
        })
        .collect())
}
