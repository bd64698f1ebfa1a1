import { redact, redactDeep } from '../operations/secrets.js';

/** All human output goes through here so that no password can reach the terminal. */
export function print(text = ''): void {
  process.stdout.write(redact(text) + '\n');
}

export function printErr(text: string): void {
  process.stderr.write(redact(text) + '\n');
}

/** One JSON document on stdout, nothing else there (DESIGN section 2). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(redactDeep(value), null, 2) + '\n');
}

export const isTTY = (): boolean => Boolean(process.stdout.isTTY && process.stdin.isTTY);

/** Left-aligned columns for plain terminal tables (no colour needed to read them). */
export function columns(rows: string[][], gap = 2): string {
  const widths: number[] = [];
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + gap)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
