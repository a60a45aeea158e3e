//! Data-quality findings: problems that do not stop the run but are counted and listed (a
//! death before the infusion, a follow-up contact after death, a relapse after death or before
//! the infusion, codes that do not parse, rows after the cut-off).

use polars::prelude::*;

use super::load::Registry;
use super::summary::{Count, DataQuality, Finding};

/// At most this many registry ids are listed per finding.
pub const MAX_LISTED: usize = 50;

fn finding(set: &DataFrame, kind: &str, description: &str, mask: Expr) -> PolarsResult<Finding> {
    let ids = set
        .clone()
        .lazy()
        .filter(mask)
        .select([col("usubjid")])
        .sort(["usubjid"], SortMultipleOptions::default())
        .collect()?;
    let ids = ids.column("usubjid")?.str()?;
    Ok(Finding {
        kind: kind.to_owned(),
        description: description.to_owned(),
        count: ids.len() as u64,
        patients: (0..ids.len())
            .filter_map(|i| ids.get(i))
            .take(MAX_LISTED)
            .map(str::to_owned)
            .collect(),
    })
}

/// The findings on the (full, infused) analysis set and the load.
pub fn findings(set: &DataFrame, reg: &Registry) -> PolarsResult<DataQuality> {
    let registered = reg.patients.height() as u64;
    let findings = vec![
        finding(
            set,
            "death_before_infusion",
            "Death dated before the CAR-T infusion: excluded from the time-to-event analyses",
            col("death_before_day0"),
        )?,
        finding(
            set,
            "follow_up_after_death",
            "Follow-up contact dated after death: ignored (follow-up ends at death)",
            col("contact_after_death").gt(lit(0)),
        )?,
        finding(
            set,
            "assessment_after_death",
            "Response assessment dated after death: ignored",
            col("assessment_after_death").gt(lit(0)),
        )?,
        finding(
            set,
            "relapse_after_death",
            "Relapse or progression dated after death: ignored",
            col("relapse_after_death"),
        )?,
        finding(
            set,
            "relapse_before_infusion",
            "Relapse dated before the infusion: ignored for post-infusion endpoints",
            col("relapse_before_day0").gt(lit(0)),
        )?,
        Finding {
            kind: "not_infused_by_cutoff".to_owned(),
            description:
                "Registered but not infused on or before the cut-off: not in the analysis set"
                    .to_owned(),
            count: registered.saturating_sub(set.height() as u64),
            patients: Vec::new(),
        },
    ];
    Ok(DataQuality {
        findings,
        dropped_after_cutoff: reg
            .dropped_after_cutoff
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| Count {
                level: (*t).to_owned(),
                label: (*t).to_owned(),
                n: *n,
            })
            .collect(),
        unparsed_codes: reg.bad_codes.len() as u64,
    })
}
