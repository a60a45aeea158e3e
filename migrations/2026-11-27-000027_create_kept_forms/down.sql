DROP INDEX kept_forms_user_id_idx;
DROP TABLE kept_forms;
