//! Forms kept when a session expired: a coordinator who spends 40 minutes on a follow-up form
//! and presses Save after the idle limit does not lose what they typed.
//!
//! The login middleware (`auth::extract::require_login`) hands the expired POST's body here
//! instead of dropping it; the form never reaches its handler, so nothing is written. So does
//! the CSRF check (`auth::csrf`) for a page from an earlier session of the same user (who
//! logged in again meanwhile, perhaps in another tab): refused, and kept for them. After
//! logging in again as the same user, `/kept/{token}` shows what was typed and posts it to the
//! original handler, whose rules (validation, stale edits, site scope, audit) apply as usual.
//!
//! What lives here: the in-memory store (bounded in time, in total and per user) and the rule
//! of which fields may be kept. The CSRF token is never kept (the resubmission carries the new
//! session's), nor any field whose name says `password`: a password is never held in memory
//! longer than its own request. Kept forms are held in memory and in the database (`kept_forms`,
//! the token stored as its SHA-256 only), so a restart of the server does not lose them;
//! sessions outlive it too (`auth::session_store`).

use std::{
    collections::HashMap,
    fmt,
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant},
};

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{
    auth::{csrf, token},
    server_state,
};
use crate::db::{DbPool, schema::kept_forms};

/// How long a kept form waits for its owner to log in again and save it.
pub const KEPT_FOR: Duration = Duration::from_secs(2 * 60 * 60);

/// The largest form body kept. A larger one is not kept (the usual expired-session redirect).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The unguessable name of one kept form: 64 lowercase hex digits from the system's random
/// source. It travels in URLs (`/kept/{token}`, `/login?kept=`) and the login form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeptToken(String);

impl KeptToken {
    /// A new random token.
    fn generate() -> anyhow::Result<Self> {
        Ok(Self(token::random_token()?))
    }

    /// The page that shows the form to its owner to review and save it.
    pub fn review_path(&self) -> String {
        format!("/kept/{self}")
    }

    /// The login page of an expired session that says the form is kept and brings its owner
    /// back to it.
    pub fn login_path(&self) -> String {
        format!("/login?expired=1&kept={self}")
    }

    /// The token in a URL or form field, or `None` if it cannot be one of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        let ours = raw.len() == 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ours.then(|| Self(raw.to_owned()))
    }
}

impl AsRef<str> for KeptToken {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeptToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the kept form was going: the path and query of the original POST, one of this app's
/// own pages (starts with a single `/`, so it can never name another site).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormTarget(String);

impl FormTarget {
    /// The target of a request, or `None` unless it is a path of this site.
    pub fn parse(path_and_query: &str) -> Option<Self> {
        let local = path_and_query.starts_with('/')
            && !path_and_query.starts_with("//")
            && !path_and_query.contains('\\');
        local.then(|| Self(path_and_query.to_owned()))
    }

    /// The path and query, as the browser sent them.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The page of the form (the path without its query): where to start over.
    pub fn page(&self) -> &str {
        self.0.split('?').next().unwrap_or(&self.0)
    }
}

/// True for a field that may be kept: not the CSRF token, not a password.
fn keepable(name: &str) -> bool {
    name != csrf::FIELD && !name.to_ascii_lowercase().contains("password")
}

/// A url-encoded body as the `(name, value)` pairs worth keeping, in order, repeated names kept
/// (a group of check boxes repeats its name).
pub fn pairs_to_keep(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .filter(|(name, _)| keepable(name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// One kept form.
#[derive(Debug, Clone)]
pub struct KeptForm {
    /// The user whose session expired: the only one who may see it.
    pub user_id: i32,
    pub target: FormTarget,
    /// The fields as typed, in form order, without the CSRF token and passwords.
    pub pairs: Vec<(String, String)>,
    expires: Instant,
    /// Insertion order, to drop the oldest first (two `Instant`s may be equal).
    seq: u64,
}

impl KeptForm {
    /// What the form holds in memory, roughly: its path, names and values.
    fn bytes(&self) -> usize {
        self.target.0.len()
            + self
                .pairs
                .iter()
                .map(|(name, value)| name.len() + value.len())
                .sum::<usize>()
    }
}

/// The store's bounds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a form is kept.
    pub ttl: Duration,
    /// Forms kept in all; beyond it the oldest goes.
    pub max_total: usize,
    /// Forms kept per user; beyond it that user's oldest goes.
    pub max_per_user: usize,
    /// Bytes of names, values and paths kept in all; beyond it the oldest forms go.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            ttl: KEPT_FOR,
            max_total: 2_000,
            max_per_user: 20,
            max_bytes: 64 * MAX_BODY_BYTES,
        }
    }
}

#[derive(Default)]
struct Entries {
    forms: HashMap<KeptToken, KeptForm>,
    next_seq: u64,
}

impl Entries {
    /// Drops the oldest form among those `which` selects; returns it.
    fn drop_oldest(&mut self, which: impl Fn(&KeptForm) -> bool) -> Option<KeptForm> {
        let oldest = self
            .forms
            .iter()
            .filter(|(_, form)| which(form))
            .min_by_key(|(_, form)| form.seq)
            .map(|(token, _)| token.clone())?;
        self.forms.remove(&oldest)
    }
}

/// The kept forms, shared by all workers (in `AppState`): in memory, and in the database when
/// there is one (`kept_forms`), so that a restart of the server does not lose them.
pub struct KeptForms {
    entries: Mutex<Entries>,
    limits: Limits,
    durable: Option<DbPool>,
}

impl Default for KeptForms {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl KeptForms {
    /// An empty store with these bounds, in memory only.
    pub fn new(limits: Limits) -> Self {
        Self {
            entries: Mutex::new(Entries::default()),
            limits,
            durable: None,
        }
    }

    /// The app's store: default bounds, and every form also kept in this database.
    pub fn durable(pool: DbPool) -> Self {
        Self {
            durable: Some(pool),
            ..Self::default()
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps a form for `user_id`, in memory and in the database; returns its token. Storing
    /// it is best effort: if the database refuses, the form is still kept in memory (and lost
    /// on a restart, as before), and the failure is logged.
    pub async fn keep(
        &self,
        user_id: i32,
        target: FormTarget,
        pairs: Vec<(String, String)>,
    ) -> anyhow::Result<KeptToken> {
        let copy = self
            .durable
            .is_some()
            .then(|| (target.0.clone(), pairs.clone()));
        let token = self.keep_at(Instant::now(), user_id, target, pairs)?;
        if let (Some(pool), Some((target, pairs))) = (&self.durable, copy) {
            let stored = StoredForm {
                token_hash: token::sha256_hex(token.as_ref()),
                user_id,
                target,
                pairs,
                expires_at: server_state::expiry_after(self.limits.ttl),
            };
            let max_per_user = self.limits.max_per_user;
            server_state::best_effort(pool, "keep a form", move |conn| {
                stored.insert(conn, max_per_user)
            })
            .await;
        }
        Ok(token)
    }

    /// Brings back into memory a form kept before a restart of the server, if the database
    /// holds it and it has not expired. A form already in memory is left as it is.
    pub async fn recall(&self, token: &KeptToken) {
        if self.lock().forms.contains_key(token) {
            return;
        }
        let Some(pool) = &self.durable else {
            return;
        };
        let hash = token::sha256_hex(token.as_ref());
        let found = server_state::best_effort(pool, "read a kept form", move |conn| {
            StoredForm::find(conn, &hash)
        })
        .await
        .flatten();
        let Some(stored) = found else {
            return;
        };
        let Some(target) = FormTarget::parse(&stored.target) else {
            return;
        };
        let mut entries = self.lock();
        let seq = entries.next_seq;
        entries.next_seq += 1;
        entries.forms.entry(token.clone()).or_insert(KeptForm {
            user_id: stored.user_id,
            target,
            pairs: stored.pairs,
            expires: server_state::instant_of(stored.expires_at),
            seq,
        });
    }

    /// Forgets the form named by `token` if it belongs to `user_id`, in memory and in the
    /// database; true if it did.
    pub async fn forget(&self, token: &KeptToken, user_id: i32) -> bool {
        let owned = self.discard(token, user_id);
        if owned && let Some(pool) = &self.durable {
            let hash = token::sha256_hex(token.as_ref());
            server_state::best_effort(pool, "forget a kept form", move |conn| {
                StoredForm::delete(conn, &hash)
            })
            .await;
        }
        owned
    }

    fn keep_at(
        &self,
        now: Instant,
        user_id: i32,
        target: FormTarget,
        pairs: Vec<(String, String)>,
    ) -> anyhow::Result<KeptToken> {
        let token = KeptToken::generate()?;
        let form = KeptForm {
            user_id,
            target,
            pairs,
            expires: now + self.limits.ttl,
            seq: 0,
        };
        let mut entries = self.lock();
        entries.forms.retain(|_, form| form.expires > now);
        let of_user = entries
            .forms
            .values()
            .filter(|form| form.user_id == user_id)
            .count();
        for _ in self.limits.max_per_user.saturating_sub(1)..of_user {
            entries.drop_oldest(|form| form.user_id == user_id);
        }
        let mut bytes: usize = entries.forms.values().map(KeptForm::bytes).sum();
        while entries.forms.len() >= self.limits.max_total
            || bytes + form.bytes() > self.limits.max_bytes
        {
            let Some(dropped) = entries.drop_oldest(|_| true) else {
                break;
            };
            bytes -= dropped.bytes();
        }
        let seq = entries.next_seq;
        entries.next_seq += 1;
        entries
            .forms
            .insert(token.clone(), KeptForm { seq, ..form });
        Ok(token)
    }

    /// True when this token names a form still kept (whoever it belongs to). The login page
    /// uses it to say the form is kept; it learns nothing about whose it is.
    pub fn exists(&self, token: &KeptToken) -> bool {
        self.exists_at(Instant::now(), token)
    }

    fn exists_at(&self, now: Instant, token: &KeptToken) -> bool {
        self.lock()
            .forms
            .get(token)
            .is_some_and(|form| form.expires > now)
    }

    /// The kept form named by `token` if it is still kept and belongs to `user_id`.
    pub fn get(&self, token: &KeptToken, user_id: i32) -> Option<KeptForm> {
        self.get_at(Instant::now(), token, user_id)
    }

    fn get_at(&self, now: Instant, token: &KeptToken, user_id: i32) -> Option<KeptForm> {
        self.lock()
            .forms
            .get(token)
            .filter(|form| form.expires > now && form.user_id == user_id)
            .cloned()
    }

    /// Forgets the form named by `token` if it belongs to `user_id`, in memory only; true if it
    /// did. The app uses [`KeptForms::forget`].
    fn discard(&self, token: &KeptToken, user_id: i32) -> bool {
        let mut entries = self.lock();
        let owned = entries
            .forms
            .get(token)
            .is_some_and(|form| form.user_id == user_id);
        if owned {
            entries.forms.remove(token);
        }
        owned
    }

    /// Forms held now, expired ones not yet evicted included (tests and diagnostics).
    pub fn len(&self) -> usize {
        self.lock().forms.len()
    }

    /// True when no form is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A kept form as the `kept_forms` table holds it.
struct StoredForm {
    token_hash: String,
    user_id: i32,
    target: String,
    pairs: Vec<(String, String)>,
    expires_at: NaiveDateTime,
}

impl StoredForm {
    /// Inserts the row; deletes the expired rows, and this user's oldest beyond `max_per_user`
    /// (as memory drops them).
    fn insert(self, conn: &mut SqliteConnection, max_per_user: usize) -> anyhow::Result<()> {
        let pairs = serde_json::to_string(&self.pairs)?;
        let now = Utc::now().naive_utc();
        let keep = i64::try_from(max_per_user).unwrap_or(i64::MAX);
        crate::db::write_transaction(conn, |conn| -> QueryResult<()> {
            diesel::delete(kept_forms::table.filter(kept_forms::expires_at.le(now)))
                .execute(conn)?;
            diesel::insert_into(kept_forms::table)
                .values((
                    kept_forms::token_hash.eq(&self.token_hash),
                    kept_forms::user_id.eq(self.user_id),
                    kept_forms::target.eq(&self.target),
                    kept_forms::pairs.eq(&pairs),
                    kept_forms::expires_at.eq(self.expires_at),
                ))
                .execute(conn)?;
            let newest: Vec<i32> = kept_forms::table
                .filter(kept_forms::user_id.eq(self.user_id))
                .order(kept_forms::id.desc())
                .limit(keep)
                .select(kept_forms::id)
                .load(conn)?;
            diesel::delete(
                kept_forms::table
                    .filter(kept_forms::user_id.eq(self.user_id))
                    .filter(kept_forms::id.ne_all(newest)),
            )
            .execute(conn)?;
            Ok(())
        })?;
        Ok(())
    }

    /// The row with this token hash, unless it has expired.
    fn find(conn: &mut SqliteConnection, token_hash: &str) -> anyhow::Result<Option<Self>> {
        let row: Option<(i32, String, String, NaiveDateTime)> = kept_forms::table
            .filter(kept_forms::token_hash.eq(token_hash))
            .filter(kept_forms::expires_at.gt(Utc::now().naive_utc()))
            .select((
                kept_forms::user_id,
                kept_forms::target,
                kept_forms::pairs,
                kept_forms::expires_at,
            ))
            .first(conn)
            .optional()?;
        row.map(|(user_id, target, pairs, expires_at)| {
            Ok(Self {
                token_hash: token_hash.to_owned(),
                user_id,
                target,
                pairs: serde_json::from_str(&pairs)?,
                expires_at,
            })
        })
        .transpose()
    }

    /// Deletes the row with this token hash, if any.
    fn delete(conn: &mut SqliteConnection, token_hash: &str) -> anyhow::Result<()> {
        crate::db::write_transaction(conn, |conn| {
            diesel::delete(kept_forms::table.filter(kept_forms::token_hash.eq(token_hash)))
                .execute(conn)
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> FormTarget {
        FormTarget::parse("/patients/1/courses/1/follow-ups/D100").unwrap()
    }

    fn pairs(n: usize) -> Vec<(String, String)> {
        vec![("n".to_owned(), n.to_string())]
    }

    fn store(max_total: usize, max_per_user: usize) -> KeptForms {
        KeptForms::new(Limits {
            ttl: Duration::from_secs(60),
            max_total,
            max_per_user,
            max_bytes: 1_000_000,
        })
    }

    #[test]
    fn the_csrf_token_and_every_password_field_are_dropped_the_rest_kept_in_order() {
        let body = b"csrf_token=abc&meaning=REVIEW&password=secret&relapse_methods=PET\
                     &current_password=a&New_Password=b&relapse_methods=BIOPSY&note=a%26b+c";

        let kept = pairs_to_keep(body);

        let expected: Vec<(String, String)> = [
            ("meaning", "REVIEW"),
            ("relapse_methods", "PET"),
            ("relapse_methods", "BIOPSY"),
            ("note", "a&b c"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(kept, expected);
    }

    #[test]
    fn a_target_must_be_a_path_of_this_site() {
        assert!(FormTarget::parse("/patients?x=1").is_some());
        assert_eq!(FormTarget::parse("/a/b?x=1").unwrap().page(), "/a/b");
        for bad in ["//evil.example/x", "https://evil.example/", "/\\evil", ""] {
            assert!(FormTarget::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn tokens_are_ours_only_when_64_lowercase_hex_digits() {
        let token = KeptToken::generate().unwrap();
        assert_eq!(KeptToken::parse(token.as_ref()), Some(token.clone()));
        assert!(KeptToken::parse(&token.as_ref().to_uppercase()).is_none());
        assert!(KeptToken::parse("abc").is_none());
        assert!(KeptToken::parse(&format!("{}/", &token.as_ref()[..63])).is_none());
    }

    #[test]
    fn a_form_is_seen_only_by_its_owner_and_only_until_it_expires() {
        let store = store(10, 10);
        let now = Instant::now();
        let token = store.keep_at(now, 7, target(), pairs(1)).unwrap();

        assert_eq!(store.get_at(now, &token, 7).unwrap().pairs, pairs(1));
        assert!(store.get_at(now, &token, 8).is_none(), "another user");
        assert!(store.exists_at(now + Duration::from_secs(59), &token));
        let later = now + Duration::from_secs(61);
        assert!(store.get_at(later, &token, 7).is_none(), "expired");
        assert!(!store.exists_at(later, &token));
    }

    #[test]
    fn expired_forms_are_evicted_when_another_is_kept() {
        let store = store(10, 10);
        let now = Instant::now();
        for n in 0..3 {
            store.keep_at(now, 7, target(), pairs(n)).unwrap();
        }
        assert_eq!(store.len(), 3);

        store
            .keep_at(now + Duration::from_secs(61), 8, target(), pairs(9))
            .unwrap();

        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_user_keeps_at_most_their_cap_and_loses_their_oldest_first() {
        let store = store(100, 3);
        let now = Instant::now();
        let other = store.keep_at(now, 8, target(), pairs(100)).unwrap();
        let tokens: Vec<KeptToken> = (0..5)
            .map(|n| store.keep_at(now, 7, target(), pairs(n)).unwrap())
            .collect();

        let kept: Vec<bool> = tokens
            .iter()
            .map(|t| store.get_at(now, t, 7).is_some())
            .collect();
        assert_eq!(kept, [false, false, true, true, true]);
        assert!(
            store.get_at(now, &other, 8).is_some(),
            "another user's form stays"
        );
        assert_eq!(store.len(), 4);
    }

    #[test]
    fn the_store_never_holds_more_than_its_total_cap_and_drops_the_oldest() {
        let store = store(4, 100);
        let now = Instant::now();
        let tokens: Vec<KeptToken> = (0..10)
            .map(|n| {
                let user = i32::try_from(n % 3).unwrap();
                store.keep_at(now, user, target(), pairs(n)).unwrap()
            })
            .collect();

        assert_eq!(store.len(), 4);
        let kept: Vec<usize> = tokens
            .iter()
            .enumerate()
            .filter(|(n, t)| {
                let user = i32::try_from(n % 3).unwrap();
                store.get_at(now, t, user).is_some()
            })
            .map(|(n, _)| n)
            .collect();
        assert_eq!(kept, [6, 7, 8, 9], "the newest four");
    }

    #[test]
    fn the_store_never_holds_more_than_its_byte_cap_and_drops_the_oldest() {
        let store = KeptForms::new(Limits {
            max_bytes: 3 * 1_100, // each form holds ~1,040 bytes (path, name, value)
            ..Limits::default()
        });
        let now = Instant::now();
        let big = |n: usize| vec![("note".to_owned(), format!("{n}").repeat(1_000))];
        let first = store.keep_at(now, 1, target(), big(1)).unwrap();
        let second = store.keep_at(now, 2, target(), big(2)).unwrap();
        let third = store.keep_at(now, 3, target(), big(3)).unwrap();
        assert_eq!(store.len(), 3, "three fit");

        let fourth = store.keep_at(now, 4, target(), big(4)).unwrap();

        assert_eq!(store.len(), 3);
        assert!(store.get_at(now, &first, 1).is_none(), "the oldest went");
        for (token, user) in [(&second, 2), (&third, 3), (&fourth, 4)] {
            assert!(store.get_at(now, token, user).is_some());
        }
    }

    #[test]
    fn only_the_owner_can_discard_a_form() {
        let store = store(10, 10);
        let token = store
            .keep_at(Instant::now(), 7, target(), pairs(1))
            .unwrap();

        assert!(!store.discard(&token, 8));
        assert!(store.exists(&token));
        assert!(store.discard(&token, 7));
        assert!(!store.exists(&token));
        assert!(store.is_empty());
    }
}
