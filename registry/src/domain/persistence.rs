//! CAR-T persistence tests: method, specimen and unit (domain.md §3.7, §4.8), and CIBMTR's
//! date rule for summarising a period's tests (§9, [S4]). B-cell aplasia, a surrogate, is a lab
//! result (`lab`), not a persistence test.

use chrono::NaiveDate;

use crate::vocabulary;

vocabulary! {
    /// How the infused cells were detected (domain.md §4.8, [S3][S4]).
    pub enum PersistenceMethod: "persistence method" {
        QpcrTransgene = ("QPCR_TRANSGENE", "qPCR for the CAR transgene"),
        Ddpcr = ("DDPCR", "Droplet digital PCR"),
        /// CAR detection reagent.
        FlowCar = ("FLOW_CAR", "Flow cytometry (CAR detection reagent)"),
        Ihc = ("IHC", "Immunohistochemistry"),
        Other = ("OTHER", "Other (specify)"),
    }
}

vocabulary! {
    /// The sample tested (domain.md §4.8, [S3]).
    pub enum Specimen: "specimen" {
        PeripheralBlood = ("PB", "Peripheral blood"),
        BoneMarrow = ("BM", "Bone marrow"),
        Tumour = ("TUMOUR", "Tumour tissue"),
        Csf = ("CSF", "Cerebrospinal fluid"),
        Other = ("OTHER", "Other (specify)"),
    }
}

vocabulary! {
    /// Unit of a quantitative persistence value (domain.md §3.7, [H7]).
    pub enum PersistenceUnit: "persistence unit" {
        /// The conventional transgene unit.
        CopiesPerUgDna = ("COPIES_PER_UG_GDNA", "copies/µg genomic DNA"),
        CopiesPerUlBlood = ("COPIES_PER_UL_BLOOD", "copies/µL blood"),
        CarCellsPerUl = ("CAR_CELLS_PER_UL", "CAR+ cells/µL"),
        PercentOfCd3 = ("PCT_OF_CD3", "% of CD3+ T cells"),
    }
}

impl PersistenceUnit {
    /// Whether `method` measures in this unit: copies of the transgene come from PCR (qPCR,
    /// ddPCR), CAR-positive cells from flow cytometry; immunohistochemistry gives no number;
    /// an other method may report any of them.
    pub fn measured_by(self, method: PersistenceMethod) -> bool {
        use PersistenceMethod as M;
        match self {
            Self::CopiesPerUgDna | Self::CopiesPerUlBlood => {
                matches!(method, M::QpcrTransgene | M::Ddpcr | M::Other)
            }
            Self::CarCellsPerUl | Self::PercentOfCd3 => matches!(method, M::FlowCar | M::Other),
        }
    }
}

/// The input a message about a test's quantity belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityField {
    Value,
    Unit,
    BelowLloq,
    Lloq,
}

impl QuantityField {
    /// The column it is stored in, which names its input (prefixed on the follow-up form).
    pub fn column(self) -> &'static str {
        match self {
            Self::Value => "value",
            Self::Unit => "unit",
            Self::BelowLloq => "below_lloq",
            Self::Lloq => "lloq",
        }
    }
}

/// How much a persistence test measured (domain.md §3.7), numbers already read: a value in a
/// unit, or "detected, below the lower limit of quantification" with no value (a censored
/// value, recorded as such rather than as a number), and the assay's LLOQ in the same unit.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PersistenceQuantity {
    pub value: Option<f64>,
    pub unit: Option<PersistenceUnit>,
    pub below_lloq: bool,
    pub lloq: Option<f64>,
}

impl PersistenceQuantity {
    /// What is wrong with this quantity for a test whose cells were `detected` (`None`: not
    /// answered) by `method` (`None`: not chosen), each message with the input it belongs
    /// beside; empty when it may be stored. The numbers are finite and not negative (read at
    /// the edge), the LLOQ above 0.
    pub fn problems(
        &self,
        detected: Option<bool>,
        method: Option<PersistenceMethod>,
    ) -> Vec<(QuantityField, String)> {
        use QuantityField as F;
        let mut problems = Vec::new();
        if detected == Some(false) {
            if self.value.is_some() {
                problems.push((
                    F::Value,
                    "The cells were not detected: leave the value blank.".to_owned(),
                ));
            }
            if self.below_lloq {
                problems.push((
                    F::BelowLloq,
                    "Below the LLOQ means detected: answer Yes above, or untick this.".to_owned(),
                ));
            }
        }
        if self.below_lloq && self.value.is_some() {
            problems.push((
                F::Value,
                "A result below the LLOQ has no value: leave it blank, or untick \"below the \
                 LLOQ\"."
                    .to_owned(),
            ));
        }
        match (self.unit, method) {
            (None, _) if self.value.is_some() || self.lloq.is_some() => problems.push((
                F::Unit,
                "Choose the unit of the value and the LLOQ.".to_owned(),
            )),
            (Some(_), _) if self.value.is_none() && self.lloq.is_none() => problems.push((
                F::Unit,
                "A unit needs a value or an LLOQ: enter one, or leave the unit blank.".to_owned(),
            )),
            (Some(unit), Some(method)) if !unit.measured_by(method) => problems.push((
                F::Unit,
                if method == PersistenceMethod::Ihc {
                    "Immunohistochemistry gives no number: leave the value, unit and LLOQ \
                     blank."
                        .to_owned()
                } else {
                    format!(
                        "{method} does not measure {unit}: copies come from qPCR or ddPCR, \
                         CAR+ cells from flow cytometry."
                    )
                },
            )),
            _ => {}
        }
        if self.unit == Some(PersistenceUnit::PercentOfCd3) {
            for (field, number) in [(F::Value, self.value), (F::Lloq, self.lloq)] {
                if number.is_some_and(|n| n > 100.0) {
                    problems.push((
                        field,
                        "A percentage of CD3+ T cells cannot be above 100.".to_owned(),
                    ));
                }
            }
        }
        if let (Some(value), Some(lloq)) = (self.value, self.lloq)
            && value < lloq
        {
            problems.push((
                F::Value,
                format!(
                    "{value} is below the LLOQ ({lloq}): tick \"below the LLOQ\" and leave the \
                     value blank."
                ),
            ));
        }
        problems
    }
}

/// The date CIBMTR reports for a period's persistence tests (domain.md §9, [S4]): if every test
/// was negative, the first negative; otherwise the last positive. `None` for no tests. Each
/// test is `(sample date, detected)`, in any order.
pub fn persistence_reporting_date(tests: &[(NaiveDate, bool)]) -> Option<NaiveDate> {
    let last_positive = tests
        .iter()
        .filter(|(_, detected)| *detected)
        .map(|(d, _)| *d)
        .max();
    last_positive.or_else(|| tests.iter().map(|(d, _)| *d).min())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, day).unwrap()
    }

    fn fields(
        q: PersistenceQuantity,
        detected: bool,
        method: PersistenceMethod,
    ) -> Vec<QuantityField> {
        q.problems(Some(detected), Some(method))
            .into_iter()
            .map(|(f, _)| f)
            .collect()
    }

    #[test]
    fn a_quantity_agrees_with_the_detection_its_unit_and_its_lloq() {
        use PersistenceMethod as M;
        use PersistenceUnit as U;
        use QuantityField as F;
        let copies = |value, lloq| PersistenceQuantity {
            value,
            unit: Some(U::CopiesPerUgDna),
            below_lloq: false,
            lloq,
        };
        let below = PersistenceQuantity {
            below_lloq: true,
            lloq: Some(10.0),
            unit: Some(U::CopiesPerUgDna),
            ..Default::default()
        };
        // Accepted: nothing, a value, a value with its LLOQ, below the LLOQ with or without it,
        // an LLOQ alone on a negative test, flow cytometry in % of CD3+ up to 100.
        for (q, detected, method) in [
            (PersistenceQuantity::default(), true, M::QpcrTransgene),
            (PersistenceQuantity::default(), false, M::Ihc),
            (copies(Some(1200.0), None), true, M::QpcrTransgene),
            (copies(Some(10.0), Some(10.0)), true, M::Ddpcr),
            (below, true, M::QpcrTransgene),
            (
                PersistenceQuantity {
                    below_lloq: true,
                    ..Default::default()
                },
                true,
                M::QpcrTransgene,
            ),
            (copies(None, Some(10.0)), false, M::QpcrTransgene),
            (
                PersistenceQuantity {
                    value: Some(100.0),
                    unit: Some(U::PercentOfCd3),
                    ..Default::default()
                },
                true,
                M::FlowCar,
            ),
            (copies(Some(5.0), None), true, M::Other),
        ] {
            assert_eq!(
                fields(q, detected, method),
                vec![],
                "{q:?} {detected} {method:?}"
            );
        }
        // Refused, beside the input at fault.
        for (q, detected, method, expected) in [
            (
                copies(Some(1200.0), None),
                false,
                M::QpcrTransgene,
                vec![F::Value],
            ),
            (below, false, M::QpcrTransgene, vec![F::BelowLloq]),
            (
                PersistenceQuantity {
                    value: Some(3.0),
                    ..below
                },
                true,
                M::QpcrTransgene,
                vec![F::Value, F::Value],
            ),
            (
                PersistenceQuantity {
                    value: Some(3.0),
                    ..Default::default()
                },
                true,
                M::QpcrTransgene,
                vec![F::Unit],
            ),
            (
                PersistenceQuantity {
                    unit: Some(U::CopiesPerUgDna),
                    ..Default::default()
                },
                true,
                M::QpcrTransgene,
                vec![F::Unit],
            ),
            (copies(Some(1200.0), None), true, M::FlowCar, vec![F::Unit]),
            (copies(Some(1200.0), None), true, M::Ihc, vec![F::Unit]),
            (
                PersistenceQuantity {
                    value: Some(101.0),
                    unit: Some(U::PercentOfCd3),
                    lloq: Some(100.5),
                    ..Default::default()
                },
                true,
                M::FlowCar,
                vec![F::Value, F::Lloq],
            ),
            (
                copies(Some(9.0), Some(10.0)),
                true,
                M::QpcrTransgene,
                vec![F::Value],
            ),
        ] {
            assert_eq!(
                fields(q, detected, method),
                expected,
                "{q:?} {detected} {method:?}"
            );
        }
        let wrong_unit = copies(Some(1.0), None).problems(Some(true), Some(M::FlowCar));
        assert_eq!(
            wrong_unit[0].1,
            "Flow cytometry (CAR detection reagent) does not measure copies/µg genomic DNA: \
             copies come from qPCR or ddPCR, CAR+ cells from flow cytometry."
        );
    }

    #[test]
    fn first_negative_or_last_positive() {
        assert_eq!(persistence_reporting_date(&[]), None);
        assert_eq!(
            persistence_reporting_date(&[(d(9), false), (d(2), false)]),
            Some(d(2))
        );
        assert_eq!(
            persistence_reporting_date(&[(d(2), true), (d(20), false), (d(9), true)]),
            Some(d(9))
        );
    }
}
