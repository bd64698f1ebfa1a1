import { describe, it, expect } from 'vitest';
import { compareCounts } from '../../src/safety/rowCounts.js';
import { backupFileName, stamp } from '../../src/safety/backupFiles.js';
import { scratchDatabaseName } from '../../src/postgres/scratch.js';
import { formatBytes, formatDuration } from '../../src/safety/format.js';

describe('restore comparison', () => {
  it('equal tables and counts: no mismatch, rows summed', () => {
    expect(compareCounts({ 'public.a': 3, 'public.b': 0 }, { 'public.b': 0, 'public.a': 3 })).toEqual({
      tables: 2,
      rowsCompared: 3,
      mismatches: [],
    });
  });
  it('a differing count, a table missing in the restore and an extra one are all mismatches', () => {
    const r = compareCounts({ 'public.a': 3, 'public.b': 1 }, { 'public.a': 2, 'public.c': 0 });
    expect(r.mismatches).toEqual([
      { table: 'public.a', source: 3, restored: 2 },
      { table: 'public.b', source: 1, restored: null },
      { table: 'public.c', source: null, restored: 0 },
    ]);
  });
});

describe('backup names', () => {
  it('file name is <database>_<date +%Y%m%d_%H%M%S>.dump, unsafe characters replaced', () => {
    const d = new Date(2025, 11, 4, 2, 3, 9);
    expect(stamp(d)).toBe('20251204_020309');
    expect(backupFileName('citadelbuy', d)).toBe('citadelbuy_20251204_020309.dump');
    expect(backupFileName('my db/x', d)).toBe('my_db_x_20251204_020309.dump');
  });
  it('scratch database names carry the fixed prefix, their id and the database, within 63 bytes', () => {
    const s = scratchDatabaseName('citadelbuy', 'verify');
    expect(s.name).toMatch(/^citadel_scratch_verify_([0-9a-f]{8})_citadelbuy$/);
    expect(s.ownerApplication).toBe(`citadel-migrate scratch ${/_([0-9a-f]{8})_/.exec(s.name)![1]}`);
    const long = scratchDatabaseName('é'.repeat(60), 'rehearse').name;
    expect(long).toMatch(/^citadel_scratch_rehearse_[0-9a-f]{8}_é+$/);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
  });
  it('sizes and durations read like df -h and a clock', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(2147483648)).toBe('2.0 GB');
    expect(formatDuration(95_000)).toBe('1 min 35 s');
    expect(formatDuration(21 * 60_000)).toBe('21 min');
  });
});
