//! `/patients/{id}/treatments/new`: record the indication (if none yet), the CAR-T course and
//! its first infusion (Day 0) in one form. Dates must follow the journey (domain.md §9):
//! diagnosis ≤ apheresis ≤ lymphodepletion start ≤ infusion ≤ today, never after death, and a
//! new course's infusion after the patient's latest earlier infusion. The product is a listed
//! one or an investigational product named with its target antigen (OTHER: specify) and its
//! trial (domain.md §3.3). `infusion.rs`: a re-infusion within a course.

pub mod create;
pub mod infusion;
pub mod new;

use chrono::NaiveDate;

use crate::domain::{
    diagnosis::{Disease, PriorTransplant},
    product::{LymphodepletionRegimen, Product, ProductClass, TargetAntigen},
    vocabulary::Vocabulary,
};
use crate::web::{
    form::{Field, SelectOption, chosen, options},
    layout::Layout,
    routes::patients::{diagnosis::parse_disease, new::parse_date},
};

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct TreatmentForm {
    /// False when the patient already has a diagnosis (the newest is used).
    pub needs_diagnosis: bool,
    pub disease: Field,
    /// The disease's name when it is "Other disease (specify)".
    pub disease_other: Field,
    pub diagnosis_date: Field,
    pub prior_hct: Field,
    pub product: Field,
    pub investigational_product_name: Field,
    pub investigational_target: Field,
    pub investigational_target_other: Field,
    pub trial_id: Field,
    pub product_class: Field,
    pub apheresis_date: Field,
    pub lymphodepletion_regimen: Field,
    pub lymphodepletion_start_date: Field,
    pub infusion_date: Field,
}

/// An investigational product: its name, the antigen it targets, and its trial.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestigationalProduct {
    pub name: String,
    pub target: InvestigationalTarget,
    pub trial_id: Option<String>,
}

/// The target of an investigational product: a listed antigen, or another one named.
#[derive(Debug, Clone, PartialEq)]
pub enum InvestigationalTarget {
    Listed(TargetAntigen),
    Other(String),
}

impl InvestigationalTarget {
    /// The stored code (`OTHER` for a named one).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Listed(t) => t.code(),
            Self::Other(_) => TargetAntigen::Other.code(),
        }
    }

    /// The named antigen of `OTHER`.
    pub fn other(&self) -> Option<&str> {
        match self {
            Self::Listed(_) => None,
            Self::Other(name) => Some(name),
        }
    }
}

/// The product of a course: a listed product, or an investigational one with its details.
#[derive(Debug, Clone, PartialEq)]
pub enum ProductChoice {
    Listed(Product),
    Investigational(InvestigationalProduct),
}

impl ProductChoice {
    /// The stored product code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Listed(p) => p.code(),
            Self::Investigational(_) => Product::Investigational.code(),
        }
    }

    /// The investigational details, if any.
    pub fn investigational(&self) -> Option<&InvestigationalProduct> {
        match self {
            Self::Listed(_) => None,
            Self::Investigational(i) => Some(i),
        }
    }
}

/// What the form's dates are checked against, read from the patient's record.
#[derive(Debug, Clone, Copy, Default)]
pub struct TreatmentHistory {
    /// The date of the diagnosis used when the form asks for none.
    pub existing_diagnosis: Option<NaiveDate>,
    /// The patient's latest infusion so far (of any course): a new course comes after it.
    pub last_infusion: Option<NaiveDate>,
    /// The recorded death: no infusion after it.
    pub death: Option<NaiveDate>,
}

/// A new indication recorded with the treatment.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDiagnosis {
    pub disease: Disease,
    /// The name of an "Other disease (specify)"; `None` for a listed disease.
    pub disease_other: Option<String>,
    pub date: NaiveDate,
    pub prior_hct: PriorTransplant,
}

/// A validated treatment.
#[derive(Debug, Clone)]
pub struct TreatmentInput {
    pub diagnosis: Option<NewDiagnosis>,
    pub product: ProductChoice,
    pub product_class: ProductClass,
    pub apheresis_date: NaiveDate,
    pub lymphodepletion: LymphodepletionRegimen,
    pub lymphodepletion_start: Option<NaiveDate>,
    pub infusion_date: NaiveDate,
}

/// Checks an infusion date against death and today's rules shared by a first infusion and a
/// re-infusion: never after the recorded death.
pub fn check_not_after_death(field: &mut Field, date: Option<NaiveDate>, death: Option<NaiveDate>) {
    if let (Some(d), Some(death)) = (date, death)
        && d > death
    {
        field.fail(format!(
            "The patient died on {death}: no infusion after death."
        ));
    }
}

impl TreatmentForm {
    /// Validates every field and the order of the dates against the patient's history.
    pub fn validate(
        &mut self,
        history: TreatmentHistory,
        today: NaiveDate,
    ) -> Option<TreatmentInput> {
        let existing_diagnosis = history.existing_diagnosis;
        let diagnosis = if self.needs_diagnosis {
            // The correction form's rule, so both forms accept the same diseases.
            let disease = parse_disease(&mut self.disease, &mut self.disease_other);
            let date = parse_date(&mut self.diagnosis_date, true, today);
            let hct = chosen::<PriorTransplant>(
                &mut self.prior_hct,
                true,
                "Choose the prior transplant.",
            );
            match (disease, date, hct) {
                (Some((disease, disease_other)), Some(date), Some(prior_hct)) => {
                    Some(NewDiagnosis {
                        disease,
                        disease_other,
                        date,
                        prior_hct,
                    })
                }
                _ => None,
            }
        } else {
            None
        };
        let diagnosed = diagnosis.as_ref().map(|d| d.date).or(existing_diagnosis);
        let product = chosen::<Product>(&mut self.product, true, "Choose the product.");
        let class = chosen::<ProductClass>(
            &mut self.product_class,
            true,
            "Choose commercial, out of specification, or investigational.",
        );
        let choice = self.product_choice(product, class);
        let apheresis = parse_date(&mut self.apheresis_date, true, today);
        let regimen = chosen::<LymphodepletionRegimen>(
            &mut self.lymphodepletion_regimen,
            true,
            "Choose the lymphodepletion regimen.",
        );
        let ld_start = parse_date(&mut self.lymphodepletion_start_date, false, today);
        if regimen == Some(LymphodepletionRegimen::None) && ld_start.is_some() {
            self.lymphodepletion_start_date
                .fail("No lymphodepletion was given: leave its date blank.");
        }
        let infusion = parse_date(&mut self.infusion_date, true, today);
        // The journey's order, each message beside the later date.
        if let (Some(d), Some(a)) = (diagnosed, apheresis)
            && a < d
        {
            self.apheresis_date
                .fail(format!("Apheresis cannot precede the diagnosis ({d})."));
        }
        if let (Some(a), Some(l)) = (apheresis, ld_start)
            && l < a
        {
            self.lymphodepletion_start_date
                .fail("Lymphodepletion cannot start before apheresis.");
        }
        if let (Some(a), Some(i)) = (apheresis, infusion)
            && i < a
        {
            self.infusion_date
                .fail("The infusion cannot precede apheresis.");
        }
        if let (Some(l), Some(i)) = (ld_start, infusion)
            && i < l
        {
            self.infusion_date
                .fail("The infusion cannot precede the start of lymphodepletion.");
        }
        if let (Some(last), Some(i)) = (history.last_infusion, infusion)
            && i <= last
        {
            self.infusion_date.fail(format!(
                "A new course follows the patient's latest infusion ({last}); a re-infusion of the same course is recorded from the course."
            ));
        }
        check_not_after_death(&mut self.infusion_date, infusion, history.death);
        if self.fields().iter().any(|f| f.error.is_some()) {
            return None;
        }
        Some(TreatmentInput {
            diagnosis,
            product: choice?,
            product_class: class?,
            apheresis_date: apheresis?,
            lymphodepletion: regimen?,
            lymphodepletion_start: ld_start,
            infusion_date: infusion?,
        })
    }

    /// The product with its investigational details: name, target (OTHER: specify) and trial
    /// are asked for an investigational product, and refused for a listed one; an
    /// investigational product is supplied as investigational.
    fn product_choice(
        &mut self,
        product: Option<Product>,
        class: Option<ProductClass>,
    ) -> Option<ProductChoice> {
        let name = self.investigational_product_name.optional();
        let trial_id = self.trial_id.optional();
        let other = self.investigational_target_other.optional();
        match product {
            Some(Product::Investigational) => {
                if class.is_some_and(|c| c != ProductClass::Investigational) {
                    self.product_class
                        .fail("An investigational product is supplied as investigational (clinical trial).");
                }
                if name.is_none() {
                    self.investigational_product_name
                        .fail("Name the investigational product.");
                }
                let target = chosen::<TargetAntigen>(
                    &mut self.investigational_target,
                    true,
                    "Choose the antigen the product targets.",
                );
                let target = match (target, other) {
                    (Some(TargetAntigen::Other), Some(o)) => Some(InvestigationalTarget::Other(o)),
                    (Some(TargetAntigen::Other), None) => {
                        self.investigational_target_other
                            .fail("Name the target antigen (e.g. CD22).");
                        None
                    }
                    (Some(t), None) => Some(InvestigationalTarget::Listed(t)),
                    (Some(_), Some(_)) => {
                        self.investigational_target_other
                            .fail("Only for another antigen: clear it or choose Other.");
                        None
                    }
                    (None, _) => None,
                };
                Some(ProductChoice::Investigational(InvestigationalProduct {
                    name: name?,
                    target: target?,
                    trial_id,
                }))
            }
            Some(listed) => {
                let only_investigational = "Only for an investigational product: clear it.";
                for field in [
                    &mut self.investigational_product_name,
                    &mut self.investigational_target,
                    &mut self.investigational_target_other,
                ] {
                    if !field.is_blank() {
                        field.fail(only_investigational);
                    }
                }
                if trial_id.is_some() {
                    self.trial_id
                        .fail("A trial id is recorded with an investigational product.");
                }
                Some(ProductChoice::Listed(listed))
            }
            None => None,
        }
    }

    fn fields(&self) -> [&Field; 14] {
        [
            &self.disease,
            &self.disease_other,
            &self.diagnosis_date,
            &self.prior_hct,
            &self.product,
            &self.investigational_product_name,
            &self.investigational_target,
            &self.investigational_target_other,
            &self.trial_id,
            &self.product_class,
            &self.apheresis_date,
            &self.lymphodepletion_regimen,
            &self.lymphodepletion_start_date,
            &self.infusion_date,
        ]
    }
}

/// The page.
#[derive(askama::Template)]
#[template(path = "treatments/new.html")]
pub struct TreatmentPage {
    pub layout: Layout,
    pub patient_id: i32,
    pub registry_id: String,
    pub form: TreatmentForm,
    pub diseases: Vec<SelectOption>,
    pub transplants: Vec<SelectOption>,
    pub products: Vec<SelectOption>,
    pub targets: Vec<SelectOption>,
    pub classes: Vec<SelectOption>,
    pub regimens: Vec<SelectOption>,
}

fn vocab<T: Vocabulary>(selected: &str, skip: &[&str]) -> Vec<SelectOption> {
    options(
        T::ALL
            .iter()
            .filter(|v| !skip.contains(&v.code()))
            .map(|v| (v.code(), v.label())),
        selected,
    )
}

impl TreatmentPage {
    /// The page around a form.
    pub fn new(layout: Layout, patient_id: i32, registry_id: String, form: TreatmentForm) -> Self {
        Self {
            diseases: vocab::<Disease>(&form.disease.value, &[]),
            transplants: vocab::<PriorTransplant>(&form.prior_hct.value, &[]),
            products: vocab::<Product>(&form.product.value, &[]),
            targets: vocab::<TargetAntigen>(&form.investigational_target.value, &[]),
            classes: vocab::<ProductClass>(&form.product_class.value, &[]),
            regimens: vocab::<LymphodepletionRegimen>(&form.lymphodepletion_regimen.value, &[]),
            layout,
            patient_id,
            registry_id,
            form,
        }
    }
}
