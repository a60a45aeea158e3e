//! The events reported for a patient, from every event table, as one list: what the timeline
//! shows, and what a follow-up form lists as "previously reported" in each section.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::label_of;
use crate::db::events::{EventKind, NewMalignancyRow, ResponseAssessmentRow, SubsequentTherapyRow};
use crate::domain::immunoglobulin::IgProduct;
use crate::domain::infection::{
    InfectionOutcome, InfectionSeverity, InfectionSite, Organism, OrganismClass,
};
use crate::domain::lab::{LabAnalyte, LabUnit};
use crate::domain::malignancy::{NewMalignancyType, TransgeneResult};
use crate::domain::missing::{Answer, YesNo};
use crate::domain::persistence::{PersistenceMethod, PersistenceUnit};
use crate::domain::response::{
    AssessmentMethod, Assessor, GenericResponse, MrdMethod, MrdSensitivity, MrdStatus,
    ResponseCriteria,
};
use crate::domain::therapy::{SubsequentTherapyCategory, TherapyIntent};
use crate::domain::toxicity::{CtcaeGrade, ToxicityTreatment, ToxicityType};
use crate::domain::vocabulary::Vocabulary;

use crate::db::schema::{
    immunoglobulin_courses, infection_sites, infections, lab_results, new_malignancies,
    persistence_tests, response_assessments, subsequent_therapies, toxicity_events,
    toxicity_treatments,
};

/// The event sections of a follow-up form: (key, label). The key names the
/// `follow_ups.<key>_none_to_report` column.
pub const SECTIONS: [(&str, &str); 8] = [
    ("responses", "Disease response"),
    ("toxicities", "Toxicities (CRS, ICANS, other)"),
    ("infections", "Infections"),
    ("immunoglobulin", "Immunoglobulin infusions"),
    ("lab_results", "Lab results"),
    ("persistence_tests", "CAR-T persistence tests"),
    ("new_malignancies", "New malignancies"),
    ("subsequent_therapies", "Subsequent therapy"),
];

/// One reported event.
#[derive(Debug, Clone)]
pub struct EventLine {
    /// A key of `SECTIONS`.
    pub section: &'static str,
    /// The follow-up that first reported it.
    pub reported_in: Option<i32>,
    /// Which table and row it is (for the links to correct it).
    pub kind: EventKind,
    pub id: i32,
    pub date: NaiveDate,
    pub summary: String,
}

/// Every event of a patient, by date.
pub fn events_of(conn: &mut SqliteConnection, pid: i32) -> QueryResult<Vec<EventLine>> {
    let mut out = Vec::new();
    let mut push = |section, (kind, id), reported_in, date, summary| {
        out.push(EventLine {
            section,
            kind,
            id,
            reported_in,
            date,
            summary,
        });
    };
    for r in response_assessments::table
        .filter(response_assessments::patient_id.eq(pid))
        .select(ResponseAssessmentRow::as_select())
        .load(conn)?
    {
        push(
            "responses",
            (EventKind::Response, r.id.0),
            r.reported_in_follow_up_id.map(|f| f.0),
            r.assessment_date,
            response_summary(&r),
        );
    }
    let treatments = toxicity_treatments_of(conn, pid)?;
    type Toxicity = (
        i32,
        Option<i32>,
        NaiveDate,
        String,
        String,
        Option<NaiveDate>,
        bool,
        (Option<i32>, Option<i32>, Option<i32>),
    );
    for (id, f, date, kind, grade, peak, peak_estimated, icaht) in toxicity_events::table
        .filter(toxicity_events::patient_id.eq(pid))
        .select((
            toxicity_events::id,
            toxicity_events::reported_in_follow_up_id,
            toxicity_events::onset_date,
            toxicity_events::toxicity_type,
            toxicity_events::max_grade,
            toxicity_events::max_grade_date,
            toxicity_events::max_grade_date_estimated,
            (
                toxicity_events::icaht_days_anc_le_500,
                toxicity_events::icaht_days_anc_le_100,
                toxicity_events::icaht_anc_nadir_per_ul,
            ),
        ))
        .load::<Toxicity>(conn)?
    {
        let mut summary = format!(
            "{}, maximum grade {}",
            label_of::<ToxicityType>(&kind),
            grade_number(&grade)
        );
        if let Some(peak) = peak {
            summary.push_str(&format!(" on {peak}"));
            if peak_estimated {
                summary.push_str(" (estimated)");
            }
        }
        summary.push_str(&icaht_counts(icaht));
        let given: Vec<&str> = treatments
            .iter()
            .filter(|(event, _)| *event == id)
            .map(|(_, line)| line.as_str())
            .collect();
        if !given.is_empty() {
            summary.push_str(&format!("; treated with {}", given.join(", ")));
        }
        push("toxicities", (EventKind::Toxicity, id), f, date, summary);
    }
    let mut sites: std::collections::HashMap<i32, Vec<String>> = std::collections::HashMap::new();
    for (infection, site, site_other) in infection_sites::table
        .inner_join(infections::table)
        .filter(infections::patient_id.eq(pid))
        .order(infection_sites::id)
        .select((
            infection_sites::infection_id,
            infection_sites::site,
            infection_sites::site_other,
        ))
        .load::<(i32, String, Option<String>)>(conn)?
    {
        // The other site by its name ("other: catheter exit site"); unnamed before it was asked.
        let shown = match (InfectionSite::parse(&site), site_other) {
            (Ok(InfectionSite::Other), Some(name)) => format!("other: {name}"),
            (Ok(InfectionSite::Other), None) => "other site".to_owned(),
            _ => label_of::<InfectionSite>(&site).to_lowercase(),
        };
        sites.entry(infection).or_default().push(shown);
    }
    type Infection = (
        i32,
        Option<i32>,
        NaiveDate,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    for (id, f, date, class, organism, severity, hospitalised, icu, outcome) in infections::table
        .filter(infections::patient_id.eq(pid))
        .select((
            infections::id,
            infections::reported_in_follow_up_id,
            infections::diagnosis_date,
            infections::organism_class,
            infections::organism,
            infections::severity,
            infections::hospitalised,
            infections::icu_admission,
            infections::outcome,
        ))
        .load::<Infection>(conn)?
    {
        let class = label_of::<OrganismClass>(&class);
        let mut what = organism.map_or(class.clone(), |o| {
            format!("{class}: {}", label_of::<Organism>(&o))
        });
        if let Some(at) = sites.get(&id) {
            what.push_str(&format!(" ({})", at.join(", ")));
        }
        if let Some(s) = severity {
            what.push_str(&format!(", severity {}", label_of::<InfectionSeverity>(&s)));
        }
        if icu.as_deref() == Some("Y") {
            what.push_str(", admitted to intensive care");
        } else if hospitalised.as_deref() == Some("Y") {
            what.push_str(", admitted to hospital");
        }
        if let Some(o) = outcome {
            what.push_str(&format!(
                ", {}",
                label_of::<InfectionOutcome>(&o).to_lowercase()
            ));
        }
        push("infections", (EventKind::Infection, id), f, date, what);
    }
    type IgCourse = (
        i32,
        Option<i32>,
        NaiveDate,
        String,
        Option<NaiveDate>,
        Option<f64>,
        Option<f64>,
        Option<i32>,
    );
    for (id, f, date, route, stop, dose_g, dose_mg_per_kg, interval) in
        immunoglobulin_courses::table
            .filter(immunoglobulin_courses::patient_id.eq(pid))
            .select((
                immunoglobulin_courses::id,
                immunoglobulin_courses::reported_in_follow_up_id,
                immunoglobulin_courses::start_date,
                immunoglobulin_courses::route,
                immunoglobulin_courses::stop_date,
                immunoglobulin_courses::dose_g,
                immunoglobulin_courses::dose_mg_per_kg,
                immunoglobulin_courses::interval_days,
            ))
            .load::<IgCourse>(conn)?
    {
        let mut summary = format!("Course started ({})", label_of::<IgProduct>(&route));
        let doses: Vec<String> = [
            dose_g.map(|g| format!("{g} g")),
            dose_mg_per_kg.map(|d| format!("{d} mg/kg")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !doses.is_empty() {
            summary.push_str(&format!(", {}", doses.join(" or ")));
        }
        if let Some(days) = interval {
            summary.push_str(&format!(" every {days} days"));
        }
        summary.push_str(&match stop {
            Some(stop) => format!("; stopped {stop}"),
            None => "; ongoing".to_owned(),
        });
        push(
            "immunoglobulin",
            (EventKind::Immunoglobulin, id),
            f,
            date,
            summary,
        );
    }
    type Lab = (
        i32,
        Option<i32>,
        NaiveDate,
        String,
        Option<f64>,
        Option<String>,
        Option<String>,
    );
    for (id, f, date, analyte, value, unit, ivig) in lab_results::table
        .filter(lab_results::patient_id.eq(pid))
        .select((
            lab_results::id,
            lab_results::reported_in_follow_up_id,
            lab_results::sample_date,
            lab_results::analyte,
            lab_results::value,
            lab_results::unit,
            lab_results::ivig_within_30_days,
        ))
        .load::<Lab>(conn)?
    {
        let mut v = value.map_or("not available".to_owned(), |v| {
            let unit = unit.map(|u| label_of::<LabUnit>(&u)).unwrap_or_default();
            format!("{v} {unit}")
        });
        if ivig.as_deref() == Some("Y") {
            v.push_str(" (immunoglobulin within 30 days: not native IgG)");
        }
        push(
            "lab_results",
            (EventKind::Lab, id),
            f,
            date,
            format!("{}: {v}", label_of::<LabAnalyte>(&analyte)),
        );
    }
    for (id, f, date, method, detected, value, unit, below_lloq) in persistence_tests::table
        .filter(persistence_tests::patient_id.eq(pid))
        .select((
            persistence_tests::id,
            persistence_tests::reported_in_follow_up_id,
            persistence_tests::sample_date,
            persistence_tests::method,
            persistence_tests::detected,
            persistence_tests::value,
            persistence_tests::unit,
            persistence_tests::below_lloq,
        ))
        .load::<(
            i32,
            Option<i32>,
            NaiveDate,
            String,
            String,
            Option<f64>,
            Option<String>,
            bool,
        )>(conn)?
    {
        let mut summary = format!(
            "{}: {}",
            label_of::<PersistenceMethod>(&method),
            match Answer::<YesNo>::parse(&detected) {
                Ok(Answer::Value(YesNo::Yes)) => "detected".to_owned(),
                Ok(Answer::Value(YesNo::No)) => "not detected".to_owned(),
                _ => label_of::<YesNo>(&detected),
            }
        );
        if below_lloq {
            summary.push_str(", below the LLOQ");
        } else if let Some(v) = value {
            summary.push_str(&format!(", {v}"));
            if let Some(unit) = unit {
                summary.push_str(&format!(" {}", label_of::<PersistenceUnit>(&unit)));
            }
        }
        push(
            "persistence_tests",
            (EventKind::Persistence, id),
            f,
            date,
            summary,
        );
    }
    for m in new_malignancies::table
        .filter(new_malignancies::patient_id.eq(pid))
        .select(NewMalignancyRow::as_select())
        .load(conn)?
    {
        push(
            "new_malignancies",
            (EventKind::Malignancy, m.id.0),
            m.reported_in_follow_up_id.map(|f| f.0),
            m.diagnosis_date,
            malignancy_summary(&m),
        );
    }
    for t in subsequent_therapies::table
        .filter(subsequent_therapies::patient_id.eq(pid))
        .select(SubsequentTherapyRow::as_select())
        .load(conn)?
    {
        push(
            "subsequent_therapies",
            (EventKind::Therapy, t.id.0),
            t.reported_in_follow_up_id.map(|f| f.0),
            t.start_date,
            therapy_summary(&t),
        );
    }
    out.sort_by_key(|e| e.date);
    Ok(out)
}

/// A response assessment as the timeline says it: "CR (Lugano 2014); PET-CT, Deauville 3;
/// MRD negative by next-generation sequencing at 10⁻⁶ (0.0001%); central review" (the response
/// code, then what is known of how it was assessed).
fn response_summary(r: &ResponseAssessmentRow) -> String {
    let mut parts = vec![format!(
        "{} ({})",
        r.response,
        label_of::<ResponseCriteria>(&r.criteria)
    )];
    let method = r.method.as_deref().map(label_of::<AssessmentMethod>);
    let deauville = r.deauville_score.map(|s| format!("Deauville {s}"));
    let how: Vec<String> = method.into_iter().chain(deauville).collect();
    if !how.is_empty() {
        parts.push(how.join(", "));
    }
    if let Some(status) = &r.mrd_status {
        let mut mrd = label_of::<MrdStatus>(status);
        if let Some(method) = &r.mrd_method {
            mrd.push_str(&format!(
                " by {}",
                label_of::<MrdMethod>(method).to_lowercase()
            ));
        }
        if let Some(sensitivity) = &r.mrd_sensitivity {
            mrd.push_str(&format!(" at {}", label_of::<MrdSensitivity>(sensitivity)));
        }
        parts.push(mrd);
    }
    if let Some(assessor) = &r.assessor {
        parts.push(label_of::<Assessor>(assessor).to_lowercase());
    }
    parts.join("; ")
}

/// A new malignancy as the timeline says it: "T-cell lymphoma; CAR transgene detected
/// (product-derived); EBV negative; pathology report attached; reported to the manufacturer
/// 2026-05-02, to the FDA 2026-05-09" (a solid or other one by its name: "Solid tumour: Lung").
fn malignancy_summary(m: &NewMalignancyRow) -> String {
    let label = label_of::<NewMalignancyType>(&m.malignancy_type);
    let mut parts = vec![match &m.malignancy_detail {
        // "Solid tumour (specify site)" names the site it asked for.
        Some(detail) => match label.split_once(" (specify") {
            Some((named, _)) => format!("{named}: {detail}"),
            None => format!("{label} ({detail})"),
        },
        None => label,
    }];
    let transgene =
        m.car_transgene_result
            .as_deref()
            .map(|code| match TransgeneResult::parse(code) {
                Ok(TransgeneResult::Detected) => "CAR transgene detected".to_owned(),
                Ok(TransgeneResult::NotDetected) => "CAR transgene not detected".to_owned(),
                Ok(TransgeneResult::Pending) => "CAR-transgene test pending".to_owned(),
                Ok(TransgeneResult::Indeterminate) => "CAR-transgene test indeterminate".to_owned(),
                Ok(TransgeneResult::NotTested) => "not tested for the CAR transgene".to_owned(),
                Err(_) => label_of::<TransgeneResult>(code),
            });
    let origin = m.product_derived.as_deref().map(|code| match code {
        "Y" => "product-derived".to_owned(),
        "N" => "not product-derived".to_owned(),
        _ => format!(
            "product-derived: {}",
            label_of::<YesNo>(code).to_lowercase()
        ),
    });
    parts.push(match (transgene, origin) {
        (Some(t), Some(o)) => format!("{t} ({o})"),
        (t, o) => t.or(o).unwrap_or_default(),
    });
    if let Some(code) = &m.ebv_positive {
        parts.push(match code.as_str() {
            "Y" => "EBV positive".to_owned(),
            "N" => "EBV negative".to_owned(),
            _ => format!("EBV {}", label_of::<YesNo>(code).to_lowercase()),
        });
    }
    if m.pathology_report_attached {
        parts.push("pathology report attached".to_owned());
    }
    let estimated = |yes: bool| if yes { " (estimated)" } else { "" };
    let reports: Vec<String> = [
        (
            "the manufacturer",
            m.reported_to_manufacturer_date,
            m.reported_to_manufacturer_date_estimated,
        ),
        (
            "the FDA",
            m.reported_to_fda_date,
            m.reported_to_fda_date_estimated,
        ),
    ]
    .into_iter()
    .filter_map(|(whom, date, est)| date.map(|d| format!("to {whom} {d}{}", estimated(est))))
    .collect();
    if !reports.is_empty() {
        parts.push(format!("reported {}", reports.join(", ")));
    }
    parts.retain(|p| !p.is_empty());
    parts.join("; ")
}

/// A subsequent therapy as the timeline says it: "Allogeneic transplant (Flu/Mel) for
/// consolidation / maintenance; ended 2026-05-01; best response: Complete remission".
fn therapy_summary(t: &SubsequentTherapyRow) -> String {
    let mut summary = label_of::<SubsequentTherapyCategory>(&t.category);
    if let Some(regimen) = &t.regimen {
        summary.push_str(&format!(" ({regimen})"));
    }
    if let Some(intent) = &t.intent {
        summary.push_str(&format!(
            " for {}",
            label_of::<TherapyIntent>(intent).to_lowercase()
        ));
    }
    if let Some(end) = t.end_date {
        summary.push_str(&format!("; ended {end}"));
    }
    if let Some(response) = &t.best_response {
        summary.push_str(&format!(
            "; best response: {}",
            label_of::<GenericResponse>(response)
        ));
    }
    summary
}

/// The neutrophil counts an ICAHT grade rests on, as they read after its grade ("" when none
/// are recorded).
fn icaht_counts((le_500, le_100, nadir): (Option<i32>, Option<i32>, Option<i32>)) -> String {
    let mut out = String::new();
    if let Some(days) = le_500 {
        out.push_str(&format!("; ANC ≤ 500/µL for {days} days"));
        if let Some(profound) = le_100 {
            out.push_str(&format!(" (≤ 100/µL for {profound})"));
        }
    }
    if let Some(n) = nadir {
        out.push_str(&format!("; ANC nadir {n}/µL"));
    }
    out
}

/// The treatments of a patient's toxicities as (toxicity id, "Tocilizumab, 2 doses from
/// 2024-01-13 (estimated)"), in entry order: one query for all of them.
fn toxicity_treatments_of(
    conn: &mut SqliteConnection,
    pid: i32,
) -> QueryResult<Vec<(i32, String)>> {
    type Treatment = (
        i32,
        String,
        Option<String>,
        Option<i32>,
        Option<NaiveDate>,
        bool,
    );
    let rows: Vec<Treatment> = toxicity_treatments::table
        .inner_join(toxicity_events::table)
        .filter(toxicity_events::patient_id.eq(pid))
        .order(toxicity_treatments::id)
        .select((
            toxicity_treatments::toxicity_event_id,
            toxicity_treatments::agent,
            toxicity_treatments::agent_detail,
            toxicity_treatments::doses_count,
            toxicity_treatments::start_date,
            toxicity_treatments::start_date_estimated,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(event, agent, detail, doses, start, start_estimated)| {
            // An agent not listed is shown by its name; a corticosteroid with the one used.
            let mut line = match detail {
                Some(d) if agent == ToxicityTreatment::Other.code() => d,
                Some(d) => format!("{} ({d})", label_of::<ToxicityTreatment>(&agent)),
                None => label_of::<ToxicityTreatment>(&agent),
            };
            if let Some(n) = doses {
                line.push_str(&format!(", {n} dose{}", if n == 1 { "" } else { "s" }));
            }
            if let Some(s) = start {
                line.push_str(&format!(" from {s}"));
                if start_estimated {
                    line.push_str(" (estimated)");
                }
            }
            (event, line)
        })
        .collect())
}

/// A stored grade `G1`..`G5` as its number (the grading system is the toxicity type's, so the
/// CTCAE wording in [`CtcaeGrade`]'s labels would be wrong for CRS and ICANS); a missing-data
/// code as its label.
fn grade_number(code: &str) -> String {
    match Answer::<CtcaeGrade>::parse(code) {
        Ok(Answer::Value(_)) => code.trim_start_matches('G').to_owned(),
        _ => label_of::<CtcaeGrade>(code),
    }
}

/// The timeline label of a section.
pub fn section_kind(section: &str) -> &'static str {
    match section {
        "responses" => "Response",
        "toxicities" => "Toxicity",
        "infections" => "Infection",
        "immunoglobulin" => "Immunoglobulin",
        "lab_results" => "Lab",
        "persistence_tests" => "CAR-T persistence",
        "new_malignancies" => "New malignancy",
        "subsequent_therapies" => "Subsequent therapy",
        _ => "Event",
    }
}
