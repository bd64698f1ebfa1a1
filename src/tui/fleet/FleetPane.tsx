// `console --fleet`: the Fleet pane. One row per target (state, current migration, duration, last
// error) and the counts, read again from the ledger every refresh; f filters by state, p pauses the
// fleet (no new target starts, running ones finish), r resumes it, q quits.
import React, { useEffect, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import { TARGET_STATES, type TargetState } from '../../operations/fleet.js';
import type { FleetStatus } from '../../operations/fleetStatus.js';
import type { FleetWatch } from '../../operations/fleetWatch.js';

const COLOR: Record<TargetState, string> = {
  pending: 'gray',
  running: 'cyan',
  applied: 'green',
  failed: 'red',
  skipped: 'green',
  refused: 'yellow',
};

const FILTERS: (TargetState | 'all')[] = ['all', ...TARGET_STATES];

const secs = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function FleetPane({ watch, refreshMs, rows = 20 }: { watch: FleetWatch; refreshMs: number; rows?: number }) {
  const { exit } = useApp();
  const [status, setStatus] = useState<FleetStatus | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [filter, setFilter] = useState(0);
  const [message, setMessage] = useState('');

  useEffect(() => {
    let alive = true;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      try {
        const s = await watch.read();
        if (alive) {
          setStatus(s);
          setError(undefined);
        }
      } catch (err) {
        if (alive) setError((err as Error).message);
      }
      if (alive) timer = setTimeout(tick, refreshMs);
    };
    void tick();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [watch, refreshMs]);

  const setPaused = (paused: boolean) => {
    void watch
      .pause(paused)
      .then(() => watch.read())
      .then((s) => {
        setStatus(s);
        setMessage(paused ? 'Paused: no new target starts; running ones finish.' : 'Resumed.');
      })
      .catch((err: Error) => setMessage(err.message));
  };

  useInput((input) => {
    if (input === 'q') exit();
    else if (input === 'f') setFilter((f) => (f + 1) % FILTERS.length);
    else if (input === 'p') setPaused(true);
    else if (input === 'r') setPaused(false);
  });

  const shown = FILTERS[filter]!;
  const targets = (status?.targets ?? []).filter((t) => shown === 'all' || t.state === shown);
  return (
    <Box flexDirection="column">
      <Text bold>
        Fleet {watch.fleet}
        {status?.paused ? <Text color="yellow"> PAUSED</Text> : null}
        {status?.stopped ? <Text color="red"> STOPPED</Text> : null}
      </Text>
      <Text>
        {status ? TARGET_STATES.map((s) => `${status.counts[s]} ${s}`).join(' · ') : error ? '' : 'reading the ledger…'}
      </Text>
      {status?.stopped ? <Text color="red">Stopped: {status.stopped}</Text> : null}
      {status?.waiting ? (
        <Text color="yellow">
          wave {status.waiting.wave} waits: {status.waiting.reason}
        </Text>
      ) : null}
      <Text dimColor>
        {'TARGET'.padEnd(16)} {'STATE'.padEnd(8)} {'MIGRATION'.padEnd(28)} {'TIME'.padEnd(8)} ERROR
      </Text>
      {targets.slice(0, rows).map((t) => (
        <Text key={t.name}>
          {cut(t.name, 16).padEnd(16)} <Text color={COLOR[t.state]}>{t.state.padEnd(8)}</Text>{' '}
          {cut(t.migration ?? t.lastApplied ?? '', 28).padEnd(28)} {secs(t.durationMs).padEnd(8)}{' '}
          {cut(t.error ?? '', 60)}
        </Text>
      ))}
      {targets.length > rows ? <Text dimColor>… and {targets.length - rows} more</Text> : null}
      {error ? <Text color="red">{error}</Text> : null}
      <Text>{message}</Text>
      <Text dimColor>f filter ({shown}) · p pause · r resume · q quit</Text>
    </Box>
  );
}
