//! The treatments given for one toxicity (domain.md §3.6 "treatments: tocilizumab (doses),
//! corticosteroids (agent, …), siltuximab, anakinra, other; anti-epileptics; vasopressors"): a
//! check-all of the agents of [`ToxicityTreatment`], each with an optional start date (not
//! before the onset, not after death or the period's contact) that may be ticked as estimated
//! (only with a date, like every estimated date of the registry), the number of doses of
//! tocilizumab, and a detail for corticosteroids (the agent used) and other agents (their
//! name, required). Shared by the follow-up form (a new toxicity) and the toxicity correction
//! form, each under its own input-name prefix; every input is a plain field, so a rejected
//! form keeps what was typed and the API names the same keys.

use chrono::NaiveDate;

use crate::db::{
    events::{NewToxicityTreatment, ToxicityTreatmentRow},
    ids::{ToxicityEventId, UserId},
};
use crate::domain::{toxicity::ToxicityTreatment, vocabulary::Vocabulary};
use crate::web::{
    form::{Field, FormPairs},
    routes::patients::new::parse_date,
};

/// The value of a ticked box.
const TICKED: &str = "1";

/// The most doses a form accepts: more is a typing error (tocilizumab is given at most a few
/// times per episode).
const MAX_DOSES: i32 = 20;

/// One agent's inputs as typed.
#[derive(Debug, Clone)]
pub struct AgentFields {
    pub agent: ToxicityTreatment,
    /// `"1"` when ticked.
    pub given: Field,
    /// Tocilizumab only.
    pub doses: Field,
    /// Corticosteroids and other agents only.
    pub detail: Field,
    pub start_date: Field,
    /// `"1"` when the start date is estimated.
    pub start_date_estimated: Field,
    prefix: &'static str,
}

impl AgentFields {
    fn new(prefix: &'static str, agent: ToxicityTreatment) -> Self {
        Self {
            agent,
            given: Field::default(),
            doses: Field::default(),
            detail: Field::default(),
            start_date: Field::default(),
            start_date_estimated: Field::default(),
            prefix,
        }
    }

    /// The input name of the tick box, e.g. `toxicity_treatment_TOCILIZUMAB`.
    pub fn given_name(&self) -> String {
        format!("{}{}", self.prefix, self.agent.code())
    }

    /// The input name of the number of doses.
    pub fn doses_name(&self) -> String {
        format!("{}_doses", self.given_name())
    }

    /// The input name of the detail.
    pub fn detail_name(&self) -> String {
        format!("{}_detail", self.given_name())
    }

    /// The input name of the start date.
    pub fn start_date_name(&self) -> String {
        format!("{}_start_date", self.given_name())
    }

    /// The input name of the "start date estimated" box.
    pub fn start_date_estimated_name(&self) -> String {
        format!("{}_start_date_estimated", self.given_name())
    }

    /// True when the box is ticked.
    pub fn is_given(&self) -> bool {
        self.given.value.trim() == TICKED
    }

    /// The agent's label, e.g. "Tocilizumab".
    pub fn label(&self) -> &'static str {
        self.agent.label()
    }

    /// True for the agent counted in doses.
    pub fn counts_doses(&self) -> bool {
        self.agent.counts_doses()
    }

    /// The label of the number of doses.
    pub fn doses_label(&self) -> String {
        format!("{}: number of doses (optional)", self.label())
    }

    /// The label of the detail, for the agents that have one ("" otherwise).
    pub fn detail_label(&self) -> String {
        self.agent
            .detail_label()
            .map(|d| format!("{}: {d}", self.label()))
            .unwrap_or_default()
    }

    /// The label of the start date.
    pub fn start_date_label(&self) -> String {
        format!("{}: start date (optional)", self.label())
    }

    /// The label of the "start date estimated" box.
    pub fn start_date_estimated_label(&self) -> String {
        format!("{}: start date is estimated", self.label())
    }

    /// True when the start date is ticked as estimated.
    pub fn start_is_estimated(&self) -> bool {
        self.start_date_estimated.value.trim() == TICKED
    }

    /// True for the agents with a detail.
    pub fn has_detail(&self) -> bool {
        self.agent.detail_label().is_some()
    }

    /// Every input of the agent with its name (only those the agent has).
    fn fields_mut(&mut self) -> Vec<(String, &mut Field)> {
        let (given, doses, detail, start, estimated) = (
            self.given_name(),
            self.doses_name(),
            self.detail_name(),
            self.start_date_name(),
            self.start_date_estimated_name(),
        );
        let (counts, has_detail) = (self.counts_doses(), self.has_detail());
        let mut out = vec![(given, &mut self.given)];
        if counts {
            out.push((doses, &mut self.doses));
        }
        if has_detail {
            out.push((detail, &mut self.detail));
        }
        out.push((start, &mut self.start_date));
        out.push((estimated, &mut self.start_date_estimated));
        out
    }

    fn fields(&self) -> [&Field; 5] {
        [
            &self.given,
            &self.doses,
            &self.detail,
            &self.start_date,
            &self.start_date_estimated,
        ]
    }
}

/// The dates a treatment's start must respect.
#[derive(Debug, Clone, Copy)]
pub struct TreatmentBounds {
    /// The toxicity's onset, when valid.
    pub onset: Option<NaiveDate>,
    /// The reporting period's contact date, when the start must be by it (entry).
    pub contact: Option<NaiveDate>,
    pub death: Option<NaiveDate>,
    pub today: NaiveDate,
}

/// A validated treatment.
#[derive(Debug, Clone, PartialEq)]
pub struct TreatmentGiven {
    pub agent: ToxicityTreatment,
    pub doses: Option<i32>,
    pub detail: Option<String>,
    pub start: Option<NaiveDate>,
    /// The start date is estimated (only with a date).
    pub start_estimated: bool,
}

impl TreatmentGiven {
    /// The row to write for the event (the event id is set by the writer on insert).
    pub fn to_row(&self, event: ToxicityEventId, actor: UserId) -> NewToxicityTreatment {
        NewToxicityTreatment {
            toxicity_event_id: event,
            agent: self.agent.code().to_owned(),
            agent_detail: self.detail.clone(),
            doses_count: self.doses,
            start_date: self.start,
            start_date_estimated: self.start.is_some() && self.start_estimated,
            created_by: actor,
            updated_by: actor,
        }
    }
}

/// The check-all of one toxicity's treatments, as typed.
#[derive(Debug, Clone)]
pub struct TreatmentsForm {
    pub agents: Vec<AgentFields>,
}

impl TreatmentsForm {
    /// Every agent, none ticked; inputs named `{prefix}{CODE}[_part]`.
    pub fn blank(prefix: &'static str) -> Self {
        Self {
            agents: ToxicityTreatment::ALL
                .iter()
                .map(|a| AgentFields::new(prefix, *a))
                .collect(),
        }
    }

    /// The stored treatments, ticked with their values.
    pub fn from_rows(prefix: &'static str, rows: &[ToxicityTreatmentRow]) -> Self {
        let mut form = Self::blank(prefix);
        for agent in &mut form.agents {
            if let Some(row) = rows.iter().find(|r| r.agent == agent.agent.code()) {
                agent.given = Field::new(TICKED);
                agent.doses =
                    Field::new(row.doses_count.map(|d| d.to_string()).unwrap_or_default());
                agent.detail = Field::new(row.agent_detail.clone().unwrap_or_default());
                agent.start_date =
                    Field::new(row.start_date.map(|d| d.to_string()).unwrap_or_default());
                agent.start_date_estimated =
                    Field::new(if row.start_date_estimated { TICKED } else { "" });
            }
        }
        form
    }

    /// Every input with its name, in page order.
    pub fn fields_mut(&mut self) -> Vec<(String, &mut Field)> {
        self.agents
            .iter_mut()
            .flat_map(AgentFields::fields_mut)
            .collect()
    }

    /// Fills the inputs from a submitted form: a name not sent is blank (an unticked box).
    pub fn fill(&mut self, pairs: &FormPairs) {
        for (name, field) in self.fields_mut() {
            *field = Field::new(pairs.get(&name));
        }
    }

    /// Each agent as a person reads it, for the stale-edit message: ("Tocilizumab (treatment)",
    /// "given, 2 doses, from 2024-01-13 (estimated)"), or "not given" when unticked. Two forms
    /// holding the same treatments give the same lines.
    pub fn summaries(&self) -> Vec<(String, String)> {
        self.agents
            .iter()
            .map(|a| {
                let mut parts = Vec::new();
                if a.is_given() {
                    parts.push("given".to_owned());
                    if a.counts_doses() && !a.doses.is_blank() {
                        parts.push(format!("{} doses", a.doses.value.trim()));
                    }
                    if a.has_detail() && !a.detail.is_blank() {
                        parts.push(a.detail.value.trim().to_owned());
                    }
                    if !a.start_date.is_blank() {
                        let estimated = if a.start_is_estimated() {
                            " (estimated)"
                        } else {
                            ""
                        };
                        parts.push(format!("from {}{estimated}", a.start_date.value.trim()));
                    }
                } else {
                    parts.push("not given".to_owned());
                }
                (format!("{} (treatment)", a.label()), parts.join(", "))
            })
            .collect()
    }

    /// True when nothing is ticked or typed.
    pub fn is_blank(&self) -> bool {
        self.agents
            .iter()
            .all(|a| a.fields().iter().all(|f| f.is_blank()))
    }

    /// True when an input carries a message.
    pub fn has_error(&self) -> bool {
        self.agents
            .iter()
            .any(|a| a.fields().iter().any(|f| f.error.is_some()))
    }

    /// Validates every agent: details only with the box ticked; doses a whole number from 1;
    /// an other agent named; the start date after the onset, by the contact and not after death,
    /// and "estimated" only with a start date.
    /// `None` with messages by the inputs when something is wrong.
    pub fn validate(&mut self, bounds: TreatmentBounds) -> Option<Vec<TreatmentGiven>> {
        let mut given = Vec::new();
        for a in &mut self.agents {
            let label = a.agent.label();
            if !a.given.is_blank() && !a.is_given() {
                a.given.fail(format!("Tick {label} or leave it unticked."));
                continue;
            }
            let estimated = &mut a.start_date_estimated;
            estimated.tick();
            if estimated.error.is_some() {
                continue;
            }
            if !a.is_given() {
                for f in [
                    &mut a.doses,
                    &mut a.detail,
                    &mut a.start_date,
                    &mut a.start_date_estimated,
                ] {
                    if !f.is_blank() {
                        f.fail(format!("Tick {label} to record this, or clear it."));
                    }
                }
                continue;
            }
            let doses = if a.doses.is_blank() {
                None
            } else {
                match a.doses.value.trim().parse::<i32>() {
                    Ok(n) if (1..=MAX_DOSES).contains(&n) => Some(n),
                    _ => {
                        a.doses.fail(format!(
                            "The number of doses is a whole number from 1 to {MAX_DOSES}."
                        ));
                        None
                    }
                }
            };
            let detail = a.detail.optional();
            if a.agent.needs_detail() && detail.is_none() {
                a.detail.fail("Name the other agent given.");
            }
            let start = parse_date(&mut a.start_date, false, bounds.today);
            let start_estimated = a.start_is_estimated();
            if start_estimated && start.is_none() && a.start_date.error.is_none() {
                a.start_date_estimated
                    .fail("Only a date can be estimated: enter the start date or untick the box.");
            }
            if let Some(d) = start {
                if let Some(onset) = bounds.onset.filter(|o| d < *o) {
                    a.start_date.fail(format!(
                        "A treatment of this toxicity cannot start before its onset ({onset})."
                    ));
                } else if let Some(contact) = bounds.contact.filter(|c| d > *c) {
                    a.start_date.fail(format!(
                        "The start is after this period's contact date ({contact})."
                    ));
                } else if let Some(death) = bounds.death.filter(|x| d > *x) {
                    a.start_date
                        .fail(format!("The start is after the death ({death})."));
                }
            }
            given.push(TreatmentGiven {
                agent: a.agent,
                doses,
                detail,
                start,
                start_estimated: start_estimated && start.is_some(),
            });
        }
        (!self.has_error()).then_some(given)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn bounds() -> TreatmentBounds {
        TreatmentBounds {
            onset: Some(date("2024-01-12")),
            contact: Some(date("2024-04-10")),
            death: None,
            today: date("2025-01-01"),
        }
    }

    fn sent(pairs: &[(&str, &str)]) -> TreatmentsForm {
        let mut form = TreatmentsForm::blank("t_");
        form.fill(&FormPairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ));
        form
    }

    fn error_of(form: &TreatmentsForm, name: &str) -> Option<String> {
        let mut form = form.clone();
        form.fields_mut()
            .into_iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, f)| f.error.clone())
    }

    #[test]
    fn ticked_agents_come_back_with_their_details() {
        let mut form = sent(&[
            ("t_TOCILIZUMAB", "1"),
            ("t_TOCILIZUMAB_doses", "2"),
            ("t_TOCILIZUMAB_start_date", "2024-01-13"),
            ("t_TOCILIZUMAB_start_date_estimated", "1"),
            ("t_CORTICOSTEROIDS", "1"),
            ("t_CORTICOSTEROIDS_detail", "dexamethasone"),
        ]);
        let given = form.validate(bounds()).unwrap();
        assert_eq!(
            given,
            vec![
                TreatmentGiven {
                    agent: ToxicityTreatment::Tocilizumab,
                    doses: Some(2),
                    detail: None,
                    start: Some(date("2024-01-13")),
                    start_estimated: true,
                },
                TreatmentGiven {
                    agent: ToxicityTreatment::Corticosteroids,
                    doses: None,
                    detail: Some("dexamethasone".to_owned()),
                    start: None,
                    start_estimated: false,
                },
            ]
        );
        assert!(sent(&[]).is_blank());
        assert!(sent(&[]).validate(bounds()).unwrap().is_empty());
    }

    #[test]
    fn each_rule_puts_its_message_by_its_input() {
        for (pairs, name) in [
            (vec![("t_OTHER", "1")], "t_OTHER_detail"),
            (
                vec![("t_TOCILIZUMAB", "1"), ("t_TOCILIZUMAB_doses", "0")],
                "t_TOCILIZUMAB_doses",
            ),
            (vec![("t_TOCILIZUMAB_doses", "2")], "t_TOCILIZUMAB_doses"),
            (
                vec![("t_ANAKINRA", "1"), ("t_ANAKINRA_start_date", "2024-01-11")],
                "t_ANAKINRA_start_date",
            ),
            (
                vec![("t_ANAKINRA", "1"), ("t_ANAKINRA_start_date", "2024-04-11")],
                "t_ANAKINRA_start_date",
            ),
            (vec![("t_G_CSF", "yes")], "t_G_CSF"),
            // Only a date can be estimated; the box is a box; it needs the agent ticked.
            (
                vec![
                    ("t_ANAKINRA", "1"),
                    ("t_ANAKINRA_start_date_estimated", "1"),
                ],
                "t_ANAKINRA_start_date_estimated",
            ),
            (
                vec![
                    ("t_ANAKINRA", "1"),
                    ("t_ANAKINRA_start_date", "2024-01-13"),
                    ("t_ANAKINRA_start_date_estimated", "yes"),
                ],
                "t_ANAKINRA_start_date_estimated",
            ),
            (
                vec![
                    ("t_ANAKINRA_start_date", "2024-01-13"),
                    ("t_ANAKINRA_start_date_estimated", "1"),
                ],
                "t_ANAKINRA_start_date_estimated",
            ),
        ] {
            let mut form = sent(&pairs);
            assert!(form.validate(bounds()).is_none(), "{pairs:?}");
            assert!(
                error_of(&form, name).is_some(),
                "{pairs:?}: no message by {name}"
            );
        }
    }
}
