-- The rows of table $1 (regclass) read from its start, up to 20000: timed by plan --rewrite, the rate
-- this server reads that table at, from which a step that scans it is estimated. Dynamic through
-- query_to_xml so that the table is a parameter, never text pasted into the query.
SELECT (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM (SELECT 1 FROM %s LIMIT 20000) s', $1::regclass),
                           false, true, '')))[1]::text::int AS n
