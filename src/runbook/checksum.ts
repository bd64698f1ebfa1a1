import { createHash } from 'node:crypto';

/** Prisma's checksum: lowercase hex sha256 of the script's bytes. */
export function checksum(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The checksum of the script with its line endings swapped (CRLF to LF, or LF to CRLF), which
 * Prisma also accepts so that a checkout on Windows does not count as a modified migration.
 */
export function twinChecksum(bytes: Buffer | string): string {
  const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
  const twin = text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text.replace(/\n/g, '\r\n');
  return checksum(Buffer.from(twin, 'latin1'));
}

export function checksumMatches(bytes: Buffer | string, recorded: string): boolean {
  const want = recorded.toLowerCase();
  return checksum(bytes) === want || twinChecksum(bytes) === want;
}
