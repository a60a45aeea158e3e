//! Form plumbing shared by every page: a field as typed (kept on error) with its message.

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

    /// Nothing typed.
    fn is_blank(&mut self) -> bool {
        self.inputs().iter().all(|(_, f)| f.is_blank())
    }

    /// Some input has a message.
    fn has_error(&mut self) -> bool {
        self.inputs().iter().any(|(_, f)| f.error.is_some())
    }
}
