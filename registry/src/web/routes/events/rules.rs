//! The fields of each kind of event and the rules a correction must pass: the same as at entry
//! on the follow-up form (domain.md §9: the date after Day 0 and by the reporting period's
//! contact, nothing after death, ASTCT grades consistent with their components, a T-cell
//! malignancy tested for the CAR transgene, units of the analyte), plus the rules across the
//! columns a correction leaves as they are (a resolution never before the onset).

use chrono::NaiveDate;

use super::{CheckAllVocabulary, EventContext, EventField, EventForm, Input, choices};
use crate::db::events::{ColumnValue, EventKind, StoredEvent};
use crate::domain::{
    dates::StudyDay,
    death::{Autopsy, CauseOfDeath, DeathDetails},
    immunoglobulin::{IgIndication, IgProduct},
    infection::{InfectionOutcome, InfectionSeverity, Organism, OrganismClass},
    lab::{InvalidLabValue, LabAnalyte, LabUnit, LabValue},
    malignancy::{NewMalignancyType, TransgeneResult},
    missing::Answer,
    persistence::{PersistenceMethod, PersistenceUnit, Specimen},
    response::{
        AssessmentMethod, Assessor, GenericResponse, MrdMethod, MrdSensitivity, MrdStatus,
        ResponseCriteria,
    },
    therapy::{SubsequentTherapyCategory, TherapyDetails, TherapyIntent},
    toxicity::{
        CtcaeGrade, Hypotension, Hypoxia, IceScore, ToxicityType, check_grade, check_onset_day,
    },
    vocabulary::Vocabulary,
};
use crate::web::form::{
    Field, TICK_OR_BLANK, YES_NO_UNKNOWN, decimal, short_text, ticked_box, with_other_named,
};
use crate::web::routes::follow_ups::death as death_form;
use crate::web::routes::follow_ups::icaht::{
    IcahtCounts, IcahtInput, TypedIcahtCounts, check_icaht_counts,
};
use crate::web::routes::follow_ups::immunoglobulin::{self as ig};
use crate::web::routes::follow_ups::infection::{self as inf};
use crate::web::routes::follow_ups::malignancy as malignancy_form;
use crate::web::routes::follow_ups::persistence::{TypedQuantity, read_laboratory, read_quantity};
use crate::web::routes::follow_ups::response::{
    TypedAssessment, deauville_choices, read_assessment, response_choices,
};
use crate::web::routes::follow_ups::therapy as therapy_form;
use crate::web::routes::follow_ups::treatments::TreatmentBounds;
use crate::web::routes::patients::new::parse_date;

fn field(
    name: &'static str,
    label: &'static str,
    input: Input,
    choices: Vec<(String, String)>,
) -> EventField {
    EventField {
        name,
        label,
        hint: match input {
            Input::Date => "YYYY-MM-DD",
            _ => "",
        },
        input,
        field: Field::default(),
        choices,
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
        .collect()
}

fn criteria_of(event: &StoredEvent) -> ResponseCriteria {
    ResponseCriteria::parse(&event.text("criteria")).unwrap_or(ResponseCriteria::Other)
}

/// The fields a kind's form shows, in order (values blank).
pub fn spec(kind: EventKind, event: &StoredEvent) -> Vec<EventField> {
    use Input::{Checkbox, Date, Number, Select, Text};
    match kind {
        EventKind::Response => vec![
            field("assessment_date", "Assessment date", Date, vec![]),
            field(
                "response",
                "Response",
                Select,
                response_choices(criteria_of(event)),
            ),
            field(
                "method",
                "Method (optional)",
                Select,
                choices::<AssessmentMethod>(),
            ),
            field(
                "deauville_score",
                "Deauville score of the PET (optional, Lugano only)",
                Select,
                deauville_choices(),
            ),
            field(
                "mrd_status",
                "MRD status (optional)",
                Select,
                choices::<MrdStatus>(),
            ),
            field(
                "mrd_method",
                "MRD method (optional)",
                Select,
                choices::<MrdMethod>(),
            ),
            field(
                "mrd_sensitivity",
                "MRD assay sensitivity (optional)",
                Select,
                choices::<MrdSensitivity>(),
            ),
            field(
                "assessor",
                "Assessed by (optional)",
                Select,
                choices::<Assessor>(),
            ),
        ],
        EventKind::Toxicity => vec![
            field(
                "toxicity_type",
                "Toxicity",
                Select,
                choices::<ToxicityType>(),
            ),
            field(
                "toxicity_term",
                "CTCAE term or description (required for organ and other toxicities)",
                Text,
                vec![],
            ),
            field("onset_date", "Onset date", Date, vec![]),
            field(
                "resolution_date",
                "Resolution date (blank if ongoing)",
                Date,
                vec![],
            ),
            field(
                "max_grade",
                "Maximum grade (ASTCT 2019 for CRS and ICANS, EHA/EBMT 2023 1-4 for ICAHT, CTCAE v5 otherwise)",
                Select,
                CtcaeGrade::ALL
                    .iter()
                    .map(|g| (g.code().to_owned(), format!("Grade {}", g.number())))
                    .collect(),
            ),
            field(
                "max_grade_date",
                "Date the maximum grade was reached (optional)",
                Date,
                vec![],
            ),
            field(
                "max_grade_date_estimated",
                "That date is estimated",
                Checkbox,
                // Named, so the delete page and a stale-edit message say "Yes", not "1".
                pairs(&[("1", "Yes")]),
            ),
            field(
                "crs_hypotension",
                "Worst hypotension (CRS)",
                Select,
                choices::<Hypotension>(),
            ),
            field(
                "crs_hypoxia",
                "Worst hypoxia (CRS)",
                Select,
                choices::<Hypoxia>(),
            ),
            field(
                "icans_lowest_ice_score",
                "Lowest ICE score (ICANS, 0 to 10)",
                Number,
                vec![],
            ),
            field(
                "icaht_days_anc_le_500",
                "For early ICAHT: days with ANC ≤ 500/µL (optional, with the days ≤ 100/µL)",
                Number,
                vec![],
            ),
            field(
                "icaht_days_anc_le_100",
                "For early ICAHT: days with ANC ≤ 100/µL (optional, 0 if never ≤ 100/µL)",
                Number,
                vec![],
            ),
            field(
                "icaht_anc_nadir_per_ul",
                "For late ICAHT: ANC nadir, cells/µL (optional)",
                Number,
                vec![],
            ),
        ],
        EventKind::Infection => vec![
            field("diagnosis_date", "Diagnosis date", Date, vec![]),
            field(
                "organism_class",
                "Organism",
                Select,
                choices::<OrganismClass>(),
            ),
            field(
                "severity",
                "Severity (optional)",
                Select,
                choices::<InfectionSeverity>(),
            ),
            field(
                "organism",
                "Organism (optional)",
                Select,
                choices::<Organism>(),
            ),
            field("organism_other", "Name of the other organism", Text, vec![]),
            field(
                "hospitalised",
                "Admitted to hospital (optional)",
                Select,
                pairs(&YES_NO_UNKNOWN),
            ),
            field(
                "icu_admission",
                "Admitted to intensive care (optional)",
                Select,
                pairs(&YES_NO_UNKNOWN),
            ),
            field(
                "outcome",
                "Outcome (optional)",
                Select,
                choices::<InfectionOutcome>(),
            ),
            field(
                "resolution_date",
                "Resolution date (optional)",
                Date,
                vec![],
            ),
        ],
        EventKind::Immunoglobulin => vec![
            field("start_date", "Start date", Date, vec![]),
            field("route", "Route", Select, choices::<IgProduct>()),
            field("stop_date", "Stop date (blank if ongoing)", Date, vec![]),
            field("dose_g", "Dose per administration, g", Number, vec![]),
            field(
                "dose_mg_per_kg",
                "Dose per administration, mg/kg",
                Number,
                vec![],
            ),
            field("interval_days", "Interval, days", Number, vec![]),
            field(
                "indication",
                "Indication",
                Select,
                choices::<IgIndication>(),
            ),
            field("product_name", "Product", Text, vec![]),
        ],
        EventKind::Lab => vec![
            field("analyte", "Analyte", Select, choices::<LabAnalyte>()),
            field("sample_date", "Sample date", Date, vec![]),
            field(
                "sample_date_estimated",
                "The sample date is estimated",
                Checkbox,
                vec![],
            ),
            field("value", "Value", Number, vec![]),
            field("unit", "Unit", Select, choices::<LabUnit>()),
        ],
        EventKind::Persistence => vec![
            field("sample_date", "Sample date", Date, vec![]),
            field("specimen", "Specimen", Select, choices::<Specimen>()),
            field("method", "Method", Select, choices::<PersistenceMethod>()),
            field(
                "detected",
                "CAR-T cells detected",
                Select,
                pairs(&[("Y", "Yes"), ("N", "No")]),
            ),
            field("value", "Value (blank below the LLOQ)", Number, vec![]),
            field(
                "unit",
                "Unit of the value and the LLOQ",
                Select,
                choices::<PersistenceUnit>(),
            ),
            field(
                "below_lloq",
                "Detected, below the lower limit of quantification (LLOQ)",
                Checkbox,
                vec![],
            ),
            field("lloq", "LLOQ of the assay (optional)", Number, vec![]),
            field("laboratory", "Laboratory (optional)", Text, vec![]),
        ],
        EventKind::Malignancy => vec![
            field(
                "malignancy_type",
                "Type of malignancy",
                Select,
                choices::<NewMalignancyType>(),
            ),
            field("diagnosis_date", "Diagnosis date", Date, vec![]),
            field(
                "malignancy_detail",
                "Detail (required for solid or other)",
                Text,
                vec![],
            ),
            field(
                "car_transgene_result",
                "CAR-transgene test result",
                Select,
                choices::<TransgeneResult>(),
            ),
            field(
                "product_derived",
                "Derived from the CAR-T product (optional)",
                Select,
                pairs(&YES_NO_UNKNOWN),
            ),
            field(
                "ebv_positive",
                "EBV positive (optional)",
                Select,
                pairs(&YES_NO_UNKNOWN),
            ),
            field(
                "pathology_report_attached",
                "Pathology report attached",
                Checkbox,
                pairs(&[("1", "Yes")]),
            ),
            field(
                "reported_to_manufacturer_date",
                "Reported to the manufacturer on (optional)",
                Date,
                vec![],
            ),
            field(
                "reported_to_fda_date",
                "Reported to the FDA (MedWatch) on (optional)",
                Date,
                vec![],
            ),
        ],
        EventKind::Therapy => vec![
            field(
                "category",
                "Kind of therapy",
                Select,
                choices::<SubsequentTherapyCategory>(),
            ),
            field("start_date", "Start date", Date, vec![]),
            field(
                "intent",
                "Why it was given",
                Select,
                choices::<TherapyIntent>(),
            ),
            field("regimen", "Regimen (optional)", Text, vec![]),
            field("end_date", "End date (optional)", Date, vec![]),
            field(
                "best_response",
                "Best response to it (optional)",
                Select,
                choices::<GenericResponse>(),
            ),
        ],
        EventKind::Death => vec![
            field("death_date", "Date of death", Date, vec![]),
            field(
                "primary_cause",
                "Primary cause of death",
                Select,
                choices::<CauseOfDeath>(),
            ),
            field(
                "primary_cause_other",
                "Name of the other primary cause",
                Text,
                vec![],
            ),
            field("autopsy", "Autopsy", Select, choices::<Autopsy>()),
            field(
                "autopsy_report_attached",
                "Autopsy report attached",
                Checkbox,
                pairs(&[("1", "Yes")]),
            ),
        ],
    }
}

/// Parses an optional select: blank is `None`; an unknown code fails with `message`.
fn optional_code<T: Vocabulary>(form: &mut EventForm, name: &str, message: &str) -> Option<T> {
    let value = form.value(name);
    if value.trim().is_empty() {
        return None;
    }
    match T::parse(&value) {
        Ok(v) => Some(v),
        Err(_) => {
            form.fail(name, message);
            None
        }
    }
}

/// An optional text typed in input `name`, at most `max` characters (trimmed; blank is
/// `None`); too long fails beside the input, naming `what`.
fn optional_text(
    form: &mut EventForm,
    name: &str,
    typed: &str,
    (max, what): (usize, &str),
) -> Option<String> {
    short_text(typed, max, what).unwrap_or_else(|message| {
        form.fail(name, message);
        None
    })
}

/// A tick box of the form: ticked or not, [`TICK_OR_BLANK`] beside anything else (read as
/// unticked; the form then fails).
fn tick_box(form: &mut EventForm, name: &str) -> bool {
    ticked_box(&form.value(name)).unwrap_or_else(|_| {
        form.fail(name, TICK_OR_BLANK);
        false
    })
}

/// Parses a required select.
fn required_code<T: Vocabulary>(form: &mut EventForm, name: &str, message: &str) -> Option<T> {
    let value = form.value(name);
    match T::parse(&value) {
        Ok(v) => Some(v),
        Err(_) => {
            form.fail(name, message);
            None
        }
    }
}

/// A required event date, as at entry: not in the future, not before Day 0, not after the
/// reporting period's contact, not after death.
fn event_date(
    form: &mut EventForm,
    name: &str,
    ctx: &EventContext,
    by_contact: bool,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let mut typed = Field::new(form.value(name));
    let date = parse_date(&mut typed, true, today);
    if let Some(message) = typed.error {
        form.fail(name, message);
        return None;
    }
    let date = date?;
    if let Some(day0) = ctx.day0
        && date < day0
    {
        form.fail(name, format!("This date cannot precede Day 0 ({day0})."));
        return None;
    }
    if by_contact && let Some(contact) = ctx.contact.filter(|c| date > *c) {
        form.fail(
            name,
            format!(
                "This date is after the contact date ({contact}) of the follow-up that reported it."
            ),
        );
        return None;
    }
    if let Some(death) = ctx.death.filter(|d| date > *d) {
        form.fail(
            name,
            format!("This date is after the recorded death ({death})."),
        );
        return None;
    }
    Some(date)
}

fn text(v: impl Into<String>) -> ColumnValue {
    ColumnValue::Text(Some(v.into()))
}

fn code_or_null<T: Vocabulary>(v: Option<T>) -> ColumnValue {
    ColumnValue::Text(v.map(|v| v.code().to_owned()))
}

fn answer_or_null<T: Vocabulary>(v: Option<Answer<T>>) -> ColumnValue {
    ColumnValue::Text(v.map(|v| v.code().to_owned()))
}

/// An infection: its date by its reporting period's contact; the resolution (optional) by
/// today and any death only, as an infection reported once may resolve periods later; the
/// details as the follow-up form reads them, the sites (a check-all beside the columns, the
/// other site named) among them: they go in `form.sites_given`, written beside the columns.
fn infection(
    form: &mut EventForm,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<Vec<(&'static str, ColumnValue)>> {
    let date = event_date(form, "diagnosis_date", ctx, true, today);
    let resolved = if form.value("resolution_date").trim().is_empty() {
        None
    } else {
        event_date(form, "resolution_date", ctx, false, today)
    };
    let class =
        required_code::<OrganismClass>(form, "organism_class", "Choose the kind of organism.");
    let severity = optional_code::<InfectionSeverity>(form, "severity", "Choose the severity.");
    let (organism, organism_other, hospitalised, icu_admission, outcome) = (
        form.value("organism"),
        form.value("organism_other"),
        form.value("hospitalised"),
        form.value("icu_admission"),
        form.value("outcome"),
    );
    let (sites, site_other) = form.sites.as_ref().map_or_else(Default::default, |s| {
        (s.ticked.value.clone(), s.other.value.clone())
    });
    let typed = inf::TypedDetails {
        organism: &organism,
        organism_other: &organism_other,
        sites: &sites,
        site_other: &site_other,
        hospitalised: &hospitalised,
        icu_admission: &icu_admission,
        outcome: &outcome,
    };
    let details = inf::read_details(typed, date, class, severity, resolved)
        .map_err(|problems| {
            for (field, message) in problems {
                form.fail(field.column(), message);
            }
        })
        .ok()?;
    form.sites_given = Some(details.site_rows());
    let mut columns = vec![
        ("diagnosis_date", ColumnValue::Date(Some(date?))),
        ("organism_class", text(class?.code())),
        ("severity", code_or_null(severity)),
        ("organism", code_or_null(details.organism)),
        ("organism_other", ColumnValue::Text(details.organism_other)),
        (
            "hospitalised",
            ColumnValue::Text(details.hospitalised.map(str::to_owned)),
        ),
        (
            "icu_admission",
            ColumnValue::Text(details.icu_admission.map(str::to_owned)),
        ),
        ("outcome", code_or_null(details.outcome)),
        (
            "resolution_date",
            ColumnValue::Date(details.resolution_date),
        ),
    ];
    if details.resolution_date.is_none() {
        // No resolution date, so none estimated.
        columns.push(("resolution_date_estimated", ColumnValue::Bool(false)));
    }
    Some(columns)
}

/// An immunoglobulin course: the start by its reporting period's contact; the stop (blank:
/// ongoing) by today and any death only, as a course reported once may stop periods later;
/// the regimen as the follow-up form reads it.
fn immunoglobulin(
    form: &mut EventForm,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<Vec<(&'static str, ColumnValue)>> {
    let start = event_date(form, "start_date", ctx, true, today);
    let stop = if !form.value("stop_date").trim().is_empty() {
        event_date(form, "stop_date", ctx, false, today)
    } else {
        None
    };
    let route = ig::read_route(&form.value("route"))
        .map_err(|message| form.fail("route", message))
        .ok();
    let (dose_g, dose_mg_per_kg, interval_days) = (
        form.value("dose_g"),
        form.value("dose_mg_per_kg"),
        form.value("interval_days"),
    );
    let typed = ig::TypedDoses {
        dose_g: &dose_g,
        dose_mg_per_kg: &dose_mg_per_kg,
        interval_days: &interval_days,
    };
    let regimen = ig::read_regimen(typed, stop, start)
        .map_err(|problems| {
            for (field, message) in problems {
                form.fail(field.column(), message);
            }
        })
        .ok();
    let product_name = ig::read_product_name(&form.value("product_name"))
        .map_err(|message| form.fail("product_name", message))
        .ok();
    let indication =
        optional_code::<IgIndication>(form, "indication", "Choose the indication from the list.");
    let regimen = regimen?;
    let mut columns = vec![
        ("start_date", ColumnValue::Date(Some(start?))),
        ("route", text(route?)),
        ("stop_date", ColumnValue::Date(regimen.stop_date)),
        ("ongoing", ColumnValue::Bool(regimen.stop_date.is_none())),
        ("dose_g", ColumnValue::Real(regimen.dose_g)),
        ("dose_mg_per_kg", ColumnValue::Real(regimen.dose_mg_per_kg)),
        ("interval_days", ColumnValue::Integer(regimen.interval_days)),
        ("indication", code_or_null(indication)),
        ("product_name", ColumnValue::Text(product_name?)),
    ];
    if regimen.stop_date.is_none() {
        // No stop date, so none estimated.
        columns.push(("stop_date_estimated", ColumnValue::Bool(false)));
    }
    Some(columns)
}

/// Validates a correction: the columns to write, or `None` with messages by the fields.
pub fn validate(
    form: &mut EventForm,
    event: &StoredEvent,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<Vec<(&'static str, ColumnValue)>> {
    let columns = match form.kind {
        EventKind::Response => response(form, event, ctx, today),
        EventKind::Toxicity => toxicity(form, event, ctx, today),
        EventKind::Infection => infection(form, ctx, today),
        EventKind::Immunoglobulin => immunoglobulin(form, ctx, today),
        EventKind::Lab => lab(form, ctx, today),
        EventKind::Persistence => {
            let date = event_date(form, "sample_date", ctx, true, today);
            let specimen = required_code::<Specimen>(form, "specimen", "Choose the specimen.");
            let method = required_code::<PersistenceMethod>(form, "method", "Choose the method.");
            let detected = match form.value("detected").as_str() {
                "Y" => Some("Y"),
                "N" => Some("N"),
                _ => {
                    form.fail("detected", "Answer whether CAR-T cells were detected.");
                    None
                }
            };
            let (value, unit, below_lloq, lloq) = (
                form.value("value"),
                form.value("unit"),
                form.value("below_lloq"),
                form.value("lloq"),
            );
            let typed = TypedQuantity {
                value: &value,
                unit: &unit,
                below_lloq: &below_lloq,
                lloq: &lloq,
            };
            let quantity = read_quantity(typed, detected.map(|d| d == "Y"), method)
                .map_err(|problems| {
                    for (field, message) in problems {
                        form.fail(field.column(), message);
                    }
                })
                .ok();
            let laboratory = read_laboratory(&form.value("laboratory"))
                .map_err(|message| form.fail("laboratory", message))
                .ok();
            let quantity = quantity?;
            Some(vec![
                ("sample_date", ColumnValue::Date(Some(date?))),
                ("specimen", text(specimen?.code())),
                ("method", text(method?.code())),
                ("detected", text(detected?)),
                ("value", ColumnValue::Real(quantity.value)),
                ("unit", code_or_null(quantity.unit)),
                ("below_lloq", ColumnValue::Bool(quantity.below_lloq)),
                ("lloq", ColumnValue::Real(quantity.lloq)),
                ("laboratory", ColumnValue::Text(laboratory?)),
            ])
        }
        EventKind::Malignancy => malignancy(form, ctx, today),
        EventKind::Therapy => therapy(form, ctx, today),
        EventKind::Death => death(form, ctx, today),
    };
    if form.has_error() {
        return None;
    }
    columns
}

/// A response assessment: its date (after Day 0, by the reporting contact) and what it found
/// by the disease's criteria, read and checked as the follow-up form does (method, Deauville
/// score, MRD result and assessor; `follow_ups::response`).
fn response(
    form: &mut EventForm,
    event: &StoredEvent,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<Vec<(&'static str, ColumnValue)>> {
    let date = event_date(form, "assessment_date", ctx, true, today);
    let [
        response,
        method,
        deauville_score,
        mrd_status,
        mrd_method,
        mrd_sensitivity,
        assessor,
    ] = [
        "response",
        "method",
        "deauville_score",
        "mrd_status",
        "mrd_method",
        "mrd_sensitivity",
        "assessor",
    ]
    .map(|name| form.value(name));
    let typed = TypedAssessment {
        response: &response,
        method: &method,
        deauville_score: &deauville_score,
        mrd_status: &mrd_status,
        mrd_method: &mrd_method,
        mrd_sensitivity: &mrd_sensitivity,
        assessor: &assessor,
    };
    let a = read_assessment(typed, criteria_of(event))
        .map_err(|problems| {
            for (field, message) in problems {
                form.fail(field.column(), message);
            }
        })
        .ok()?;
    Some(vec![
        ("assessment_date", ColumnValue::Date(Some(date?))),
        ("response", text(a.response.code())),
        ("method", code_or_null(a.method)),
        (
            "deauville_score",
            ColumnValue::Integer(a.deauville_score.map(|s| i32::from(s.get()))),
        ),
        ("mrd_status", code_or_null(a.mrd_status)),
        ("mrd_method", code_or_null(a.mrd_method)),
        ("mrd_sensitivity", code_or_null(a.mrd_sensitivity)),
        ("assessor", code_or_null(a.assessor)),
    ])
}

/// A toxicity of any type (domain.md §3.6), by the rules of the follow-up form: the onset in
/// its reporting period (and early ICAHT by day 30), the resolution not before the onset nor
/// after death, the grade in the type's own system. CRS and ICANS keep their ASTCT 2019 rules
/// (domain.md §9): a CRS grade is the worst of hypotension and hypoxia (grade 1 with neither;
/// grade 5 is death); an ICANS grade is never below what the ICE score implies. The resolution
/// may be after the reporting contact: a correction completes an event that was ongoing then.
/// The date of the maximum grade lies between onset and resolution; the treatments (a
/// check-all beside the columns, `follow_ups::treatments`) start on or after the onset. An
/// ICAHT's neutrophil counts (`follow_ups::icaht`) belong to its type and imply its grade.
fn toxicity(
    form: &mut EventForm,
    event: &StoredEvent,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<Vec<(&'static str, ColumnValue)>> {
    let kind = required_code::<ToxicityType>(form, "toxicity_type", "Choose the kind of toxicity.");
    let onset = event_date(form, "onset_date", ctx, true, today);
    if let (Some(k), Some(d), Some(day0)) = (kind, onset, ctx.day0)
        && let Some(finding) = check_onset_day(k, StudyDay::between(day0, d).days())
    {
        form.fail("onset_date", sentence(&finding.to_string()));
    }
    let resolution = toxicity_resolution(form, onset, ctx, today);
    let (peak, peak_estimated) = max_grade_date(form, onset, resolution, ctx, today);
    if let Some(mut treatments) = form.treatments.take() {
        form.treatments_given = treatments.validate(TreatmentBounds {
            onset,
            contact: None,
            death: ctx.death,
            today,
        });
        form.treatments = Some(treatments);
    }
    let grade = required_code::<CtcaeGrade>(form, "max_grade", "Choose the maximum grade.");
    let term = Field::new(form.value("toxicity_term")).optional();
    let (mut hypotension, mut hypoxia, mut ice_score) = (None, None, None);
    match kind {
        Some(ToxicityType::Crs) => {
            hypotension = required_code::<Hypotension>(
                form,
                "crs_hypotension",
                "Choose the worst hypotension (CRS).",
            );
            hypoxia =
                required_code::<Hypoxia>(form, "crs_hypoxia", "Choose the worst hypoxia (CRS).");
            if let (Some(g), Some(hy), Some(ox)) = (grade, hypotension, hypoxia) {
                let implied = hy
                    .implied_crs_grade()
                    .max(ox.implied_crs_grade())
                    .map_or(1, |g| g.number());
                let given = g.number();
                if given != 5 && given != implied {
                    form.fail(
                        "max_grade",
                        format!(
                            "By ASTCT 2019 this hypotension and hypoxia make CRS grade {implied}, not {given}."
                        ),
                    );
                }
            }
            if !form.value("icans_lowest_ice_score").trim().is_empty() {
                form.fail("icans_lowest_ice_score", "The ICE score belongs to ICANS.");
            }
        }
        Some(ToxicityType::Icans) => {
            let typed = form.value("icans_lowest_ice_score");
            if !typed.trim().is_empty() {
                match IceScore::parse(&typed) {
                    Ok(score) => {
                        ice_score = Some(i32::from(score.get()));
                        let floor = score.implied_icans_grade().map_or(0, |g| g.number());
                        if grade.is_some_and(|g| g.number() < floor) {
                            form.fail(
                                "max_grade",
                                format!(
                                    "An ICE score of {} means ICANS grade {floor} at least.",
                                    score.get()
                                ),
                            );
                        }
                    }
                    Err(_) => form.fail(
                        "icans_lowest_ice_score",
                        "The ICE score is a whole number from 0 to 10.",
                    ),
                }
            }
            if !form.value("crs_hypotension").trim().is_empty()
                || !form.value("crs_hypoxia").trim().is_empty()
            {
                form.fail("crs_hypotension", "Hypotension and hypoxia belong to CRS.");
            }
        }
        Some(other) => {
            if let Some(finding) = grade.and_then(|g| check_grade(other, g.number())) {
                form.fail("max_grade", sentence(&finding.to_string()));
            }
            if other.needs_term() && term.is_none() {
                form.fail(
                    "toxicity_term",
                    "Give the CTCAE term or a description of this toxicity.",
                );
            }
            if !form.value("crs_hypotension").trim().is_empty()
                || !form.value("crs_hypoxia").trim().is_empty()
            {
                form.fail("crs_hypotension", "Hypotension and hypoxia belong to CRS.");
            }
            if !form.value("icans_lowest_ice_score").trim().is_empty() {
                form.fail("icans_lowest_ice_score", "The ICE score belongs to ICANS.");
            }
        }
        None => {}
    }
    if kind.is_some_and(ToxicityType::has_astct_components) && term.is_some() {
        form.fail(
            "toxicity_term",
            "CRS and ICANS are named by their type: leave the term blank.",
        );
    }
    let icaht = kind.map_or_else(IcahtCounts::default, |k| icaht_counts(form, k, grade));
    let kind = kind?;
    let mut columns = vec![
        ("toxicity_type", text(kind.code())),
        ("toxicity_term", ColumnValue::Text(term)),
        ("onset_date", ColumnValue::Date(Some(onset?))),
        ("resolution_date", ColumnValue::Date(resolution)),
        ("max_grade", text(grade?.code())),
        ("max_grade_date", ColumnValue::Date(peak)),
        (
            "max_grade_date_estimated",
            ColumnValue::Bool(peak_estimated),
        ),
        ("crs_hypotension", code_or_null(hypotension)),
        ("crs_hypoxia", code_or_null(hypoxia)),
        ("icans_lowest_ice_score", ColumnValue::Integer(ice_score)),
        (
            "icaht_days_anc_le_500",
            ColumnValue::Integer(icaht.days_anc_le_500),
        ),
        (
            "icaht_days_anc_le_100",
            ColumnValue::Integer(icaht.days_anc_le_100),
        ),
        (
            "icaht_anc_nadir_per_ul",
            ColumnValue::Integer(icaht.anc_nadir_per_ul),
        ),
    ];
    // A resolved event is no longer ongoing; an unresolved one has no estimated resolution.
    columns.push(match resolution {
        Some(_) => ("ongoing", ColumnValue::Bool(false)),
        None => ("resolution_date_estimated", ColumnValue::Bool(false)),
    });
    // The components of another type, not on this form, go with a change of type (the schema
    // keeps them to their own type; the audit keeps their last values).
    if kind != ToxicityType::Crs {
        columns.push(("crs_max_temperature_c", ColumnValue::Real(None)));
    }
    if kind != ToxicityType::Icans {
        columns.push(("icans_highest_capd_score", ColumnValue::Integer(None)));
        for column in [
            "icans_consciousness",
            "icans_seizure",
            "icans_motor_weakness",
            "icans_cerebral_oedema",
        ] {
            columns.push((column, ColumnValue::Text(None)));
        }
    }
    // A change of type takes the new type's grading system; otherwise the stored one stays
    // (a legacy system is never mapped onto another silently).
    if event.text("toxicity_type") != kind.code() {
        columns.push(("grading_system", text(kind.default_grading_system().code())));
    }
    Some(columns)
}

/// The optional date the maximum grade was reached, and whether it is estimated: not in the
/// future, from the onset to the resolution, not after death (as the resolution, it may be after
/// the reporting contact); "estimated" only with a date.
fn max_grade_date(
    form: &mut EventForm,
    onset: Option<NaiveDate>,
    resolution: Option<NaiveDate>,
    ctx: &EventContext,
    today: NaiveDate,
) -> (Option<NaiveDate>, bool) {
    let name = "max_grade_date";
    let estimated = tick_box(form, "max_grade_date_estimated");
    let mut typed = Field::new(form.value(name));
    let peak = parse_date(&mut typed, false, today);
    if let Some(message) = typed.error {
        form.fail(name, message);
        return (None, false);
    }
    let Some(peak) = peak else {
        if estimated {
            form.fail(
                "max_grade_date_estimated",
                "Only a date can be estimated: enter the date or untick the box.",
            );
        }
        return (None, false);
    };
    if onset.is_some_and(|o| peak < o) {
        form.fail(name, "The maximum grade cannot precede the onset.");
    } else if let Some(r) = resolution.filter(|r| peak > *r) {
        form.fail(
            name,
            format!("The maximum grade cannot follow the resolution ({r})."),
        );
    } else if let Some(death) = ctx.death.filter(|d| peak > *d) {
        form.fail(
            name,
            format!("This date is after the recorded death ({death})."),
        );
    }
    (Some(peak), estimated)
}

/// The optional resolution date of a toxicity: not in the future, not before the onset, not
/// after death.
fn toxicity_resolution(
    form: &mut EventForm,
    onset: Option<NaiveDate>,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let mut typed = Field::new(form.value("resolution_date"));
    let resolved = parse_date(&mut typed, false, today);
    if let Some(message) = typed.error {
        form.fail("resolution_date", message);
        return None;
    }
    let resolved = resolved?;
    if onset.is_some_and(|o| resolved < o) {
        form.fail(
            "resolution_date",
            "The resolution cannot precede the onset.",
        );
    } else if let Some(death) = ctx.death.filter(|d| resolved > *d) {
        form.fail(
            "resolution_date",
            format!("This date is after the recorded death ({death})."),
        );
    }
    Some(resolved)
}

/// A domain finding as a sentence by its field.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// A corrected lab result, as at entry on the follow-up form: every analyte, a number of 0 or
/// more in one of its units, the sample dated after Day 0, by the reporting contact and not
/// after death; its normalised value is recomputed from what was typed (NULL where the unit
/// has no fixed factor: `LabAnalyte::conversion`).
fn lab(
    form: &mut EventForm,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<Vec<(&'static str, ColumnValue)>> {
    let analyte = match LabAnalyte::parse(&form.value("analyte")) {
        Ok(a) => Some(a),
        Err(_) => {
            form.fail("analyte", "Choose the analyte.");
            None
        }
    };
    let date = event_date(form, "sample_date", ctx, true, today);
    let estimated = tick_box(form, "sample_date_estimated");
    let value = match decimal(&form.value("value")) {
        Ok(Some(v)) => Some(v),
        _ => {
            form.fail(
                "value",
                "Enter the value as a number of 0 or more, e.g. 4.2.",
            );
            None
        }
    };
    let unit = LabUnit::parse(&form.value("unit")).ok();
    let lab_value = match (analyte, value, unit) {
        (_, _, None) => {
            form.fail("unit", "Choose the unit.");
            None
        }
        (Some(a), Some(v), Some(u)) => match LabValue::new(a, v, u) {
            Ok(lab_value) => Some(lab_value),
            Err(e @ InvalidLabValue::AboveCeiling { .. }) => {
                form.fail("value", format!("{e}."));
                None
            }
            Err(e) => {
                form.fail("unit", format!("{e}."));
                None
            }
        },
        (Some(a), None, Some(u)) => {
            if let Err(wrong) = a.conversion(u) {
                form.fail("unit", format!("{wrong}."));
            }
            None
        }
        (None, _, Some(_)) => None,
    }?;
    let normalised = lab_value.normalised();
    Some(vec![
        ("analyte", text(lab_value.analyte().code())),
        ("sample_date", ColumnValue::Date(Some(date?))),
        ("sample_date_estimated", ColumnValue::Bool(estimated)),
        ("value", ColumnValue::Real(Some(lab_value.value()))),
        ("unit", text(lab_value.unit().code())),
        (
            "normalised_value",
            ColumnValue::Real(normalised.map(|(v, _)| v)),
        ),
        (
            "normalised_unit",
            ColumnValue::Text(normalised.map(|(_, u)| u.code().to_owned())),
        ),
    ])
}

/// A new malignancy, as at entry on the follow-up form: its type, its diagnosis after Day 0
/// (whenever it is found, so not bound by the reporting period's contact) and never after
/// death, and its answers as the follow-up form reads them (`follow_ups::malignancy`): the
/// CAR-transgene test, product origin, EBV, the pathology report, and the reports to the
/// manufacturer and the FDA, which may follow the contact but never precede the diagnosis.
fn malignancy(
    form: &mut EventForm,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<Vec<(&'static str, ColumnValue)>> {
    let kind = required_code::<NewMalignancyType>(
        form,
        "malignancy_type",
        "Choose the type of malignancy.",
    );
    let date = event_date(form, "diagnosis_date", ctx, false, today);
    let typed = [
        "malignancy_detail",
        "car_transgene_result",
        "ebv_positive",
        "product_derived",
        "pathology_report_attached",
        "reported_to_manufacturer_date",
        "reported_to_fda_date",
    ]
    .map(|name| form.value(name));
    let typed = malignancy_form::TypedDetails {
        detail: &typed[0],
        transgene: &typed[1],
        ebv_positive: &typed[2],
        product_derived: &typed[3],
        pathology_report_attached: &typed[4],
        reported_to_manufacturer: &typed[5],
        reported_to_fda: &typed[6],
    };
    let details = malignancy_form::read_details(typed, kind, date, today)
        .map_err(|problems| {
            for (field, message) in problems {
                form.fail(field.column(), message);
            }
        })
        .ok()?;
    let kind = kind?;
    let mut columns = vec![
        ("malignancy_type", text(kind.code())),
        ("diagnosis_date", ColumnValue::Date(Some(date?))),
        (
            "malignancy_detail",
            ColumnValue::Text(details.detail.clone()),
        ),
        ("t_cell_malignancy", ColumnValue::Bool(kind.is_t_cell())),
        (
            "car_transgene_tested",
            ColumnValue::Text(details.transgene_tested().map(str::to_owned)),
        ),
        ("car_transgene_result", code_or_null(details.transgene)),
        ("product_derived", answer_or_null(details.product_derived)),
        ("ebv_positive", answer_or_null(details.ebv_positive)),
        (
            "pathology_report_attached",
            ColumnValue::Bool(details.pathology_report_attached),
        ),
        (
            "reported_to_manufacturer_date",
            ColumnValue::Date(details.reported_to_manufacturer),
        ),
        (
            "reported_to_fda_date",
            ColumnValue::Date(details.reported_to_fda),
        ),
    ];
    // No report date, so none estimated.
    if details.reported_to_manufacturer.is_none() {
        columns.push((
            "reported_to_manufacturer_date_estimated",
            ColumnValue::Bool(false),
        ));
    }
    if details.reported_to_fda.is_none() {
        columns.push(("reported_to_fda_date_estimated", ColumnValue::Bool(false)));
    }
    Some(columns)
}

/// A subsequent therapy: its kind and start (after Day 0, by the reporting contact), why it
/// was given, the regimen (naming an other therapy), its end and the best response to it.
fn therapy(
    form: &mut EventForm,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<Vec<(&'static str, ColumnValue)>> {
    let category =
        required_code::<SubsequentTherapyCategory>(form, "category", "Choose the kind of therapy.");
    let start = event_date(form, "start_date", ctx, true, today);
    let end = if form.value("end_date").trim().is_empty() {
        None
    } else {
        event_date(form, "end_date", ctx, false, today)
    };
    let intent =
        optional_code::<TherapyIntent>(form, "intent", "Choose why the therapy was given.");
    let typed = form.value("regimen");
    let regimen = optional_text(
        form,
        "regimen",
        &typed,
        (therapy_form::REGIMEN_MAX_CHARS, "the regimen"),
    );
    let best_response = optional_code::<GenericResponse>(
        form,
        "best_response",
        "Choose the best response from the list.",
    );
    let problems = TherapyDetails {
        category,
        intent,
        regimen: regimen.as_deref(),
        start_date: start,
        end_date: end,
    }
    .problems();
    for (field, message) in problems {
        form.fail(field.column(), message);
    }
    let mut columns = vec![
        ("category", text(category?.code())),
        ("start_date", ColumnValue::Date(Some(start?))),
        ("intent", code_or_null(intent)),
        ("regimen", ColumnValue::Text(regimen)),
        ("end_date", ColumnValue::Date(end)),
        ("best_response", code_or_null(best_response)),
    ];
    if end.is_none() {
        // No end date, so none estimated.
        columns.push(("end_date_estimated", ColumnValue::Bool(false)));
    }
    Some(columns)
}

/// The death: after Day 0, not in the future, and no visit or other event after it; its causes
/// (the contributing ones a check-all beside the columns, the other one named) and autopsy by
/// the domain's rules across them, as on the follow-up form. The contributing causes go in
/// `form.contributing_given`, written beside the columns.
fn death(
    form: &mut EventForm,
    ctx: &EventContext,
    today: NaiveDate,
) -> Option<Vec<(&'static str, ColumnValue)>> {
    let date = event_date(form, "death_date", ctx, false, today);
    if let Some(d) = date {
        if let Some(contact) = ctx.last_contact.filter(|c| *c > d) {
            form.fail(
                "death_date",
                format!("A follow-up contact is recorded on {contact}: no visit can follow death."),
            );
        } else if let Some(event) = ctx.latest_event.filter(|e| *e > d) {
            form.fail(
                "death_date",
                format!("An event is recorded on {event}: nothing can follow death."),
            );
        }
    }
    let cause =
        required_code::<CauseOfDeath>(form, "primary_cause", "Choose the primary cause of death.");
    let typed = form.value("primary_cause_other");
    let cause_name = (death_form::CAUSE_NAME_MAX_CHARS, "the cause");
    let cause_other = optional_text(form, "primary_cause_other", &typed, cause_name);
    let contributing = form.contributing.clone().unwrap_or_default();
    let (causes, unknown) = contributing.values();
    if unknown {
        form.fail(
            CauseOfDeath::INPUT,
            "Tick the contributing causes from the list.",
        );
    }
    let contributing_other = optional_text(
        form,
        CauseOfDeath::OTHER_INPUT,
        &contributing.other.value,
        cause_name,
    );
    let autopsy = optional_code::<Autopsy>(form, "autopsy", "Choose whether an autopsy was done.");
    let report_attached = tick_box(form, "autopsy_report_attached");
    let problems = DeathDetails {
        primary_cause: cause,
        primary_cause_other: cause_other.as_deref(),
        contributing: &causes,
        contributing_other: contributing_other.as_deref(),
        autopsy,
        autopsy_report_attached: report_attached,
    }
    .problems();
    for (field, message) in problems {
        form.fail(field.column(), message);
    }
    form.contributing_given = Some(with_other_named(
        &causes,
        CauseOfDeath::Other,
        contributing_other.as_deref(),
    ));
    Some(vec![
        ("death_date", ColumnValue::Date(Some(date?))),
        ("primary_cause", text(cause?.code())),
        ("primary_cause_other", ColumnValue::Text(cause_other)),
        ("autopsy", code_or_null(autopsy)),
        (
            "autopsy_report_attached",
            ColumnValue::Bool(report_attached),
        ),
    ])
}

/// The neutrophil counts of an ICAHT, checked against its type and grade, each message by its
/// input (`follow_ups::icaht`, shared with the follow-up form).
fn icaht_counts(
    form: &mut EventForm,
    kind: ToxicityType,
    grade: Option<CtcaeGrade>,
) -> IcahtCounts {
    let typed = [
        form.value("icaht_days_anc_le_500"),
        form.value("icaht_days_anc_le_100"),
        form.value("icaht_anc_nadir_per_ul"),
    ];
    let (counts, messages) = check_icaht_counts(
        kind,
        grade.map(CtcaeGrade::number),
        TypedIcahtCounts {
            days_anc_le_500: &typed[0],
            days_anc_le_100: &typed[1],
            anc_nadir_per_ul: &typed[2],
        },
    );
    for (input, message) in messages {
        let name = match input {
            IcahtInput::DaysAncLe500 => "icaht_days_anc_le_500",
            IcahtInput::DaysAncLe100 => "icaht_days_anc_le_100",
            IcahtInput::AncNadir => "icaht_anc_nadir_per_ul",
            IcahtInput::Grade => "max_grade",
        };
        form.fail(name, message);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::ids::{PatientId, UserId};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn event(kind: EventKind, fields: &[(&str, &str)]) -> StoredEvent {
        StoredEvent {
            kind,
            id: 1,
            patient_id: PatientId(1),
            course_id: None,
            follow_up_id: None,
            row_version: 1,
            updated_by: UserId(1),
            updated_at: date("2024-01-01").and_hms_opt(0, 0, 0).unwrap(),
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())))
                .collect(),
        }
    }

    fn ctx() -> EventContext {
        EventContext {
            day0: Some(date("2024-01-10")),
            contact: Some(date("2024-04-10")),
            death: None,
            last_contact: Some(date("2024-04-10")),
            latest_event: Some(date("2024-03-01")),
            locked: false,
            follow_up_label: None,
        }
    }

    fn form_of(stored: &StoredEvent, values: &[(&str, &str)]) -> EventForm {
        let mut form = EventForm::from_stored(stored);
        for (name, value) in values {
            if let Some(f) = form.field_mut(name) {
                f.value = (*value).to_owned();
            }
        }
        form.reason = Field::new("typo");
        form
    }

    /// Every name a rule fails on exists in its kind's spec (else the message would land on
    /// the form, not by its field).
    #[test]
    fn each_kind_validates_its_own_fields() {
        let today = date("2025-01-01");
        for kind in EventKind::ALL {
            let stored = event(kind, &[("criteria", "LUGANO2014")]);
            let mut form = form_of(&stored, &[]);
            assert!(validate(&mut form, &stored, &ctx(), today).is_none());
            assert!(
                form.form_error.is_none(),
                "{kind:?}: a message did not find its field: {:?}",
                form.form_error
            );
            assert!(form.fields.iter().any(|f| f.field.error.is_some()));
        }
    }

    #[test]
    fn crs_grade_must_match_its_components() {
        let today = date("2025-01-01");
        let stored = event(EventKind::Toxicity, &[]);
        let mut form = form_of(
            &stored,
            &[
                ("toxicity_type", "CRS"),
                ("onset_date", "2024-01-12"),
                ("max_grade", "G1"),
                ("crs_hypotension", "VASO_1"),
                ("crs_hypoxia", "NONE"),
            ],
        );
        assert!(validate(&mut form, &stored, &ctx(), today).is_none());
        assert!(form.field_mut("max_grade").unwrap().error.is_some());
        form.field_mut("max_grade").unwrap().value = "G3".to_owned();
        form.field_mut("max_grade").unwrap().error = None;
        assert!(validate(&mut form, &stored, &ctx(), today).is_some());
    }

    #[test]
    fn an_icans_reclassified_as_iec_hs_leaves_no_icans_domain_and_takes_ctcae() {
        let today = date("2025-01-01");
        let stored = event(
            EventKind::Toxicity,
            &[("toxicity_type", "ICANS"), ("icans_consciousness", "VOICE")],
        );
        let mut form = form_of(
            &stored,
            &[
                ("toxicity_type", "IEC_HS"),
                ("onset_date", "2024-01-20"),
                ("max_grade", "G5"),
            ],
        );
        let columns = validate(&mut form, &stored, &ctx(), today).unwrap();
        let value = |name: &str| columns.iter().find(|(c, _)| *c == name).map(|(_, v)| v);
        assert_eq!(value("icans_consciousness"), Some(&ColumnValue::Text(None)));
        assert_eq!(
            value("grading_system"),
            Some(&ColumnValue::Text(Some("CTCAE5".to_owned())))
        );
        // An early ICAHT is graded 1 to 4 and starts by day 30.
        let mut icaht = form_of(
            &stored,
            &[
                ("toxicity_type", "ICAHT_EARLY"),
                ("onset_date", "2024-02-15"),
                ("max_grade", "G5"),
            ],
        );
        assert!(validate(&mut icaht, &stored, &ctx(), today).is_none());
        assert!(icaht.field_mut("max_grade").unwrap().error.is_some());
        assert!(icaht.field_mut("onset_date").unwrap().error.is_some());
    }

    #[test]
    fn dates_stay_between_day0_contact_and_death() {
        let today = date("2025-01-01");
        let stored = event(EventKind::Therapy, &[]);
        for (start, expect_ok) in [
            ("2024-01-09", false),
            ("2024-04-11", false),
            ("2024-02-01", true),
        ] {
            let mut form = form_of(
                &stored,
                &[("category", "RADIOTHERAPY"), ("start_date", start)],
            );
            let category = SubsequentTherapyCategory::ALL[0].code();
            form.field_mut("category").unwrap().value = category.to_owned();
            assert_eq!(
                validate(&mut form, &stored, &ctx(), today).is_some(),
                expect_ok,
                "{start}: {form:?}"
            );
        }
        let after_death = EventContext {
            death: Some(date("2024-02-01")),
            ..ctx()
        };
        let mut form = form_of(&stored, &[("start_date", "2024-03-01")]);
        form.field_mut("category").unwrap().value =
            SubsequentTherapyCategory::ALL[0].code().to_owned();
        assert!(validate(&mut form, &stored, &after_death, today).is_none());
        assert!(form.field_mut("start_date").unwrap().error.is_some());
    }

    #[test]
    fn a_deaths_contributing_causes_follow_the_domain_rules_beside_their_inputs() {
        let today = date("2025-01-01");
        let stored = event(EventKind::Death, &[]);
        let typed = |causes: &str, name: &str| {
            form_of(
                &stored,
                &[
                    ("death_date", "2024-04-10"),
                    ("primary_cause", "CARDIAC"),
                    ("contributing_causes", causes),
                    ("contributing_cause_other", name),
                ],
            )
        };

        let mut refused = typed("CARDIAC,OTHER", "");
        let mut saved = typed("OTHER,INFECTION_VIRAL", "Renal failure");

        assert!(validate(&mut refused, &stored, &ctx(), today).is_none());
        assert!(refused.form_error.is_none(), "{:?}", refused.form_error);
        for name in ["contributing_causes", "contributing_cause_other"] {
            let field = refused.field_mut(name).unwrap();
            assert!(field.error.is_some(), "{name}");
        }
        assert!(validate(&mut saved, &stored, &ctx(), today).is_some());
        assert_eq!(
            saved.contributing_given,
            Some(vec![
                (CauseOfDeath::Other, Some("Renal failure".to_owned())),
                (CauseOfDeath::InfectionViral, None),
            ])
        );
    }

    #[test]
    fn a_death_cannot_precede_a_visit_or_an_event() {
        let today = date("2025-01-01");
        let stored = event(EventKind::Death, &[]);
        let cause = CauseOfDeath::ALL
            .iter()
            .find(|c| **c != CauseOfDeath::Other)
            .unwrap()
            .code();
        for (day, ok) in [("2024-04-09", false), ("2024-04-10", true)] {
            let mut form = form_of(&stored, &[("death_date", day), ("primary_cause", cause)]);
            assert_eq!(
                validate(&mut form, &stored, &ctx(), today).is_some(),
                ok,
                "{day}"
            );
        }
    }
}
