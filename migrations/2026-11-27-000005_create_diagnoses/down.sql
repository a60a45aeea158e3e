DROP TRIGGER diagnoses_row_version;
DROP TABLE diagnoses;
