DROP TRIGGER persistence_tests_row_version;
DROP TABLE persistence_tests;
