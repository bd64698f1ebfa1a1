-- Which of the expected indexes exist (an index is a relation: resolved on the search_path), and
-- whether each is valid: a failed CREATE INDEX CONCURRENTLY leaves an index that is present but unusable.
SELECT e.name,
       i.indexrelid IS NOT NULL AS present,
       coalesce(i.indisvalid, false) AS valid
FROM unnest($1::text[]) WITH ORDINALITY AS e(name, ord)
LEFT JOIN pg_index i ON i.indexrelid = to_regclass(quote_ident(e.name))
ORDER BY e.ord
