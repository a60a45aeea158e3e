DROP TABLE web_cookie_key;
DROP INDEX web_sessions_user_id_idx;
DROP TABLE web_sessions;
