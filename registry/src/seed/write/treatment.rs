//! The treatment course (product, apheresis, bridging; why a product was not infused) and its
//! one infusion (lymphodepletion, dose, setting, Day 0).

use super::CohortWriter;
use super::codes::{bridging_therapy, lymphodepletion_regimen, product_code};
use super::tables::{COURSES, INFUSIONS};
use crate::domain::Vocabulary;
use crate::domain::missing::YesNo;
use crate::domain::product::{
    BridgingTherapy, DoseUnit, InfusionIntent, InfusionRoute, InfusionSetting,
    LymphodepletionRegimen, ProductClass,
};
use crate::seed::simulate::{Course, Infusion, PatientHistory};

impl CohortWriter {
    /// The patient's (first and only) treatment course; returns the course's id.
    pub(super) fn write_course(&mut self, patient: i64, diagnosis: i64, h: &PatientHistory) -> i64 {
        let c = &h.course;
        let infusion = c.infusion.as_ref();
        let product = product_code(c.product);
        let class = if infusion.is_some_and(|i| i.out_of_specification) {
            ProductClass::OutOfSpecification
        } else {
            ProductClass::Commercial
        };
        let batch_number = format!("{}-{:07}", product.code(), h.number);
        self.insert(COURSES, |v| {
            v.int(patient)
                .int(diagnosis)
                .int(1)
                .code(product)
                .code(class)
                .text(&batch_number)
                .date(c.apheresis_date);
            match &c.bridging {
                Some(b) => v.code(bridging_therapy(b.kind)).date(b.start).date(b.end),
                None => v.code(BridgingTherapy::None).null().null(),
            };
            v.opt_text(infusion.is_none().then_some("MANUFACTURING_FAILURE"));
        })
    }

    /// The course's infusion: Day 0.
    pub(super) fn write_infusion(
        &mut self,
        patient: i64,
        course: i64,
        c: &Course,
        infusion: &Infusion,
    ) {
        self.insert(INFUSIONS, |v| {
            v.int(course).int(patient).int(1);
            match &c.lymphodepletion {
                Some(ld) => v
                    .code(lymphodepletion_regimen(ld.regimen))
                    .date(ld.start)
                    .date(ld.end),
                None => v.code(LymphodepletionRegimen::None).null().null(),
            };
            v.date(infusion.date)
                .real(infusion.dose * 1e6)
                .code(if infusion.per_kg {
                    DoseUnit::CarTCellsPerKg
                } else {
                    DoseUnit::CarTCellsTotal
                })
                .code(YesNo::Yes)
                .code(InfusionRoute::Intravenous)
                .code(if infusion.outpatient {
                    InfusionSetting::Outpatient
                } else {
                    InfusionSetting::Inpatient
                })
                .date(infusion.admission)
                .date(infusion.discharge)
                .int(i64::from(infusion.ecog))
                // The course's only infusion, Day 0: the initial one.
                .code(InfusionIntent::Initial);
        });
    }
}
