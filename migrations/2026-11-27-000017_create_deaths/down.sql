DROP TRIGGER death_contributing_causes_row_version;
DROP TRIGGER deaths_row_version;
DROP TABLE death_contributing_causes;
DROP TABLE deaths;
