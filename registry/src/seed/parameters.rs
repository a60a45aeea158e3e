//! Every figure the demo cohort is drawn from, in one place, each with its source key from
//! `shared/domain.md` §10. `(recall)` marks a figure from general knowledge that no cited source
//! confirmed, exactly as domain.md does; `(assumption)` marks a demo choice with no source.
//!
//! Survival curves are mixture-cure curves `S(t) = plateau + (1 - plateau) * exp(-rate * t)`,
//! calibrated through one published landmark (a median is the landmark `S(median) = 0.5`), as
//! domain.md §7 suggests. The rate is derived, not typed in: see [`CureCurve::rate_per_month`].
//! Nothing here does I/O or draws random numbers.

use chrono::NaiveDate;

/// Days in an average month, for converting the published months into days.
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// The treating centres of the demo registry: code, name, share of patients.
pub const SITES: &[(&str, &str, f64)] = &[
    ("BER", "Berlin University Hospital", 0.22),
    ("LYO", "Lyon Haematology Centre", 0.18),
    ("MIL", "Milan Cancer Institute", 0.17),
    ("MAD", "Madrid Cellular Therapy Unit", 0.15),
    ("AMS", "Amsterdam Medical Centre", 0.14),
    ("STO", "Stockholm Karolinska Unit", 0.14),
];

/// Infusions start when the first product was approved (tisa-cel B-ALL, Aug 2017 [P1]).
pub fn first_infusion_date() -> NaiveDate {
    date(2017, 9, 1)
}

/// Yearly CAR-T volume grows: the infusion date is drawn with density proportional to
/// `GROWTH_INTERCEPT + fraction of the enrolment span elapsed` (assumption: roughly 4x more
/// infusions in the last year than in the first).
pub const GROWTH_INTERCEPT: f64 = 0.3;

/// The disease groups the generator simulates (domain.md §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disease {
    Lbcl,
    Fl,
    Mcl,
    BAll,
    Mm,
}

/// Approved products (domain.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Product {
    TisaCel,
    AxiCel,
    BrexuCel,
    LisoCel,
    IdeCel,
    CiltaCel,
    ObeCel,
}

impl Product {
    /// Costimulatory domain: CD28 products expand fast and persist for months, 4-1BB products
    /// for a year or more [H7] (recall for the contrast).
    pub fn is_cd28(self) -> bool {
        matches!(self, Product::AxiCel | Product::BrexuCel)
    }

    /// BCMA-directed (myeloma); the others are CD19-directed [P1].
    pub fn is_bcma(self) -> bool {
        matches!(self, Product::IdeCel | Product::CiltaCel)
    }
}

/// How the dose is expressed, with the trial dose (domain.md §5 [P2][P3c][P5][P6][P7]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dose {
    /// CAR+ viable T cells per kg body weight: (target, low, high), in 10^6 cells/kg.
    PerKg(f64, f64, f64),
    /// Flat dose: (target, low, high), in 10^6 CAR+ T cells.
    Flat(f64, f64, f64),
}

/// Lymphodepletion regimen: (fludarabine mg/m2/day, cyclophosphamide mg/m2/day, days, first
/// day relative to Day 0). Bendamustine is the JULIET alternative [P3c].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lymphodepletion {
    FluCy {
        flu: u32,
        cy: u32,
        days: i64,
        start: i64,
    },
    Bendamustine {
        dose: u32,
        days: i64,
        start: i64,
    },
}

/// `S(t) = plateau + (1 - plateau) exp(-rate t)` through `S(landmark_months) = survival`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CureCurve {
    /// Long-term fraction never having the event (the cure fraction).
    pub plateau: f64,
    /// The published landmark the curve passes through, in months.
    pub landmark_months: f64,
    /// Survival at the landmark (0.5 for a median).
    pub survival: f64,
}

impl CureCurve {
    /// A curve through a published median.
    pub const fn median(plateau: f64, median_months: f64) -> Self {
        Self {
            plateau,
            landmark_months: median_months,
            survival: 0.5,
        }
    }

    /// A curve through a published landmark rate.
    pub const fn landmark(plateau: f64, months: f64, survival: f64) -> Self {
        Self {
            plateau,
            landmark_months: months,
            survival,
        }
    }

    /// The exponential rate of the uncured, solved from the landmark.
    pub fn rate_per_month(&self) -> f64 {
        ((1.0 - self.plateau) / (self.survival - self.plateau)).ln() / self.landmark_months
    }

    /// S(t) at `months`.
    pub fn survival_at(&self, months: f64) -> f64 {
        self.plateau + (1.0 - self.plateau) * (-self.rate_per_month() * months).exp()
    }

    /// The time (months) at which S falls to `u`, or `None` when `u` lies in the cured fraction.
    pub fn quantile_months(&self, u: f64) -> Option<f64> {
        if u <= self.plateau {
            return None;
        }
        let fraction = ((u - self.plateau) / (1.0 - self.plateau)).clamp(f64::MIN_POSITIVE, 1.0);
        Some(-fraction.ln() / self.rate_per_month())
    }
}

/// Toxicity rates per patient infused: any grade and grade >= 3 (ASTCT), onset median day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Toxicity {
    pub any: f64,
    pub grade3_plus: f64,
    pub onset_median_day: f64,
    pub duration_median_days: f64,
}

/// Everything the generator needs to know about one (disease, product) indication.
#[derive(Debug, Clone, PartialEq)]
pub struct Indication {
    pub disease: Disease,
    pub product: Product,
    /// Share of this indication in the cohort once approved (assumption: a European centre mix,
    /// LBCL the majority, then myeloma, B-ALL, MCL, FL).
    pub weight: f64,
    /// US approval for this indication (domain.md §5 gives the year; the day is recall).
    pub approved: NaiveDate,
    /// Source key(s) for the efficacy figures.
    pub source: &'static str,
    /// Overall response rate (lymphoma CR+PR, myeloma >=PR, B-ALL CR+CRi), of infused.
    pub orr: f64,
    /// CR rate (lymphoma CR, myeloma >=CR, B-ALL CR without CRi), of infused.
    pub cr: f64,
    /// PFS (lymphoma, myeloma) or EFS (B-ALL).
    pub pfs: CureCurve,
    pub os: CureCurve,
    /// Published overall survival at 12 months, the test target (see [`one_year_os_target`]).
    pub os_12_months: Option<f64>,
    /// Share of all infused patients whose death is non-relapse mortality.
    pub nrm: f64,
    pub crs: Toxicity,
    pub icans: Toxicity,
    pub dose: Dose,
    /// Median vein-to-vein time (apheresis to infusion), days (recall: ~4-7 weeks).
    pub vein_to_vein_days: f64,
    /// Age at infusion: (mean, sd, min, max) in years.
    pub age: (f64, f64, f64, f64),
    /// Prior lines of therapy: (min, max).
    pub prior_lines: (u32, u32),
    /// Months the CAR-T cells stay detectable by qPCR (median), and B-cell aplasia likewise.
    pub persistence_median_months: f64,
}

/// The indications simulated. Figures per row cite their source; "(recall)" figures follow
/// domain.md's caveat.
pub fn indications() -> Vec<Indication> {
    vec![
        // ZUMA-1 [P2]: ORR/CR 83/58 long-term; mPFS 5.9 mo, 5-y PFS 31.8%; mOS 25.8 mo,
        // 5-y OS 42.6%; G>=3 CRS 13%, G>=3 neuro 28%; NRM ~6% at 12 mo (DRST [P11]).
        // Any-grade CRS 93%, ICANS 64%, onset day 2 / 5 (recall).
        Indication {
            disease: Disease::Lbcl,
            product: Product::AxiCel,
            weight: 0.26,
            approved: date(2017, 10, 18),
            source: "P2",
            orr: 0.83,
            cr: 0.58,
            pfs: CureCurve::median(0.30, 5.9),
            os: CureCurve::median(0.40, 25.8),
            os_12_months: None,
            nrm: 0.06,
            crs: tox(0.93, 0.13, 2.0, 7.0),
            icans: tox(0.64, 0.28, 5.0, 6.0),
            dose: Dose::PerKg(2.0, 1.6, 2.2),
            vein_to_vein_days: 28.0,
            age: (60.0, 11.0, 19.0, 84.0),
            prior_lines: (2, 5),
            persistence_median_months: 6.0,
        },
        // JULIET [P4]: ORR/CR 53/39; mOS 11.1 mo, 5-y OS 31.7%; 5-y PFS 28% (mPFS 2.9 mo
        // recall); G3/4 CRS 22% (Penn), neuro G>=3 12%. Any-grade CRS 58%, neuro 21% (recall).
        Indication {
            disease: Disease::Lbcl,
            product: Product::TisaCel,
            weight: 0.12,
            approved: date(2018, 5, 1),
            source: "P4",
            orr: 0.53,
            cr: 0.39,
            pfs: CureCurve::median(0.27, 2.9),
            os: CureCurve::median(0.30, 11.1),
            os_12_months: None,
            nrm: 0.05,
            crs: tox(0.58, 0.22, 3.0, 7.0),
            icans: tox(0.21, 0.12, 6.0, 5.0),
            dose: Dose::Flat(300.0, 100.0, 500.0),
            vein_to_vein_days: 45.0,
            age: (58.0, 12.0, 19.0, 82.0),
            prior_lines: (2, 6),
            persistence_median_months: 18.0,
        },
        // TRANSCEND [P3]: ORR/CR 73/53; CRS 42% (G>=3 2%), neuro 30% (G>=3 10%);
        // mPFS 6.8 / mOS 21.1 mo (recall); 2-y PFS plateau ~40% (recall).
        Indication {
            disease: Disease::Lbcl,
            product: Product::LisoCel,
            weight: 0.14,
            approved: date(2021, 2, 5),
            source: "P3",
            orr: 0.73,
            cr: 0.53,
            pfs: CureCurve::median(0.38, 6.8),
            os: CureCurve::median(0.42, 21.1),
            os_12_months: None,
            nrm: 0.04,
            crs: tox(0.42, 0.02, 5.0, 5.0),
            icans: tox(0.30, 0.10, 8.0, 6.0),
            dose: Dose::Flat(100.0, 90.0, 110.0),
            vein_to_vein_days: 35.0,
            age: (62.0, 11.0, 19.0, 86.0),
            prior_lines: (1, 5),
            persistence_median_months: 12.0,
        },
        // ZUMA-5 axi-cel FL (recall: ORR 94% / CR 79%, 3-y PFS ~54%, 3-y OS ~76%, CRS 78%
        // G>=3 6%, neuro 56% G>=3 15%). Approved 2021 [P1].
        Indication {
            disease: Disease::Fl,
            product: Product::AxiCel,
            weight: 0.04,
            approved: date(2021, 3, 5),
            source: "P1 (figures recall)",
            orr: 0.94,
            cr: 0.79,
            pfs: CureCurve::landmark(0.45, 36.0, 0.54),
            os: CureCurve::landmark(0.68, 36.0, 0.76),
            os_12_months: None,
            nrm: 0.03,
            crs: tox(0.78, 0.06, 4.0, 6.0),
            icans: tox(0.56, 0.15, 7.0, 6.0),
            dose: Dose::PerKg(2.0, 1.6, 2.2),
            vein_to_vein_days: 28.0,
            age: (61.0, 10.0, 30.0, 84.0),
            prior_lines: (2, 6),
            persistence_median_months: 6.0,
        },
        // ELARA tisa-cel FL (recall: ORR 86% / CR 69%, CRS 49% G>=3 0-1%, ICANS 4%).
        Indication {
            disease: Disease::Fl,
            product: Product::TisaCel,
            weight: 0.02,
            approved: date(2022, 5, 27),
            source: "P1 (figures recall)",
            orr: 0.86,
            cr: 0.69,
            pfs: CureCurve::landmark(0.45, 24.0, 0.57),
            os: CureCurve::landmark(0.70, 24.0, 0.88),
            os_12_months: None,
            nrm: 0.02,
            crs: tox(0.49, 0.01, 4.0, 5.0),
            icans: tox(0.04, 0.01, 8.0, 4.0),
            dose: Dose::Flat(300.0, 100.0, 500.0),
            vein_to_vein_days: 45.0,
            age: (57.0, 10.0, 30.0, 82.0),
            prior_lines: (2, 7),
            persistence_median_months: 18.0,
        },
        // ZUMA-2 [P7]: ORR/CR 87/62 primary (3-y 91/68); mPFS 25.8 mo; mOS 46.6 mo.
        // Toxicity not in [P7]: CRS 91% G>=3 15%, neuro 63% G>=3 31% (recall).
        Indication {
            disease: Disease::Mcl,
            product: Product::BrexuCel,
            weight: 0.07,
            approved: date(2020, 7, 24),
            source: "P7",
            orr: 0.87,
            cr: 0.62,
            pfs: CureCurve::median(0.25, 25.8),
            os: CureCurve::median(0.35, 46.6),
            os_12_months: None,
            nrm: 0.06,
            crs: tox(0.91, 0.15, 2.0, 8.0),
            icans: tox(0.63, 0.31, 7.0, 7.0),
            dose: Dose::PerKg(2.0, 1.6, 2.2),
            vein_to_vein_days: 28.0,
            age: (65.0, 9.0, 38.0, 84.0),
            prior_lines: (2, 5),
            persistence_median_months: 6.0,
        },
        // ELIANA [P5]: ORR 82% (CR+CRi; CR 60% recall), mEFS 24 mo, 3-y EFS 44%, 3-y OS 63%;
        // CIBMTR real world [P12]: 12-mo OS 77.2%, G>=3 CRS 11.6%, neuro 7.5%.
        // Any-grade CRS 55%, ICANS 25% (recall).
        Indication {
            disease: Disease::BAll,
            product: Product::TisaCel,
            weight: 0.06,
            approved: date(2017, 8, 30),
            source: "P5, P12",
            orr: 0.82,
            cr: 0.60,
            pfs: CureCurve::median(0.40, 24.0),
            os: CureCurve::landmark(0.60, 36.0, 0.63),
            os_12_months: Some(0.772),
            nrm: 0.05,
            crs: tox(0.55, 0.116, 3.0, 8.0),
            icans: tox(0.25, 0.075, 6.0, 5.0),
            dose: Dose::PerKg(3.0, 0.2, 5.4),
            vein_to_vein_days: 40.0,
            age: (12.0, 6.0, 1.0, 25.0),
            prior_lines: (1, 4),
            persistence_median_months: 16.0,
        },
        // ZUMA-3 brexu-cel adult B-ALL (recall: CR+CRi 71%, CR 56%, mOS 25.4 mo, mRFS 11.6 mo,
        // CRS 89% G>=3 24%, neuro 60% G>=3 25%). Approved 2021 [P1].
        Indication {
            disease: Disease::BAll,
            product: Product::BrexuCel,
            weight: 0.03,
            approved: date(2021, 10, 1),
            source: "P1 (figures recall)",
            orr: 0.71,
            cr: 0.56,
            pfs: CureCurve::median(0.25, 11.6),
            os: CureCurve::median(0.35, 25.4),
            os_12_months: None,
            nrm: 0.08,
            crs: tox(0.89, 0.24, 5.0, 7.0),
            icans: tox(0.60, 0.25, 7.0, 7.0),
            dose: Dose::PerKg(1.0, 0.8, 1.1),
            vein_to_vein_days: 28.0,
            age: (42.0, 14.0, 18.0, 78.0),
            prior_lines: (2, 5),
            persistence_median_months: 6.0,
        },
        // FELIX [P9]: overall remission 77% (CR 55%, CRi 21%), mDOR 14.1 mo; CRS 75% (G3 3%),
        // ICANS 24% (G>=3 7%). mEFS 11.9 mo, mOS 15.6 mo (recall).
        Indication {
            disease: Disease::BAll,
            product: Product::ObeCel,
            weight: 0.03,
            approved: date(2024, 11, 8),
            source: "P9",
            orr: 0.77,
            cr: 0.55,
            pfs: CureCurve::median(0.35, 11.9),
            os: CureCurve::median(0.38, 15.6),
            os_12_months: None,
            nrm: 0.08,
            crs: tox(0.75, 0.03, 8.0, 5.0),
            icans: tox(0.24, 0.07, 9.0, 6.0),
            dose: Dose::Flat(410.0, 300.0, 450.0),
            vein_to_vein_days: 35.0,
            age: (45.0, 15.0, 18.0, 80.0),
            prior_lines: (2, 5),
            persistence_median_months: 18.0,
        },
        // KarMMa [P6]: ORR 73%, >=CR 33%; mPFS 8.8 mo; mOS 24.8 mo; CRS 84% (G>=3 5%), neuro
        // 18% (G3 3%); CRS onset median day 1 [P6]. Myeloma has no real plateau (domain.md §7).
        Indication {
            disease: Disease::Mm,
            product: Product::IdeCel,
            weight: 0.09,
            approved: date(2021, 3, 26),
            source: "P6",
            orr: 0.73,
            cr: 0.33,
            pfs: CureCurve::median(0.04, 8.8),
            os: CureCurve::median(0.10, 24.8),
            os_12_months: None,
            nrm: 0.06,
            crs: tox(0.84, 0.05, 1.0, 5.0),
            icans: tox(0.18, 0.03, 2.0, 3.0),
            dose: Dose::Flat(400.0, 150.0, 450.0),
            vein_to_vein_days: 33.0,
            age: (61.0, 9.0, 33.0, 82.0),
            prior_lines: (4, 8),
            persistence_median_months: 5.0,
        },
        // CARTITUDE-1 [P8]: ORR 97.9%, sCR 82.5%; 2-y PFS 60.5%, 33% progression-free >= 5 y;
        // mOS 60.7 mo; CRS 95% (G3-4 4%); CRS onset median day 7 [P6]. Standard of care [P8]:
        // NRM 10% (infection), ICANS 14%, delayed neurotoxicity 10%.
        Indication {
            disease: Disease::Mm,
            product: Product::CiltaCel,
            weight: 0.14,
            approved: date(2022, 2, 28),
            source: "P8",
            orr: 0.979,
            cr: 0.825,
            pfs: CureCurve::landmark(0.30, 24.0, 0.605),
            os: CureCurve::median(0.30, 60.7),
            os_12_months: None,
            nrm: 0.10,
            crs: tox(0.95, 0.04, 7.0, 4.0),
            icans: tox(0.14, 0.02, 8.0, 4.0),
            dose: Dose::PerKg(0.75, 0.5, 1.0),
            vein_to_vein_days: 45.0,
            age: (62.0, 9.0, 36.0, 82.0),
            prior_lines: (3, 8),
            persistence_median_months: 4.0,
        },
    ]
}

/// The 1-year overall survival the cohort should show for `indication`: the published 12-month
/// figure when there is one, else the value of the calibrated OS curve at 12 months (which is
/// itself fitted to the published median or landmark).
pub fn one_year_os_target(indication: &Indication) -> f64 {
    indication
        .os_12_months
        .unwrap_or_else(|| indication.os.survival_at(12.0))
}

/// CRS/ICANS grade split: given grade >= 3, share of grade 4 (assumption, ASTCT trials show
/// grade 3 as the bulk). Given grade 1-2, share of grade 2.
pub const SEVERE_TOX_GRADE4_SHARE: f64 = 0.2;
pub const MILD_TOX_GRADE2_SHARE: f64 = 0.45;
/// ICANS usually follows CRS by a few days; ICANS without CRS is rare (recall): its rate in
/// patients without CRS is this fraction of the product's overall ICANS rate.
pub const ICANS_WITHOUT_CRS_RATIO: f64 = 0.2;
/// Delayed (non-ICANS) neurotoxicity after cilta-cel: 10% in standard of care [P8].
pub const CILTA_DELAYED_NEUROTOX: f64 = 0.10;
/// Immune effector cell-associated HLH-like syndrome (IEC-HS): rare (recall: ~1-3%).
pub const IEC_HS: f64 = 0.015;

/// Early ICAHT (EHA/EBMT 2023 [G6], onset by day 30): neutropenia (ANC <= 500/µL) after
/// lymphodepletion and CAR-T is near universal, so most patients have at least grade 1 (recall:
/// ~80-90%); grade >= 3 (ANC <= 500 for 14 days or more) in roughly a fifth to a third, more
/// after B-ALL, MCL (brexu-cel) and myeloma (BCMA) than after LBCL (recall), and more after
/// grade >= 3 CRS (recall: inflammation is a risk factor in CAR-HEMATOTOX; the factor is an
/// assumption). Given grade >= 3, grade 4 (>= 30 days) in a third; given 1-2, grade 2 in 45%
/// (assumption).
pub const EARLY_ICAHT_ANY: f64 = 0.85;
pub fn early_icaht_severe(disease: Disease) -> f64 {
    match disease {
        Disease::Lbcl => 0.22,
        Disease::Fl => 0.15,
        Disease::Mcl => 0.30,
        Disease::BAll => 0.35,
        Disease::Mm => 0.28,
    }
}
pub const EARLY_ICAHT_SEVERE_CRS_FACTOR: f64 = 1.5;
pub const ICAHT_GRADE4_SHARE: f64 = 0.3;
pub const ICAHT_GRADE2_SHARE: f64 = 0.45;
/// Late ICAHT (onset after day 30, graded by the ANC nadir [G6]): a second fall or a slow
/// recovery, more often after severe early ICAHT (the "aplastic" course) (recall; magnitudes
/// assumption). Grades 1-4 in these shares (assumption).
pub const LATE_ICAHT: f64 = 0.15;
pub const LATE_ICAHT_AFTER_SEVERE_EARLY: f64 = 0.45;
pub const LATE_ICAHT_GRADES: [f64; 4] = [0.35, 0.30, 0.25, 0.10];
/// ANC ceilings (10^9/L) while ICAHT lasts: early ICAHT is ANC <= 0.5 (<= 0.1 counts towards
/// grade 4); late ICAHT grade 1-4 is ANC <= 1.5, 1.0, 0.5, 0.1 [G6] (domain.md §4.7, recall).
pub const EARLY_ICAHT_ANC: f64 = 0.5;
pub const LATE_ICAHT_ANC: [f64; 4] = [1.5, 1.0, 0.5, 0.1];
/// G-CSF given for ICAHT by grade 1-4 (recall: standard for prolonged neutropenia, often
/// withheld during CRS; shares assumption), and a CD34+ stem-cell boost for a share of grade 4
/// (recall: where stored autologous cells exist; assumption).
pub const ICAHT_G_CSF: [f64; 4] = [0.15, 0.5, 0.85, 0.95];
pub const ICAHT_STEM_CELL_BOOST: f64 = 0.3;
/// Tumour lysis syndrome after CAR-T: rare (recall: ~1%), more with a high tumour burden
/// (B-ALL, MCL: ~3%, recall). CTCAE v5 has grades 3-5 only; grade 4 in 15% (assumption);
/// rasburicase for most (recall).
pub fn tls(disease: Disease) -> f64 {
    match disease {
        Disease::BAll | Disease::Mcl => 0.03,
        Disease::Lbcl => 0.01,
        Disease::Fl | Disease::Mm => 0.005,
    }
}
pub const TLS_GRADE4_SHARE: f64 = 0.15;
pub const TLS_RASBURICASE: f64 = 0.9;
/// Share of patients with a low native IgG (< [`IGG_REPLACEMENT_THRESHOLD`]) after Day 0 whose
/// hypogammaglobulinaemia is also recorded as a toxicity (assumption: many centres record the
/// laboratory value only). CTCAE-style grade: 1 without replacement, 2 with, 3 when replacement
/// followed serious infection.
pub const HYPOGAMMA_RECORDED: f64 = 0.6;
/// Relapse detection beyond the first method (check all that apply; domain.md §4.10 [S17]):
/// the chance each further method also showed the relapse, by disease (recall: B-ALL relapses
/// are confirmed in marrow by flow and molecular MRD, often with cytogenetics; lymphoma by
/// imaging and clinically; myeloma by serum markers, imaging and marrow; shares assumption).
pub fn relapse_other_methods(disease: Disease) -> [f64; 5] {
    // Molecular, flow, cytogenetic/FISH, radiological, clinical/haematological.
    match disease {
        Disease::BAll => [0.5, 0.6, 0.25, 0.05, 0.35],
        Disease::Mm => [0.05, 0.2, 0.2, 0.35, 0.0],
        Disease::Lbcl | Disease::Fl | Disease::Mcl => [0.03, 0.08, 0.05, 0.7, 0.35],
    }
}

/// Infection densities per 100 patient-days at risk, by period since Day 0 (inclusive end).
/// Days 0-28: 1.19 and 29-90: 0.67 (Hill 2018 [H1]); 91-365: late viral infections 0.91 per
/// person-year in durable CR [H3] = 0.25 per 100 days; after a year (assumption) 0.10.
pub const INFECTION_DENSITY: &[(i64, i64, f64)] = &[
    (0, 28, 1.19),
    (29, 90, 0.67),
    (91, 365, 0.25),
    (366, i64::MAX, 0.10),
];
/// Relative infection rate for B-ALL and after grade >= 3 CRS (risk factors in [H1];
/// magnitudes assumption).
pub const INFECTION_RR_ALL: f64 = 1.4;
pub const INFECTION_RR_SEVERE_CRS: f64 = 1.6;
/// Organism class by period: (bacterial, viral, fungal) shares; early infections mostly
/// bacterial, later mostly viral [H1][H3]; invasive fungal ~5% [H1].
pub const ORGANISM_MIX_EARLY: (f64, f64, f64) = (0.55, 0.38, 0.07);
pub const ORGANISM_MIX_LATE: (f64, f64, f64) = (0.30, 0.65, 0.05);
/// Hospitalised for the infection (assumption).
pub const INFECTION_HOSPITALISED: f64 = 0.35;

/// IgG (mg/dL): pre-infusion mean (sd) for lymphoma/ALL and for myeloma (suppressed polyclonal
/// IgG), the nadir factor during B-cell aplasia, threshold for replacement (<400 [H4]).
pub const IGG_BASELINE: (f64, f64) = (720.0, 220.0);
pub const IGG_BASELINE_MYELOMA: (f64, f64) = (420.0, 150.0);
pub const IGG_APLASIA_FACTOR: f64 = 0.55;
pub const IGG_REPLACEMENT_THRESHOLD: f64 = 400.0;
/// Share of patients under the threshold who start IVIG/SCIG (Hill: consider if <= 400 [H4];
/// uptake is an assumption) and the IVIG-to-SCIG split.
pub const IGRT_UPTAKE: f64 = 0.55;
pub const IGRT_SCIG_SHARE: f64 = 0.25;

/// Secondary primary malignancy, per patient-year (SOC cilta-cel 5.5% overall [P8]; lymphoma
/// assumption) and the mix of types: T-cell malignancies rare [F4].
pub const NEW_MALIGNANCY_PER_YEAR: f64 = 0.012;
pub const NEW_MALIGNANCY_PER_YEAR_MYELOMA: f64 = 0.02;
pub const NEW_MALIGNANCY_T_CELL_SHARE: f64 = 0.03;

/// Loss to follow-up, withdrawal and transfer, per person-year after Day 100 (assumption).
pub const LOST_PER_YEAR: f64 = 0.012;
pub const WITHDRAWN_PER_YEAR: f64 = 0.004;
pub const TRANSFERRED_PER_YEAR: f64 = 0.005;

/// Share of due follow-ups never done (missed) and of recent ones not yet entered (overdue)
/// (assumption).
pub const FOLLOWUP_MISSED: f64 = 0.03;
pub const FOLLOWUP_NOT_YET_ENTERED: f64 = 0.35;
/// Share of coded answers left as a missing-data code (UNK/ND) (assumption).
pub const MISSING_CODE: f64 = 0.03;
/// Share of dates marked estimated (assumption).
pub const DATE_ESTIMATED: f64 = 0.02;

/// Manufacturing failure: apheresed but never infused (recall: 1-7% in the pivotal trials).
pub const MANUFACTURING_FAILURE: f64 = 0.02;
/// Bridging therapy between apheresis and lymphodepletion (recall: 50-70% real world).
pub const BRIDGING: f64 = 0.6;

/// Background (non-disease) mortality of long-term survivors, per year (assumption).
pub const BACKGROUND_MORTALITY_PER_YEAR: f64 = 0.01;

fn tox(any: f64, grade3_plus: f64, onset: f64, duration: f64) -> Toxicity {
    Toxicity {
        any,
        grade3_plus,
        onset_median_day: onset,
        duration_median_days: duration,
    }
}

/// A calendar date from literals known to be valid.
pub(crate) fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cure_curves_pass_through_their_landmarks() {
        for ind in indications() {
            for curve in [ind.pfs, ind.os] {
                let s = curve.survival_at(curve.landmark_months);
                assert!((s - curve.survival).abs() < 1e-9, "{:?}", ind.product);
                assert!(curve.rate_per_month() > 0.0);
            }
            // OS above PFS everywhere, so a patient's death never precedes their progression.
            for month in 1..=180 {
                let m = f64::from(month);
                assert!(
                    ind.os.survival_at(m) >= ind.pfs.survival_at(m),
                    "{ind:?} {m}"
                );
            }
            assert!(ind.cr <= ind.orr);
        }
    }

    #[test]
    fn site_shares_sum_to_one() {
        let total: f64 = SITES.iter().map(|s| s.2).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
}
