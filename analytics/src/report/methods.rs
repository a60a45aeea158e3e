//! The methods text, generated from the options actually used (so it never drifts from what
//! was computed).

use super::ReportConfig;
use super::summary::{MONTH_DAYS, Summary};
use crate::charts::km::KmOptions;

fn yes_no(b: bool, yes: &str, no: &str) -> String {
    if b { yes.to_owned() } else { no.to_owned() }
}

/// The methods paragraphs, plain text (the HTML escapes it).
pub fn text(config: &ReportConfig, summary: &Summary) -> Vec<String> {
    let o = &config.options;
    vec![
        format!(
            "Data were read from the registry database on or before the data cut-off of {} (SHA-256 of the data read: {}). Records dated after the cut-off were not used; patients infused after it were not included.",
            summary.cutoff, summary.data_sha256
        ),
        "The analysis set comprises every patient with a CAR-T infusion on or before the cut-off. Day 0 is the first infusion. Patients whose recorded death precedes the infusion are listed under data quality and excluded from time-to-event analyses.".to_owned(),
        "Overall survival (OS) runs from Day 0 to death from any cause; patients alive are censored at the last date known alive (latest follow-up contact, relapse or response assessment). Progression-free survival (PFS; all diseases except B-ALL) counts the first relapse or progression (a follow-up's relapse date or a PD/relapse assessment) or death. Event-free survival (EFS; B-ALL) also counts treatment failure, defined as no CR/CRi by day ".to_owned()
            + &format!("{} in a patient followed beyond it, dated Day 0. Duration of response (DOR) runs from the first response (PR or better; CR/CRi for B-ALL) to progression{} in responders.", o.efs_response_window_days, yes_no(o.death_is_dor_event, " or death", "")),
        format!(
            "Subsequent therapy: {}; {}. Best overall response is the best response after Day 0 under the disease's criteria (Lugano 2014, IMWG 2016, B-ALL, iwCLL 2018), excluding assessments after the start of therapy for relapse or progression (consolidation and re-infusion do not end the window); patients without an evaluable assessment count as non-responders (denominator: all infused).",
            yes_no(o.censor_at_new_therapy, "PFS, EFS, DOR, CIR and NRM were censored at the start of a new anticancer therapy", "events after a new anticancer therapy were counted (no censoring)"),
            yes_no(o.censor_at_transplant, "these endpoints were censored at a subsequent transplant", "a subsequent transplant was not a censoring event")
        ),
        format!(
            "Survival curves are Kaplan-Meier estimates with Greenwood variance and {}-transformed {}% confidence intervals; medians follow R's survival package; rates are given at 6, 12 and 24 months (1 month = {} days); groups are compared with the log-rank test. Median follow-up is estimated by the reverse Kaplan-Meier method. Relapse/progression and non-relapse mortality (death without prior relapse; a relapse and death on the same day count as relapse) are competing risks, estimated with the Aalen-Johansen cumulative incidence and compared with Gray's test. Response and toxicity rates carry exact Clopper-Pearson intervals.",
            summary.conf_type, summary.conf_level * 100.0, MONTH_DAYS
        ),
        format!(
            "Figures: Kaplan-Meier and cumulative incidence curves are drawn until fewer than {} patients remain at risk in their group (the estimates beyond are in the tables, not the curves); censoring marks are thinned to at least {} mm apart at print size; confidence bands are shaded when a panel has at most {} curves; swimmer plots show at most {} patients.",
            KmOptions::default().min_at_risk,
            KmOptions::default().censor_gap_mm,
            KmOptions::default().max_banded_curves,
            super::figures::SWIMMER_LANES
        ),
        "Toxicity: CRS and ICANS by ASTCT 2019 grade, maximum per patient, any grade and grade 3 or higher, denominator all infused; onset is days from Day 0 to the first event, duration resolution minus onset plus one. Infection density is infections per 100 patient-days at risk in days 0-28, 29-90, 91-365 and after 365, days at risk ending at death or last follow-up. IgG below 400 mg/dL uses the sample closest to each timepoint (within 30 days), excluding IgG within 30 days after immunoglobulin replacement; replacement is counted among patients followed to the timepoint.".to_owned(),
        format!(
            "Immune recovery. B-cell aplasia is a CD19+ B-cell count below {thr} cells/µL; its duration (ADTTE parameter BCAPL) runs from Day 0 to B-cell recovery, the first count after Day 0 at or above {thr} cells/µL, and is estimated by Kaplan-Meier among patients with at least one count after Day 0; patients without recovery are censored at their last count, and counts after death are ignored. CAR-T persistence is the share of tested patients with detectable CAR-T cells (closest test within 30 days of each timepoint; tests without a result are left out). Time to loss of persistence (PERSLOSS) runs from Day 0 to the first test date after the first detectable test on which no test detects CAR-T cells (tests of one day count as detectable if any is), among patients with a detectable test after Day 0; the others are censored at their last test. Both are shown overall and by product with the log-rank test.",
            thr = summary.immune_recovery.b_cell_recovery_threshold_per_ul
        ),
        "Analysis datasets: tables/adtte.csv (CDISC ADaM BDS shape; AVAL = ADT - STARTDT in days; CNSR 0 = event, 1 = censored at last contact, 2 = censored at subsequent therapy, 3 = lost to follow-up/withdrawn/transferred, 4 = competing event, with CRCAUSE naming RELAPSE or NRM, 5 = censored at the last measurement of BCAPL or PERSLOSS) and tables/adrs.csv (best overall response with responder and CR flags).".to_owned(),
    ]
}
