//! The contract every controlled vocabulary follows: a stable stored code (what the database and
//! exports hold, never renumbered), a human label (what a coordinator reads), and a parse that
//! rejects unknown input with a message naming the allowed codes.
//!
//! Declare a vocabulary with [`crate::vocabulary!`]; it derives the enum, this trait, `Display`
//! (the label), `FromStr` (the parse) and serde as the code.

use std::fmt;

/// A closed list of clinical codes, stored as text.
pub trait Vocabulary: Sized + Copy + Eq + 'static {
    /// What the list is called in messages, e.g. "CRS grade (ASTCT 2019)".
    const NAME: &'static str;
    /// Every member, in the order a form shows them.
    const ALL: &'static [Self];

    /// The stable stored code, e.g. `"G3"`.
    fn code(self) -> &'static str;

    /// The label a person reads, e.g. `"Grade 3"`.
    fn label(self) -> &'static str;

    /// Every stored code, in form order (what a schema CHECK constraint lists).
    fn codes() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.code()).collect()
    }

    /// Parses a stored code. Surrounding whitespace is ignored; case must match, because codes
    /// are stored exactly (`"CR"` is a response, `"cr"` is a typing error worth reporting).
    fn parse(input: &str) -> Result<Self, UnknownCode> {
        let wanted = input.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.code() == wanted)
            .ok_or_else(|| UnknownCode {
                vocabulary: Self::NAME,
                given: input.to_owned(),
                allowed: Self::codes(),
            })
    }
}

/// A code that is not in its vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnknownCode {
    pub vocabulary: &'static str,
    pub given: String,
    pub allowed: Vec<&'static str>,
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a {}; allowed: {}",
            self.given,
            self.vocabulary,
            self.allowed.join(", ")
        )?;
        let given = self.given.trim();
        if let Some(code) = self.allowed.iter().find(|c| c.eq_ignore_ascii_case(given)) {
            write!(f, " (codes are case-sensitive: did you mean {code}?)")?;
        }
        Ok(())
    }
}

/// Declares a vocabulary enum: `vocabulary! { /// doc \n pub enum CrsGrade: "CRS grade" { G1 = ("G1", "Grade 1"), ... } }`.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $title:literal {
            $( $(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $crate::domain::vocabulary::Vocabulary for $name {
            const NAME: &'static str = $title;
            const ALL: &'static [Self] = &[ $( Self::$variant ),+ ];
            fn code(self) -> &'static str {
                match self { $( Self::$variant => $code ),+ }
            }
            fn label(self) -> &'static str {
                match self { $( Self::$variant => $label ),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::domain::vocabulary::Vocabulary::label(*self))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::vocabulary::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::domain::vocabulary::Vocabulary>::parse(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::domain::vocabulary::Vocabulary::code(*self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                <Self as $crate::domain::vocabulary::Vocabulary>::parse(&s)
                    .map_err(::serde::de::Error::custom)
            }
        }
    };
}
