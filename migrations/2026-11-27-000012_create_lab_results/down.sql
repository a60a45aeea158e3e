DROP TRIGGER lab_results_row_version;
DROP TABLE lab_results;
