//! CAR-T persistence and immune reconstitution: persistence tests (qPCR or flow, with qPCR's
//! lower limit of quantification), lab results (IgG, CD19+ B cells, neutrophils, platelets)
//! and immunoglobulin replacement courses.

use super::codes::{ig_indication, ig_product, lab_analyte, yes_no};
use super::tables::{IMMUNOGLOBULIN, LABS, PERSISTENCE};
use super::{CohortWriter, PatientIds};
use crate::domain::missing::MissingCode;
use crate::domain::persistence::{PersistenceMethod, PersistenceUnit, Specimen};
use crate::seed::simulate::{
    Analyte, ImmunoglobulinCourse, LabResult, PersistenceMethod as SimMethod, PersistenceTest,
};

/// The qPCR assay's lower limit of quantification, in copies/µg genomic DNA.
const QPCR_LLOQ: f64 = 10.0;

/// A persistence test's quantity as the form records it.
struct Quantity {
    value: Option<f64>,
    unit: Option<PersistenceUnit>,
    below_lloq: bool,
    lloq: Option<f64>,
}

impl Quantity {
    /// A qPCR result detected at or below the LLOQ is censored: no value, `below_lloq` set.
    /// The LLOQ goes with every qPCR quantity and with a censored result; the unit with a
    /// value or an LLOQ.
    fn of(t: &PersistenceTest) -> Self {
        let qpcr = t.method == SimMethod::Qpcr;
        let below_lloq = qpcr && t.detected == Some(true) && t.value.is_none_or(|x| x <= QPCR_LLOQ);
        let value = if below_lloq { None } else { t.value };
        let lloq = (qpcr && (value.is_some() || below_lloq)).then_some(QPCR_LLOQ);
        let unit = if qpcr {
            PersistenceUnit::CopiesPerUgDna
        } else {
            PersistenceUnit::PercentOfCd3
        };
        Self {
            value,
            unit: (value.is_some() || lloq.is_some()).then_some(unit),
            below_lloq,
            lloq,
        }
    }
}

impl CohortWriter {
    /// Every CAR-T persistence test of the patient (peripheral blood).
    pub(super) fn write_persistence_tests(&mut self, ids: &PatientIds, tests: &[PersistenceTest]) {
        for t in tests {
            let method = match t.method {
                SimMethod::Qpcr => PersistenceMethod::QpcrTransgene,
                SimMethod::Flow => PersistenceMethod::FlowCar,
            };
            let quantity = Quantity::of(t);
            self.insert(PERSISTENCE, |v| {
                v.int(ids.patient)
                    .int(ids.course)
                    .opt_int(ids.reported_in(t.follow_up))
                    .date(t.date)
                    .code(Specimen::PeripheralBlood)
                    .code(method);
                match t.detected {
                    Some(d) => v.code(yes_no(d)),
                    None => v.code(MissingCode::NotDone),
                };
                v.opt_real(quantity.value)
                    .opt_code(quantity.unit)
                    .flag(quantity.below_lloq)
                    .opt_real(quantity.lloq);
            });
        }
    }

    /// Every lab result of the patient. Values are simulated in the analyte's normalised unit,
    /// so the normalised value is the value itself.
    pub(super) fn write_lab_results(&mut self, ids: &PatientIds, labs: &[LabResult]) {
        for l in labs {
            let (analyte, unit) = lab_analyte(l.analyte);
            let is_igg = l.analyte == Analyte::IgG;
            self.insert(LABS, |v| {
                v.int(ids.patient)
                    .opt_int(ids.reported_in(l.follow_up))
                    .date(l.date)
                    .code(analyte)
                    .opt_real(l.value)
                    .opt_code(l.value.map(|_| unit))
                    .opt_code(l.value.is_none().then_some(MissingCode::NotDone))
                    .opt_real(l.value)
                    .opt_code(l.value.map(|_| unit))
                    .opt_code(is_igg.then_some(yes_no(l.ivig_within_30d)));
            });
        }
    }

    /// Every immunoglobulin replacement course of the patient.
    pub(super) fn write_immunoglobulin(
        &mut self,
        ids: &PatientIds,
        courses: &[ImmunoglobulinCourse],
    ) {
        for g in courses {
            self.insert(IMMUNOGLOBULIN, |v| {
                v.int(ids.patient)
                    .opt_int(ids.reported_in(g.follow_up))
                    .date(g.start)
                    .opt_date(g.stop)
                    .flag(g.stop.is_none())
                    .code(ig_product(g.route))
                    .real(g.dose_g_per_kg * 1000.0)
                    .int(i64::from(g.interval_days))
                    .code(ig_indication(g.indication));
            });
        }
    }
}
