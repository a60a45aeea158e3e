//! New (subsequent) malignancies after CAR-T, with T-cell malignancies singled out, and CAR-
//! transgene testing of the tumour (domain.md §3.11, [S7][F4]). Relapse or transformation of
//! the treated disease is never a new malignancy [S7]. The rules across a malignancy's
//! answers ([`MalignancyDetails::problems`]) are shared by the follow-up and correction forms.

use chrono::NaiveDate;

use crate::domain::missing::{Answer, YesNo};
use crate::vocabulary;

vocabulary! {
    /// Type of new malignancy, MDS, MPN or LPD (domain.md §3.11, [S7]).
    pub enum NewMalignancyType: "new malignancy type" {
        BasalCellCarcinoma = ("SKIN_BASAL", "Skin, basal cell carcinoma"),
        SquamousCellCarcinoma = ("SKIN_SQUAMOUS", "Skin, squamous cell carcinoma"),
        Melanoma = ("MELANOMA", "Melanoma"),
        Aml = ("AML", "Acute myeloid leukaemia"),
        Mds = ("MDS", "Myelodysplastic syndrome"),
        Mpn = ("MPN", "Myeloproliferative neoplasm"),
        /// A new ALL, different from the treated disease.
        All = ("ALL", "Acute lymphoblastic leukaemia (new)"),
        /// A new B-cell lymphoma (not the treated one) or post-transplant lymphoproliferative disorder.
        BCellLymphomaPtld = ("B_CELL_LYMPHOMA_PTLD", "B-cell lymphoma (new) / PTLD"),
        /// FDA boxed warning, January 2024 [F4].
        TCellLymphoma = ("T_CELL_LYMPHOMA", "T-cell lymphoma"),
        /// FDA boxed warning, January 2024 [F4].
        TCellLeukaemia = ("T_CELL_LEUKAEMIA", "T-cell leukaemia"),
        /// Site recorded beside it.
        Solid = ("SOLID", "Solid tumour (specify site)"),
        ClonalCytogeneticAbnormality = ("CLONAL_CYTOGENETIC", "Clonal cytogenetic abnormality"),
        Other = ("OTHER", "Other (specify)"),
    }
}

impl NewMalignancyType {
    /// T-cell malignancy: counted apart in reports and prompts for CAR-transgene testing and a
    /// report to the manufacturer (domain.md §9, [F4]).
    pub fn is_t_cell(self) -> bool {
        matches!(self, Self::TCellLymphoma | Self::TCellLeukaemia)
    }

    /// Myeloid neoplasm (AML, MDS, MPN): SOC cilta-cel reports these apart [P8].
    pub fn is_myeloid(self) -> bool {
        matches!(self, Self::Aml | Self::Mds | Self::Mpn)
    }

    /// Whether the form must prompt for CAR-transgene testing and a manufacturer report (§9:
    /// T-cell malignancy [F4]). FDA asks the manufacturer to be contacted for any new
    /// malignancy, so the form offers the fields for every type and insists only here.
    pub fn requires_transgene_testing(self) -> bool {
        self.is_t_cell()
    }
}

vocabulary! {
    /// Result of testing the new tumour for the CAR transgene (domain.md §3.11, [F4]).
    pub enum TransgeneResult: "CAR-transgene test result" {
        NotTested = ("NOT_TESTED", "Not tested"),
        Pending = ("PENDING", "Pending"),
        Detected = ("DETECTED", "CAR transgene detected"),
        NotDetected = ("NOT_DETECTED", "CAR transgene not detected"),
        Indeterminate = ("INDETERMINATE", "Indeterminate"),
    }
}

/// The input a message about a new malignancy belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MalignancyField {
    Detail,
    TransgeneResult,
    EbvPositive,
    ProductDerived,
    PathologyReportAttached,
    ReportedToManufacturerDate,
    ReportedToFdaDate,
}

impl MalignancyField {
    /// The column it is stored in, which names its input on the correction form.
    pub fn column(self) -> &'static str {
        match self {
            Self::Detail => "malignancy_detail",
            Self::TransgeneResult => "car_transgene_result",
            Self::EbvPositive => "ebv_positive",
            Self::ProductDerived => "product_derived",
            Self::PathologyReportAttached => "pathology_report_attached",
            Self::ReportedToManufacturerDate => "reported_to_manufacturer_date",
            Self::ReportedToFdaDate => "reported_to_fda_date",
        }
    }
}

/// A new malignancy as read from a form (domain.md §3.11, [S7][F4]): its type and what names
/// it, the diagnosis date, the CAR-transgene test of the tumour and whether the tumour came
/// from the product, EBV, the pathology report, and the dates it was reported to the
/// manufacturer and to the FDA (MedWatch).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MalignancyDetails<'a> {
    pub kind: Option<NewMalignancyType>,
    pub detail: Option<&'a str>,
    pub diagnosis_date: Option<NaiveDate>,
    pub transgene: Option<TransgeneResult>,
    pub ebv_positive: Option<Answer<YesNo>>,
    pub product_derived: Option<Answer<YesNo>>,
    pub pathology_report_attached: bool,
    pub reported_to_manufacturer: Option<NaiveDate>,
    pub reported_to_fda: Option<NaiveDate>,
}

impl MalignancyDetails<'_> {
    /// What is wrong across the details, each message with the input it belongs beside; empty
    /// when they may be stored. A report may follow the reporting period's contact (it is
    /// often made weeks later), but never precedes the diagnosis.
    pub fn problems(&self) -> Vec<(MalignancyField, String)> {
        use MalignancyField as F;
        let mut problems = Vec::new();
        if matches!(
            self.kind,
            Some(NewMalignancyType::Solid | NewMalignancyType::Other)
        ) && self.detail.is_none()
        {
            problems.push((F::Detail, "Name the malignancy.".to_owned()));
        }
        if self
            .kind
            .is_some_and(NewMalignancyType::requires_transgene_testing)
            && self.transgene.is_none()
        {
            problems.push((
                F::TransgeneResult,
                "A T-cell malignancy after CAR-T: test the tumour for the CAR transgene \
                 (record Pending if sent) and report it to the manufacturer."
                    .to_owned(),
            ));
        }
        // Only the transgene in the tumour shows that it came from the CAR-T product [F4].
        if self.product_derived == Some(Answer::Value(YesNo::Yes))
            && self.transgene != Some(TransgeneResult::Detected)
        {
            problems.push((
                F::ProductDerived,
                "A malignancy is derived from the CAR-T product only with the CAR transgene \
                 detected in the tumour: record that result, or answer no or unknown."
                    .to_owned(),
            ));
        }
        for (field, date, whom) in [
            (
                F::ReportedToManufacturerDate,
                self.reported_to_manufacturer,
                "the manufacturer",
            ),
            (F::ReportedToFdaDate, self.reported_to_fda, "the FDA"),
        ] {
            if let (Some(reported), Some(diagnosed)) = (date, self.diagnosis_date)
                && reported < diagnosed
            {
                problems.push((
                    field,
                    format!("The report to {whom} cannot precede the diagnosis ({diagnosed})."),
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{missing::MissingCode, vocabulary::Vocabulary};
    use MalignancyField as F;
    use NewMalignancyType as T;

    fn fields(details: MalignancyDetails<'_>) -> Vec<MalignancyField> {
        details.problems().into_iter().map(|(f, _)| f).collect()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const YES: Option<Answer<YesNo>> = Some(Answer::Value(YesNo::Yes));

    #[test]
    fn a_listed_malignancy_with_its_date_is_enough() {
        let details = MalignancyDetails {
            kind: Some(T::Mds),
            diagnosis_date: Some(day("2026-03-01")),
            ..Default::default()
        };
        assert!(details.problems().is_empty());
    }

    #[test]
    fn a_solid_or_other_malignancy_is_named() {
        for kind in [T::Solid, T::Other] {
            let unnamed = MalignancyDetails {
                kind: Some(kind),
                ..Default::default()
            };
            assert_eq!(fields(unnamed), [F::Detail], "{kind:?}");
            let named = MalignancyDetails {
                detail: Some("Lung"),
                ..unnamed
            };
            assert!(named.problems().is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn a_t_cell_malignancy_has_a_transgene_test_result_even_pending() {
        for kind in [T::TCellLymphoma, T::TCellLeukaemia] {
            let untested = MalignancyDetails {
                kind: Some(kind),
                ..Default::default()
            };
            assert_eq!(fields(untested), [F::TransgeneResult], "{kind:?}");
            let pending = MalignancyDetails {
                transgene: Some(TransgeneResult::Pending),
                ..untested
            };
            assert!(pending.problems().is_empty(), "{kind:?}");
        }
        let melanoma = MalignancyDetails {
            kind: Some(T::Melanoma),
            ..Default::default()
        };
        assert!(melanoma.problems().is_empty(), "asked, not required");
    }

    #[test]
    fn product_derived_only_with_the_transgene_detected() {
        for transgene in TransgeneResult::ALL.iter().copied() {
            let details = MalignancyDetails {
                kind: Some(T::TCellLymphoma),
                transgene: Some(transgene),
                product_derived: YES,
                ..Default::default()
            };
            let expected: &[MalignancyField] = if transgene == TransgeneResult::Detected {
                &[]
            } else {
                &[F::ProductDerived]
            };
            assert_eq!(fields(details), expected, "{transgene:?}");
        }
        let untested = MalignancyDetails {
            kind: Some(T::Aml),
            product_derived: YES,
            ..Default::default()
        };
        assert_eq!(fields(untested), [F::ProductDerived]);
        for answer in [YesNo::No.into(), Answer::Missing(MissingCode::Unknown)] {
            let details = MalignancyDetails {
                kind: Some(T::TCellLymphoma),
                transgene: Some(TransgeneResult::NotDetected),
                product_derived: Some(answer),
                ..Default::default()
            };
            assert!(details.problems().is_empty(), "{answer:?}");
        }
    }

    #[test]
    fn a_report_never_precedes_the_diagnosis_but_may_be_the_same_day() {
        let diagnosed = day("2026-03-01");
        let same_day = MalignancyDetails {
            kind: Some(T::Aml),
            diagnosis_date: Some(diagnosed),
            reported_to_manufacturer: Some(diagnosed),
            reported_to_fda: Some(diagnosed),
            ..Default::default()
        };
        assert!(same_day.problems().is_empty());
        let before = MalignancyDetails {
            reported_to_manufacturer: Some(day("2026-02-28")),
            reported_to_fda: Some(day("2026-02-27")),
            ..same_day
        };
        assert_eq!(
            fields(before),
            [F::ReportedToManufacturerDate, F::ReportedToFdaDate]
        );
        let undated = MalignancyDetails {
            diagnosis_date: None,
            ..before
        };
        assert!(
            undated.problems().is_empty(),
            "without a diagnosis date the form has its own message"
        );
    }

    #[test]
    fn ebv_and_the_pathology_report_are_free_answers() {
        let details = MalignancyDetails {
            kind: Some(T::BCellLymphomaPtld),
            ebv_positive: YES,
            pathology_report_attached: true,
            ..Default::default()
        };
        assert!(details.problems().is_empty());
    }
}
