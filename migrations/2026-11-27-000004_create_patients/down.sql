DROP TRIGGER patients_row_version;
DROP TABLE patients;
