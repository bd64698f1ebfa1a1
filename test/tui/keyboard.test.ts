import { describe, it, expect } from 'vitest';
import { EventEmitter } from 'node:events';
import { KeyboardInput } from '../../src/tui/terminal.js';

/** A stand-in for the terminal's stdin: only what KeyboardInput touches. */
class FakeTty extends EventEmitter {
  isTTY = true;
  setEncoding() {
    return this;
  }
  setRawMode() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
}

async function reads(chunks: string[]): Promise<string[]> {
  const tty = new FakeTty();
  const kb = new KeyboardInput(tty as unknown as NodeJS.ReadStream);
  const got: string[] = [];
  kb.on('readable', () => {
    for (let c = kb.read(); c !== null; c = kb.read()) got.push(c);
  });
  for (const c of chunks) tty.emit('data', c);
  await new Promise((r) => setTimeout(r, 120));
  return got;
}

describe('keyboard input as it arrives over SSH', () => {
  it('hands over Esc alone when Tab, Enter or another Esc arrive in the same packet', async () => {
    expect(await reads(['\x1b\t'])).toEqual(['\x1b', '\t']);
    expect(await reads(['\x1b\r'])).toEqual(['\x1b', '\r']);
    expect(await reads(['\x1b\x1b'])).toEqual(['\x1b', '\x1b']);
  });

  it('keeps escape sequences whole, even split across packets', async () => {
    expect(await reads(['\x1b[', 'A'])).toEqual(['\x1b[A']);
    expect(await reads(['\x1b[Z'])).toEqual(['\x1b[Z']);
  });

  it('a lone Esc is a key once the short timeout passes', async () => {
    expect(await reads(['\x1b'])).toEqual(['\x1b']);
  });

  it('hands over Tab and Enter arriving in one packet as two keys, and typed text apart from its Enter', async () => {
    expect(await reads(['\t\r'])).toEqual(['\t', '\r']);
    expect(await reads(['citadelbuy\r'])).toEqual(['citadelbuy', '\r']);
    expect(await reads(['\x1b[A\r'])).toEqual(['\x1b[A', '\r']);
    expect(await reads(['ab\x7f\x7f'])).toEqual(['ab', '\x7f', '\x7f']);
  });
});
