//! The clinical vocabulary as types: no diesel, no actix, no I/O. Values are parsed at the edge
//! (forms, CSV, the database) into these types and trusted inside.
//!
//! One module per clinical area; every controlled vocabulary is declared with
//! [`crate::vocabulary!`] and listed once in [`for_each_vocabulary!`], which feeds
//! [`all_vocabularies`] (what the schema's CHECK constraints and the exports' code lists are
//! tested against) and the round-trip tests below. A test fails if a vocabulary is declared
//! but not listed.

pub mod access;
pub mod dates;
pub mod death;
pub mod diagnosis;
pub mod follow_up;
pub mod icaht;
pub mod immunoglobulin;
pub mod infection;
pub mod lab;
pub mod malignancy;
pub mod missing;
pub mod patient;
pub mod persistence;
pub mod product;
pub mod response;
pub mod schedule;
pub mod therapy;
pub mod toxicity;
pub mod vocabulary;

pub use vocabulary::{UnknownCode, Vocabulary};

/// Calls `$callback! { module::Type, ... }` with every vocabulary of the domain: the one list.
/// Add a new vocabulary here; `every_declared_vocabulary_is_listed` fails otherwise.
#[macro_export]
macro_rules! for_each_vocabulary {
    ($callback:ident) => {
        $callback! {
            access::Role,
            death::Autopsy,
            death::CauseOfDeath,
            diagnosis::Disease,
            diagnosis::DiseaseGroup,
            diagnosis::PriorTransplant,
            diagnosis::RefractoryStatus,
            diagnosis::RissStage,
            follow_up::ContactType,
            follow_up::FormStatus,
            follow_up::SignatureMeaning,
            follow_up::SurvivalStatus,
            immunoglobulin::IgIndication,
            immunoglobulin::IgProduct,
            infection::BmtCtnInfectionSeverity,
            infection::InfectionOutcome,
            infection::InfectionSeverity,
            infection::InfectionSite,
            infection::Organism,
            infection::OrganismClass,
            lab::LabAnalyte,
            lab::LabUnit,
            malignancy::NewMalignancyType,
            malignancy::TransgeneResult,
            missing::MissingCode,
            missing::YesNo,
            patient::ConsentStatus,
            patient::LtfuStatus,
            patient::Sex,
            persistence::PersistenceMethod,
            persistence::PersistenceUnit,
            persistence::Specimen,
            product::BridgingTherapy,
            product::CostimulatoryDomain,
            product::DoseUnit,
            product::InfusionIntent,
            product::InfusionRoute,
            product::InfusionSetting,
            product::LymphodepletionRegimen,
            product::NotInfusedReason,
            product::Product,
            product::ProductClass,
            product::TargetAntigen,
            product::VectorType,
            response::AllResponse,
            response::AssessmentMethod,
            response::Assessor,
            response::GenericResponse,
            response::ImwgResponse,
            response::IwcllResponse,
            response::LuganoResponse,
            response::MrdMethod,
            response::MrdSensitivity,
            response::MrdStatus,
            response::RelapseAntigenStatus,
            response::RelapseMethod,
            response::ResponseCriteria,
            schedule::Timepoint,
            therapy::SubsequentTherapyCategory,
            therapy::TherapyIntent,
            toxicity::CerebralOedema,
            toxicity::Consciousness,
            toxicity::CrsGrade,
            toxicity::CtcaeGrade,
            toxicity::GradingSystem,
            toxicity::Hypotension,
            toxicity::Hypoxia,
            toxicity::IcansGrade,
            toxicity::MotorFinding,
            toxicity::Seizure,
            toxicity::ToxicityTreatment,
            toxicity::ToxicityType,
        }
    };
}

/// One vocabulary as the schema and the exports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyInfo {
    /// The Rust type, e.g. `"CrsGrade"` (unique across the domain).
    pub type_name: &'static str,
    /// The module it lives in, e.g. `"toxicity"`.
    pub module: &'static str,
    /// [`Vocabulary::NAME`], e.g. `"CRS grade (ASTCT 2019)"`.
    pub name: &'static str,
    /// Every stored code, in form order (what a CHECK constraint lists).
    pub codes: Vec<&'static str>,
    /// The label of each code, same order.
    pub labels: Vec<&'static str>,
}

impl VocabularyInfo {
    fn of<T: Vocabulary>(module: &'static str, type_name: &'static str) -> Self {
        Self {
            type_name,
            module,
            name: T::NAME,
            codes: T::codes(),
            labels: T::ALL.iter().map(|v| v.label()).collect(),
        }
    }

    /// A SQL `CHECK` expression for a column holding this vocabulary's codes, e.g.
    /// `sex IN ('M','F','X','U')`. Codes are upper-case ASCII, so no quoting is needed.
    pub fn check_constraint(&self, column: &str) -> String {
        let list: Vec<String> = self.codes.iter().map(|c| format!("'{c}'")).collect();
        format!("{column} IN ({})", list.join(","))
    }

    /// The same for a column that may also hold a missing-data code (an `Answer<T>` column):
    /// the vocabulary's codes, then the missing codes it does not already use.
    pub fn check_constraint_with_missing(&self, column: &str) -> String {
        let mut codes = self.codes.clone();
        codes.extend(
            missing::MissingCode::codes()
                .into_iter()
                .filter(|m| !self.codes.contains(m)),
        );
        let list: Vec<String> = codes.iter().map(|c| format!("'{c}'")).collect();
        format!("{column} IN ({})", list.join(","))
    }
}

/// Every vocabulary of the domain with its codes and labels, in the order of
/// [`for_each_vocabulary!`] (alphabetical by module, then type).
pub fn all_vocabularies() -> Vec<VocabularyInfo> {
    macro_rules! collect {
        ($($module:ident :: $ty:ident),+ $(,)?) => {
            vec![$(VocabularyInfo::of::<$module::$ty>(stringify!($module), stringify!($ty))),+]
        };
    }
    for_each_vocabulary!(collect)
}

/// The vocabulary with this Rust type name (e.g. `"CrsGrade"`), if any.
pub fn find_vocabulary(type_name: &str) -> Option<VocabularyInfo> {
    all_vocabularies()
        .into_iter()
        .find(|v| v.type_name == type_name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::fmt::Debug;
    use std::str::FromStr;

    use super::*;

    /// The contract every vocabulary keeps: codes unique, short, upper-case ASCII; labels
    /// non-empty; code -> parse -> same value, through `FromStr` and serde too; unknown and
    /// wrong-case codes rejected with a message naming every allowed code.
    fn check_vocabulary<T>(type_name: &str)
    where
        T: Vocabulary
            + Debug
            + FromStr<Err = UnknownCode>
            + std::fmt::Display
            + serde::Serialize
            + serde::de::DeserializeOwned,
    {
        assert!(!T::NAME.is_empty(), "{type_name}: empty NAME");
        assert!(!T::ALL.is_empty(), "{type_name}: no members");
        let codes = T::codes();
        let unique: BTreeSet<_> = codes.iter().collect();
        assert_eq!(
            unique.len(),
            codes.len(),
            "{type_name}: duplicate codes {codes:?}"
        );
        let labels: BTreeSet<_> = T::ALL.iter().map(|v| v.label()).collect();
        assert_eq!(labels.len(), codes.len(), "{type_name}: duplicate labels");
        for v in T::ALL {
            let code = v.code();
            assert!(
                !code.is_empty()
                    && code.len() <= 32
                    && code
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "{type_name}: code {code:?} is not short upper-case ASCII"
            );
            assert!(
                !v.label().trim().is_empty(),
                "{type_name}: {code} has no label"
            );
            assert_eq!(
                v.to_string(),
                v.label(),
                "{type_name}: Display is the label"
            );
            assert_eq!(
                T::parse(code).as_ref(),
                Ok(v),
                "{type_name}: {code} round-trip"
            );
            assert_eq!(
                T::from_str(&format!(" {code} ")).as_ref(),
                Ok(v),
                "{type_name}: {code}"
            );
            let json = serde_json::to_string(v).unwrap();
            assert_eq!(
                json,
                format!("\"{code}\""),
                "{type_name}: serde is the code"
            );
            assert_eq!(
                &serde_json::from_str::<T>(&json).unwrap(),
                v,
                "{type_name}: serde"
            );
            let lower = code.to_ascii_lowercase();
            if lower != code {
                assert!(T::parse(&lower).is_err(), "{type_name}: {lower} accepted");
            }
        }
        for bad in ["", "NOT_A_CODE", "ZZZ"] {
            let err = T::parse(bad).unwrap_err();
            assert_eq!(err.vocabulary, T::NAME);
            assert_eq!(err.allowed, codes);
            let msg = err.to_string();
            assert!(msg.contains(T::NAME), "{type_name}: {msg}");
            for code in &codes {
                assert!(msg.contains(code), "{type_name}: {msg} lacks {code}");
            }
            assert!(serde_json::from_str::<T>(&format!("\"{bad}\"")).is_err());
        }
    }

    #[test]
    fn every_vocabulary_keeps_the_contract() {
        macro_rules! check_all {
            ($($module:ident :: $ty:ident),+ $(,)?) => {
                $( check_vocabulary::<$module::$ty>(stringify!($ty)); )+
            };
        }
        for_each_vocabulary!(check_all);
    }

    #[test]
    fn registry_names_are_unique_and_match_the_types() {
        let all = all_vocabularies();
        let types: BTreeSet<_> = all.iter().map(|v| v.type_name).collect();
        let names: BTreeSet<_> = all.iter().map(|v| v.name).collect();
        assert_eq!(types.len(), all.len(), "duplicate type names");
        assert_eq!(names.len(), all.len(), "duplicate vocabulary NAMEs");
        let crs = find_vocabulary("CrsGrade").unwrap();
        assert_eq!(crs.module, "toxicity");
        assert_eq!(crs.codes, ["G1", "G2", "G3", "G4", "G5"]);
        assert_eq!(
            find_vocabulary("Sex").unwrap().check_constraint("sex"),
            "sex IN ('M','F','X','U')"
        );
        assert_eq!(
            find_vocabulary("YesNo")
                .unwrap()
                .check_constraint_with_missing("x"),
            "x IN ('Y','N','UNK','NASK','NA','ND','ASKU','LTF','PREV')"
        );
        assert_eq!(
            find_vocabulary("LuganoResponse")
                .unwrap()
                .check_constraint_with_missing("r"),
            "r IN ('CR','PR','SD','PD','NE','ND','UNK','NASK','NA','ASKU','LTF','PREV')"
        );
        let hint = response::LuganoResponse::parse("cr")
            .unwrap_err()
            .to_string();
        assert!(
            hint.ends_with("(codes are case-sensitive: did you mean CR?)"),
            "{hint}"
        );
        assert!(find_vocabulary("NoSuchThing").is_none());
    }

    /// Reads the domain sources and finds every `vocabulary! { … pub enum Name: … }`, so a new
    /// vocabulary cannot be left out of `for_each_vocabulary!` (and so out of the schema test).
    #[test]
    fn every_declared_vocabulary_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
        let mut declared = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            let mut in_declaration = false;
            for line in src.lines().map(str::trim) {
                if line == "vocabulary! {" {
                    in_declaration = true;
                } else if in_declaration && let Some(rest) = line.strip_prefix("pub enum ") {
                    let name: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
                    declared.insert(name);
                    in_declaration = false;
                }
            }
        }
        let listed: BTreeSet<String> = all_vocabularies()
            .iter()
            .map(|v| v.type_name.to_owned())
            .collect();
        assert_eq!(
            declared, listed,
            "declared (left) vs listed in for_each_vocabulary! (right)"
        );
    }

    /// Codes a vocabulary shares with the missing-data codes: there the vocabulary's own member
    /// is the canonical reading (see `missing::Answer`). Kept to a known, deliberate list.
    #[test]
    fn missing_code_collisions_are_deliberate() {
        let missing = missing::MissingCode::codes();
        let mut clashes = Vec::new();
        for v in all_vocabularies()
            .iter()
            .filter(|v| v.type_name != "MissingCode")
        {
            for c in &v.codes {
                if missing.contains(c) {
                    clashes.push(format!("{}:{c}", v.type_name));
                }
            }
        }
        assert_eq!(clashes, ["LuganoResponse:ND"]);
        use missing::Answer;
        use response::LuganoResponse;
        let a = Answer::<LuganoResponse>::Missing(missing::MissingCode::NotDone).normalised();
        assert_eq!(a, Answer::Value(LuganoResponse::NotDone));
        assert_eq!(Answer::<LuganoResponse>::parse(a.code()), Ok(a));
    }
}
