import { createHash } from 'node:crypto';

/** Prisma's checksum: lowercase hex sha256 of the script's bytes (a string is hashed as UTF-8). */
export function checksum(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// Line endings are swapped on the bytes: CR and LF are single bytes in UTF-8, so the other bytes stay as they are.
const CRLF = Buffer.from('\r\n');
const LF = Buffer.from('\n');

function replaceAll(bytes: Buffer, from: Buffer, to: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (let i = bytes.indexOf(from, at); i >= 0; i = bytes.indexOf(from, at)) {
    parts.push(bytes.subarray(at, i), to);
    at = i + from.length;
  }
  if (at === 0) return bytes;
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}

const asBytes = (b: Buffer | string) => (Buffer.isBuffer(b) ? b : Buffer.from(b, 'utf8'));

/** Prisma before 2.20 wrote the hex without zero-padding each byte (prisma-engines issue 1887). */
function unpadded(hex: string): string {
  let out = '';
  for (let i = 0; i < hex.length; i += 2) out += hex[i] === '0' ? hex[i + 1] : hex.slice(i, i + 2);
  return out;
}

/**
 * Whether the recorded checksum is the script's, as Prisma decides it: the script as is, with CRLF
 * made LF, or with every LF made CRLF; a recorded checksum that is not 64 characters long is compared
 * in the old unpadded form.
 */
export function checksumMatches(bytes: Buffer | string, recorded: string): boolean {
  const want = recorded.toLowerCase();
  const b = asBytes(bytes);
  const candidates = [() => b, () => replaceAll(b, CRLF, LF), () => replaceAll(b, LF, CRLF)];
  return candidates.some((variant) => {
    const hex = checksum(variant());
    return (want.length !== 0 && want.length !== 64 ? unpadded(hex) : hex) === want;
  });
}
