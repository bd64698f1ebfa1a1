// Scratch databases left by a process that died (kill -9, a server restart mid-verification, a lost
// bastion session) hold a partial copy of the data that nothing else would ever mention or remove.
// The next backup removes them (and `backup --clean-scratch` on its own); a scratch database whose
// owner session is still on the server belongs to a running backup or rehearsal and is left alone.
import type { Target } from '../postgres/target.js';
import { connect } from '../postgres/connect.js';
import { sqlFile } from '../postgres/sqlFiles.js';
import { redactError } from '../postgres/secrets.js';

export interface ScratchCleanup {
  removed: { name: string; bytes: number | null }[];
  /** Made by a process still running: not touched. */
  inUse: string[];
  /** Left, with why (another role's, or the drop failed). */
  kept: { name: string; why: string }[];
}

interface ScratchRow {
  name: string;
  owner: string;
  bytes: string | null;
  in_use: boolean;
  can_drop: boolean;
}

export async function cleanScratchDatabases(target: Target): Promise<ScratchCleanup> {
  const db = await connect(target, { applicationName: 'citadel-migrate clean-scratch' });
  const out: ScratchCleanup = { removed: [], inUse: [], kept: [] };
  try {
    const major = Math.floor(
      Number((await db.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v) / 10000,
    );
    for (const s of (await db.query<ScratchRow>(sqlFile('scratch_databases'))).rows) {
      if (s.in_use) out.inUse.push(s.name);
      else if (!s.can_drop)
        out.kept.push({ name: s.name, why: `owned by ${s.owner}: drop it as that role or a superuser` });
      else {
        try {
          // FORCE: a pg_restore that outlived its killed parent may still be writing into it.
          await db.query(`DROP DATABASE IF EXISTS ${db.escapeIdentifier(s.name)}${major >= 13 ? ' WITH (FORCE)' : ''}`);
          out.removed.push({ name: s.name, bytes: s.bytes === null ? null : Number(s.bytes) });
        } catch (err) {
          out.kept.push({ name: s.name, why: redactError((err as Error).message) });
        }
      }
    }
  } finally {
    await db.end().catch(() => undefined);
  }
  return out;
}
