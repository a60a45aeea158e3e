//! Infections: organism class, organism (each knowing its class), CIBMTR infection sites, and
//! severity by CTCAE v5 or BMT-CTN (domain.md §3.10, §4.6, §4.9). Infection density by period
//! is an analytics concern, not here.

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
