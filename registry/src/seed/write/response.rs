//! Response assessments: method, criteria and response, Deauville score, and MRD with the
//! assay used for the disease.

use super::codes::{assessment_method, response_code};
use super::tables::RESPONSES;
use super::{CohortWriter, PatientIds};
use crate::domain::missing::MissingCode;
use crate::domain::response::{Assessor, MrdMethod, MrdSensitivity, MrdStatus};
use crate::seed::parameters::Disease;
use crate::seed::simulate::{Cohort, Mrd, PatientHistory};

impl CohortWriter {
    /// Every response assessment of the patient.
    pub(super) fn write_responses(
        &mut self,
        ids: &PatientIds,
        cohort: &Cohort,
        h: &PatientHistory,
    ) {
        let disease = cohort
            .indications
            .get(h.course.indication)
            .map_or(Disease::Lbcl, |i| i.disease);
        let (mrd_method, mrd_sensitivity) = mrd_assay(disease);
        for r in &h.responses {
            let (criteria, response) = response_code(r.criteria, r.response);
            let mrd_measured = matches!(r.mrd, Some(Mrd::Negative | Mrd::Positive));
            self.insert(RESPONSES, |v| {
                v.int(ids.patient)
                    .int(ids.course)
                    .opt_int(ids.reported_in(r.follow_up))
                    .date(r.date)
                    .code(assessment_method(r.method))
                    .code(criteria)
                    .text(response)
                    .opt_int(r.deauville.map(i64::from));
                match r.mrd {
                    Some(Mrd::Negative) => v.code(MrdStatus::Negative),
                    Some(Mrd::Positive) => v.code(MrdStatus::Positive),
                    Some(Mrd::NotDone) => v.code(MissingCode::NotDone),
                    None => v.null(),
                };
                v.opt_code(mrd_measured.then_some(mrd_method))
                    .opt_code(mrd_measured.then_some(mrd_sensitivity))
                    .code(Assessor::Investigator);
            });
        }
    }
}

/// The MRD assay of the disease: NGS at 10⁻⁵ for myeloma, flow at 10⁻⁴ otherwise.
fn mrd_assay(disease: Disease) -> (MrdMethod, MrdSensitivity) {
    if disease == Disease::Mm {
        (MrdMethod::Ngs, MrdSensitivity::E5)
    } else {
        (MrdMethod::Flow, MrdSensitivity::E4)
    }
}
