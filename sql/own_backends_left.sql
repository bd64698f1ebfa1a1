-- Which of the run's backends ($1: pids) the server still lists (after they were terminated).
SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[])
