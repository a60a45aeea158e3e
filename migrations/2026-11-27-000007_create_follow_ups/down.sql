DROP TRIGGER follow_ups_locked_no_delete;
DROP TRIGGER follow_ups_row_version;
DROP TABLE follow_ups;
