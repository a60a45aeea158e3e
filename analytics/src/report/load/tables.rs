//! The fourteen tables the report reads, each as a [`TableSpec`], and the derivations that turn
//! codes into the domain's facts (a disease's group and response criteria, a product's antigen,
//! a response's rank and flags, a therapy's effect on the best-response window).
//!
//! Cut-off rules live in the SQL: a row dated after the cut-off is dropped and counted
//! ([`Fate::DropAfter`]); a date inside a kept row that is after it (a toxicity's resolution, an
//! immunoglobulin course's stop, a loss-to-follow-up status) reads as not known yet.

use std::collections::HashMap;

use polars::prelude::*;
use registry::domain::Vocabulary;
use registry::domain::diagnosis::Disease;
use registry::domain::product::Product;
use registry::domain::response::{Response, ResponseCriteria};
use registry::domain::therapy::{SubsequentTherapyCategory, TherapyIntent};

use super::spec::ColumnType::{Bool, Date, Int, Real, Text};
use super::spec::{BadCode, ColumnSpec as C, Derivation, Fate, TableSpec};

pub const PATIENTS: TableSpec = TableSpec {
    table: "patients",
    from: "patients p JOIN sites s ON s.id = p.site_id",
    filter: None,
    id: "p.id",
    fate: Fate::Always,
    columns: &[
        C::new("patient_id", "p.id", Int),
        C::new("usubjid", "p.registry_id", Text),
        C::new("site", "s.code", Text),
        // A status dated after the cut-off was not known at the cut-off.
        C::new(
            "ltfu_status",
            "CASE WHEN +p.ltfu_status_date > {cutoff} THEN 'ACTIVE' ELSE p.ltfu_status END",
            Text,
        ),
        C::new(
            "ltfu_status_date",
            "CASE WHEN +p.ltfu_status_date <= {cutoff} THEN p.ltfu_status_date END",
            Date,
        )
        .nullable(),
    ],
    derivation: None,
};

pub const DIAGNOSES: TableSpec = TableSpec {
    table: "diagnoses",
    from: "diagnoses",
    filter: None,
    id: "id",
    fate: Fate::Always,
    columns: &[
        C::new("diagnosis_id", "id", Int),
        C::new("patient_id", "patient_id", Int),
        C::new("disease", "disease", Text),
    ],
    derivation: Some(Derivation {
        columns: &[
            C::derived("disease_group", Text),
            C::derived("criteria", Text),
        ],
        derive: disease_facts,
    }),
};

pub const COURSES: TableSpec = TableSpec {
    table: "treatment_courses",
    from: "treatment_courses",
    filter: None,
    id: "id",
    fate: Fate::Always,
    columns: &[
        C::new("course_id", "id", Int),
        C::new("patient_id", "patient_id", Int),
        C::new("diagnosis_id", "diagnosis_id", Int),
        C::new("course_number", "course_number", Int),
        C::new("product", "product", Text),
        C::new("investigational_target", "investigational_target", Text)
            .nullable()
            .internal(),
    ],
    derivation: Some(Derivation {
        columns: &[C::derived("antigen", Text)],
        derive: antigen,
    }),
};

pub const INFUSIONS: TableSpec = TableSpec {
    table: "infusions",
    from: "infusions",
    filter: None,
    id: "id",
    fate: Fate::DropAfter("infusion_date"),
    columns: &[
        C::new("patient_id", "patient_id", Int),
        C::new("course_id", "course_id", Int),
        C::new("infusion_number", "infusion_number", Int),
        C::new("infusion_date", "infusion_date", Date),
    ],
    derivation: None,
};

/// A form is kept if its contact or its reported relapse is on or before the cut-off; one whose
/// contact is after it is dropped and counted; one with neither a contact nor a relapse (a
/// planned visit not yet made) is left out without counting.
pub const FOLLOW_UPS: TableSpec = TableSpec {
    table: "follow_ups",
    from: "follow_ups",
    filter: None,
    id: "id",
    fate: Fate::Sql(
        "CASE WHEN +contact_date <= {cutoff} \
              OR (relapse_since_last = 'Y' AND +relapse_date <= {cutoff}) THEN 0 \
              WHEN contact_date IS NOT NULL THEN 1 ELSE 2 END",
    ),
    columns: &[
        C::new("patient_id", "patient_id", Int),
        C::new(
            "contact_date",
            "CASE WHEN +contact_date <= {cutoff} THEN contact_date END",
            Date,
        )
        .nullable(),
        C::new(
            "survival_status",
            "CASE WHEN +contact_date <= {cutoff} THEN survival_status END",
            Text,
        )
        .nullable(),
        C::new(
            "relapse_date",
            "CASE WHEN relapse_since_last = 'Y' AND +relapse_date <= {cutoff} THEN relapse_date END",
            Date,
        )
        .nullable(),
    ],
    derivation: None,
};

pub const RESPONSES: TableSpec = TableSpec {
    table: "response_assessments",
    from: "response_assessments",
    filter: None,
    id: "id",
    fate: Fate::DropAfter("assessment_date"),
    columns: &[
        C::new("response_id", "id", Int).internal(),
        C::new("patient_id", "patient_id", Int),
        C::new("course_id", "course_id", Int),
        C::new("assessment_date", "assessment_date", Date),
        C::new("criteria", "criteria", Text),
        C::new("response", "response", Text),
    ],
    derivation: Some(Derivation {
        columns: &[
            C::derived("rank", Int),
            C::derived("responder", Bool),
            C::derived("complete", Bool),
            C::derived("progression", Bool),
        ],
        derive: response_facts,
    }),
};

pub const THERAPIES: TableSpec = TableSpec {
    table: "subsequent_therapies",
    from: "subsequent_therapies",
    filter: None,
    id: "id",
    fate: Fate::DropAfter("start_date"),
    columns: &[
        C::new("therapy_id", "id", Int).internal(),
        C::new("patient_id", "patient_id", Int),
        C::new("category", "category", Text),
        C::new("intent", "intent", Text).nullable(),
        C::new("start_date", "start_date", Date),
    ],
    derivation: Some(Derivation {
        columns: &[
            C::derived("closes_bor_window", Bool),
            C::derived("transplant", Bool),
        ],
        derive: therapy_facts,
    }),
};

pub const DEATHS: TableSpec = TableSpec {
    table: "deaths",
    from: "deaths",
    filter: None,
    id: "id",
    fate: Fate::DropAfter("death_date"),
    columns: &[
        C::new("patient_id", "patient_id", Int),
        C::new("death_date", "death_date", Date),
        C::new("death_cause", "primary_cause", Text),
    ],
    derivation: None,
};

pub const TOXICITIES: TableSpec = TableSpec {
    table: "toxicity_events",
    from: "toxicity_events",
    filter: None,
    id: "id",
    fate: Fate::DropAfter("onset_date"),
    columns: &[
        C::new("patient_id", "patient_id", Int),
        C::new("toxicity_type", "toxicity_type", Text),
        // `G1`..`G5` as 1-5; the missing-data codes as null.
        C::new(
            "grade",
            "CASE WHEN max_grade IN ('G1', 'G2', 'G3', 'G4', 'G5') \
                  THEN CAST(substr(max_grade, 2) AS INTEGER) END",
            Int,
        )
        .nullable(),
        C::new("onset_date", "onset_date", Date),
        C::new(
            "resolution_date",
            "CASE WHEN +resolution_date <= {cutoff} THEN resolution_date END",
            Date,
        )
        .nullable(),
    ],
    derivation: None,
};

pub const INFECTIONS: TableSpec = TableSpec {
    table: "infections",
    from: "infections",
    filter: None,
    id: "id",
    fate: Fate::DropAfter("diagnosis_date"),
    columns: &[
        C::new("patient_id", "patient_id", Int),
        C::new("diagnosis_date", "diagnosis_date", Date),
        C::new("organism_class", "organism_class", Text),
    ],
    derivation: None,
};

/// IgG and CD19+ B cells only; the value in mg/dL (IgG) or cells/µL (B cells), converted from
/// the normalised unit when that is g/L, g/dL or 10⁹/L.
pub const LABS: TableSpec = TableSpec {
    table: "lab_results",
    from: "lab_results",
    filter: Some("analyte IN ('IGG', 'CD19_ABS')"),
    id: "id",
    fate: Fate::DropAfter("sample_date"),
    columns: &[
        C::new("patient_id", "patient_id", Int),
        C::new("sample_date", "sample_date", Date),
        C::new("analyte", "analyte", Text),
        C::new(
            "value",
            "normalised_value * CASE normalised_unit WHEN 'G_L' THEN 100.0 \
             WHEN 'G_DL' THEN 1000.0 WHEN 'X10E9_PER_L' THEN 1000.0 ELSE 1.0 END",
            Real,
        )
        .nullable(),
        C::new("ivig_flag", "ivig_within_30_days IS 'Y'", Bool),
    ],
    derivation: None,
};

pub const IG_COURSES: TableSpec = TableSpec {
    table: "immunoglobulin_courses",
    from: "immunoglobulin_courses",
    filter: None,
    id: "id",
    fate: Fate::DropAfter("start_date"),
    columns: &[
        C::new("patient_id", "patient_id", Int),
        C::new("start_date", "start_date", Date),
        // Null while ongoing, or when it stops after the cut-off.
        C::new(
            "stop_date",
            "CASE WHEN +stop_date <= {cutoff} THEN stop_date END",
            Date,
        )
        .nullable(),
    ],
    derivation: None,
};

/// `detected`: `Y` true, `N` false, a missing-data code (not done, unknown) null: no result.
/// `pcr`: a test of the transgene (qPCR or ddPCR); `copies_per_ug_dna`: its value when given in
/// copies/µg genomic DNA; `below_lloq`: detected but not quantifiable.
pub const PERSISTENCE: TableSpec = TableSpec {
    table: "persistence_tests",
    from: "persistence_tests",
    filter: None,
    id: "id",
    fate: Fate::DropAfter("sample_date"),
    columns: &[
        C::new("patient_id", "patient_id", Int),
        C::new("sample_date", "sample_date", Date),
        C::new(
            "detected",
            "CASE detected WHEN 'Y' THEN 1 WHEN 'N' THEN 0 END",
            Bool,
        )
        .nullable(),
        C::new("pcr", "method IN ('QPCR_TRANSGENE', 'DDPCR')", Bool),
        C::new(
            "copies_per_ug_dna",
            "CASE WHEN unit = 'COPIES_PER_UG_GDNA' THEN value END",
            Real,
        )
        .nullable(),
        C::new("below_lloq", "below_lloq", Bool),
    ],
    derivation: None,
};

pub const MALIGNANCIES: TableSpec = TableSpec {
    table: "new_malignancies",
    from: "new_malignancies",
    filter: None,
    id: "id",
    fate: Fate::DropAfter("diagnosis_date"),
    columns: &[
        C::new("patient_id", "patient_id", Int),
        C::new("diagnosis_date", "diagnosis_date", Date),
        C::new("malignancy_type", "malignancy_type", Text),
        C::new("t_cell", "t_cell_malignancy", Bool),
    ],
    derivation: None,
};

/// Every table, in the order of [`super::Registry`]'s fields and of the data hash.
pub const ALL: [&TableSpec; 14] = [
    &PATIENTS,
    &DIAGNOSES,
    &COURSES,
    &INFUSIONS,
    &FOLLOW_UPS,
    &RESPONSES,
    &THERAPIES,
    &DEATHS,
    &TOXICITIES,
    &INFECTIONS,
    &LABS,
    &IG_COURSES,
    &PERSISTENCE,
    &MALIGNANCIES,
];

/// Maps each row through `f`, calling it once per distinct key (the vocabularies are small, the
/// tables are not); a key that fails is reported for every row that has it, by its row id.
fn per_key<K, T>(
    keys: impl Iterator<Item = K>,
    ids: &Int32Chunked,
    table: &str,
    bad: &mut Vec<BadCode>,
    fallback: T,
    mut f: impl FnMut(&K) -> Result<T, String>,
) -> Vec<T>
where
    K: std::hash::Hash + Eq,
    T: Clone,
{
    let mut seen: HashMap<K, Result<T, String>> = HashMap::new();
    keys.zip(ids.iter())
        .map(|(key, id)| {
            let hit = match seen.get(&key) {
                Some(hit) => hit.clone(),
                None => {
                    let hit = f(&key);
                    seen.insert(key, hit.clone());
                    hit
                }
            };
            hit.unwrap_or_else(|what| {
                bad.push((table.to_owned(), id.unwrap_or_default(), what));
                fallback.clone()
            })
        })
        .collect()
}

/// `disease_group` and `criteria` of each diagnosis (`OTHER` when the code does not parse).
fn disease_facts(df: &DataFrame, bad: &mut Vec<BadCode>) -> PolarsResult<Vec<Column>> {
    let facts = per_key(
        df.column("disease")?.str()?.iter(),
        df.column("diagnosis_id")?.i32()?,
        DIAGNOSES.table,
        bad,
        ("OTHER", "OTHER"),
        |code| {
            let d = Disease::parse(code.unwrap_or_default()).map_err(|e| e.to_string())?;
            Ok((d.group().code(), d.response_criteria().code()))
        },
    );
    Ok(vec![
        Column::new(
            "disease_group".into(),
            facts.iter().map(|f| f.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "criteria".into(),
            facts.iter().map(|f| f.1).collect::<Vec<_>>(),
        ),
    ])
}

/// The antigen a course's product targets; an investigational product's recorded target
/// (`OTHER` when none is recorded or the product code does not parse).
fn antigen(df: &DataFrame, bad: &mut Vec<BadCode>) -> PolarsResult<Vec<Column>> {
    let keys = df
        .column("product")?
        .str()?
        .iter()
        .zip(df.column("investigational_target")?.str()?.iter());
    let antigen = per_key(
        keys,
        df.column("course_id")?.i32()?,
        COURSES.table,
        bad,
        "OTHER".to_owned(),
        |(product, target)| match Product::parse(product.unwrap_or_default()) {
            Ok(Product::Investigational) => Ok(target
                .map(str::to_uppercase)
                .unwrap_or_else(|| "OTHER".to_owned())),
            Ok(p) => Ok(p.target_antigen().code().to_owned()),
            Err(e) => Err(e.to_string()),
        },
    );
    Ok(vec![Column::new("antigen".into(), antigen)])
}

/// A response's `rank` (higher is better, for best overall response), `responder`, `complete`
/// and `progression` (PD, or relapse for B-ALL); 0 and false when the codes do not parse.
fn response_facts(df: &DataFrame, bad: &mut Vec<BadCode>) -> PolarsResult<Vec<Column>> {
    let keys = df
        .column("criteria")?
        .str()?
        .iter()
        .zip(df.column("response")?.str()?.iter());
    let facts = per_key(
        keys,
        df.column("response_id")?.i32()?,
        RESPONSES.table,
        bad,
        (0, false, false, false),
        |(criteria, response)| {
            let r = ResponseCriteria::parse(criteria.unwrap_or_default())
                .and_then(|c| Response::parse(c, response.unwrap_or_default()))
                .map_err(|e| e.to_string())?;
            Ok((
                i32::from(r.rank()),
                r.is_responder(),
                r.is_complete_response(),
                r.rank() == 1,
            ))
        },
    );
    Ok(vec![
        Column::new("rank".into(), facts.iter().map(|f| f.0).collect::<Vec<_>>()),
        Column::new(
            "responder".into(),
            facts.iter().map(|f| f.1).collect::<Vec<_>>(),
        ),
        Column::new(
            "complete".into(),
            facts.iter().map(|f| f.2).collect::<Vec<_>>(),
        ),
        Column::new(
            "progression".into(),
            facts.iter().map(|f| f.3).collect::<Vec<_>>(),
        ),
    ])
}

/// `closes_bor_window` (every intent but consolidation/maintenance and re-infusion for B-cell
/// recovery; a missing or unknown intent closes it) and `transplant` (allo or auto HCT).
fn therapy_facts(df: &DataFrame, bad: &mut Vec<BadCode>) -> PolarsResult<Vec<Column>> {
    let ids = df.column("therapy_id")?.i32()?;
    let closes: Vec<bool> = per_key(
        df.column("intent")?.str()?.iter(),
        ids,
        THERAPIES.table,
        bad,
        true,
        |intent| {
            Ok(intent
                .and_then(|i| TherapyIntent::parse(i).ok())
                .is_none_or(|i| !i.keeps_best_response_window()))
        },
    );
    let transplant: Vec<bool> = per_key(
        df.column("category")?.str()?.iter(),
        ids,
        THERAPIES.table,
        bad,
        false,
        |category| {
            let k = SubsequentTherapyCategory::parse(category.unwrap_or_default())
                .map_err(|e| e.to_string())?;
            Ok(matches!(
                k,
                SubsequentTherapyCategory::AlloHct | SubsequentTherapyCategory::AutoHct
            ))
        },
    );
    Ok(vec![
        Column::new("closes_bor_window".into(), closes),
        Column::new("transplant".into(), transplant),
    ])
}
