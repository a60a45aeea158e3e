//! Human labels for the codes the report groups by: what a reader sees in `index.html` tables
//! and chart legends (`B-ALL`, `Tisagenlecleucel (Kymriah)`), while `adtte.csv`, `adrs.csv` and
//! the `level`/`stratum` keys of `summary.json` keep the stored codes a statistician filters on.
//!
//! Labels come from the registry's vocabularies ([`Vocabulary::label`]); the one exception is
//! the disease group, whose vocabulary label is the full name ("B-cell acute lymphoblastic
//! leukaemia") and which figures and tables show as the usual abbreviation. A code that does not
//! parse (counted by the load as a data problem) is shown as it is.

use registry::domain::Vocabulary;
use registry::domain::death::CauseOfDeath;
use registry::domain::diagnosis::DiseaseGroup;
use registry::domain::infection::OrganismClass;
use registry::domain::malignancy::NewMalignancyType;
use registry::domain::product::{Product, TargetAntigen};

/// A variable the report groups by, named as in the analysis set or ADTTE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupVar {
    Disease,
    Product,
    Antigen,
    DeathCause,
    MalignancyType,
    OrganismClass,
    /// Site codes, years, timepoints: shown as stored.
    Verbatim,
}

impl GroupVar {
    /// The variable of a column name, either case (`disease`, `DISEASE`); anything else is
    /// [`GroupVar::Verbatim`].
    pub fn of_column(name: &str) -> Self {
        match name.to_ascii_lowercase().as_str() {
            "disease" => Self::Disease,
            "product" => Self::Product,
            "antigen" => Self::Antigen,
            "death_cause" => Self::DeathCause,
            "malignancy_type" => Self::MalignancyType,
            "organism_class" => Self::OrganismClass,
            _ => Self::Verbatim,
        }
    }

    /// The label of `code`.
    pub fn label(self, code: &str) -> String {
        fn vocab<V: Vocabulary>(code: &str) -> Option<&'static str> {
            V::parse(code).ok().map(V::label)
        }
        let found = match self {
            Self::Disease => DiseaseGroup::parse(code).ok().map(disease_abbreviation),
            Self::Product => vocab::<Product>(code),
            Self::Antigen => vocab::<TargetAntigen>(code),
            Self::DeathCause => vocab::<CauseOfDeath>(code),
            Self::MalignancyType => vocab::<NewMalignancyType>(code),
            Self::OrganismClass => vocab::<OrganismClass>(code),
            Self::Verbatim => None,
        };
        found.map_or_else(|| code.to_owned(), str::to_owned)
    }
}

/// The abbreviation figures and tables use for a disease group (the vocabulary's label is the
/// full name, too long for a legend). Exhaustive, so a new group must choose one.
pub fn disease_abbreviation(group: DiseaseGroup) -> &'static str {
    match group {
        DiseaseGroup::Lbcl => "LBCL",
        DiseaseGroup::Fl => "FL",
        DiseaseGroup::Mcl => "MCL",
        DiseaseGroup::BAll => "B-ALL",
        DiseaseGroup::Cll => "CLL/SLL",
        DiseaseGroup::Mm => "MM",
        DiseaseGroup::Other => "Other",
    }
}

/// The label of an engine stratum name: `all` -> "All patients", `DISEASE=BALL` -> "B-ALL".
pub fn stratum_label(stratum: &str) -> String {
    match stratum.split_once('=') {
        Some((column, code)) => GroupVar::of_column(column).label(code),
        None if stratum == "all" => "All patients".to_owned(),
        None => stratum.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_read_as_people_write_them() {
        assert_eq!(stratum_label("DISEASE=BALL"), "B-ALL");
        assert_eq!(
            stratum_label("PRODUCT=TISA_CEL"),
            "Tisagenlecleucel (Kymriah)"
        );
        assert_eq!(stratum_label("all"), "All patients");
        assert_eq!(GroupVar::of_column("antigen").label("BCMA"), "BCMA");
        assert_eq!(GroupVar::of_column("SITE").label("BCN"), "BCN");
        // A code the vocabulary does not know is shown as stored, not dropped.
        assert_eq!(GroupVar::Disease.label("NOPE"), "NOPE");
    }
}
