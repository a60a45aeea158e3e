DROP TRIGGER sites_code_rule_update;
DROP TRIGGER sites_code_rule_insert;
