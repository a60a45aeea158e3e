//! The immunoglobulin block of the follow-up form: a course of replacement started in the
//! period (domain.md §3.9): start date and route, and how it was given, when known: the stop
//! date (blank: ongoing), the product, the dose per administration in grams and/or mg/kg, the
//! interval and the indication. The reading of the regimen is shared with the correction form
//! (`events::rules`); its rules are the domain's ([`IgRegimen::problems`]).
//!
//! Input names: `ig_start_date`, `ig_route`, `ig_stop_date`, `ig_product_name`, `ig_dose_g`,
//! `ig_dose_mg_per_kg`, `ig_interval_days`, `ig_indication` (the HTML form's and the API's).

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    audit::{ChangeSet, fields_of},
    events::ImmunoglobulinCourseRow,
    ids::PatientId,
    schema::immunoglobulin_courses,
};
use crate::domain::{
    immunoglobulin::{IgIndication, IgProduct, IgRegimen, RegimenField},
    vocabulary::Vocabulary,
};
use crate::web::form::{Field, InputBlock, SelectOption, decimal, options, short_text};

/// The longest product name kept.
pub const PRODUCT_NAME_MAX_CHARS: usize = 200;

/// The block as typed.
#[derive(Debug, Clone, Default)]
pub struct NewIgForm {
    pub start_date: Field,
    pub route: Field,
    pub stop_date: Field,
    pub product_name: Field,
    pub dose_g: Field,
    pub dose_mg_per_kg: Field,
    pub interval_days: Field,
    pub indication: Field,
}

/// A validated course, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIgCourse {
    pub start_date: NaiveDate,
    /// `IVIG` or `SCIG`.
    pub route: &'static str,
    pub regimen: IgRegimen,
    pub product_name: Option<String>,
    pub indication: Option<IgIndication>,
}

/// The regimen's numbers as typed, by whatever names the form gives them (the stop date is
/// read by the form, with its own bounds).
#[derive(Debug, Clone, Copy)]
pub struct TypedDoses<'a> {
    pub dose_g: &'a str,
    pub dose_mg_per_kg: &'a str,
    pub interval_days: &'a str,
}

/// Reads the doses and the interval, then checks the regimen (with `stop_date`, read by the
/// caller) against the course's `start`: the regimen, or each message with its input.
pub fn read_regimen(
    typed: TypedDoses<'_>,
    stop_date: Option<NaiveDate>,
    start: Option<NaiveDate>,
) -> Result<IgRegimen, Vec<(RegimenField, String)>> {
    let mut problems = Vec::new();
    let mut dose = |typed: &str, field: RegimenField, unit: &str| -> Option<f64> {
        match decimal(typed) {
            Ok(Some(n)) if n > 0.0 => Some(n),
            Ok(None) => None,
            _ => {
                problems.push((
                    field,
                    format!("Enter the dose in {unit} as a number above 0, e.g. 0.4."),
                ));
                None
            }
        }
    };
    let dose_g = dose(typed.dose_g, RegimenField::DoseG, "grams");
    let dose_mg_per_kg = dose(typed.dose_mg_per_kg, RegimenField::DoseMgPerKg, "mg/kg");
    let interval_days = match typed.interval_days.trim() {
        "" => None,
        days => match days.parse::<i32>() {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push((
                    RegimenField::IntervalDays,
                    "Enter the interval as whole days, e.g. 28.".to_owned(),
                ));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let regimen = IgRegimen {
        stop_date,
        dose_g,
        dose_mg_per_kg,
        interval_days,
    };
    let problems = regimen.problems(start);
    if problems.is_empty() {
        Ok(regimen)
    } else {
        Err(problems)
    }
}

/// The product name as typed: blank is none; a longer name than [`PRODUCT_NAME_MAX_CHARS`] is
/// refused with the message returned.
pub fn read_product_name(typed: &str) -> Result<Option<String>, String> {
    short_text(typed, PRODUCT_NAME_MAX_CHARS, "the product name")
}

/// A route as typed: `IVIG` or `SCIG`, or the message.
pub fn read_route(typed: &str) -> Result<&'static str, &'static str> {
    IgProduct::parse(typed.trim())
        .map(|route| route.code())
        .map_err(|_| "Choose intravenous or subcutaneous.")
}

impl InputBlock for NewIgForm {
    fn inputs(&mut self) -> Vec<(&'static str, &mut Field)> {
        vec![
            ("ig_start_date", &mut self.start_date),
            ("ig_route", &mut self.route),
            ("ig_stop_date", &mut self.stop_date),
            ("ig_product_name", &mut self.product_name),
            ("ig_dose_g", &mut self.dose_g),
            ("ig_dose_mg_per_kg", &mut self.dose_mg_per_kg),
            ("ig_interval_days", &mut self.interval_days),
            ("ig_indication", &mut self.indication),
        ]
    }
}

impl NewIgForm {
    /// Checks a block that is not blank, given its start and stop dates as the form read them
    /// (each `None` when wrong or missing, its message already beside it; the stop date may
    /// also be blank: ongoing): the route required, the regimen as [`read_regimen`] reads it,
    /// the product name and the indication. `None` with messages when wrong.
    pub fn validate(
        &mut self,
        start_date: Option<NaiveDate>,
        stop_date: Option<NaiveDate>,
    ) -> Option<NewIgCourse> {
        let route = read_route(&self.route.value)
            .map_err(|message| self.route.fail(message))
            .ok();
        let typed = TypedDoses {
            dose_g: &self.dose_g.value,
            dose_mg_per_kg: &self.dose_mg_per_kg.value,
            interval_days: &self.interval_days.value,
        };
        let regimen = match read_regimen(typed, stop_date, start_date) {
            Ok(regimen) => Some(regimen),
            Err(problems) => {
                for (field, message) in problems {
                    self.fail_at(&format!("ig_{}", field.column()), message);
                }
                None
            }
        };
        let product_name = read_product_name(&self.product_name.value)
            .map_err(|message| self.product_name.fail(message))
            .ok();
        let indication = match self.indication.value.trim() {
            "" => Some(None),
            code => IgIndication::parse(code).ok().map(Some),
        };
        if indication.is_none() {
            self.indication.fail("Choose the indication from the list.");
        }
        if self.has_error() {
            return None;
        }
        Some(NewIgCourse {
            start_date: start_date?,
            route: route?,
            regimen: regimen?,
            product_name: product_name?,
            indication: indication?,
        })
    }

    /// The routes, the typed one selected.
    pub fn route_options(&self) -> Vec<SelectOption> {
        options(
            IgProduct::ALL.iter().map(|r| (r.code(), r.label())),
            self.route.value.trim(),
        )
    }

    /// The indications, the typed one selected.
    pub fn indication_options(&self) -> Vec<SelectOption> {
        options(
            IgIndication::ALL.iter().map(|i| (i.code(), i.label())),
            self.indication.value.trim(),
        )
    }
}

/// Inserts the course, reported by `follow_up_id`, with its audit rows in `changes`; without a
/// stop date it is ongoing.
pub fn insert(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    pid: i32,
    follow_up_id: i32,
    actor: i32,
    course: &NewIgCourse,
) -> QueryResult<()> {
    let regimen = course.regimen;
    let row: ImmunoglobulinCourseRow = diesel::insert_into(immunoglobulin_courses::table)
        .values((
            immunoglobulin_courses::patient_id.eq(pid),
            immunoglobulin_courses::reported_in_follow_up_id.eq(Some(follow_up_id)),
            immunoglobulin_courses::start_date.eq(course.start_date),
            immunoglobulin_courses::stop_date.eq(regimen.stop_date),
            immunoglobulin_courses::ongoing.eq(regimen.stop_date.is_none()),
            immunoglobulin_courses::route.eq(course.route),
            immunoglobulin_courses::product_name.eq(course.product_name.as_deref()),
            immunoglobulin_courses::dose_g.eq(regimen.dose_g),
            immunoglobulin_courses::dose_mg_per_kg.eq(regimen.dose_mg_per_kg),
            immunoglobulin_courses::interval_days.eq(regimen.interval_days),
            immunoglobulin_courses::indication.eq(course.indication.map(|i| i.code())),
            immunoglobulin_courses::created_by.eq(actor),
            immunoglobulin_courses::updated_by.eq(actor),
        ))
        .returning(ImmunoglobulinCourseRow::as_returning())
        .get_result(conn)?;
    changes.record_insert(
        conn,
        "immunoglobulin_courses",
        row.id.0,
        Some(PatientId(pid)),
        &fields_of(&row)?,
    )?;
    Ok(())
}
