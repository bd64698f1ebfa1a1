-- The server's version as major.minor (e.g. 15.18), for squawk's --pg-version: its rules depend
-- on what the server can do without a rewrite (non-volatile defaults since 11, ...).
SELECT current_setting('server_version_num')::int AS num,
       split_part(current_setting('server_version'), ' ', 1) AS version
