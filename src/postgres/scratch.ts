// Scratch databases (a backup's verification copy, a rehearsal's copy) are named with one fixed
// prefix so that anything a crash leaves behind can be found: citadel_scratch_<kind>_<id>_<database>.
// The process that makes one first opens an owner session whose application_name carries the id;
// a scratch database without that session on the server belongs to no running process.
import { randomBytes } from 'node:crypto';

export const SCRATCH_PREFIX = 'citadel_scratch_';

export type ScratchPurpose = 'verify' | 'rehearse';

export interface ScratchName {
  name: string;
  /** application_name of the owner session (fits the 63-byte limit). */
  ownerApplication: string;
}

/** citadel_scratch_<purpose>_<8 hex>_<database, cut to PostgreSQL's 63-byte identifier limit>. */
export function scratchDatabaseName(database: string, purpose: ScratchPurpose): ScratchName {
  const id = randomBytes(4).toString('hex');
  const head = `${SCRATCH_PREFIX}${purpose}_${id}_`;
  const tail = Buffer.from(database, 'utf8')
    .subarray(0, 63 - head.length)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return { name: head + tail, ownerApplication: `citadel-migrate scratch ${id}` };
}
