//! Missing-data codes and [`Answer`], a coded value or an explicit reason it is missing.
//!
//! A blank field is never "none" and never "unknown": every coded answer is either a value of its
//! vocabulary or one of the missing-data codes below, stored as one text code in the same column
//! (REDCap-style project codes [R3], with CIBMTR's "previously reported" idiom [S3]). What does
//! not live here: the vocabularies themselves (one module per clinical area).

use std::fmt;
use std::marker::PhantomData;

use crate::domain::vocabulary::{UnknownCode, Vocabulary};
use crate::vocabulary;

vocabulary! {
    /// Why a coded answer has no value (domain.md §4.14, [R3]).
    pub enum MissingCode: "missing-data code" {
        /// The answer is not known to the centre.
        Unknown = ("UNK", "Unknown"),
        /// The question was not asked.
        NotAsked = ("NASK", "Not asked"),
        /// The question does not apply to this patient or period.
        NotApplicable = ("NA", "Not applicable"),
        /// The test or assessment was not done.
        NotDone = ("ND", "Not done / not tested"),
        /// Asked, but the patient or source did not know.
        AskedUnknown = ("ASKU", "Asked but unknown"),
        /// The patient is lost to follow-up.
        LostToFollowUp = ("LTF", "Lost to follow-up"),
        /// Already reported in an earlier period (CIBMTR "previously reported" [S3]).
        PreviouslyReported = ("PREV", "Previously reported"),
    }
}

vocabulary! {
    /// A yes/no question. Combine with [`Answer`] for "unknown" or "previously reported".
    pub enum YesNo: "yes/no answer" {
        Yes = ("Y", "Yes"),
        No = ("N", "No"),
    }
}

impl YesNo {
    /// `true` for [`YesNo::Yes`].
    pub fn is_yes(self) -> bool {
        self == Self::Yes
    }
}

impl From<bool> for YesNo {
    fn from(b: bool) -> Self {
        if b { Self::Yes } else { Self::No }
    }
}

/// A coded answer: a value of vocabulary `T`, or a [`MissingCode`] saying why there is none.
///
/// Stored as one text code: the value's code or the missing code. Parsing tries `T`'s codes
/// first, then the missing codes, so where a vocabulary has its own code equal to a missing code
/// (Lugano's `ND` "not done"), the vocabulary's member is the canonical reading: build
/// `Answer::Value(LuganoResponse::NotDone)`, not `Answer::Missing(MissingCode::NotDone)`.
/// [`Answer::normalised`] applies that rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer<T> {
    /// A value of the vocabulary.
    Value(T),
    /// No value, and why.
    Missing(MissingCode),
}

impl<T: Vocabulary> Answer<T> {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Value(v) => v.code(),
            Self::Missing(m) => m.code(),
        }
    }

    /// The label a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Value(v) => v.label(),
            Self::Missing(m) => m.label(),
        }
    }

    /// The value, if there is one.
    pub fn value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Missing(_) => None,
        }
    }

    /// The missing-data code, if there is no value.
    pub fn missing(self) -> Option<MissingCode> {
        match self {
            Self::Value(_) => None,
            Self::Missing(m) => Some(m),
        }
    }

    /// Every code an answer may hold: `T`'s codes, then the missing codes `T` does not already use.
    pub fn allowed_codes() -> Vec<&'static str> {
        let mut codes = T::codes();
        let own = T::codes();
        codes.extend(
            MissingCode::ALL
                .iter()
                .map(|m| m.code())
                .filter(|c| !own.contains(c)),
        );
        codes
    }

    /// Parses a stored code: a code of `T` first, then a missing-data code. Surrounding
    /// whitespace is ignored. The error names every allowed code.
    pub fn parse(input: &str) -> Result<Self, UnknownCode> {
        if let Ok(v) = T::parse(input) {
            return Ok(Self::Value(v));
        }
        MissingCode::parse(input)
            .map(Self::Missing)
            .map_err(|_| UnknownCode {
                vocabulary: T::NAME,
                given: input.to_owned(),
                allowed: Self::allowed_codes(),
            })
    }

    /// The canonical form: a missing code that `T` also uses as its own code becomes that value,
    /// so that `parse(code())` gives back the same answer.
    pub fn normalised(self) -> Self {
        match self {
            Self::Missing(m) => T::parse(m.code()).map_or(self, Self::Value),
            Self::Value(_) => self,
        }
    }
}

impl<T> From<T> for Answer<T> {
    fn from(v: T) -> Self {
        Self::Value(v)
    }
}

impl<T: Vocabulary> fmt::Display for Answer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl<T: Vocabulary> std::str::FromStr for Answer<T> {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<T: Vocabulary> serde::Serialize for Answer<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de, T: Vocabulary> serde::Deserialize<'de> for Answer<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(PhantomData<T>);
        impl<T: Vocabulary> serde::de::Visitor<'_> for Visit<T> {
            type Value = Answer<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a {} code or a missing-data code", T::NAME)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Answer::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Visit(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_parses_values_then_missing_codes() {
        assert_eq!(Answer::<YesNo>::parse("Y"), Ok(Answer::Value(YesNo::Yes)));
        assert_eq!(
            Answer::<YesNo>::parse(" PREV "),
            Ok(Answer::Missing(MissingCode::PreviouslyReported))
        );
        for m in MissingCode::ALL {
            let a = Answer::<YesNo>::Missing(*m);
            assert_eq!(Answer::<YesNo>::parse(a.code()), Ok(a));
        }
    }

    #[test]
    fn answer_rejects_unknown_naming_values_and_missing_codes() {
        let err = Answer::<YesNo>::parse("maybe").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"maybe\""), "{msg}");
        for code in ["Y", "N", "UNK", "NASK", "NA", "ND", "ASKU", "LTF", "PREV"] {
            assert!(msg.contains(code), "{msg} lacks {code}");
        }
    }

    #[test]
    fn answer_serde_is_the_code() {
        let a: Answer<YesNo> = Answer::Missing(MissingCode::Unknown);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"UNK\"");
        let back: Answer<YesNo> = serde_json::from_str("\"N\"").unwrap();
        assert_eq!(back, Answer::Value(YesNo::No));
        assert!(serde_json::from_str::<Answer<YesNo>>("\"X\"").is_err());
    }
}
