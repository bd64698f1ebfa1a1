-- Which of the expected tables exist, resolved as the application resolves them (search_path),
-- with the exact case of the name ("User" is not users).
SELECT name, to_regclass(quote_ident(name)) IS NOT NULL AS present
FROM unnest($1::text[]) WITH ORDINALITY AS e(name, i)
ORDER BY i
