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
