DROP TRIGGER api_tokens_row_version;
DROP TABLE api_tokens;
