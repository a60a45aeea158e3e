//! `/patients/{pid}/courses/{cid}/follow-ups/{timepoint}`: the follow-up form of one timepoint
//! of one course. Contact, survival, relapse, and one section per kind of event, each with an
//! explicit "nothing to report" (blank is not "none"); events reported in earlier periods are
//! listed as previously reported, not re-entered. Infections are entered inline; lab results
//! as a panel of one sample (`labs`).
//!
//! Saves are refused when stale (`row_version`), write their audit rows in the same
//! transaction, and ask for a reason when a completed form changes. A monitor locks a form
//! with an e-signature (password re-entered); an administrator unlocks it with a reason.

pub mod death;
pub mod get;
pub mod icaht;
pub mod immunoglobulin;
pub mod infection;
pub mod labs;
pub mod lock;
pub mod malignancy;
pub mod persistence;
pub mod post;
pub mod relapse;
pub mod response;
pub mod therapy;
pub mod toxicity;
pub mod treatments;
pub mod unlock;

mod context;
mod form;
mod page;
mod validate;

pub use context::{Context, load_context, load_context_for_save};
pub use form::{FollowUpForm, SectionField};
pub use infection::NewInfectionForm;
pub use page::{FollowUpPage, Rights};
pub use validate::FollowUpInput;

pub use toxicity::{NewToxicity, NewToxicityForm};
