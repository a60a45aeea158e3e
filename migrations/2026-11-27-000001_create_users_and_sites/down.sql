DROP TRIGGER sites_row_version;
DROP TRIGGER users_row_version;
DROP TABLE user_sites;
DROP TABLE sites;
DROP TABLE users;
