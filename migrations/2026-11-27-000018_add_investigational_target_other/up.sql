-- The antigen an investigational product targets when it is none of the listed ones
-- (investigational_target = 'OTHER', e.g. CD22, GPRC5D): required then, and only then.
ALTER TABLE treatment_courses ADD COLUMN investigational_target_other TEXT
    CHECK ((investigational_target IS 'OTHER') = (investigational_target_other IS NOT NULL)
           AND (investigational_target_other IS NULL OR length(trim(investigational_target_other)) > 0));
