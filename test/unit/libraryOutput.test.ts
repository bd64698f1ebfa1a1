// A Node warning is never a console message: a real listener leak (eleven abort listeners on one
// signal) while the console's output redirect is on reaches the normal screen after the console
// closes, and the message line only gets what libraries say. In a plain Node process: the test
// runner's own console is not the one Node's warnings are written through.
import { describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/tui/libraryOutput.ts', import.meta.url));

const SCRIPT = `
const { redirectLibraryOutput } = await import(process.argv[1]);
const said = [];
const printed = [];
const redirect = redirectLibraryOutput((text) => said.push(text), (text) => printed.push(text));
const signal = new AbortController().signal;
for (let i = 0; i < 11; i++) signal.addEventListener('abort', () => undefined);
console.warn('pg: something a library says');
await new Promise((resolve) => setTimeout(resolve, 20));
redirect.restore();
process.stdout.write(JSON.stringify({ said, printed }));
`;

describe('library output while the console runs', () => {
  test("Node's warnings are held back and printed after; a library's words go to the message line", async () => {
    const r = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, MODULE], {
      reject: false,
    });
    expect(r.stderr).toBe('');
    const { said, printed } = JSON.parse(String(r.stdout));
    expect(said).toEqual(['pg: something a library says']);
    expect(printed.join('')).toMatch(
      /^\(node:\d+\) MaxListenersExceededWarning: Possible EventTarget memory leak detected/,
    );
  });
});
