DROP TRIGGER infection_sites_row_version;
DROP TRIGGER infections_row_version;
DROP TABLE infection_sites;
DROP TABLE infections;
