//! `/patients/{id}/treatments/new`: record the indication (if none yet), the CAR-T course and
//! its first infusion (Day 0) in one form. Dates must follow the journey (domain.md §9):
//! diagnosis ≤ apheresis ≤ lymphodepletion start ≤ infusion ≤ today.

pub mod create;
pub mod new;

use chrono::NaiveDate;

use crate::domain::{
    diagnosis::{Disease, PriorTransplant},
    product::{LymphodepletionRegimen, Product, ProductClass},
    vocabulary::Vocabulary,
};
use crate::web::{
    form::{Field, SelectOption, options},
    layout::Layout,
    routes::patients::new::parse_date,
};

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct TreatmentForm {
    /// False when the patient already has a diagnosis (the newest is used).
    pub needs_diagnosis: bool,
    pub disease: Field,
    pub diagnosis_date: Field,
    pub prior_hct: Field,
    pub product: Field,
    pub product_class: Field,
    pub apheresis_date: Field,
    pub lymphodepletion_regimen: Field,
    pub lymphodepletion_start_date: Field,
    pub infusion_date: Field,
}

/// A validated treatment.
#[derive(Debug, Clone)]
pub struct TreatmentInput {
    pub diagnosis: Option<(Disease, NaiveDate, PriorTransplant)>,
    pub product: Product,
    pub product_class: ProductClass,
    pub apheresis_date: NaiveDate,
    pub lymphodepletion: LymphodepletionRegimen,
    pub lymphodepletion_start: Option<NaiveDate>,
    pub infusion_date: NaiveDate,
}

fn choose<T: Vocabulary>(field: &mut Field, message: &str) -> Option<T> {
    match T::parse(&field.value) {
        Ok(v) => Some(v),
        Err(_) => {
            field.fail(message);
            None
        }
    }
}

impl TreatmentForm {
    /// Validates every field and the order of the dates. `existing_diagnosis`: the date of the
    /// diagnosis that will be used when the form asks for none.
    pub fn validate(
        &mut self,
        existing_diagnosis: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Option<TreatmentInput> {
        let diagnosis = if self.needs_diagnosis {
            let disease = choose::<Disease>(&mut self.disease, "Choose the disease.");
            if disease == Some(Disease::Other) {
                self.disease
                    .fail("Other diseases are not recorded from this form yet; choose the closest listed disease.");
            }
            let date = parse_date(&mut self.diagnosis_date, true, today);
            let hct =
                choose::<PriorTransplant>(&mut self.prior_hct, "Choose the prior transplant.");
            match (disease, date, hct) {
                (Some(d), Some(date), Some(h)) if d != Disease::Other => Some((d, date, h)),
                _ => None,
            }
        } else {
            None
        };
        let diagnosed = diagnosis.as_ref().map(|d| d.1).or(existing_diagnosis);
        let product = choose::<Product>(&mut self.product, "Choose the product.");
        if product == Some(Product::Investigational) {
            self.product
                .fail("Investigational products are not recorded from this form yet.");
        }
        let class = choose::<ProductClass>(
            &mut self.product_class,
            "Choose commercial or out of specification.",
        );
        if class == Some(ProductClass::Investigational) {
            self.product_class
                .fail("Investigational products are not recorded from this form yet.");
        }
        let apheresis = parse_date(&mut self.apheresis_date, true, today);
        let regimen = choose::<LymphodepletionRegimen>(
            &mut self.lymphodepletion_regimen,
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
        if self.fields().iter().any(|f| f.error.is_some()) {
            return None;
        }
        Some(TreatmentInput {
            diagnosis,
            product: product?,
            product_class: class?,
            apheresis_date: apheresis?,
            lymphodepletion: regimen?,
            lymphodepletion_start: ld_start,
            infusion_date: infusion?,
        })
    }

    fn fields(&self) -> [&Field; 9] {
        [
            &self.disease,
            &self.diagnosis_date,
            &self.prior_hct,
            &self.product,
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
            diseases: vocab::<Disease>(&form.disease.value, &["OTHER"]),
            transplants: vocab::<PriorTransplant>(&form.prior_hct.value, &[]),
            products: vocab::<Product>(&form.product.value, &["INVESTIGATIONAL"]),
            classes: vocab::<ProductClass>(&form.product_class.value, &["INVESTIGATIONAL"]),
            regimens: vocab::<LymphodepletionRegimen>(&form.lymphodepletion_regimen.value, &[]),
            layout,
            patient_id,
            registry_id,
            form,
        }
    }
}
