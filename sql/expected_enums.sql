-- Which of the expected enum types exist and are visible on the search_path.
SELECT e.name,
       EXISTS (SELECT 1 FROM pg_type t WHERE t.typname = e.name AND t.typtype = 'e' AND pg_type_is_visible(t.oid)) AS present
FROM unnest($1::text[]) WITH ORDINALITY AS e(name, i)
ORDER BY i
