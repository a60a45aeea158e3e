//! Who is asking: the `CurrentUser` extractor and the role guards. Any handler that touches
//! registry data takes one of them in its signature, so it cannot run for an anonymous user;
//! the `require_login` middleware on the protected scope is the second lock on the same door.

use std::future::{Ready, ready};

use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest,
    body::{EitherBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web,
};

use super::{
    session::{SessionStatus, TypedSession},
    store,
};
use crate::domain::access::{Permission, Role, SiteScope};
use crate::web::{
    error::{AppError, see_other},
    kept_forms::{FormTarget, KeptForms, KeptToken, MAX_BODY_BYTES, pairs_to_keep},
    startup::AppState,
};

/// The logged-in user, loaded afresh on every request (a disabled account stops at once).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i32,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// The sites this user works for (coordinators and monitors see only these).
    pub site_ids: Vec<i32>,
}

/// Which sites' patients a user may see. Applied in the SQL of every patient query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteFilter {
    /// Every site.
    All,
    /// Only these sites.
    Only(Vec<i32>),
}

impl SiteFilter {
    /// True when a record of this site is in scope.
    pub fn allows(&self, site_id: i32) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.contains(&site_id),
        }
    }
}

impl CurrentUser {
    /// True for administrators.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// True when the role has this permission (domain policy, `crate::domain::access`).
    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }

    /// `Forbidden` unless the role has this permission.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The sites where this user may use `permission`: `Forbidden` if the role lacks it, else
    /// every site or the user's own, as the role's site scope says.
    pub fn sites_for(&self, permission: Permission) -> Result<SiteFilter, AppError> {
        self.require(permission)?;
        Ok(match self.role.site_scope() {
            SiteScope::AllSites => SiteFilter::All,
            SiteScope::OwnSites => SiteFilter::Only(self.site_ids.clone()),
        })
    }

    /// `Forbidden` unless the user has one of these roles.
    pub fn require_role(&self, allowed: &[Role]) -> Result<(), AppError> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<CurrentUser>()
                .cloned()
                .ok_or(AppError::Unauthenticated),
        )
    }
}

/// An administrator; anyone else gets 403.
#[derive(Debug, Clone)]
pub struct AdminUser(pub CurrentUser);

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(
            CurrentUser::from_request(req, payload)
                .into_inner()
                .and_then(|user| {
                    user.require(Permission::ManageUsers)?;
                    Ok(AdminUser(user))
                }),
        )
    }
}

/// Middleware for the protected scope: anonymous or expired sessions are sent to the login
/// page; a live session's user is loaded and attached to the request for `CurrentUser`.
/// A form posted by a session that has just expired is kept for its user (`kept_forms`) and
/// the login page is told its token, so logging in again brings it back.
pub async fn require_login<B: MessageBody>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("AppState is not registered")))?;
    let session = TypedSession::new(actix_session::SessionExt::get_session(&req));
    let security = &state.settings.security;
    let status = session
        .status(security.idle_timeout, security.absolute_timeout)
        .map_err(AppError::Unexpected)?;
    let (user_id, fingerprint) = match status {
        SessionStatus::Active {
            user_id,
            password_fingerprint,
        } => (user_id, password_fingerprint),
        SessionStatus::Expired { user_id } => {
            return match keep_form(&mut req, &state.kept_forms, user_id).await? {
                Some(token) => Ok(req
                    .into_response(see_other(&token.login_path()))
                    .map_into_right_body()),
                None => Err(AppError::SessionExpired.into()),
            };
        }
        SessionStatus::Anonymous => return Err(AppError::Unauthenticated.into()),
    };
    let pool = state.pool.clone();
    let user = web::block(move || -> anyhow::Result<Option<CurrentUser>> {
        let mut conn = pool.get()?;
        store::load_session_user(&mut conn, user_id, &fingerprint)
    })
    .await
    .map_err(AppError::from)?
    .map_err(AppError::Unexpected)?;
    let Some(user) = user else {
        session.log_out();
        return Err(AppError::Unauthenticated.into());
    };
    req.extensions_mut().insert(user);
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// Keeps the form an expired session was posting, if it is one worth keeping: a url-encoded
/// POST to one of the app's pages with something typed in it. The body has already passed the
/// CSRF check (the expired session's state is still held), so it came from this site.
async fn keep_form(
    req: &mut ServiceRequest,
    kept_forms: &KeptForms,
    user_id: i32,
) -> Result<Option<KeptToken>, Error> {
    let Some(target) = keep_target(req) else {
        return Ok(None);
    };
    let Ok(body) = req.extract::<web::Bytes>().await else {
        return Ok(None);
    };
    keep_body(target, &body, kept_forms, user_id).await
}

/// Where a posted form was going, if it is one worth keeping: a url-encoded POST to one of the
/// app's pages (not the API, the login or the logout).
fn keep_target(req: &ServiceRequest) -> Option<FormTarget> {
    let path = req.path();
    let page_route = req.match_pattern().is_some()
        && !path.starts_with("/api/")
        && !matches!(path, "/login" | "/logout");
    let is_form = req.method() == Method::POST
        && req
            .content_type()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded");
    if !(page_route && is_form) {
        return None;
    }
    req.uri()
        .path_and_query()
        .and_then(|pq| FormTarget::parse(pq.as_str()))
}

/// Keeps a posted form's body (already read) for this user, if it is one worth keeping (see
/// [`keep_target`]) with something typed in it and not too large.
pub(crate) async fn keep_posted_form(
    req: &ServiceRequest,
    body: &[u8],
    kept_forms: &KeptForms,
    user_id: i32,
) -> Result<Option<KeptToken>, Error> {
    match keep_target(req) {
        Some(target) => keep_body(target, body, kept_forms, user_id).await,
        None => Ok(None),
    }
}

/// Keeps a body for this user unless it is too large or has nothing typed in it.
async fn keep_body(
    target: FormTarget,
    body: &[u8],
    kept_forms: &KeptForms,
    user_id: i32,
) -> Result<Option<KeptToken>, Error> {
    if body.len() > MAX_BODY_BYTES {
        return Ok(None);
    }
    let pairs = pairs_to_keep(body);
    if pairs.is_empty() {
        return Ok(None);
    }
    let token = kept_forms
        .keep(user_id, target, pairs)
        .await
        .map_err(AppError::Unexpected)?;
    Ok(Some(token))
}
