-- Why an infusion was given (registry::domain::product::InfusionIntent): INITIAL for a course's
-- first infusion (Day 0) and only for it; a re-infusion in the same course (domain.md §3.3, [S10])
-- names its reason. NULL means "not recorded": infusions stored before this migration that are
-- not a first infusion, and rows written by loaders that do not ask (the web form requires it).
ALTER TABLE infusions ADD COLUMN intent TEXT
    CHECK (intent IN ('INITIAL', 'RELAPSE_PROGRESSION', 'REINFUSION_B_CELL_RECOVERY', 'MRD_POSITIVE', 'CONSOLIDATION_MAINTENANCE'))
    CHECK (intent IS NULL OR (intent = 'INITIAL') = (infusion_number = 1));

-- A first infusion is the initial one by definition.
UPDATE infusions SET intent = 'INITIAL', row_version = row_version + 1 WHERE infusion_number = 1;
