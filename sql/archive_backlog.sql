-- WAL segments completed and not archived yet: GitLab's formula (the number of the segment being
-- written less that of the last one archived), with the server's own segment size instead of 16 MB,
-- less the segment being written (it cannot be archived yet), so a caught-up archiver reads 0. The
-- current segment's number comes from the LSN itself: pg_walfile_name() names the previous file for
-- an LSN just at a segment's start (right after a switch).
-- NULL when archiving is off, on a server in recovery, or before the first segment is archived.
WITH a AS (
  SELECT last_archived_wal AS last,
         pg_size_bytes(current_setting('wal_segment_size')) AS seg,
         current_setting('archive_mode') <> 'off' AND NOT pg_is_in_recovery() AS archiving
  FROM pg_stat_archiver
)
SELECT CASE
         WHEN NOT a.archiving OR a.last IS NULL OR a.last !~ '^[0-9A-F]{24}' THEN NULL
         ELSE greatest(0,
           floor(pg_wal_lsn_diff(cur.lsn, '0/0') / a.seg)::bigint
           - ('x' || lpad(substr(a.last, 9, 8), 16, '0'))::bit(64)::bigint * (4294967296 / a.seg)
           - ('x' || lpad(substr(a.last, 17, 8), 16, '0'))::bit(64)::bigint
           - 1)
       END AS backlog_segments
FROM a
LEFT JOIN LATERAL (SELECT pg_current_wal_lsn() AS lsn WHERE a.archiving) cur ON true
