// `console --fleet`: the Fleet pane. One row per target (state, current migration, duration, last
// error) and the counts, read again from the ledger every refresh. Its keys are the key table's
// (keys.ts FLEET_KEYS): ↑/↓ select, Enter opens the selected target's own console read-only (Esc or
// q comes back), f filters by state, p pauses the fleet (no new target starts, running ones
// finish), r resumes it, q quits.
import { useEffect, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, type Key } from 'ink';
import { TARGET_STATES, type TargetState } from '../../operations/fleet.js';
import type { FleetStatus } from '../../operations/fleetStatus.js';
import type { FleetWatch } from '../../operations/fleetWatch.js';
import { FLEET_KEYS, bindingFor } from '../keys.js';

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

export interface FleetPaneProps {
  watch: FleetWatch;
  refreshMs: number;
  rows?: number;
  /**
   * Enter on a row: the console leaves the Fleet pane and opens that target's own console
   * (fleetConsole.ts), then comes back here, on the same row.
   */
  onOpen?: (name: string) => void;
  /** The row selected when the pane opens (back from a target's console). */
  selected?: string;
  /** The message line when the pane opens (a target's console that could not open). */
  message?: string;
}

export function FleetPane({ watch, refreshMs, rows = 20, onOpen, selected, message: said = '' }: FleetPaneProps) {
  const { exit } = useApp();
  const [status, setStatus] = useState<FleetStatus | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [filter, setFilter] = useState(0);
  const [cursor, setCursor] = useState(0);
  const [message, setMessage] = useState(said);
  const [back, setBack] = useState(selected);

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

  const shown = FILTERS[filter]!;
  const targets = (status?.targets ?? []).filter((t) => shown === 'all' || t.state === shown);
  // Back from a target's console: its row is selected again once the ledger has been read.
  if (back && targets.length) {
    const i = targets.findIndex((t) => t.name === back);
    setBack(undefined);
    if (i >= 0 && i !== cursor) setCursor(i);
  }
  const at = Math.min(cursor, Math.max(0, targets.length - 1));
  // The key handler reads the rows of the last frame drawn (Ink may keep an earlier handler).
  const view = useRef({ at, targets });
  view.current = { at, targets };

  const onKey = (input: string, key: Key) => {
    const { at, targets } = view.current;
    switch (bindingFor(input, key, 'fleet')?.action) {
      case 'quit':
        return exit();
      case 'up':
        return setCursor(Math.max(0, at - 1));
      case 'down':
        return setCursor(Math.min(Math.max(0, targets.length - 1), at + 1));
      case 'open-target':
        if (!targets[at] || !onOpen) return;
        onOpen(targets[at]!.name);
        return exit();
      case 'fleet-filter':
        setCursor(0);
        return setFilter((f) => (f + 1) % FILTERS.length);
      case 'fleet-pause':
        return setPaused(true);
      case 'fleet-resume':
        return setPaused(false);
    }
  };

  // The window of rows shown keeps the selected one in sight.
  const first = Math.max(0, Math.min(at - rows + 1, targets.length - rows));
  const footer = FLEET_KEYS.filter((b) => b.footer)
    .map((b) => (b.action === 'fleet-filter' ? `${b.label} ${b.hint} (${shown})` : `${b.label} ${b.hint}`))
    .join(' · ');
  return (
    <Box flexDirection="column">
      <FleetKeys onKey={onKey} />
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
        {'  '}
        {'TARGET'.padEnd(16)} {'STATE'.padEnd(8)} {'MIGRATION'.padEnd(28)} {'TIME'.padEnd(8)} ERROR
      </Text>
      {targets.slice(first, first + rows).map((t, i) => (
        <Text key={t.name} inverse={first + i === at}>
          {first + i === at ? '› ' : '  '}
          {cut(t.name, 16).padEnd(16)} <Text color={COLOR[t.state]}>{t.state.padEnd(8)}</Text>{' '}
          {cut(t.migration ?? t.lastApplied ?? '', 28).padEnd(28)} {secs(t.durationMs).padEnd(8)}{' '}
          {cut(t.error ?? '', 60)}
        </Text>
      ))}
      {targets.length > rows ? <Text dimColor>… {targets.length - rows} more (↑/↓)</Text> : null}
      {error ? <Text color="red">{error}</Text> : null}
      <Text>{message}</Text>
      <Text dimColor>{footer}</Text>
    </Box>
  );
}

/** The Fleet pane's keys, mounted only while it shows: the target's console reads its own. */
function FleetKeys({ onKey }: { onKey: (input: string, key: Key) => void }) {
  const handler = useRef(onKey);
  handler.current = onKey;
  useInput((input, key) => handler.current(input, key));
  return null;
}
