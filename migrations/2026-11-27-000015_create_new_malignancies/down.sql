DROP TRIGGER new_malignancies_row_version;
DROP TABLE new_malignancies;
