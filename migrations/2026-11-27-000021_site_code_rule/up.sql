-- A site code is the first part of its patients' registry ids (`SITE-NNNNNN`), so it follows
-- the same rule: 2 to 8 upper-case letters or digits, starting with a letter. The table's
-- original CHECK allowed 2 to 12 characters and `_`; SQLite cannot alter a CHECK in place, so
-- the stricter rule is enforced by triggers (existing rows are not rewritten; a site whose code
-- breaks the rule could enrol nobody, so none exists in practice).
CREATE TRIGGER sites_code_rule_insert
BEFORE INSERT ON sites
WHEN length(NEW.code) > 8 OR NEW.code GLOB '*_*'
BEGIN
    SELECT RAISE(ABORT, 'site code: 2 to 8 capital letters or digits, starting with a letter');
END;

CREATE TRIGGER sites_code_rule_update
BEFORE UPDATE OF code ON sites
WHEN length(NEW.code) > 8 OR NEW.code GLOB '*_*'
BEGIN
    SELECT RAISE(ABORT, 'site code: 2 to 8 capital letters or digits, starting with a letter');
END;
