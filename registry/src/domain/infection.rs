//! Infections: organism class, organism (each knowing its class), CIBMTR infection sites, and
//! severity by CTCAE v5 or BMT-CTN (domain.md §3.10, §4.6, §4.9). Infection density by period
//! is an analytics concern, not here.

use chrono::NaiveDate;

use crate::domain::toxicity::CtcaeGrade;
use crate::vocabulary;

vocabulary! {
    /// The organism class (domain.md §3.10); the report's densities are by class [H1].
    pub enum OrganismClass: "organism class" {
        GramPositive = ("BACTERIAL_GRAM_POSITIVE", "Bacterial, gram-positive"),
        GramNegative = ("BACTERIAL_GRAM_NEGATIVE", "Bacterial, gram-negative"),
        /// E.g. mycobacteria, atypical bacteria.
        BacterialOther = ("BACTERIAL_OTHER", "Bacterial, other"),
        Viral = ("VIRAL", "Viral"),
        Mould = ("FUNGAL_MOULD", "Fungal, mould"),
        Yeast = ("FUNGAL_YEAST", "Fungal, yeast"),
        /// E.g. Pneumocystis.
        FungalOther = ("FUNGAL_OTHER", "Fungal, other"),
        Parasitic = ("PARASITIC", "Parasitic"),
        /// Clinically diagnosed, no organism identified.
        NoOrganism = ("NO_ORGANISM", "Clinically diagnosed, no organism identified"),
    }
}

impl OrganismClass {
    /// `true` for the bacterial classes.
    pub fn is_bacterial(self) -> bool {
        matches!(
            self,
            Self::GramPositive | Self::GramNegative | Self::BacterialOther
        )
    }

    /// `true` for the fungal classes (invasive fungal infection is reported apart [H1]).
    pub fn is_fungal(self) -> bool {
        matches!(self, Self::Mould | Self::Yeast | Self::FungalOther)
    }
}

vocabulary! {
    /// The organism (domain.md §3.10; CIBMTR's organism code list was not retrieved, so this is
    /// the list of §3.10 plus the common CAR-T pathogens, with an "other" per class).
    pub enum Organism: "organism" {
        StaphylococcusAureus = ("STAPH_AUREUS", "Staphylococcus aureus"),
        CoagulaseNegativeStaph = ("CONS", "Coagulase-negative staphylococcus"),
        Enterococcus = ("ENTEROCOCCUS", "Enterococcus"),
        Streptococcus = ("STREPTOCOCCUS", "Streptococcus"),
        ClostridioidesDifficile = ("C_DIFFICILE", "Clostridioides difficile"),
        OtherGramPositive = ("OTHER_GRAM_POS", "Other gram-positive bacterium (specify)"),
        EscherichiaColi = ("E_COLI", "Escherichia coli"),
        Klebsiella = ("KLEBSIELLA", "Klebsiella"),
        Pseudomonas = ("PSEUDOMONAS", "Pseudomonas aeruginosa"),
        Enterobacter = ("ENTEROBACTER", "Enterobacter"),
        OtherGramNegative = ("OTHER_GRAM_NEG", "Other gram-negative bacterium (specify)"),
        Mycobacterium = ("MYCOBACTERIUM", "Mycobacterium"),
        OtherBacterium = ("OTHER_BACTERIUM", "Other bacterium (specify)"),
        Cmv = ("CMV", "Cytomegalovirus (CMV)"),
        Ebv = ("EBV", "Epstein-Barr virus (EBV)"),
        Hhv6 = ("HHV6", "Human herpesvirus 6 (HHV-6)"),
        Hsv = ("HSV", "Herpes simplex virus"),
        Vzv = ("VZV", "Varicella-zoster virus"),
        Adenovirus = ("ADENOVIRUS", "Adenovirus"),
        BkVirus = ("BK_VIRUS", "BK polyomavirus"),
        JcVirus = ("JC", "JC polyomavirus"),
        Rsv = ("RSV", "Respiratory syncytial virus"),
        Influenza = ("INFLUENZA", "Influenza virus"),
        Parainfluenza = ("PARAINFLUENZA", "Parainfluenza virus"),
        Metapneumovirus = ("HMPV", "Human metapneumovirus"),
        Rhinovirus = ("RHINOVIRUS", "Rhinovirus/enterovirus"),
        /// Report only with a positive PCR or antigen test [S6].
        SarsCov2 = ("SARS_COV_2", "SARS-CoV-2 (COVID-19)"),
        Norovirus = ("NOROVIRUS", "Norovirus"),
        HepatitisB = ("HBV", "Hepatitis B virus"),
        OtherVirus = ("OTHER_VIRUS", "Other virus (specify)"),
        Aspergillus = ("ASPERGILLUS", "Aspergillus"),
        Mucorales = ("MUCORALES", "Mucorales"),
        OtherMould = ("OTHER_MOULD", "Other mould (specify)"),
        Candida = ("CANDIDA", "Candida"),
        Cryptococcus = ("CRYPTOCOCCUS", "Cryptococcus"),
        OtherYeast = ("OTHER_YEAST", "Other yeast (specify)"),
        Pneumocystis = ("PJP", "Pneumocystis jirovecii"),
        Toxoplasma = ("TOXOPLASMA", "Toxoplasma gondii"),
        Strongyloides = ("STRONGYLOIDES", "Strongyloides"),
        OtherParasite = ("OTHER_PARASITE", "Other parasite (specify)"),
        None = ("NONE", "No organism identified"),
    }
}

impl Organism {
    /// The class the organism belongs to.
    pub fn class(self) -> OrganismClass {
        use OrganismClass as C;
        match self {
            Self::StaphylococcusAureus
            | Self::CoagulaseNegativeStaph
            | Self::Enterococcus
            | Self::Streptococcus
            | Self::ClostridioidesDifficile
            | Self::OtherGramPositive => C::GramPositive,
            Self::EscherichiaColi
            | Self::Klebsiella
            | Self::Pseudomonas
            | Self::Enterobacter
            | Self::OtherGramNegative => C::GramNegative,
            Self::Mycobacterium | Self::OtherBacterium => C::BacterialOther,
            Self::Cmv
            | Self::Ebv
            | Self::Hhv6
            | Self::Hsv
            | Self::Vzv
            | Self::Adenovirus
            | Self::BkVirus
            | Self::JcVirus
            | Self::Rsv
            | Self::Influenza
            | Self::Parainfluenza
            | Self::Metapneumovirus
            | Self::Rhinovirus
            | Self::SarsCov2
            | Self::Norovirus
            | Self::HepatitisB
            | Self::OtherVirus => C::Viral,
            Self::Aspergillus | Self::Mucorales | Self::OtherMould => C::Mould,
            Self::Candida | Self::Cryptococcus | Self::OtherYeast => C::Yeast,
            Self::Pneumocystis => C::FungalOther,
            Self::Toxoplasma | Self::Strongyloides | Self::OtherParasite => C::Parasitic,
            Self::None => C::NoOrganism,
        }
    }

    /// The organisms of a class, in form order (for a dependent drop-down).
    pub fn of_class(class: OrganismClass) -> Vec<Self> {
        use crate::domain::vocabulary::Vocabulary;
        Self::ALL
            .iter()
            .copied()
            .filter(|o| o.class() == class)
            .collect()
    }
}

vocabulary! {
    /// Infection site, CIBMTR 4100 list (check all that apply; domain.md §1.2, §4.9, [S3][S6]).
    pub enum InfectionSite: "infection site" {
        Blood = ("BLOOD", "Blood"),
        Bone = ("BONE", "Bone"),
        CentralNervousSystem = ("CNS", "Central nervous system"),
        Eyes = ("EYE", "Eyes"),
        Genital = ("GENITAL", "Genital area"),
        GiLower = ("GI_LOWER", "Gastrointestinal tract, lower"),
        GiUpper = ("GI_UPPER", "Gastrointestinal tract, upper"),
        Joints = ("JOINT", "Joints"),
        LiverSpleen = ("LIVER_SPLEEN", "Liver / spleen"),
        Lung = ("LUNG", "Lung"),
        SinusUpperRespiratory = ("SINUS_UPPER_RESPIRATORY", "Sinus / upper respiratory tract"),
        SkinCellulitis = ("SKIN_CELLULITIS", "Skin, cellulitis"),
        SkinNecrotisingFasciitis = ("SKIN_NECROTISING_FASCIITIS", "Skin, necrotising fasciitis"),
        UrinaryLower = ("URINARY_LOWER", "Urinary tract, lower"),
        UrinaryUpper = ("URINARY_UPPER", "Urinary tract, upper"),
        /// Not on the CIBMTR list (e.g. catheter exit site); specify.
        Other = ("OTHER", "Other site (specify)"),
    }
}

vocabulary! {
    /// Infection severity by CTCAE v5 infection terms (domain.md §4.6, [G5]). A reportable
    /// infection is one that needed treatment [S6], so grade 1 is rare (most CTCAE infection
    /// terms have none); it is kept for the terms that do.
    pub enum InfectionSeverity: "infection severity (CTCAE v5)" {
        G1 = ("G1", "Grade 1: mild, no intervention"),
        G2 = ("G2", "Grade 2: oral antimicrobial treatment"),
        G3 = ("G3", "Grade 3: IV antimicrobials or radiologic/operative intervention"),
        G4 = ("G4", "Grade 4: life-threatening, urgent intervention"),
        G5 = ("G5", "Grade 5: death"),
    }
}

impl InfectionSeverity {
    /// The same grade as a generic CTCAE grade.
    pub fn ctcae_grade(self) -> CtcaeGrade {
        match self {
            Self::G1 => CtcaeGrade::G1,
            Self::G2 => CtcaeGrade::G2,
            Self::G3 => CtcaeGrade::G3,
            Self::G4 => CtcaeGrade::G4,
            Self::G5 => CtcaeGrade::G5,
        }
    }

    /// Life-threatening or fatal (Hill 2018 reports these apart [H1]).
    pub fn is_life_threatening(self) -> bool {
        matches!(self, Self::G4 | Self::G5)
    }
}

vocabulary! {
    /// How an infection ended, as known at the contact date (domain.md §3.10). A fatal infection
    /// is CTCAE grade 5.
    pub enum InfectionOutcome: "infection outcome" {
        Resolved = ("RESOLVED", "Resolved"),
        Ongoing = ("ONGOING", "Ongoing"),
        Fatal = ("FATAL", "Fatal"),
    }
}

/// The input a message about an infection's details belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfectionField {
    Organism,
    OrganismOther,
    Sites,
    SiteOther,
    Hospitalised,
    IcuAdmission,
    Outcome,
    ResolutionDate,
}

impl InfectionField {
    /// The column it is stored in, which names its input (prefixed on the follow-up form).
    pub fn column(self) -> &'static str {
        match self {
            Self::Organism => "organism",
            Self::OrganismOther => "organism_other",
            Self::Sites => "sites",
            Self::SiteOther => "site_other",
            Self::Hospitalised => "hospitalised",
            Self::IcuAdmission => "icu_admission",
            Self::Outcome => "outcome",
            Self::ResolutionDate => "resolution_date",
        }
    }
}

/// What is known of an infection beyond its date and kind (domain.md §3.10), read from a form:
/// the organism (and its name when "other"), the sites (and the name of the other site),
/// hospital and ICU admission (`Y`, `N` or `UNK`), severity, outcome and resolution date.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct InfectionDetails<'a> {
    pub diagnosis_date: Option<NaiveDate>,
    pub class: Option<OrganismClass>,
    pub organism: Option<Organism>,
    pub organism_other: Option<&'a str>,
    pub sites: &'a [InfectionSite],
    pub site_other: Option<&'a str>,
    pub severity: Option<InfectionSeverity>,
    pub hospitalised: Option<&'a str>,
    pub icu_admission: Option<&'a str>,
    pub outcome: Option<InfectionOutcome>,
    pub resolution_date: Option<NaiveDate>,
}

impl Organism {
    /// An "other … (specify)" choice, whose name is typed.
    pub fn needs_name(self) -> bool {
        use crate::domain::vocabulary::Vocabulary;
        self.code().starts_with("OTHER_")
    }
}

impl InfectionDetails<'_> {
    /// What is wrong across the details, each message with the input it belongs beside; empty
    /// when they may be stored.
    pub fn problems(&self) -> Vec<(InfectionField, String)> {
        use InfectionField as F;
        let mut problems = Vec::new();
        if let (Some(organism), Some(class)) = (self.organism, self.class)
            && organism.class() != class
        {
            problems.push((
                F::Organism,
                format!("{organism} is not in the kind chosen ({class}): choose one of its list."),
            ));
        }
        match (
            self.organism.is_some_and(Organism::needs_name),
            self.organism_other,
        ) {
            (true, None) => problems.push((F::OrganismOther, "Name the organism.".to_owned())),
            (false, Some(_)) => problems.push((
                F::OrganismOther,
                "Name an organism only with an \"other\" choice above.".to_owned(),
            )),
            _ => {}
        }
        match (self.sites.contains(&InfectionSite::Other), self.site_other) {
            (true, None) => problems.push((
                F::SiteOther,
                "Name the other site (e.g. catheter exit site).".to_owned(),
            )),
            (false, Some(_)) => problems.push((
                F::SiteOther,
                "Name a site only with \"Other site\" ticked.".to_owned(),
            )),
            _ => {}
        }
        if self.icu_admission == Some("Y") && self.hospitalised != Some("Y") {
            problems.push((
                F::IcuAdmission,
                "An ICU admission is a hospital admission: answer Yes to hospitalised too."
                    .to_owned(),
            ));
        }
        let fatal = self.outcome == Some(InfectionOutcome::Fatal);
        let grade_5 = self.severity == Some(InfectionSeverity::G5);
        if fatal && !grade_5 {
            problems.push((
                F::Outcome,
                "A fatal infection is grade 5: choose grade 5 as its severity.".to_owned(),
            ));
        } else if grade_5 && self.outcome.is_some() && !fatal {
            problems.push((
                F::Outcome,
                "A grade 5 infection is fatal: choose Fatal as its outcome.".to_owned(),
            ));
        }
        if let Some(resolved) = self.resolution_date {
            if self.outcome != Some(InfectionOutcome::Resolved) {
                problems.push((
                    F::ResolutionDate,
                    "A resolution date goes with the outcome Resolved.".to_owned(),
                ));
            } else if let Some(diagnosed) = self.diagnosis_date.filter(|d| resolved < *d) {
                problems.push((
                    F::ResolutionDate,
                    format!("The infection cannot resolve before its diagnosis ({diagnosed})."),
                ));
            }
        }
        problems
    }
}

vocabulary! {
    /// BMT-CTN infection severity, the HCT-registry alternative (domain.md §4.6, [G5]).
    pub enum BmtCtnInfectionSeverity: "infection severity (BMT-CTN)" {
        Mild = ("MILD", "Mild"),
        Moderate = ("MODERATE", "Moderate"),
        Severe = ("SEVERE", "Severe"),
        LifeThreatening = ("LIFE_THREATENING", "Life-threatening"),
        Fatal = ("FATAL", "Fatal"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::Vocabulary;

    #[test]
    fn infection_details_agree_across_organism_admission_grade_and_outcome() {
        use InfectionField as F;
        let d = |day| NaiveDate::from_ymd_opt(2024, 5, day).unwrap();
        let cmv = InfectionDetails {
            diagnosis_date: Some(d(3)),
            class: Some(OrganismClass::Viral),
            organism: Some(Organism::Cmv),
            severity: Some(InfectionSeverity::G3),
            hospitalised: Some("Y"),
            icu_admission: Some("Y"),
            outcome: Some(InfectionOutcome::Resolved),
            resolution_date: Some(d(20)),
            ..Default::default()
        };
        let fields =
            |x: InfectionDetails| -> Vec<F> { x.problems().into_iter().map(|(f, _)| f).collect() };
        assert_eq!(fields(cmv), vec![]);
        assert_eq!(fields(InfectionDetails::default()), vec![]);
        let other = InfectionDetails {
            class: Some(OrganismClass::Viral),
            organism: Some(Organism::OtherVirus),
            organism_other: Some("Parvovirus B19"),
            ..Default::default()
        };
        assert_eq!(fields(other), vec![]);
        let fatal = InfectionDetails {
            severity: Some(InfectionSeverity::G5),
            outcome: Some(InfectionOutcome::Fatal),
            ..Default::default()
        };
        assert_eq!(fields(fatal), vec![]);
        let catheter = InfectionDetails {
            sites: &[InfectionSite::Blood, InfectionSite::Other],
            site_other: Some("Catheter exit site"),
            ..cmv
        };
        assert_eq!(fields(catheter), vec![]);
        for (wrong, expected) in [
            (
                InfectionDetails {
                    class: Some(OrganismClass::GramNegative),
                    ..cmv
                },
                vec![F::Organism],
            ),
            (
                InfectionDetails {
                    organism_other: None,
                    ..other
                },
                vec![F::OrganismOther],
            ),
            (
                InfectionDetails {
                    organism_other: Some("CMV"),
                    ..cmv
                },
                vec![F::OrganismOther],
            ),
            (
                InfectionDetails {
                    site_other: None,
                    ..catheter
                },
                vec![F::SiteOther],
            ),
            (
                InfectionDetails {
                    sites: &[InfectionSite::Blood],
                    ..catheter
                },
                vec![F::SiteOther],
            ),
            (
                InfectionDetails {
                    hospitalised: Some("N"),
                    ..cmv
                },
                vec![F::IcuAdmission],
            ),
            (
                InfectionDetails {
                    outcome: Some(InfectionOutcome::Fatal),
                    resolution_date: None,
                    ..cmv
                },
                vec![F::Outcome],
            ),
            (
                InfectionDetails {
                    outcome: Some(InfectionOutcome::Ongoing),
                    ..fatal
                },
                vec![F::Outcome],
            ),
            (
                InfectionDetails {
                    outcome: Some(InfectionOutcome::Ongoing),
                    ..cmv
                },
                vec![F::ResolutionDate],
            ),
            (
                InfectionDetails {
                    resolution_date: Some(d(2)),
                    ..cmv
                },
                vec![F::ResolutionDate],
            ),
        ] {
            assert_eq!(fields(wrong), expected, "{wrong:?}");
        }
    }

    #[test]
    fn every_class_has_organisms_and_classes_agree() {
        for c in OrganismClass::ALL {
            assert!(!Organism::of_class(*c).is_empty(), "{c:?}");
        }
        assert_eq!(Organism::Aspergillus.class(), OrganismClass::Mould);
        assert_eq!(Organism::Cmv.class(), OrganismClass::Viral);
        assert_eq!(
            Organism::EscherichiaColi.class(),
            OrganismClass::GramNegative
        );
        assert!(Organism::Candida.class().is_fungal());
        assert!(Organism::ClostridioidesDifficile.class().is_bacterial());
        assert_eq!(InfectionSeverity::G3.ctcae_grade(), CtcaeGrade::G3);
    }
}
