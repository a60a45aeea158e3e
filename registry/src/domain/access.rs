//! Roles and what each may do, and over which sites (issue 3, "Roles and access"; domain.md
//! §8 roles row). The web app enforces these in its extractors and queries; this module only
//! states the policy, so it can be tested and read in one place.

use crate::vocabulary;

vocabulary! {
    /// A user's role (issue 3).
    pub enum Role: "role" {
        /// Manages sites and users; unlocks locked forms with a reason.
        Admin = ("ADMIN", "Administrator"),
        /// Reads and writes patients of their own sites.
        Coordinator = ("COORDINATOR", "Research coordinator"),
        /// Reads own sites; verifies and locks follow-ups (e-signature).
        Monitor = ("MONITOR", "Monitor"),
        /// De-identified exports of all sites, never identities.
        Analyst = ("ANALYST", "Analyst"),
    }
}

/// Something a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ManageSites,
    ManageUsers,
    /// See patient records with their registry id and contacts.
    ReadPatients,
    /// Enrol patients and enter or edit clinical data.
    WritePatients,
    /// Mark a completed follow-up source-data verified.
    VerifyFollowUp,
    /// Lock (and e-sign) a follow-up.
    LockFollowUp,
    /// Unlock a locked follow-up, giving a reason (voids its signature).
    UnlockFollowUp,
    /// Read the audit trail of a patient or record.
    ReadAuditTrail,
    /// Export per-entity CSV with identities (registry id, dates).
    ExportIdentified,
    /// Export de-identified CSV (no contacts; dates as days from Day 0 on request).
    ExportDeidentified,
}

/// Which sites a role's permissions apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SiteScope {
    /// Only the sites the user is assigned to; another site's patient is a 404.
    OwnSites,
    /// Every site.
    AllSites,
}

impl Role {
    /// What the role may do. Admin has no clinical write access and reads patients only to
    /// unlock forms and support users (separation of duties, 21 CFR 11 [R5]).
    pub fn permissions(self) -> &'static [Permission] {
        use Permission as P;
        match self {
            Self::Admin => &[
                P::ManageSites,
                P::ManageUsers,
                P::ReadPatients,
                P::UnlockFollowUp,
                P::ReadAuditTrail,
            ],
            Self::Coordinator => &[
                P::ReadPatients,
                P::WritePatients,
                P::ReadAuditTrail,
                P::ExportIdentified,
                P::ExportDeidentified,
            ],
            Self::Monitor => &[
                P::ReadPatients,
                P::VerifyFollowUp,
                P::LockFollowUp,
                P::ReadAuditTrail,
                P::ExportDeidentified,
            ],
            Self::Analyst => &[P::ExportDeidentified],
        }
    }

    /// `true` if the role has the permission (on the sites of [`Role::site_scope`]).
    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// The sites the role's permissions cover: coordinators and monitors their own sites,
    /// administrators and analysts all sites.
    pub fn site_scope(self) -> SiteScope {
        match self {
            Self::Coordinator | Self::Monitor => SiteScope::OwnSites,
            Self::Admin | Self::Analyst => SiteScope::AllSites,
        }
    }

    /// `true` if the role may see identities (registry ids, contacts); analysts never do.
    pub fn sees_identities(self) -> bool {
        self.can(Permission::ReadPatients)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_matches_issue_3() {
        assert!(Role::Coordinator.can(Permission::WritePatients));
        assert!(!Role::Monitor.can(Permission::WritePatients));
        assert!(Role::Monitor.can(Permission::LockFollowUp));
        assert!(!Role::Monitor.can(Permission::UnlockFollowUp));
        assert!(Role::Admin.can(Permission::UnlockFollowUp));
        assert!(!Role::Admin.can(Permission::WritePatients));
        assert!(!Role::Analyst.sees_identities());
        assert!(!Role::Analyst.can(Permission::ExportIdentified));
        assert_eq!(Role::Analyst.site_scope(), SiteScope::AllSites);
        assert_eq!(Role::Coordinator.site_scope(), SiteScope::OwnSites);
        // Only administrators manage users and sites.
        for r in [Role::Coordinator, Role::Monitor, Role::Analyst] {
            assert!(!r.can(Permission::ManageUsers) && !r.can(Permission::ManageSites));
        }
    }
}
