//! Form plumbing shared by every page: a field as typed (kept on error) with its message, and
//! the readers of what is typed that several forms share.

use crate::domain::vocabulary::Vocabulary;

/// One form field: the text the user typed and, after a failed validation, what is wrong.
#[derive(Debug, Clone, Default)]
pub struct Field {
    pub value: String,
    pub error: Option<String>,
}

impl Field {
    /// A field holding this value, no error.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            error: None,
        }
    }

    /// True when the value (trimmed) is empty.
    pub fn is_blank(&self) -> bool {
        self.value.trim().is_empty()
    }

    /// Attaches an error unless one is already there (the first message is the useful one).
    pub fn fail(&mut self, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(message.into());
        }
    }

    /// A tick box: ticked (`1`) or not (blank); anything else reads as unticked with
    /// [`TICK_OR_BLANK`] beside it.
    pub fn tick(&mut self) -> bool {
        ticked_box(&self.value).unwrap_or_else(|_| {
            self.fail(TICK_OR_BLANK);
            false
        })
    }

    /// The trimmed value, or `None` when blank.
    pub fn optional(&self) -> Option<String> {
        let v = self.value.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }
}

/// A page number from a query string: absent is the first page; anything but a positive whole
/// number is `None`, which the caller answers as not found.
pub fn page_number(text: Option<&str>) -> Option<usize> {
    match text {
        None => Some(1),
        Some(text) => text.trim().parse::<usize>().ok().filter(|n| *n >= 1),
    }
}

/// Options of a `<select>`: (code, label, selected).
pub fn options(
    all: impl IntoIterator<Item = (&'static str, &'static str)>,
    selected: &str,
) -> Vec<SelectOption> {
    all.into_iter()
        .map(|(code, label)| SelectOption {
            code: code.to_owned(),
            label: label.to_owned(),
            selected: code == selected,
        })
        .collect()
}

/// The entries of a vocabulary as options, the one typed in `field` selected.
pub fn vocabulary_options<T: crate::domain::vocabulary::Vocabulary>(
    field: &Field,
) -> Vec<SelectOption> {
    options(
        T::ALL.iter().map(|v| (v.code(), v.label())),
        field.value.trim(),
    )
}

/// The answers yes, no and unknown, as stored (`Y`, `N`, `UNK`) and shown.
pub const YES_NO_UNKNOWN: [(&str, &str); 3] = [("Y", "Yes"), ("N", "No"), ("UNK", "Unknown")];

/// What was typed cannot be read as the input asks (the caller words the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

/// An optional code of vocabulary `T` as typed, for readers that gather each problem with the
/// input it belongs beside: blank is `None`; a code not in `T` is `None` with `(field,
/// message)` added to `problems`.
pub fn noted_code<T: Vocabulary, F>(
    typed: &str,
    (field, message): (F, &str),
    problems: &mut Vec<(F, String)>,
) -> Option<T> {
    let mut typed = Field::new(typed);
    let value = chosen(&mut typed, false, message);
    if let Some(message) = typed.error {
        problems.push((field, message));
    }
    value
}

/// An optional text as typed, at most `max` characters, for readers that gather each problem
/// with the input it belongs beside: trimmed, blank is `None`; too long is `None` with
/// `field` and a message naming `what` added to `problems`.
pub fn noted_text<F>(
    typed: &str,
    (max, what): (usize, &str),
    field: F,
    problems: &mut Vec<(F, String)>,
) -> Option<String> {
    short_text(typed, max, what).unwrap_or_else(|message| {
        problems.push((field, message));
        None
    })
}

/// What a yes/no/unknown select that sent another code is told.
pub const CHOOSE_YES_NO_UNKNOWN: &str = "Choose yes, no or unknown.";

/// A yes/no/unknown answer as typed ([`YES_NO_UNKNOWN`]): blank is `Ok(None)`.
pub fn yes_no_unknown(typed: &str) -> Result<Option<&'static str>, Unreadable> {
    listed(typed, &YES_NO_UNKNOWN)
}

/// What a tick box that sent neither `1` nor nothing is told.
pub const TICK_OR_BLANK: &str = "Tick the box or leave it blank.";

/// A tick box as sent: `1` is ticked, blank is not; anything else `Err(Unreadable)`.
pub fn ticked_box(typed: &str) -> Result<bool, Unreadable> {
    match typed.trim() {
        "" => Ok(false),
        "1" => Ok(true),
        _ => Err(Unreadable),
    }
}

/// A code of `list` as typed: blank is `Ok(None)`, a code not in the list `Err(Unreadable)`.
pub fn listed(
    typed: &str,
    list: &[(&'static str, &str)],
) -> Result<Option<&'static str>, Unreadable> {
    match typed.trim() {
        "" => Ok(None),
        code => list
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, _)| Some(*c))
            .ok_or(Unreadable),
    }
}

/// The entry of vocabulary `T` chosen in `field`. Blank is `None`, with `message` beside the
/// field when `required`; a code not in the vocabulary is `None` with `message` beside it.
pub fn chosen<T: Vocabulary>(field: &mut Field, required: bool, message: &str) -> Option<T> {
    if field.is_blank() {
        if required {
            field.fail(message);
        }
        return None;
    }
    match T::parse(field.value.trim()) {
        Ok(v) => Some(v),
        Err(_) => {
            field.fail(message);
            None
        }
    }
}

/// A number as typed, a comma also read as the decimal mark: blank is `Ok(None)`, a finite
/// number of 0 or more `Ok(Some(..))`, anything else `Err(Unreadable)`.
pub fn decimal(typed: &str) -> Result<Option<f64>, Unreadable> {
    match typed.trim() {
        "" => Ok(None),
        number => match number.replace(',', ".").parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
            _ => Err(Unreadable),
        },
    }
}

/// Free text as typed, trimmed: blank is `None`; longer than `max` characters is refused with
/// the message returned ("Shorten `what` to `max` characters.").
pub fn short_text(typed: &str, max: usize, what: &str) -> Result<Option<String>, String> {
    let typed = typed.trim();
    if typed.chars().count() > max {
        return Err(format!("Shorten {what} to {max} characters."));
    }
    Ok((!typed.is_empty()).then(|| typed.to_owned()))
}

/// The codes of a check-all field (ticked values joined by commas), blanks dropped.
pub fn ticked_codes(field: &Field) -> Vec<&str> {
    field
        .value
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// The ticked values of a check-all field, each once in the order sent, and whether a code
/// not in the vocabulary was sent.
pub fn ticked<T: Vocabulary + PartialEq>(field: &Field) -> (Vec<T>, bool) {
    let mut values = Vec::new();
    let mut unknown = false;
    for code in ticked_codes(field) {
        match T::parse(code) {
            Ok(v) if !values.contains(&v) => values.push(v),
            Ok(_) => {}
            Err(_) => unknown = true,
        }
    }
    (values, unknown)
}

/// Ticked values as their child rows hold them: each value, with `name` on the `other` one
/// (the list's "Other (specify)") and no name on the rest.
pub fn with_other_named<T: Vocabulary>(
    ticked: &[T],
    other: T,
    name: Option<&str>,
) -> Vec<(T, Option<String>)> {
    ticked
        .iter()
        .map(|v| (*v, name.filter(|_| *v == other).map(str::to_owned)))
        .collect()
}

/// One check box per value of the vocabulary, those of the field ticked.
pub fn check_options<T: Vocabulary>(field: &Field) -> Vec<SelectOption> {
    let ticked = ticked_codes(field);
    T::ALL
        .iter()
        .map(|v| SelectOption {
            code: v.code().to_owned(),
            label: v.label().to_owned(),
            selected: ticked.contains(&v.code()),
        })
        .collect()
}

/// One `<option>`.
#[derive(Debug, Clone)]
pub struct SelectOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

/// A url-encoded form body as name/value pairs, for forms with repeated fields (checkboxes).
#[derive(Debug, Clone, Default)]
pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl actix_web::FromRequest for FormPairs {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let body = actix_web::web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await?;
            Ok(Self(
                form_urlencoded::parse(&body)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            ))
        })
    }
}

/// A block of a form's inputs entered together, such as one new event: all blank, nothing
/// is entered.
pub trait InputBlock {
    /// Every input of the block with its name, in page order.
    fn inputs(&mut self) -> Vec<(&'static str, &mut Field)>;

    /// Every input with its name as an owned string (a form's list of every field).
    fn named_inputs(&mut self) -> Vec<(String, &mut Field)> {
        self.inputs()
            .into_iter()
            .map(|(name, field)| (name.to_owned(), field))
            .collect()
    }

    /// Nothing typed.
    fn is_blank(&mut self) -> bool {
        self.inputs().iter().all(|(_, f)| f.is_blank())
    }

    /// Some input has a message.
    fn has_error(&mut self) -> bool {
        self.inputs().iter().any(|(_, f)| f.error.is_some())
    }

    /// Puts `message` beside the input named `name`.
    fn fail_at(&mut self, name: &str, message: impl Into<String>) {
        if let Some((_, field)) = self.inputs().into_iter().find(|(n, _)| *n == name) {
            field.fail(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::follow_up::SurvivalStatus;

    fn field(value: &str) -> Field {
        Field::new(value)
    }

    #[test]
    fn chosen_reads_a_code_of_the_vocabulary_around_blanks() {
        let mut f = field(" DEAD ");
        assert_eq!(
            chosen::<SurvivalStatus>(&mut f, true, "Choose."),
            Some(SurvivalStatus::Dead)
        );
        assert_eq!(f.error, None);
    }

    #[test]
    fn chosen_blank_is_none_with_a_message_only_when_required() {
        let mut optional = field("  ");
        assert_eq!(
            chosen::<SurvivalStatus>(&mut optional, false, "Choose."),
            None
        );
        assert_eq!(optional.error, None);
        let mut required = field("");
        assert_eq!(
            chosen::<SurvivalStatus>(&mut required, true, "Choose."),
            None
        );
        assert_eq!(required.error.as_deref(), Some("Choose."));
    }

    #[test]
    fn chosen_refuses_a_code_not_in_the_vocabulary_even_when_optional() {
        let mut f = field("dead");
        assert_eq!(chosen::<SurvivalStatus>(&mut f, false, "Choose."), None);
        assert_eq!(f.error.as_deref(), Some("Choose."));
        assert_eq!(f.value, "dead", "what was typed is kept");
    }

    #[test]
    fn a_tick_box_is_ticked_by_1_unticked_when_blank_and_refuses_anything_else() {
        assert_eq!(ticked_box(" 1 "), Ok(true));
        assert_eq!(ticked_box(""), Ok(false));
        assert_eq!(ticked_box("yes"), Err(Unreadable));
        let mut odd = field("on");
        assert!(!odd.tick(), "read as unticked");
        assert_eq!(odd.error.as_deref(), Some(TICK_OR_BLANK));
        let mut ticked = field("1");
        assert!(ticked.tick());
        assert_eq!(ticked.error, None);
    }
}
