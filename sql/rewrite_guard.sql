-- Whether a step of a safe form is already in effect ($1 the kind of check, $2 the table as the
-- migration names it, $3 the constraint or column): a resumed run skips it instead of repeating it.
SELECT CASE $1
         WHEN 'constraint-exists' THEN EXISTS (SELECT 1 FROM pg_constraint
                                               WHERE conrelid = to_regclass($2) AND conname = $3)
         WHEN 'column-not-null' THEN EXISTS (SELECT 1 FROM pg_attribute
                                             WHERE attrelid = to_regclass($2) AND attname = $3 AND attnotnull)
         WHEN 'column-exists' THEN EXISTS (SELECT 1 FROM pg_attribute
                                           WHERE attrelid = to_regclass($2) AND attname = $3 AND NOT attisdropped)
       END AS done
