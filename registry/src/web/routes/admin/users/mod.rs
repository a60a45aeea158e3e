//! `/admin/users`: the list of users, the form to add one, enabling/disabling, and each
//! user's access (role and sites).

pub mod access;
pub mod get;
pub mod post;

use askama::Template;
use diesel::SqliteConnection;

use crate::domain::access::Role;
use crate::domain::vocabulary::Vocabulary;
use crate::web::{
    accounts::{self, AccountSummary, check_username},
    auth::password::check_new_password,
    error::AppError,
    form::{Field, SelectOption, options},
    layout::Layout,
    routes::admin::sites::{SiteListRow, list_sites},
};

/// A user as the table shows them.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: i32,
    pub username: String,
    pub full_name: String,
    pub role_label: &'static str,
    pub sites: String,
    pub active: bool,
    pub locked: bool,
}

impl From<AccountSummary> for AccountRow {
    fn from(a: AccountSummary) -> Self {
        Self {
            id: a.id,
            username: a.username,
            full_name: a.full_name,
            role_label: a.role.label(),
            sites: a.site_codes.join(", "),
            active: a.active,
            locked: a.locked,
        }
    }
}

/// The add-a-user form as typed.
#[derive(Debug, Clone, Default)]
pub struct UserFormView {
    pub username: Field,
    pub full_name: Field,
    pub role: Field,
    pub password: Field,
    pub sites: Field,
    pub site_codes: Vec<String>,
}

/// A validated new user (password not yet hashed).
#[derive(Debug, Clone)]
pub struct NewUserInput {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub site_codes: Vec<String>,
    pub password: String,
}

impl UserFormView {
    /// Validates: `None` when a field is wrong, with its message attached here; the typed
    /// values stay, except the password, which is never sent back.
    pub fn validate(&mut self) -> Option<NewUserInput> {
        let username = self.username.value.trim().to_owned();
        if let Err(message) = check_username(&username) {
            self.username.fail(message);
        }
        let full_name = self.full_name.value.trim().to_owned();
        if full_name.is_empty() {
            self.full_name.fail("Enter the person's full name.");
        }
        let role = Role::parse(&self.role.value);
        if role.is_err() {
            self.role.fail("Choose a role.");
        }
        if let Err(e) = check_new_password(&self.password.value) {
            self.password.fail(e.to_string());
        }
        if matches!(role, Ok(Role::Coordinator | Role::Monitor)) && self.site_codes.is_empty() {
            self.sites
                .fail("Coordinators and monitors need at least one site.");
        }
        match role {
            Ok(role)
                if [&self.username, &self.full_name, &self.password, &self.sites]
                    .iter()
                    .all(|f| f.error.is_none()) =>
            {
                Some(NewUserInput {
                    username,
                    full_name,
                    role,
                    site_codes: self.site_codes.clone(),
                    password: self.password.value.clone(),
                })
            }
            _ => {
                self.password.value.clear();
                None
            }
        }
    }
}

/// Every role, `selected` chosen.
pub fn role_options(selected: &str) -> Vec<SelectOption> {
    options(Role::ALL.iter().map(|r| (r.code(), r.label())), selected)
}

/// Every site as a checkbox, the `ticked` codes ticked.
pub fn site_choices(sites: Vec<SiteListRow>, ticked: &[String]) -> Vec<SelectOption> {
    sites
        .into_iter()
        .map(|s| SelectOption {
            selected: ticked.contains(&s.code),
            code: s.code,
            label: s.name,
        })
        .collect()
}

/// The page.
#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub accounts: Vec<AccountRow>,
    pub form: UserFormView,
    pub roles: Vec<SelectOption>,
    pub site_choices: Vec<SelectOption>,
}

impl UsersPage {
    /// Loads what the page lists around a form.
    pub fn load(
        conn: &mut SqliteConnection,
        layout: Layout,
        form: UserFormView,
    ) -> Result<Self, AppError> {
        let accounts = accounts::list_accounts(conn)?
            .into_iter()
            .map(AccountRow::from)
            .collect();
        let site_choices = site_choices(list_sites(conn)?, &form.site_codes);
        let roles = role_options(&form.role.value);
        Ok(Self {
            layout,
            accounts,
            form,
            roles,
            site_choices,
        })
    }
}
