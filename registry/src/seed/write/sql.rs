//! The SQL the writer sends: each table's pending multi-row `INSERT` statements, and one row's
//! values rendered as SQL literals.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::SYSTEM_USER;
use crate::domain::Vocabulary;

/// Rows per INSERT statement: enough to amortise parsing (1 row per statement is 3-4x slower;
/// 20 to 400 rows measure the same).
pub const STATEMENT_ROWS: usize = 100;

/// One table's pending multi-row INSERT statements.
pub(super) struct Table {
    pub(super) name: &'static str,
    columns: &'static str,
    /// Has the created/updated audit columns.
    audited: bool,
    sql: String,
    pending: usize,
    pub(super) total: u64,
}

impl Table {
    pub(super) fn new(name: &'static str, columns: &'static str) -> Self {
        Self {
            name,
            columns,
            audited: true,
            sql: String::new(),
            pending: 0,
            total: 0,
        }
    }

    /// A table without the created/updated audit columns (append-only logs).
    pub(super) fn unaudited(name: &'static str, columns: &'static str) -> Self {
        Self {
            audited: false,
            ..Self::new(name, columns)
        }
    }

    /// Appends one row; `fill` writes its values in column order (audit columns excluded).
    pub(super) fn row(&mut self, stamp: &str, fill: impl FnOnce(&mut Values<'_>)) {
        if self.pending == 0 {
            let audit = if self.audited {
                ", created_at, created_by, updated_at, updated_by"
            } else {
                ""
            };
            let _ = write!(
                self.sql,
                "INSERT INTO {} ({}{audit}) VALUES (",
                self.name, self.columns
            );
        } else {
            self.sql.push_str(",(");
        }
        let mut values = Values {
            out: &mut self.sql,
            first: true,
        };
        fill(&mut values);
        if self.audited {
            values
                .text(stamp)
                .int(SYSTEM_USER)
                .text(stamp)
                .int(SYSTEM_USER);
        }
        self.sql.push(')');
        self.pending += 1;
        self.total += 1;
        if self.pending == STATEMENT_ROWS {
            self.sql.push_str(";\n");
            self.pending = 0;
        }
    }

    /// Moves the finished statements into `out`.
    pub(super) fn drain_into(&mut self, out: &mut String) {
        if self.pending > 0 {
            self.sql.push_str(";\n");
            self.pending = 0;
        }
        out.push_str(&self.sql);
        self.sql.clear();
    }
}

/// The values of one row, rendered as SQL literals.
pub(super) struct Values<'a> {
    out: &'a mut String,
    first: bool,
}

impl Values<'_> {
    fn sep(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    pub(super) fn null(&mut self) -> &mut Self {
        self.sep();
        self.out.push_str("NULL");
        self
    }

    pub(super) fn int(&mut self, value: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.out, "{value}");
        self
    }

    pub(super) fn real(&mut self, value: f64) -> &mut Self {
        self.sep();
        if value.is_finite() {
            // Debug keeps a decimal point or exponent, so SQLite reads a REAL.
            let _ = write!(self.out, "{value:?}");
        } else {
            self.out.push_str("NULL");
        }
        self
    }

    pub(super) fn flag(&mut self, value: bool) -> &mut Self {
        self.int(i64::from(value))
    }

    pub(super) fn text(&mut self, value: &str) -> &mut Self {
        self.sep();
        self.out.push('\'');
        for c in value.chars() {
            if c == '\'' {
                self.out.push('\'');
            }
            self.out.push(c);
        }
        self.out.push('\'');
        self
    }

    pub(super) fn code<V: Vocabulary>(&mut self, value: V) -> &mut Self {
        self.text(value.code())
    }

    pub(super) fn date(&mut self, value: NaiveDate) -> &mut Self {
        self.sep();
        self.out.push('\'');
        push_iso_date(self.out, value);
        self.out.push('\'');
        self
    }

    pub(super) fn opt_date(&mut self, value: Option<NaiveDate>) -> &mut Self {
        match value {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }

    pub(super) fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    pub(super) fn opt_real(&mut self, value: Option<f64>) -> &mut Self {
        match value {
            Some(v) => self.real(v),
            None => self.null(),
        }
    }

    pub(super) fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    pub(super) fn opt_code<V: Vocabulary>(&mut self, value: Option<V>) -> &mut Self {
        match value {
            Some(v) => self.code(v),
            None => self.null(),
        }
    }

    /// A noon timestamp on `date` (sign-off times).
    pub(super) fn opt_noon(&mut self, value: Option<NaiveDate>) -> &mut Self {
        match value {
            Some(d) => {
                self.sep();
                self.out.push('\'');
                push_iso_date(self.out, d);
                self.out.push_str(" 12:00:00.000'");
                self
            }
            None => self.null(),
        }
    }
}

/// `YYYY-MM-DD` without going through chrono's formatter (a hot path of the bulk load).
fn push_iso_date(out: &mut String, date: NaiveDate) {
    use chrono::Datelike;
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month(),
        date.day()
    );
}
