//! The new-malignancy block of the follow-up form (domain.md §3.11, [S7][F4]): a malignancy
//! diagnosed after the infusion, different from the treated disease. Its type (named when solid
//! or other) and diagnosis date; the CAR-transgene test of the tumour (required for a T-cell
//! malignancy, boxed warning of January 2024) and whether the tumour is derived from the
//! product; EBV; the pathology report; and the dates it was reported to the manufacturer and to
//! the FDA (MedWatch), which may follow the period's contact. The reading of the answers is
//! shared with the correction form (`events::rules`); the rules across them are the domain's
//! ([`MalignancyDetails::problems`]).
//!
//! Input names: `malignancy_type`, `malignancy_date`, `malignancy_detail`, `transgene_result`,
//! `malignancy_ebv_positive`, `malignancy_product_derived` (`Y`, `N`, `UNK`),
//! `malignancy_pathology_report_attached` (`1` when ticked),
//! `malignancy_reported_to_manufacturer_date`, `malignancy_reported_to_fda_date`.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    audit::{ChangeSet, fields_of},
    events::{NewMalignancyRow, NewNewMalignancy},
    ids::{FollowUpId, PatientId, UserId},
    schema::new_malignancies,
};
use crate::domain::{
    malignancy::{MalignancyDetails, MalignancyField, NewMalignancyType, TransgeneResult},
    missing::{Answer, YesNo},
    vocabulary::Vocabulary,
};
use crate::web::form::{
    CHOOSE_YES_NO_UNKNOWN, Field, InputBlock, SelectOption, TICK_OR_BLANK, YES_NO_UNKNOWN, chosen,
    noted_code, noted_text, options, ticked_box, vocabulary_options, yes_no_unknown,
};
use crate::web::routes::patients::new::parse_date;

/// The longest detail (organ of a solid tumour, what an other malignancy is) kept.
pub const DETAIL_MAX_CHARS: usize = 200;

/// A new malignancy as typed (all blank: none added).
#[derive(Debug, Clone, Default)]
pub struct NewMalignancyForm {
    pub kind: Field,
    pub date: Field,
    pub detail: Field,
    pub transgene: Field,
    pub ebv_positive: Field,
    pub product_derived: Field,
    /// `1` when the pathology report is attached.
    pub report_attached: Field,
    pub reported_to_manufacturer: Field,
    pub reported_to_fda: Field,
}

/// A validated new malignancy, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMalignancyEntry {
    pub kind: NewMalignancyType,
    pub date: NaiveDate,
    pub details: Details,
}

/// What is known of a malignancy besides its type and date, as read: every answer optional.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Details {
    pub detail: Option<String>,
    pub transgene: Option<TransgeneResult>,
    pub ebv_positive: Option<Answer<YesNo>>,
    pub product_derived: Option<Answer<YesNo>>,
    pub pathology_report_attached: bool,
    pub reported_to_manufacturer: Option<NaiveDate>,
    pub reported_to_fda: Option<NaiveDate>,
}

impl Details {
    /// `car_transgene_tested` as stored: `N` when the result is "not tested", `Y` for any
    /// other result, none without a result.
    pub fn transgene_tested(&self) -> Option<&'static str> {
        self.transgene.map(|t| {
            if t == TransgeneResult::NotTested {
                "N"
            } else {
                "Y"
            }
        })
    }
}

/// The answers as typed, by whatever names the form gives them (the type and the diagnosis
/// date are read by the form, with its own bounds).
#[derive(Debug, Clone, Copy)]
pub struct TypedDetails<'a> {
    pub detail: &'a str,
    pub transgene: &'a str,
    pub ebv_positive: &'a str,
    pub product_derived: &'a str,
    pub pathology_report_attached: &'a str,
    pub reported_to_manufacturer: &'a str,
    pub reported_to_fda: &'a str,
}

/// Reads the answers and checks them against the malignancy's type and diagnosis date: the
/// details, or each message with the input it belongs beside (what cannot be read first; the
/// rules across inputs once everything reads). A report date is not in the future; it may
/// follow the reporting period's contact.
pub fn read_details(
    typed: TypedDetails<'_>,
    kind: Option<NewMalignancyType>,
    diagnosis_date: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Details, Vec<(MalignancyField, String)>> {
    use MalignancyField as F;
    let mut problems = Vec::new();
    let detail = noted_text(
        typed.detail,
        (DETAIL_MAX_CHARS, "the name"),
        F::Detail,
        &mut problems,
    );
    let transgene = noted_code::<TransgeneResult, _>(
        typed.transgene,
        (F::TransgeneResult, "Choose the CAR-transgene test result."),
        &mut problems,
    );
    let mut answer = |typed: &str, field: F| -> Option<Answer<YesNo>> {
        match yes_no_unknown(typed) {
            Ok(code) => code.and_then(|c| Answer::parse(c).ok()),
            Err(_) => {
                problems.push((field, CHOOSE_YES_NO_UNKNOWN.to_owned()));
                None
            }
        }
    };
    let ebv_positive = answer(typed.ebv_positive, F::EbvPositive);
    let product_derived = answer(typed.product_derived, F::ProductDerived);
    let pathology_report_attached =
        ticked_box(typed.pathology_report_attached).unwrap_or_else(|_| {
            problems.push((F::PathologyReportAttached, TICK_OR_BLANK.to_owned()));
            false
        });
    let mut report_date = |typed: &str, field: F| -> Option<NaiveDate> {
        let mut typed = Field::new(typed);
        let date = parse_date(&mut typed, false, today);
        if let Some(message) = typed.error {
            problems.push((field, message));
        }
        date
    };
    let reported_to_manufacturer = report_date(
        typed.reported_to_manufacturer,
        F::ReportedToManufacturerDate,
    );
    let reported_to_fda = report_date(typed.reported_to_fda, F::ReportedToFdaDate);
    if !problems.is_empty() {
        return Err(problems);
    }
    let problems = MalignancyDetails {
        kind,
        detail: detail.as_deref(),
        diagnosis_date,
        transgene,
        ebv_positive,
        product_derived,
        pathology_report_attached,
        reported_to_manufacturer,
        reported_to_fda,
    }
    .problems();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Details {
        detail,
        transgene,
        ebv_positive,
        product_derived,
        pathology_report_attached,
        reported_to_manufacturer,
        reported_to_fda,
    })
}

impl InputBlock for NewMalignancyForm {
    fn inputs(&mut self) -> Vec<(&'static str, &mut Field)> {
        vec![
            ("malignancy_type", &mut self.kind),
            ("malignancy_date", &mut self.date),
            ("malignancy_detail", &mut self.detail),
            ("transgene_result", &mut self.transgene),
            ("malignancy_product_derived", &mut self.product_derived),
            ("malignancy_ebv_positive", &mut self.ebv_positive),
            (
                "malignancy_pathology_report_attached",
                &mut self.report_attached,
            ),
            (
                "malignancy_reported_to_manufacturer_date",
                &mut self.reported_to_manufacturer,
            ),
            ("malignancy_reported_to_fda_date", &mut self.reported_to_fda),
        ]
    }
}

/// The input of the follow-up form a domain message belongs beside.
fn input_of(field: MalignancyField) -> &'static str {
    match field {
        MalignancyField::Detail => "malignancy_detail",
        MalignancyField::TransgeneResult => "transgene_result",
        MalignancyField::EbvPositive => "malignancy_ebv_positive",
        MalignancyField::ProductDerived => "malignancy_product_derived",
        MalignancyField::PathologyReportAttached => "malignancy_pathology_report_attached",
        MalignancyField::ReportedToManufacturerDate => "malignancy_reported_to_manufacturer_date",
        MalignancyField::ReportedToFdaDate => "malignancy_reported_to_fda_date",
    }
}

impl NewMalignancyForm {
    /// Checks a block that is not blank, given its diagnosis date as the form read it (`None`
    /// when wrong or missing, the message already beside it): the type required, and the
    /// answers read and checked across ([`read_details`]). `None` with messages when wrong.
    pub fn validate(
        &mut self,
        date: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Option<NewMalignancyEntry> {
        let kind =
            chosen::<NewMalignancyType>(&mut self.kind, true, "Choose the type of malignancy.");
        let typed = TypedDetails {
            detail: &self.detail.value,
            transgene: &self.transgene.value,
            ebv_positive: &self.ebv_positive.value,
            product_derived: &self.product_derived.value,
            pathology_report_attached: &self.report_attached.value,
            reported_to_manufacturer: &self.reported_to_manufacturer.value,
            reported_to_fda: &self.reported_to_fda.value,
        };
        let details = read_details(typed, kind, date, today)
            .map_err(|problems| {
                for (field, message) in problems {
                    self.fail_at(input_of(field), message);
                }
            })
            .ok();
        if self.has_error() {
            return None;
        }
        Some(NewMalignancyEntry {
            kind: kind?,
            date: date?,
            details: details?,
        })
    }

    pub fn type_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<NewMalignancyType>(&self.kind)
    }

    pub fn transgene_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<TransgeneResult>(&self.transgene)
    }

    pub fn ebv_options(&self) -> Vec<SelectOption> {
        options(YES_NO_UNKNOWN, self.ebv_positive.value.trim())
    }

    pub fn product_derived_options(&self) -> Vec<SelectOption> {
        options(YES_NO_UNKNOWN, self.product_derived.value.trim())
    }
}

/// Inserts the malignancy, reported by `follow_up_id`, with its audit rows in `changes`.
pub fn insert(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    pid: i32,
    follow_up_id: i32,
    actor: i32,
    entry: &NewMalignancyEntry,
) -> QueryResult<()> {
    let d = &entry.details;
    let row: NewMalignancyRow = diesel::insert_into(new_malignancies::table)
        .values(NewNewMalignancy {
            patient_id: PatientId(pid),
            reported_in_follow_up_id: Some(FollowUpId(follow_up_id)),
            diagnosis_date: entry.date,
            diagnosis_date_estimated: false,
            malignancy_type: entry.kind.code().to_owned(),
            malignancy_detail: d.detail.clone(),
            t_cell_malignancy: entry.kind.is_t_cell(),
            ebv_positive: d.ebv_positive.map(|a| a.code().to_owned()),
            car_transgene_tested: d.transgene_tested().map(str::to_owned),
            car_transgene_result: d.transgene.map(|t| t.code().to_owned()),
            product_derived: d.product_derived.map(|a| a.code().to_owned()),
            pathology_report_attached: d.pathology_report_attached,
            reported_to_manufacturer_date: d.reported_to_manufacturer,
            reported_to_manufacturer_date_estimated: false,
            reported_to_fda_date: d.reported_to_fda,
            reported_to_fda_date_estimated: false,
            created_by: UserId(actor),
            updated_by: UserId(actor),
        })
        .returning(NewMalignancyRow::as_returning())
        .get_result(conn)?;
    changes
        .record_insert(
            conn,
            "new_malignancies",
            row.id.0,
            Some(PatientId(pid)),
            &fields_of(&row)?,
        )
        .map(|_| ())
}
