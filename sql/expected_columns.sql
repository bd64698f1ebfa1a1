-- Which of the expected (table, column) pairs exist; a missing table counts as a missing column.
SELECT e.tbl AS table, e.col AS column,
       EXISTS (SELECT 1 FROM pg_attribute a
               WHERE a.attrelid = to_regclass(quote_ident(e.tbl)) AND a.attname = e.col
                 AND a.attnum > 0 AND NOT a.attisdropped) AS present
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS e(tbl, col, i)
ORDER BY e.i
