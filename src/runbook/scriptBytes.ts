import { isUtf8 } from 'node:buffer';
import { UserError } from '../errors.js';

// A script's bytes are checked before its text is used: a NUL byte ends the text for the SQL parser
// (the statements after it would silently not run) and PostgreSQL refuses it; invalid UTF-8 would be
// decoded to U+FFFD and stored as such, while the checksum covers the bytes on disk.

/** The offset of the first byte that is not part of valid UTF-8, or -1 when all of it is. */
export function invalidUtf8At(b: Uint8Array): number {
  if (isUtf8(b)) return -1;
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (!n || i + n > b.length - 1) return i;
    // the second byte's range excludes overlong forms, surrogates and code points above U+10FFFF
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (b[i + 1]! < lo || b[i + 1]! > hi) return i;
    for (let k = 2; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

export const notUtf8 = (file: string, offset: number) =>
  new UserError(
    `${file} is not valid UTF-8 at byte offset ${offset}: save it as UTF-8 (PostgreSQL expects the client encoding).`,
    'bad-input',
  );

export const nulByte = (file: string, offset: number) =>
  new UserError(
    `${file} has a NUL byte at byte offset ${offset}, which PostgreSQL refuses and which would end the script there: remove it (a UTF-16 or binary file shows many; save the script as UTF-8 text).`,
    'bad-input',
  );

/** The text of a script whose bytes are UTF-8 without NUL; else one sentence naming the file and the byte. */
export function scriptText(bytes: Buffer, file: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw nulByte(file, nul);
  const bad = invalidUtf8At(bytes);
  if (bad >= 0) throw notUtf8(file, bad);
  return bytes.toString('utf8');
}
