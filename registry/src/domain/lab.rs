//! Laboratory results: analytes and units (domain.md §3.8), a [`LabValue`] that normalises a
//! value to its analyte's reporting unit, and the [`IgG`] value type that knows the
//! hypogammaglobulinaemia threshold (§6.4). Whether an IgG is native (no immunoglobulin within
//! 30 days) is decided in `immunoglobulin`.

use std::fmt;

use crate::vocabulary;

vocabulary! {
    /// What a lab result measures (domain.md §3.8).
    pub enum LabAnalyte: "lab analyte" {
        Igg = ("IGG", "IgG"),
        Iga = ("IGA", "IgA"),
        Igm = ("IGM", "IgM"),
        Cd19Absolute = ("CD19_ABS", "CD19+ B cells, absolute"),
        Cd19Percent = ("CD19_PCT", "CD19+ B cells, % of lymphocytes"),
        Cd20Absolute = ("CD20_ABS", "CD20+ B cells, absolute"),
        Cd4Absolute = ("CD4_ABS", "CD4+ T cells, absolute"),
        Anc = ("ANC", "Absolute neutrophil count"),
        Alc = ("ALC", "Absolute lymphocyte count"),
        Wbc = ("WBC", "White blood cells"),
        Haemoglobin = ("HB", "Haemoglobin"),
        Platelets = ("PLATELETS", "Platelets"),
        Ferritin = ("FERRITIN", "Ferritin"),
        Crp = ("CRP", "C-reactive protein"),
        Il6 = ("IL6", "Interleukin-6"),
        IfnGamma = ("IFN_GAMMA", "Interferon-γ"),
        SIl2Ra = ("SIL2RA", "Soluble IL-2 receptor α (sCD25)"),
        Ldh = ("LDH", "Lactate dehydrogenase"),
    }
}

vocabulary! {
    /// Unit of a lab value as entered (domain.md §3.8; biomarker units from CIBMTR 4100 [S3]).
    pub enum LabUnit: "lab unit" {
        MgPerDl = ("MG_DL", "mg/dL"),
        GPerL = ("G_L", "g/L"),
        GPerDl = ("G_DL", "g/dL"),
        CellsPerUl = ("CELLS_PER_UL", "cells/µL"),
        Percent = ("PCT", "%"),
        GigaPerL = ("X10E9_PER_L", "×10⁹/L"),
        NgPerMl = ("NG_ML", "ng/mL"),
        MgPerL = ("MG_L", "mg/L"),
        PgPerMl = ("PG_ML", "pg/mL"),
        IuPerMl = ("IU_ML", "IU/mL"),
        UPerMl = ("U_ML", "U/mL"),
        UPerL = ("U_L", "U/L"),
    }
}

impl LabAnalyte {
    /// The units a value of this analyte may be entered in; the first is the normalised unit.
    pub fn units(self) -> &'static [LabUnit] {
        use LabUnit as U;
        match self {
            Self::Igg | Self::Iga | Self::Igm => &[U::MgPerDl, U::GPerL],
            Self::Cd19Absolute | Self::Cd20Absolute | Self::Cd4Absolute => &[U::CellsPerUl],
            Self::Cd19Percent => &[U::Percent],
            Self::Anc | Self::Alc | Self::Wbc | Self::Platelets => &[U::GigaPerL, U::CellsPerUl],
            Self::Haemoglobin => &[U::GPerDl, U::GPerL],
            Self::Ferritin => &[U::NgPerMl],
            Self::Crp => &[U::MgPerDl, U::MgPerL],
            Self::Il6 => &[U::PgPerMl],
            Self::IfnGamma => &[U::IuPerMl, U::PgPerMl],
            Self::SIl2Ra => &[U::UPerMl, U::PgPerMl],
            Self::Ldh => &[U::UPerL],
        }
    }
}

impl LabAnalyte {
    /// The unit every value of this analyte is normalised to (the first of [`Self::units`]):
    /// what `lab_results.normalised_unit` holds and the nightly report reads.
    pub fn normalised_unit(self) -> LabUnit {
        // Every analyte's list has at least one unit (each arm of `units` names one; a test
        // checks them all).
        self.units()[0]
    }

    /// The highest value, in the normalised unit, that can be a real result of this analyte:
    /// above it the value is refused as a typing or unit error. `None` where no ceiling can
    /// tell the two apart: ferritin, IL-6, IFN-γ, sIL-2Rα and LDH span orders of magnitude in
    /// HLH-like toxicity and severe CRS, so any bound low enough to catch a slip of unit would
    /// also refuse true results.
    ///
    /// Each ceiling is set well beyond the most extreme values reported, so that no true
    /// result is refused: immunoglobulins 20,000 mg/dL (200 g/L, more than the whole serum
    /// protein of IgG, IgA or IgM myeloma); B and T cells 1,000,000 cells/µL (beyond the
    /// lymphocytosis of untreated CLL); CD19⁺ B cells 100 % of lymphocytes; white cells,
    /// neutrophils and lymphocytes 2,000 ×10⁹/L and platelets 5,000 ×10⁹/L (beyond
    /// hyperleukocytosis and extreme thrombocytosis: a count in cells/µL typed as ×10⁹/L is
    /// caught); haemoglobin 30 g/dL (beyond polycythaemia: a value in g/L typed as g/dL is
    /// caught); CRP 100 mg/dL (1,000 mg/L).
    pub fn ceiling(self) -> Option<f64> {
        match self {
            Self::Igg | Self::Iga | Self::Igm => Some(20_000.0),
            Self::Cd19Absolute | Self::Cd20Absolute | Self::Cd4Absolute => Some(1_000_000.0),
            Self::Cd19Percent => Some(100.0),
            Self::Wbc | Self::Anc | Self::Alc => Some(2_000.0),
            Self::Platelets => Some(5_000.0),
            Self::Haemoglobin => Some(30.0),
            Self::Crp => Some(100.0),
            Self::Ferritin | Self::Il6 | Self::IfnGamma | Self::SIl2Ra | Self::Ldh => None,
        }
    }

    /// A blood count: the analytes a recent transfusion distorts, so the ones its transfusion
    /// flags (red cells within 30 days, platelets within 7 days; domain.md §3.8) belong to.
    pub fn is_blood_count(self) -> bool {
        matches!(
            self,
            Self::Anc | Self::Alc | Self::Wbc | Self::Haemoglobin | Self::Platelets
        )
    }

    /// How a value entered in `unit` becomes the normalised unit: `Ok(Some(..))` for a fixed
    /// factor, `Ok(None)` for an allowed unit with no fixed factor, `Err` for a unit this
    /// analyte is not given in.
    ///
    /// Fixed factors are the ones that follow from the units alone: 1 g/L = 100 mg/dL (IgG, IgA,
    /// IgM), 1 g/L = 0.1 g/dL (haemoglobin), 1 mg/L = 0.1 mg/dL (CRP), 1 cells/µL =
    /// 0.001 ×10⁹/L (blood counts). IFN-γ in IU/mL and pg/mL, and sIL-2Rα in U/mL and pg/mL,
    /// are not: an international or kit unit is a unit of biological activity defined by the
    /// assay's calibrator, and the mass it corresponds to differs between standards and kits.
    /// Such a value is kept as entered with no normalised value (`Ok(None)`): inventing a
    /// factor would put values of different assays on one scale in the report, and refusing
    /// the unit would lose results that laboratories report that way.
    pub fn conversion(self, unit: LabUnit) -> Result<Option<Conversion>, WrongUnit> {
        use LabUnit as U;
        if !self.units().contains(&unit) {
            return Err(WrongUnit {
                analyte: self,
                unit,
            });
        }
        if unit == self.normalised_unit() {
            return Ok(Some(Conversion::IDENTITY));
        }
        Ok(match (self, unit) {
            (Self::Igg | Self::Iga | Self::Igm, U::GPerL) => Some(Conversion { exponent: 2 }),
            (Self::Haemoglobin, U::GPerL) | (Self::Crp, U::MgPerL) => {
                Some(Conversion { exponent: -1 })
            }
            (Self::Anc | Self::Alc | Self::Wbc | Self::Platelets, U::CellsPerUl) => {
                Some(Conversion { exponent: -3 })
            }
            _ => None,
        })
    }
}

/// A change of unit by a power of ten, `value × 10^exponent`: every fixed factor between the
/// units of one analyte is one (×100, ÷10, ÷1000).
///
/// The value is shifted in decimal, not multiplied in binary: 5.1 g/L is 510 mg/dL, where
/// `5.1 * 100.0` gives 509.99999999999994. The shortest decimal that reads back as the value
/// gets its exponent moved and is read as the nearest double. Migration 000025 does the same in
/// SQL (`CAST(CAST(value AS TEXT) || 'e' || exponent AS REAL)`) and gets the same doubles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversion {
    pub exponent: i32,
}

impl Conversion {
    /// No change: the value is already in the normalised unit.
    pub const IDENTITY: Self = Self { exponent: 0 };

    /// The value in the normalised unit.
    pub fn apply(self, value: f64) -> f64 {
        if self.exponent == 0 {
            return value;
        }
        // A finite double's decimal form always parses; the product is the fallback in name only.
        format!("{value}e{}", self.exponent)
            .parse()
            .unwrap_or(value * 10f64.powi(self.exponent))
    }
}

/// A unit the analyte is not given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{analyte} is given in {}", allowed_units(*.analyte))]
pub struct WrongUnit {
    pub analyte: LabAnalyte,
    pub unit: LabUnit,
}

fn allowed_units(analyte: LabAnalyte) -> String {
    use crate::domain::vocabulary::Vocabulary;
    let labels: Vec<&str> = analyte.units().iter().map(|u| u.label()).collect();
    labels.join(" or ")
}

/// A lab value that cannot be stored.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum InvalidLabValue {
    #[error("enter the value as a number of 0 or more, e.g. 4.2")]
    NotANonNegativeNumber,
    #[error(transparent)]
    WrongUnit(#[from] WrongUnit),
    /// Above the analyte's [`LabAnalyte::ceiling`]: no real result is that high.
    #[error(
        "{analyte} cannot be {value} {unit}: the highest value accepted is {ceiling} {}; \
         check the value and its unit",
        analyte.normalised_unit()
    )]
    AboveCeiling {
        analyte: LabAnalyte,
        value: f64,
        unit: LabUnit,
        ceiling: f64,
    },
}

/// A lab value as entered (a finite number of 0 or more, in a unit its analyte is given in),
/// with its value in the analyte's normalised unit where a fixed factor exists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabValue {
    analyte: LabAnalyte,
    value: f64,
    unit: LabUnit,
    normalised: Option<f64>,
}

impl LabValue {
    /// A value of `analyte` entered as `value` `unit`.
    pub fn new(analyte: LabAnalyte, value: f64, unit: LabUnit) -> Result<Self, InvalidLabValue> {
        if !value.is_finite() || value < 0.0 {
            return Err(InvalidLabValue::NotANonNegativeNumber);
        }
        let normalised = analyte.conversion(unit)?.map(|c| c.apply(value));
        if let (Some(v), Some(ceiling)) = (normalised, analyte.ceiling())
            && v > ceiling
        {
            return Err(InvalidLabValue::AboveCeiling {
                analyte,
                value,
                unit,
                ceiling,
            });
        }
        Ok(Self {
            analyte,
            value,
            unit,
            normalised,
        })
    }

    pub fn analyte(self) -> LabAnalyte {
        self.analyte
    }

    /// The value as entered.
    pub fn value(self) -> f64 {
        self.value
    }

    /// The unit as entered.
    pub fn unit(self) -> LabUnit {
        self.unit
    }

    /// The value in the analyte's normalised unit, with that unit; `None` where the entered
    /// unit has no fixed factor (see [`LabAnalyte::conversion`]).
    pub fn normalised(self) -> Option<(f64, LabUnit)> {
        self.normalised.map(|v| (v, self.analyte.normalised_unit()))
    }
}

/// B-cell aplasia threshold: CD19+ B cells below 20 cells/µL. A common choice, from a secondary
/// source only (domain.md §3.8, [H8]); registries should make it configurable.
pub const B_CELL_APLASIA_CD19_PER_UL: f64 = 20.0;

/// A serum IgG concentration, held in mg/dL (1 g/L = 100 mg/dL; domain.md §3.8).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct IgG {
    mg_per_dl: f64,
}

/// An IgG value that cannot be right.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvalidIgG {
    #[error("IgG must be entered in mg/dL or g/L, not {unit}")]
    WrongUnit { unit: LabUnit },
    #[error("IgG {value} {unit} is not a number of 0 or more")]
    NotANonNegativeNumber { value: f64, unit: LabUnit },
    #[error("IgG {value} {unit} is above {max} mg/dL; check the unit")]
    Implausible { value: f64, unit: LabUnit, max: f64 },
}

impl IgG {
    /// Hypogammaglobulinaemia threshold, 400 mg/dL (AAAAI 2022, NCCN/ASBMT; domain.md §6.4, [H4]).
    pub const HYPOGAMMA_THRESHOLD_MG_DL: f64 = 400.0;
    /// Above this the value is refused as a unit error: IgG's [`LabAnalyte::ceiling`].
    pub const MAX_PLAUSIBLE_MG_DL: f64 = 20_000.0;

    /// An IgG from a value and the unit it was entered in (mg/dL or g/L).
    pub fn new(value: f64, unit: LabUnit) -> Result<Self, InvalidIgG> {
        let mg_per_dl = match LabAnalyte::Igg.conversion(unit) {
            Ok(Some(conversion)) => conversion.apply(value),
            _ => return Err(InvalidIgG::WrongUnit { unit }),
        };
        if !mg_per_dl.is_finite() || mg_per_dl < 0.0 {
            return Err(InvalidIgG::NotANonNegativeNumber { value, unit });
        }
        if mg_per_dl > Self::MAX_PLAUSIBLE_MG_DL {
            return Err(InvalidIgG::Implausible {
                value,
                unit,
                max: Self::MAX_PLAUSIBLE_MG_DL,
            });
        }
        Ok(Self { mg_per_dl })
    }

    /// The value in mg/dL.
    pub fn mg_per_dl(self) -> f64 {
        self.mg_per_dl
    }

    /// The value in g/L.
    pub fn g_per_l(self) -> f64 {
        self.mg_per_dl / 100.0
    }

    /// Below 400 mg/dL (domain.md §6.4). Only meaningful for a native IgG (no immunoglobulin
    /// in the 30 days before the sample [S15]).
    pub fn is_hypogammaglobulinaemic(self) -> bool {
        self.mg_per_dl < Self::HYPOGAMMA_THRESHOLD_MG_DL
    }
}

impl fmt::Display for IgG {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} mg/dL", self.mg_per_dl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::Vocabulary;

    #[test]
    fn igg_normalises_units() {
        let a = IgG::new(4.5, LabUnit::GPerL).unwrap();
        assert!((a.mg_per_dl() - 450.0).abs() < 1e-9);
        let b = IgG::new(350.0, LabUnit::MgPerDl).unwrap();
        assert!((b.g_per_l() - 3.5).abs() < 1e-9);
        assert!(b.is_hypogammaglobulinaemic());
        assert!(!a.is_hypogammaglobulinaemic());
        assert!(
            !IgG::new(400.0, LabUnit::MgPerDl)
                .unwrap()
                .is_hypogammaglobulinaemic()
        );
    }

    #[test]
    fn igg_refuses_wrong_units_and_impossible_values() {
        assert_eq!(
            IgG::new(4.0, LabUnit::GPerDl),
            Err(InvalidIgG::WrongUnit {
                unit: LabUnit::GPerDl
            })
        );
        assert!(matches!(
            IgG::new(-1.0, LabUnit::MgPerDl),
            Err(InvalidIgG::NotANonNegativeNumber { .. })
        ));
        assert!(matches!(
            IgG::new(f64::NAN, LabUnit::GPerL),
            Err(InvalidIgG::NotANonNegativeNumber { .. })
        ));
        // 450 entered as g/L is a unit slip.
        assert!(matches!(
            IgG::new(450.0, LabUnit::GPerL),
            Err(InvalidIgG::Implausible { .. })
        ));
    }

    fn normalised(analyte: LabAnalyte, value: f64, unit: LabUnit) -> Option<(f64, LabUnit)> {
        LabValue::new(analyte, value, unit).unwrap().normalised()
    }

    #[test]
    fn the_normalised_unit_is_the_first_allowed_unit_and_converts_to_itself() {
        for a in LabAnalyte::ALL {
            assert_eq!(a.units().first(), Some(&a.normalised_unit()), "{a:?}");
            assert_eq!(
                normalised(*a, 12.5, a.normalised_unit()),
                Some((12.5, a.normalised_unit()))
            );
        }
    }

    #[test]
    fn immunoglobulins_in_g_per_l_are_times_100_in_mg_per_dl() {
        for a in [LabAnalyte::Igg, LabAnalyte::Iga, LabAnalyte::Igm] {
            assert_eq!(
                normalised(a, 4.5, LabUnit::GPerL),
                Some((450.0, LabUnit::MgPerDl))
            );
        }
        // The same as the IgG type.
        let igg = IgG::new(3.7, LabUnit::GPerL).unwrap();
        assert_eq!(
            normalised(LabAnalyte::Igg, 3.7, LabUnit::GPerL),
            Some((igg.mg_per_dl(), LabUnit::MgPerDl))
        );
    }

    #[test]
    fn conversions_shift_the_decimal_point_exactly() {
        assert_eq!(Conversion { exponent: 2 }.apply(5.1), 510.0);
        assert_ne!(5.1 * 100.0, 510.0, "what a binary product would give");
        assert_eq!(Conversion { exponent: -1 }.apply(12.3), 1.23);
        assert_eq!(Conversion { exponent: -3 }.apply(0.7), 0.0007);
        assert_eq!(Conversion { exponent: -3 }.apply(1500.0), 1.5);
        assert_eq!(Conversion::IDENTITY.apply(0.1 + 0.2), 0.1 + 0.2);
        assert_eq!(Conversion { exponent: 2 }.apply(0.0), 0.0);
    }

    #[test]
    fn haemoglobin_in_g_per_l_is_divided_by_10_in_g_per_dl() {
        assert_eq!(
            normalised(LabAnalyte::Haemoglobin, 125.0, LabUnit::GPerL),
            Some((12.5, LabUnit::GPerDl))
        );
    }

    #[test]
    fn crp_in_mg_per_l_is_divided_by_10_in_mg_per_dl() {
        assert_eq!(
            normalised(LabAnalyte::Crp, 35.0, LabUnit::MgPerL),
            Some((3.5, LabUnit::MgPerDl))
        );
    }

    #[test]
    fn blood_counts_in_cells_per_ul_are_divided_by_1000_in_giga_per_l() {
        for a in [
            LabAnalyte::Anc,
            LabAnalyte::Alc,
            LabAnalyte::Wbc,
            LabAnalyte::Platelets,
        ] {
            assert_eq!(
                normalised(a, 1500.0, LabUnit::CellsPerUl),
                Some((1.5, LabUnit::GigaPerL)),
                "{a:?}"
            );
        }
    }

    #[test]
    fn activity_units_of_ifn_gamma_and_sil2ra_have_no_fixed_factor_to_mass() {
        assert_eq!(
            normalised(LabAnalyte::IfnGamma, 40.0, LabUnit::PgPerMl),
            None
        );
        assert_eq!(
            normalised(LabAnalyte::SIl2Ra, 4000.0, LabUnit::PgPerMl),
            None
        );
        let kept = LabValue::new(LabAnalyte::SIl2Ra, 4000.0, LabUnit::PgPerMl).unwrap();
        assert_eq!((kept.value(), kept.unit()), (4000.0, LabUnit::PgPerMl));
        assert_eq!(
            normalised(LabAnalyte::IfnGamma, 2.0, LabUnit::IuPerMl),
            Some((2.0, LabUnit::IuPerMl))
        );
    }

    #[test]
    fn every_allowed_unit_other_than_the_activity_units_converts() {
        for a in LabAnalyte::ALL {
            for u in a.units() {
                let unconvertible = matches!(a, LabAnalyte::IfnGamma | LabAnalyte::SIl2Ra)
                    && *u == LabUnit::PgPerMl;
                assert_eq!(
                    normalised(*a, 1.0, *u).is_none(),
                    unconvertible,
                    "{a:?} in {u:?}"
                );
            }
        }
    }

    #[test]
    fn a_lab_value_refuses_other_units_and_impossible_numbers() {
        let wrong = LabValue::new(LabAnalyte::Igg, 5.0, LabUnit::CellsPerUl).unwrap_err();
        assert_eq!(
            wrong,
            InvalidLabValue::WrongUnit(WrongUnit {
                analyte: LabAnalyte::Igg,
                unit: LabUnit::CellsPerUl
            })
        );
        assert_eq!(wrong.to_string(), "IgG is given in mg/dL or g/L");
        for bad in [-0.1, f64::NAN, f64::INFINITY] {
            assert_eq!(
                LabValue::new(LabAnalyte::Crp, bad, LabUnit::MgPerL),
                Err(InvalidLabValue::NotANonNegativeNumber)
            );
        }
        assert!(LabValue::new(LabAnalyte::Crp, 0.0, LabUnit::MgPerL).is_ok());
    }

    #[test]
    fn a_value_above_its_analytes_ceiling_is_refused_in_whichever_unit_it_is_entered() {
        use LabAnalyte as A;
        use LabUnit as U;
        let above = |analyte, value, unit| {
            matches!(
                LabValue::new(analyte, value, unit),
                Err(InvalidLabValue::AboveCeiling { .. })
            )
        };
        // At the ceiling is accepted, just above is not, in either unit.
        for (analyte, at, unit, beyond) in [
            (A::Igg, 20_000.0, U::MgPerDl, 20_000.1),
            (A::Igg, 200.0, U::GPerL, 200.001),
            (A::Igm, 200.0, U::GPerL, 200.001),
            (A::Anc, 2_000.0, U::GigaPerL, 2_000.01),
            (A::Anc, 2_000_000.0, U::CellsPerUl, 2_000_001.0),
            (A::Platelets, 5_000_000.0, U::CellsPerUl, 5_000_001.0),
            (A::Haemoglobin, 300.0, U::GPerL, 301.0),
            (A::Crp, 1_000.0, U::MgPerL, 1_001.0),
            (A::Cd19Percent, 100.0, U::Percent, 100.01),
            (A::Cd4Absolute, 1_000_000.0, U::CellsPerUl, 1_000_001.0),
        ] {
            assert!(LabValue::new(analyte, at, unit).is_ok(), "{analyte:?} {at}");
            assert!(above(analyte, beyond, unit), "{analyte:?} {beyond}");
        }
        // The classic slips: a count per µL under ×10⁹/L, haemoglobin in g/L under g/dL.
        assert!(above(A::Wbc, 5_600.0, U::GigaPerL));
        assert!(above(A::Platelets, 150_000.0, U::GigaPerL));
        assert!(above(A::Haemoglobin, 95.0, U::GPerDl));
        let refused = LabValue::new(A::Haemoglobin, 95.0, U::GPerDl).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Haemoglobin cannot be 95 g/dL: the highest value accepted is 30 g/dL; \
             check the value and its unit"
        );
        // No ceiling where true values span orders of magnitude.
        for analyte in [A::Ferritin, A::Il6, A::Ldh] {
            assert_eq!(analyte.ceiling(), None);
            assert!(LabValue::new(analyte, 1e7, analyte.normalised_unit()).is_ok());
        }
        assert_eq!(A::Igg.ceiling(), Some(IgG::MAX_PLAUSIBLE_MG_DL));
    }

    #[test]
    fn every_analyte_has_units_and_igg_units_are_the_igg_type_units() {
        for a in LabAnalyte::ALL {
            assert!(!a.units().is_empty(), "{a:?}");
        }
        for u in LabAnalyte::Igg.units() {
            assert!(IgG::new(1.0, *u).is_ok());
        }
    }
}
