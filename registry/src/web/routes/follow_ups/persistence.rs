//! The persistence block of the follow-up form: one CAR-T persistence test of the period
//! (domain.md §3.7): the sample date, specimen and method, whether the cells were detected
//! and, when the assay measured them, the value and its unit, "below the LLOQ" (detected but
//! not quantifiable: no value), the assay's LLOQ and the laboratory. The reading of the
//! numbers here is shared with the correction form (`events::rules`); the rules across them
//! are the domain's ([`PersistenceQuantity::problems`]).
//!
//! Input names: `persistence_date`, `persistence_specimen`, `persistence_method`,
//! `persistence_detected`, `persistence_value`, `persistence_unit`, `persistence_below_lloq`,
//! `persistence_lloq`, `persistence_laboratory` (the HTML form's and the API's alike).

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    audit::{ChangeSet, fields_of},
    events::PersistenceTestRow,
    ids::PatientId,
    schema::persistence_tests,
};
use crate::domain::{
    persistence::{
        PersistenceMethod, PersistenceQuantity, PersistenceUnit, QuantityField, Specimen,
    },
    vocabulary::Vocabulary,
};
use crate::web::form::{
    Field, InputBlock, SelectOption, TICK_OR_BLANK, decimal, options, short_text, ticked_box,
};

/// The longest laboratory name kept.
pub const LABORATORY_MAX_CHARS: usize = 200;

/// The block as typed.
#[derive(Debug, Clone, Default)]
pub struct NewPersistenceForm {
    pub date: Field,
    pub specimen: Field,
    pub method: Field,
    pub detected: Field,
    pub value: Field,
    pub unit: Field,
    pub below_lloq: Field,
    pub lloq: Field,
    pub laboratory: Field,
}

/// A validated test, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPersistence {
    pub date: NaiveDate,
    pub specimen: Specimen,
    pub method: PersistenceMethod,
    /// `Y` or `N`.
    pub detected: &'static str,
    pub quantity: PersistenceQuantity,
    pub laboratory: Option<String>,
}

/// The quantity's inputs as typed, by whatever names the form gives them.
#[derive(Debug, Clone, Copy)]
pub struct TypedQuantity<'a> {
    pub value: &'a str,
    pub unit: &'a str,
    pub below_lloq: &'a str,
    pub lloq: &'a str,
}

/// Reads a typed quantity and checks it against the test's detection and method: the quantity,
/// or each message with the input it belongs beside (what cannot be read first; the rules
/// across inputs once everything reads).
pub fn read_quantity(
    typed: TypedQuantity<'_>,
    detected: Option<bool>,
    method: Option<PersistenceMethod>,
) -> Result<PersistenceQuantity, Vec<(QuantityField, String)>> {
    let mut problems = Vec::new();
    let value = decimal(typed.value).unwrap_or_else(|_| {
        problems.push((
            QuantityField::Value,
            "Enter the value as a number of 0 or more, e.g. 1200.".to_owned(),
        ));
        None
    });
    let lloq = match decimal(typed.lloq) {
        Ok(Some(n)) if n > 0.0 => Some(n),
        Ok(None) => None,
        _ => {
            problems.push((
                QuantityField::Lloq,
                "Enter the LLOQ as a number above 0, e.g. 10.".to_owned(),
            ));
            None
        }
    };
    let unit = match typed.unit.trim() {
        "" => None,
        code => PersistenceUnit::parse(code).ok().or_else(|| {
            problems.push((QuantityField::Unit, "Choose the unit.".to_owned()));
            None
        }),
    };
    let below_lloq = ticked_box(typed.below_lloq).unwrap_or_else(|_| {
        problems.push((QuantityField::BelowLloq, TICK_OR_BLANK.to_owned()));
        false
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    let quantity = PersistenceQuantity {
        value,
        unit,
        below_lloq,
        lloq,
    };
    let problems = quantity.problems(detected, method);
    if problems.is_empty() {
        Ok(quantity)
    } else {
        Err(problems)
    }
}

/// The laboratory as typed: blank is none; a name longer than [`LABORATORY_MAX_CHARS`] is
/// refused with the message returned.
pub fn read_laboratory(typed: &str) -> Result<Option<String>, String> {
    short_text(typed, LABORATORY_MAX_CHARS, "the laboratory's name")
}

impl InputBlock for NewPersistenceForm {
    fn inputs(&mut self) -> Vec<(&'static str, &mut Field)> {
        vec![
            ("persistence_date", &mut self.date),
            ("persistence_specimen", &mut self.specimen),
            ("persistence_method", &mut self.method),
            ("persistence_detected", &mut self.detected),
            ("persistence_value", &mut self.value),
            ("persistence_unit", &mut self.unit),
            ("persistence_below_lloq", &mut self.below_lloq),
            ("persistence_lloq", &mut self.lloq),
            ("persistence_laboratory", &mut self.laboratory),
        ]
    }
}

impl NewPersistenceForm {
    /// Checks a block that is not blank, given its sample date as the form read it (`None`
    /// when wrong or missing, its message already beside it): specimen, method and detection
    /// required, the quantity and the laboratory as [`read_quantity`] and [`read_laboratory`]
    /// read them. `None` with messages when wrong.
    pub fn validate(&mut self, date: Option<NaiveDate>) -> Option<NewPersistence> {
        let specimen = Specimen::parse(&self.specimen.value).ok();
        if specimen.is_none() {
            self.specimen.fail("Choose the specimen.");
        }
        let method = PersistenceMethod::parse(&self.method.value).ok();
        if method.is_none() {
            self.method.fail("Choose the method.");
        }
        let detected = match self.detected.value.as_str() {
            "Y" => Some("Y"),
            "N" => Some("N"),
            _ => {
                self.detected
                    .fail("Answer whether CAR-T cells were detected.");
                None
            }
        };
        let typed = TypedQuantity {
            value: &self.value.value,
            unit: &self.unit.value,
            below_lloq: &self.below_lloq.value,
            lloq: &self.lloq.value,
        };
        let quantity = match read_quantity(typed, detected.map(|d| d == "Y"), method) {
            Ok(quantity) => Some(quantity),
            Err(problems) => {
                for (field, message) in problems {
                    self.fail_at(&format!("persistence_{}", field.column()), message);
                }
                None
            }
        };
        let laboratory = read_laboratory(&self.laboratory.value)
            .map_err(|message| self.laboratory.fail(message))
            .ok();
        Some(NewPersistence {
            date: date?,
            specimen: specimen?,
            method: method?,
            detected: detected?,
            quantity: quantity?,
            laboratory: laboratory?,
        })
    }

    /// The units, the typed one selected.
    pub fn unit_options(&self) -> Vec<SelectOption> {
        options(
            PersistenceUnit::ALL.iter().map(|u| (u.code(), u.label())),
            self.unit.value.trim(),
        )
    }
}

/// Inserts the test, reported by `follow_up_id`, with its audit rows in `changes`.
pub fn insert(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    (pid, course_id): (i32, i32),
    follow_up_id: i32,
    actor: i32,
    test: &NewPersistence,
) -> QueryResult<()> {
    let quantity = test.quantity;
    let row: PersistenceTestRow = diesel::insert_into(persistence_tests::table)
        .values((
            persistence_tests::patient_id.eq(pid),
            persistence_tests::course_id.eq(course_id),
            persistence_tests::reported_in_follow_up_id.eq(Some(follow_up_id)),
            persistence_tests::sample_date.eq(test.date),
            persistence_tests::specimen.eq(test.specimen.code()),
            persistence_tests::method.eq(test.method.code()),
            persistence_tests::detected.eq(test.detected),
            persistence_tests::value.eq(quantity.value),
            persistence_tests::unit.eq(quantity.unit.map(|u| u.code())),
            persistence_tests::below_lloq.eq(quantity.below_lloq),
            persistence_tests::lloq.eq(quantity.lloq),
            persistence_tests::laboratory.eq(test.laboratory.as_deref()),
            persistence_tests::created_by.eq(actor),
            persistence_tests::updated_by.eq(actor),
        ))
        .returning(PersistenceTestRow::as_returning())
        .get_result(conn)?;
    changes.record_insert(
        conn,
        "persistence_tests",
        row.id.0,
        Some(PatientId(pid)),
        &fields_of(&row)?,
    )?;
    Ok(())
}
