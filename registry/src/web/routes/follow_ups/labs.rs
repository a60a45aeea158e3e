//! The lab panel of the follow-up form: one sample date (with its "estimated" box) and one row
//! per analyte, grouped as the registry reads them (immunoglobulins and lymphocyte subsets,
//! blood counts, inflammatory biomarkers; domain.md §3.8, CIBMTR 4000 biomarkers §3.6). A row
//! is a value and a unit limited to the analyte's units, the normalised unit pre-selected; a
//! row without a value is skipped. Every filled row becomes one `lab_results` row with its
//! normalised value, audited in the save's change set.
//!
//! Input names are stable: `lab_date`, `lab_date_estimated`, `lab_value-<ANALYTE CODE>`,
//! `lab_unit-<ANALYTE CODE>`, `lab_rbc_transfusion_within_30_days`,
//! `lab_platelet_transfusion_within_7_days` (the HTML form's and the API's names alike).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::toxicity::PeriodBounds;
use crate::db::{
    audit::{ChangeSet, real_text},
    events::ivig_within_30_days,
    ids::PatientId,
    schema::lab_results,
};
use crate::domain::{
    lab::{InvalidLabValue, LabAnalyte, LabUnit, LabValue},
    vocabulary::Vocabulary,
};
use crate::web::form::{
    CHOOSE_YES_NO_UNKNOWN, Field, SelectOption, YES_NO_UNKNOWN, decimal, options, yes_no_unknown,
};
use crate::web::routes::patients::new::parse_date;

/// The panel's groups: a heading and its analytes, in the order shown. Every analyte once.
pub const LAB_GROUPS: [(&str, &[LabAnalyte]); 3] = [
    (
        "Immunoglobulins and lymphocyte subsets",
        &[
            LabAnalyte::Igg,
            LabAnalyte::Iga,
            LabAnalyte::Igm,
            LabAnalyte::Cd19Absolute,
            LabAnalyte::Cd19Percent,
            LabAnalyte::Cd20Absolute,
            LabAnalyte::Cd4Absolute,
        ],
    ),
    (
        "Blood counts",
        &[
            LabAnalyte::Wbc,
            LabAnalyte::Anc,
            LabAnalyte::Alc,
            LabAnalyte::Haemoglobin,
            LabAnalyte::Platelets,
        ],
    ),
    (
        "Inflammatory biomarkers",
        &[
            LabAnalyte::Crp,
            LabAnalyte::Ferritin,
            LabAnalyte::Il6,
            LabAnalyte::IfnGamma,
            LabAnalyte::SIl2Ra,
            LabAnalyte::Ldh,
        ],
    ),
];

/// One analyte's row as typed.
#[derive(Debug, Clone)]
pub struct LabRowForm {
    pub analyte: LabAnalyte,
    pub value: Field,
    pub unit: Field,
}

impl LabRowForm {
    /// `lab_value-<CODE>`.
    pub fn value_name(&self) -> String {
        format!("lab_value-{}", self.analyte.code())
    }

    /// `lab_unit-<CODE>`.
    pub fn unit_name(&self) -> String {
        format!("lab_unit-{}", self.analyte.code())
    }

    /// The analyte's name: the visible label of the value (and, hidden, of the unit).
    pub fn analyte_label(&self) -> &'static str {
        self.analyte.label()
    }

    /// The analyte's units, the typed one selected. A unit it is not given in (sent by hand or
    /// through the API) is listed too while it is the typed one, so the refused value stays
    /// in sight beside its message.
    pub fn unit_options(&self) -> Vec<SelectOption> {
        let typed = self.unit.value.trim();
        let refused = LabUnit::parse(typed)
            .ok()
            .filter(|u| !self.analyte.units().contains(u));
        options(
            self.analyte
                .units()
                .iter()
                .chain(refused.as_ref())
                .map(|u| (u.code(), u.label())),
            typed,
        )
    }
}

/// One group of rows as shown.
#[derive(Debug, Clone)]
pub struct LabGroupForm {
    pub heading: &'static str,
    pub rows: Vec<LabRowForm>,
    /// The blood counts carry the panel's transfusion questions.
    pub blood_counts: bool,
}

/// The panel as typed.
#[derive(Debug, Clone)]
pub struct LabPanelForm {
    pub date: Field,
    pub date_estimated: Field,
    /// Red cells transfused within 30 days before the sample (Y/N/UNK), asked once per panel.
    pub rbc_transfusion: Field,
    /// Platelets transfused within 7 days before the sample (Y/N/UNK), asked once per panel.
    pub platelet_transfusion: Field,
    pub groups: Vec<LabGroupForm>,
}

/// A validated panel: the sample and every filled row.
#[derive(Debug, Clone)]
pub struct LabPanel {
    pub date: NaiveDate,
    pub date_estimated: bool,
    pub rbc_transfusion: Option<&'static str>,
    pub platelet_transfusion: Option<&'static str>,
    pub results: Vec<LabValue>,
}

impl Default for LabPanelForm {
    /// A blank panel, each unit pre-selected at its analyte's normalised unit.
    fn default() -> Self {
        Self {
            date: Field::default(),
            date_estimated: Field::default(),
            rbc_transfusion: Field::default(),
            platelet_transfusion: Field::default(),
            groups: LAB_GROUPS
                .iter()
                .map(|(heading, analytes)| LabGroupForm {
                    heading,
                    rows: analytes
                        .iter()
                        .map(|a| LabRowForm {
                            analyte: *a,
                            value: Field::default(),
                            unit: Field::new(a.normalised_unit().code()),
                        })
                        .collect(),
                    blood_counts: analytes.iter().all(|a| a.is_blood_count()),
                })
                .collect(),
        }
    }
}

impl LabPanelForm {
    /// Every field with its input name, in page order.
    pub fn fields_mut(&mut self) -> Vec<(String, &mut Field)> {
        let mut out: Vec<(String, &mut Field)> = vec![
            ("lab_date".into(), &mut self.date),
            ("lab_date_estimated".into(), &mut self.date_estimated),
            (
                "lab_rbc_transfusion_within_30_days".into(),
                &mut self.rbc_transfusion,
            ),
            (
                "lab_platelet_transfusion_within_7_days".into(),
                &mut self.platelet_transfusion,
            ),
        ];
        for row in self.groups.iter_mut().flat_map(|g| g.rows.iter_mut()) {
            let (value, unit) = (row.value_name(), row.unit_name());
            out.push((value, &mut row.value));
            out.push((unit, &mut row.unit));
        }
        out
    }

    fn rows(&self) -> impl Iterator<Item = &LabRowForm> {
        self.groups.iter().flat_map(|g| g.rows.iter())
    }

    /// Nothing typed: no value, no date, no box ticked, no transfusion answered (a unit alone
    /// is not an entry: it comes pre-selected).
    pub fn is_blank(&self) -> bool {
        self.date.is_blank()
            && self.date_estimated.is_blank()
            && self.rbc_transfusion.is_blank()
            && self.platelet_transfusion.is_blank()
            && self.rows().all(|r| r.value.is_blank())
    }

    /// Some field has a message.
    pub fn has_error(&self) -> bool {
        [
            &self.date,
            &self.date_estimated,
            &self.rbc_transfusion,
            &self.platelet_transfusion,
        ]
        .iter()
        .any(|f| f.error.is_some())
            || self
                .rows()
                .any(|r| r.value.error.is_some() || r.unit.error.is_some())
    }

    /// The transfusion questions as shown (the answer typed selected).
    pub fn rbc_transfusion_options(&self) -> Vec<SelectOption> {
        options(YES_NO_UNKNOWN, self.rbc_transfusion.value.trim())
    }

    pub fn platelet_transfusion_options(&self) -> Vec<SelectOption> {
        options(YES_NO_UNKNOWN, self.platelet_transfusion.value.trim())
    }

    /// Checks a panel that is not blank: the date (required; not before Day 0, not after this
    /// period's contact, not after death), each filled row (a number of 0 or more, not above
    /// its analyte's [`LabAnalyte::ceiling`], in one of its analyte's units, the message beside
    /// that row's field), at least one row, and the transfusion answers (only with a blood
    /// count). `None` with messages when wrong.
    pub fn validate(&mut self, bounds: PeriodBounds) -> Option<LabPanel> {
        let date = parse_date(&mut self.date, true, bounds.today);
        if let Some(d) = date {
            if d < bounds.day0 {
                self.date
                    .fail("A result after CAR-T cannot be sampled before Day 0.");
            } else if bounds.contact.is_some_and(|c| d > c) {
                self.date
                    .fail("The sample is after this period's contact date.");
            } else if let Some(death) = bounds.death.filter(|death| d > *death) {
                self.date
                    .fail(format!("The sample is after the death ({death})."));
            }
        }
        let date_estimated = self.date_estimated.tick();
        let mut results = Vec::new();
        for row in self.groups.iter_mut().flat_map(|g| g.rows.iter_mut()) {
            if let Some(value) = validate_row(row) {
                results.push(value);
            }
        }
        let filled = self.rows().filter(|r| !r.value.is_blank()).count();
        if filled == 0 && self.date.error.is_none() {
            self.date
                .fail("Enter at least one result below, or leave the lab panel blank.");
        }
        let blood_count = self
            .rows()
            .any(|r| r.analyte.is_blood_count() && !r.value.is_blank());
        let rbc = transfusion_answer(&mut self.rbc_transfusion, blood_count);
        let platelets = transfusion_answer(&mut self.platelet_transfusion, blood_count);
        if self.has_error() {
            return None;
        }
        Some(LabPanel {
            date: date?,
            date_estimated,
            rbc_transfusion: rbc,
            platelet_transfusion: platelets,
            results,
        })
    }
}

/// A filled row as a value (`None` for a blank row, or with a message beside the wrong field).
fn validate_row(row: &mut LabRowForm) -> Option<LabValue> {
    if row.value.is_blank() {
        return None;
    }
    let value = match decimal(&row.value.value) {
        Ok(Some(v)) => Some(v),
        _ => {
            row.value
                .fail("Enter the value as a number of 0 or more, e.g. 4.2.");
            None
        }
    };
    let unit = match LabUnit::parse(row.unit.value.trim()) {
        Ok(u) => match row.analyte.conversion(u) {
            Ok(_) => Some(u),
            Err(wrong) => {
                row.unit.fail(format!("{wrong}."));
                None
            }
        },
        Err(_) => {
            row.unit.fail("Choose the unit.");
            None
        }
    };
    match LabValue::new(row.analyte, value?, unit?) {
        Ok(v) => Some(v),
        Err(InvalidLabValue::WrongUnit(wrong)) => {
            row.unit.fail(format!("{wrong}."));
            None
        }
        Err(InvalidLabValue::NotANonNegativeNumber) => {
            row.value
                .fail("Enter the value as a number of 0 or more, e.g. 4.2.");
            None
        }
        Err(above @ InvalidLabValue::AboveCeiling { .. }) => {
            row.value.fail(format!("{above}."));
            None
        }
    }
}

/// A transfusion answer: blank is not asked; only with a blood count in the panel.
fn transfusion_answer(field: &mut Field, blood_count: bool) -> Option<&'static str> {
    let code = match yes_no_unknown(&field.value) {
        Ok(Some(code)) => code,
        Ok(None) => return None,
        Err(_) => {
            field.fail(CHOOSE_YES_NO_UNKNOWN);
            return None;
        }
    };
    if !blood_count {
        field.fail(
            "Answer this with a blood count (white cells, neutrophils, lymphocytes, \
             haemoglobin or platelets) in the panel, or leave it blank.",
        );
        return None;
    }
    Some(code)
}

/// Inserts one `lab_results` row per result of the panel, reported by `follow_up_id`, each
/// with its normalised value, its IVIG flag (IgG) and the transfusion answers (blood counts),
/// and its audit rows in `changes`.
pub fn insert_panel(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    pid: i32,
    follow_up_id: i32,
    actor: i32,
    panel: &LabPanel,
) -> QueryResult<()> {
    for result in &panel.results {
        let analyte = result.analyte();
        let ivig = if analyte == LabAnalyte::Igg {
            Some(ivig_within_30_days(conn, PatientId(pid), panel.date)?)
        } else {
            None
        };
        let (rbc, platelets) = if analyte.is_blood_count() {
            (panel.rbc_transfusion, panel.platelet_transfusion)
        } else {
            (None, None)
        };
        let normalised = result.normalised();
        let id: i32 = diesel::insert_into(lab_results::table)
            .values((
                lab_results::patient_id.eq(pid),
                lab_results::reported_in_follow_up_id.eq(Some(follow_up_id)),
                lab_results::sample_date.eq(panel.date),
                lab_results::sample_date_estimated.eq(panel.date_estimated),
                lab_results::analyte.eq(analyte.code()),
                lab_results::value.eq(Some(result.value())),
                lab_results::unit.eq(Some(result.unit().code())),
                lab_results::normalised_value.eq(normalised.map(|(v, _)| v)),
                lab_results::normalised_unit.eq(normalised.map(|(_, u)| u.code())),
                lab_results::ivig_within_30_days.eq(ivig),
                lab_results::rbc_transfusion_within_30_days.eq(rbc),
                lab_results::platelet_transfusion_within_7_days.eq(platelets),
                lab_results::created_by.eq(actor),
                lab_results::updated_by.eq(actor),
            ))
            .returning(lab_results::id)
            .get_result(conn)?;
        let text = |v: Option<&str>| v.map(str::to_owned);
        changes.record_insert(
            conn,
            "lab_results",
            id,
            Some(PatientId(pid)),
            &[
                (
                    "reported_in_follow_up_id".to_owned(),
                    Some(follow_up_id.to_string()),
                ),
                ("sample_date".to_owned(), Some(panel.date.to_string())),
                (
                    "sample_date_estimated".to_owned(),
                    Some(if panel.date_estimated { "1" } else { "0" }.to_owned()),
                ),
                ("analyte".to_owned(), Some(analyte.code().to_owned())),
                ("value".to_owned(), real_text(result.value())),
                ("unit".to_owned(), Some(result.unit().code().to_owned())),
                (
                    "normalised_value".to_owned(),
                    normalised.and_then(|(v, _)| real_text(v)),
                ),
                (
                    "normalised_unit".to_owned(),
                    normalised.map(|(_, u)| u.code().to_owned()),
                ),
                ("ivig_within_30_days".to_owned(), text(ivig)),
                ("rbc_transfusion_within_30_days".to_owned(), text(rbc)),
                (
                    "platelet_transfusion_within_7_days".to_owned(),
                    text(platelets),
                ),
            ],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_analyte_is_in_exactly_one_group_and_blood_counts_are_one_group() {
        let listed: Vec<LabAnalyte> = LAB_GROUPS
            .iter()
            .flat_map(|(_, a)| a.iter().copied())
            .collect();
        for a in LabAnalyte::ALL {
            assert_eq!(listed.iter().filter(|l| *l == a).count(), 1, "{a:?}");
        }
        let panel = LabPanelForm::default();
        let with_counts: Vec<&str> = panel
            .groups
            .iter()
            .filter(|g| g.blood_counts)
            .map(|g| g.heading)
            .collect();
        assert_eq!(with_counts, vec!["Blood counts"]);
        assert!(
            panel
                .groups
                .iter()
                .filter(|g| !g.blood_counts)
                .all(|g| g.rows.iter().all(|r| !r.analyte.is_blood_count()))
        );
    }

    #[test]
    fn a_blank_panel_preselects_the_normalised_units_and_is_blank() {
        let mut panel = LabPanelForm::default();
        assert!(panel.is_blank());
        let names: Vec<(String, String)> = panel
            .fields_mut()
            .into_iter()
            .map(|(n, f)| (n, f.value.clone()))
            .collect();
        assert!(names.contains(&("lab_unit-IGG".to_owned(), "MG_DL".to_owned())));
        assert!(names.contains(&("lab_unit-ANC".to_owned(), "X10E9_PER_L".to_owned())));
        assert!(names.contains(&("lab_value-SIL2RA".to_owned(), String::new())));
    }
}
