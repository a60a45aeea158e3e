//! Laboratory results: analytes and units (domain.md §3.8), and the [`IgG`] value type that
//! normalises mg/dL and g/L and knows the hypogammaglobulinaemia threshold (§6.4). Whether an
//! IgG is native (no immunoglobulin within 30 days) is decided in `immunoglobulin`.

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
    /// Above this the value is refused as a unit error (200 g/L, beyond even IgG myeloma).
    pub const MAX_PLAUSIBLE_MG_DL: f64 = 20_000.0;

    /// An IgG from a value and the unit it was entered in (mg/dL or g/L).
    pub fn new(value: f64, unit: LabUnit) -> Result<Self, InvalidIgG> {
        let mg_per_dl = match unit {
            LabUnit::MgPerDl => value,
            LabUnit::GPerL => value * 100.0,
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
