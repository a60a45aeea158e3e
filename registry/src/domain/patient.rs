//! The patient: the pseudonymous [`RegistryId`], sex, research consent and long-term follow-up
//! status (domain.md §3.1). Contacts and dates of birth are data, not vocabulary: they live in
//! the database layer, not here.

use std::fmt;

use crate::vocabulary;

vocabulary! {
    /// Sex as recorded for registry reporting (domain.md §3.1).
    pub enum Sex: "sex" {
        Male = ("M", "Male"),
        Female = ("F", "Female"),
        Other = ("X", "Other"),
        Unknown = ("U", "Unknown"),
    }
}

vocabulary! {
    /// Consent to research use of the data; drives the CIBMTR reporting track (domain.md §3.1,
    /// [S2][S19]). The consent date is stored beside it.
    pub enum ConsentStatus: "research consent status" {
        Given = ("GIVEN", "Consent given"),
        Declined = ("DECLINED", "Consent declined"),
        NotApproached = ("NOT_APPROACHED", "Not approached"),
        Withdrawn = ("WITHDRAWN", "Consent withdrawn"),
    }
}

vocabulary! {
    /// Where the patient stands in long-term follow-up (domain.md §3.1; CIBMTR LTF/survival
    /// statuses [S14]). Lost and transferred carry a date (and a centre) beside them.
    pub enum LtfuStatus: "long-term follow-up status" {
        /// Followed by this centre.
        Active = ("ACTIVE", "Active follow-up"),
        /// Contact lost after documented attempts; later timepoints are missed, not applicable.
        Lost = ("LOST", "Lost to follow-up"),
        /// The patient withdrew from follow-up; later timepoints are not applicable.
        Withdrawn = ("WITHDRAWN", "Withdrawn from follow-up"),
        /// Followed by another centre from the transfer date on.
        Transferred = ("TRANSFERRED", "Transferred to another centre"),
        /// Dead; the death record holds the date and causes.
        Dead = ("DEAD", "Dead"),
    }
}

impl LtfuStatus {
    /// `true` while this centre still expects visits (active only).
    pub fn is_followed(self) -> bool {
        self == Self::Active
    }
}

/// A site's short stable code, e.g. `BOS`: 2 to 8 upper-case ASCII letters or digits starting
/// with a letter. It is the first part of every registry id of the site's patients, so the two
/// rules are one rule (a site whose code could not start a [`RegistryId`] could enrol nobody).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteCode(String);

/// Why a text is not a [`SiteCode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{given:?} is not a site code: use 2 to 8 capital letters or digits, starting with a letter \
     (e.g. BOS)"
)]
pub struct InvalidSiteCode {
    pub given: String,
}

impl SiteCode {
    /// Parses a site code; surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Result<Self, InvalidSiteCode> {
        let s = input.trim();
        if Self::is_valid(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidSiteCode {
                given: s.to_owned(),
            })
        }
    }

    fn is_valid(s: &str) -> bool {
        (2..=8).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    }

    /// The code as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The pseudonymous registry identifier of a patient, `SITE-NNNNNN`: a site code of 2 to 8
/// upper-case ASCII letters or digits starting with a letter, a hyphen, then 4 to 8 digits
/// (e.g. `BOS-000042`). Never a medical record number: an all-digit value is refused.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct RegistryId(String);

/// Why a text is not a [`RegistryId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRegistryId {
    #[error("the registry id is empty")]
    Empty,
    #[error(
        "{given:?} looks like a medical record number; use the pseudonymous registry id SITE-NNNNNN"
    )]
    LooksLikeMrn { given: String },
    #[error(
        "{given:?} is not a registry id: expected SITE-NNNNNN (site code of 2-8 upper-case letters \
         or digits starting with a letter, a hyphen, then 4-8 digits), e.g. BOS-000042"
    )]
    BadFormat { given: String },
}

impl RegistryId {
    /// Parses a registry id; surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Result<Self, InvalidRegistryId> {
        let s = input.trim();
        if s.is_empty() {
            return Err(InvalidRegistryId::Empty);
        }
        if s.chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        {
            return Err(InvalidRegistryId::LooksLikeMrn {
                given: s.to_owned(),
            });
        }
        let bad = || InvalidRegistryId::BadFormat {
            given: s.to_owned(),
        };
        let (site, number) = s.split_once('-').ok_or_else(bad)?;
        let site_ok = SiteCode::is_valid(site);
        let number_ok =
            (4..=8).contains(&number.len()) && number.chars().all(|c| c.is_ascii_digit());
        if site_ok && number_ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(bad())
        }
    }

    /// Builds the id of the `number`-th patient of a site, zero-padded to 6 digits
    /// (`from_parts("BOS", 42)` is `BOS-000042`).
    pub fn from_parts(site_code: &str, number: u32) -> Result<Self, InvalidRegistryId> {
        Self::parse(&format!("{site_code}-{number:06}"))
    }

    /// The site-code part, before the hyphen.
    pub fn site_code(&self) -> &str {
        self.0.split_once('-').map_or(&self.0, |(site, _)| site)
    }

    /// The id as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for RegistryId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegistryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for RegistryId {
    type Err = InvalidRegistryId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RegistryId {
    type Error = InvalidRegistryId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RegistryId> for String {
    fn from(id: RegistryId) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ids_accept_the_pattern() {
        for ok in ["BOS-000042", "AB-1234", "S01-12345678", " MUC-0001 "] {
            let id = RegistryId::parse(ok).unwrap();
            assert_eq!(id.as_str(), ok.trim());
        }
        assert_eq!(
            RegistryId::from_parts("BOS", 42).unwrap().as_str(),
            "BOS-000042"
        );
        assert_eq!(RegistryId::parse("BOS-000042").unwrap().site_code(), "BOS");
    }

    #[test]
    fn registry_ids_reject_mrns_and_bad_shapes() {
        assert_eq!(RegistryId::parse("  "), Err(InvalidRegistryId::Empty));
        assert!(matches!(
            RegistryId::parse("004512378"),
            Err(InvalidRegistryId::LooksLikeMrn { .. })
        ));
        for bad in [
            "bos-000042",
            "B-0001",
            "BOS000042",
            "BOS-12",
            "BOS-12a45",
            "1BS-0001",
            "TOOLONGXX-0001",
            "BOS-123456789",
        ] {
            assert!(
                matches!(
                    RegistryId::parse(bad),
                    Err(InvalidRegistryId::BadFormat { .. })
                ),
                "{bad}"
            );
        }
        let msg = RegistryId::parse("x").unwrap_err().to_string();
        assert!(msg.contains("SITE-NNNNNN"), "{msg}");
    }

    #[test]
    fn site_codes_follow_the_registry_id_rule() {
        for ok in ["BOS", "AB", "S01", "ABCDEFGH", " MUC "] {
            let code = SiteCode::parse(ok).unwrap();
            assert!(RegistryId::from_parts(code.as_str(), 1).is_ok(), "{ok}");
        }
        for bad in ["", "B", "bos", "1BS", "ABCDEFGHI", "BOS_2", "BO-S"] {
            assert!(SiteCode::parse(bad).is_err(), "{bad:?}");
        }
        let msg = SiteCode::parse("bos").unwrap_err().to_string();
        assert!(msg.contains("2 to 8 capital letters"), "{msg}");
    }

    #[test]
    fn registry_id_serde_validates() {
        let id: RegistryId = serde_json::from_str("\"BOS-000042\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"BOS-000042\"");
        assert!(serde_json::from_str::<RegistryId>("\"12345678\"").is_err());
    }
}
