// Each pane renders from a plain state object, and the whole screen fits the terminal at 80x24 and
// larger sizes, whatever the state holds (long names, many locks, a failure with its hint).
import { describe, expect, test } from 'vitest';
import { render } from 'ink-testing-library';
import { App } from '../../src/tui/components/App.js';
import { checklistPane } from '../../src/tui/components/checklistPane.js';
import { migrationsPane } from '../../src/tui/components/migrationsPane.js';
import { locksPane } from '../../src/tui/components/locksPane.js';
import { gaugesPane } from '../../src/tui/components/gaugesPane.js';
import { lineText } from '../../src/tui/lines.js';
import { trimMiddle, width } from '../../src/tui/format.js';
import { emptyState, type ConsoleState, type MigrationView } from '../../src/tui/state.js';
import type { ConsoleModel } from '../../src/tui/model.js';
import { plain, sleep } from './harness.js';

const NAMES = [
  '20251117022438_add_password_reset_table',
  '20251118154530_sync_schema_phase30',
  '20251119004754_add_vendor_management_system',
  '20251202_add_owner_relation_and_role_permissions',
  'add_performance_indexes',
  'add_privacy_consent',
  'organization_module',
];

function busyState(): ConsoleState {
  const s = emptyState({ target: 'citadelbuy@db-prod.internal', server: 'PG 15.18', mode: 'live', user: 'dba1' });
  const items: MigrationView[] = NAMES.map((name, i) => ({
    name,
    state: i < 2 ? 'applied' : 'pending',
    estimate: { minMinutes: 2, maxMinutes: 3 },
    durationMs: i < 2 ? 61_000 : undefined,
  }));
  items[2] = {
    ...items[2]!,
    state: 'running',
    statement: {
      index: 88,
      count: 214,
      line: 40,
      sql: 'CREATE TABLE "vendors" ("id" TEXT NOT NULL, "name" TEXT NOT NULL)',
    },
    lockWait: { waitedMs: 12_000, blockingPids: [3990] },
  };
  items[3] = {
    ...items[3]!,
    state: 'failed',
    error: {
      code: '42P01',
      message: 'relation "organizations" does not exist',
      hint: 'organization_module creates it: run organization_module first',
    },
  };
  return {
    ...s,
    checklist: {
      available: true,
      items: Array.from({ length: 19 }, (_, i) => ({
        id: `item${i}`,
        title: `Checklist item number ${i} with a long title that does not fit`,
        status: (['pass', 'warn', 'fail', 'manual', 'confirmed'] as const)[i % 5],
        evidence: `evidence ${i}`,
      })),
    },
    migrations: { available: true, items, running: true },
    locks: {
      available: true,
      rows: [
        {
          pid: 3990,
          depth: 0,
          user: 'app',
          application: 'citadelbuy-worker',
          state: 'idle in transaction',
          xactAgeMs: 240_000,
          query: 'UPDATE users SET "lastLoginAt" = now()',
          blockingPids: [],
        },
        ...Array.from({ length: 30 }, (_, i) => ({
          pid: 4127 + i,
          depth: 1,
          user: 'dba',
          application: 'citadel-migrate run (dba1)',
          state: 'active',
          mode: 'AccessExclusiveLock',
          relation: 'users',
          waitingMs: 12_000,
          query: 'ALTER TABLE "users" ADD COLUMN "x" TEXT',
          blockingPids: [3990],
        })),
      ],
    },
    gauges: {
      available: true,
      dbBytes: 4.2 * 2 ** 30,
      growthBytes: 310 * 2 ** 20,
      diskFreePercent: 18,
      indexBuilds: [{ pid: 1, index: 'users_email_idx', phase: 'building index: scanning table', percent: 62 }],
      connections: [{ application: 'citadelbuy-web', count: 12 }],
    },
    message: { text: 'x'.repeat(300), level: 'error' },
  };
}

const staticModel = (state: ConsoleState): ConsoleModel => ({
  getState: () => state,
  subscribe: () => () => undefined,
  setPaused: () => undefined,
  request: async () => null,
  details: async () => ({ title: 'd', lines: [] }),
  isRunning: () => false,
  stopRun: async () => undefined,
  say: () => undefined,
});

function screenOf(state: ConsoleState, columns: number, rows: number): string {
  const { lastFrame, unmount } = render(
    <App
      model={staticModel(state)}
      size={{ columns, rows }}
      onQuit={() => undefined}
      clock={new Date('2026-11-24T02:00:00Z')}
    />,
  );
  const frame = plain(lastFrame());
  unmount();
  return frame;
}

describe('panes render from plain state', () => {
  test('checklist: symbols and words, not colour only; selection marked', () => {
    const s = busyState().checklist;
    const lines = checklistPane(s, 2, 40, 8, true).map(lineText);
    expect(lines[0]).toContain('▶ Checklist');
    expect(lines.join('\n')).toMatch(/✓.*\n.*!.*\n.*✗/);
    expect(lines[3]).toContain('›');
    expect(lines).toHaveLength(8);
    for (const l of lines) expect(width(l)).toBe(40);
  });

  test('checklist too short for every item: whole groups, the selected one with those before and after it that fit', () => {
    const group = (name: string, n: number) =>
      Array.from({ length: n }, (_, k) => ({
        id: `${name}${k}`,
        title: `${name} item ${k}`,
        status: 'manual' as const,
        group: name,
      }));
    const s = {
      available: true,
      items: [...group('environment', 4), ...group('backup', 3), ...group('window', 4), ...group('team', 4)],
    };
    const at = (selected: number, h: number) => checklistPane(s, selected, 60, h, true).map(lineText).join('\n');
    // 8 rows: environment (4), then backup under its own line (1 + 3); window does not fit.
    const first = at(0, 10);
    expect(first).toContain('Checklist 0/15 · environment 0/4');
    expect(first).toMatch(/environment item 3[^\n]*\n[^\n]*backup 0\/3[^\n]*\n[^\n]*backup item 0/);
    expect(first).not.toContain('window item');
    // Moving into backup keeps the same view; into window, the view starts at backup.
    expect(at(5, 10)).toContain('environment item 0');
    expect(at(5, 10)).toMatch(/›. backup item 1/);
    const third = at(8, 10);
    expect(third).toContain('Checklist 0/15 · backup 0/3');
    expect(third).toContain('window item 3');
    expect(third).not.toContain('environment item');
    // Taller: as many whole groups as fit.
    expect(at(0, 16)).toContain('window item 3');
    expect(at(0, 16)).not.toContain('team item');
  });

  test('checklist not available says so instead of inventing items', () => {
    const lines = checklistPane(
      { available: false, note: 'checklist: not available yet', items: [] },
      0,
      40,
      5,
      false,
    ).map(lineText);
    expect(lines.join('\n')).toContain('not available yet');
  });

  test('migrations: running statement i/n and percent, lock wait, failure with hint, durations against estimate', () => {
    const text = migrationsPane(busyState().migrations, 0, 60, 14, false, 4).map(lineText).join('\n');
    expect(text).toContain('Migrations 2/7 running');
    expect(text).toMatch(/▶ 20251119004754_.*88\/214 40%/);
    expect(text).toMatch(/stmt 88\/214 CREATE TABLE "vendors"/);
    expect(text).toContain('waits 12s for lock held by pid 3990');
    expect(text).toMatch(/✗ 20251202_add_owner.*FAILED/);
    expect(text).toContain('hint: organization_module creates it');
    expect(text).toContain('1m01s/2-3m');
  });

  test('long names are trimmed in the middle and keep the timestamp', () => {
    expect(trimMiddle('20251202_add_owner_relation_and_role_permissions', 30)).toMatch(
      /^20251202_add_.*….*permissions$/,
    );
    expect(trimMiddle('20251117022438_add_password_reset_table', 24)).toMatch(/^20251117022438_a.*…/);
    expect(trimMiddle('short', 24)).toBe('short');
    for (const n of [5, 10, 24, 37]) expect(trimMiddle(NAMES[2]!, n).length).toBe(n);
  });

  test('locks: blocker tree, idle in transaction stands out in words', () => {
    const text = locksPane(busyState().locks, 0, 40, 6, true).map(lineText).join('\n');
    expect(text).toContain('Locks: 30 waiting');
    expect(text).toMatch(/3990 ! idle in txn 4m00s app=citadel/);
    expect(text).toMatch(/└ 4127 users AccessExcl.*waits 12s/);
  });

  test('no lock waits is said plainly', () => {
    expect(locksPane({ available: true, rows: [] }, 0, 40, 4, false).map(lineText).join('')).toContain(
      '✓ no session waits for a lock',
    );
  });

  test('gauges: size and growth, disk below the guide threshold is flagged with a sign, index build percent', () => {
    const text = gaugesPane(busyState().gauges, 40, 7, false, 20).map(lineText).join('\n');
    expect(text).toContain('db 4.2 GB (+310 MB)');
    expect(text).toMatch(/disk .*18% free ! <20%/);
    expect(text).toContain('idx build 62% users_email_idx');
    const unknown = gaugesPane(
      { available: true, diskFreePercent: null, diskNote: 'remote server', indexBuilds: [] },
      40,
      5,
      false,
    )
      .map(lineText)
      .join('\n');
    expect(unknown).toContain('disk free unknown (remote server)');
    const failed = gaugesPane(
      {
        available: true,
        diskFreePercent: 60,
        sizeNote: 'database size: canceling statement due to statement timeout',
        indexBuilds: [],
      },
      80,
      5,
      false,
    )
      .map(lineText)
      .join('\n');
    expect(failed).toContain('db size ? (database size: canceling statement');
  });
});

describe('the screen fits the terminal', () => {
  for (const [columns, rows] of [
    [80, 24],
    [100, 30],
    [132, 43],
    [200, 60],
  ] as const) {
    test(`${columns}x${rows}: at most ${rows - 1} lines of at most ${columns} columns, all four panes and all seven migrations`, () => {
      const frame = screenOf(busyState(), columns, rows);
      const lines = frame.split('\n');
      expect(lines.length).toBeLessThanOrEqual(rows - 1);
      for (const l of lines) expect(width(l)).toBeLessThanOrEqual(columns);
      for (const pane of ['Checklist', 'Migrations', 'Locks', 'Disk / size']) expect(frame).toContain(pane);
      for (const name of [
        '20251117022438',
        '20251118154530',
        '20251119004754',
        '20251202_add',
        'add_performance_indexes',
        'add_privacy_consent',
        'organization_module',
      ]) {
        expect(frame).toContain(name);
      }
      expect(frame).toContain(' LIVE ');
      expect(frame).toContain('user: dba1');
      expect(frame).toContain('? help');
    });
  }

  test('a bigger terminal shows more: statement text and more checklist rows', () => {
    const small = screenOf(busyState(), 80, 24);
    const big = screenOf(busyState(), 132, 43);
    const count = (f: string) => (f.match(/Checklist item number/g) ?? []).length;
    expect(count(big)).toBeGreaterThan(count(small));
    expect(big).toContain('CREATE TABLE "vendors" ("id" TEXT NOT NULL');
  });

  test('resizing re-lays out at once', async () => {
    const state = busyState();
    const { lastFrame, rerender, unmount } = render(
      <App model={staticModel(state)} size={{ columns: 132, rows: 43 }} onQuit={() => undefined} clock={new Date()} />,
    );
    expect(plain(lastFrame()).split('\n').length).toBeLessThanOrEqual(42);
    rerender(
      <App model={staticModel(state)} size={{ columns: 80, rows: 24 }} onQuit={() => undefined} clock={new Date()} />,
    );
    await sleep(50);
    const lines = plain(lastFrame()).split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(width(l)).toBeLessThanOrEqual(80);
    unmount();
  });

  test('modes are badges with words: LIVE, DEMO, REHEARSAL, PLAN', () => {
    for (const mode of ['live', 'demo', 'rehearsal', 'plan'] as const) {
      const s = busyState();
      expect(screenOf({ ...s, header: { ...s.header, mode } }, 80, 24)).toContain(` ${mode.toUpperCase()} `);
    }
  });
});
