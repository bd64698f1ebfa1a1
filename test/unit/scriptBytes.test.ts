import { describe, it, expect } from 'vitest';
import { invalidUtf8At } from '../../src/runbook/scriptBytes.js';

describe('invalidUtf8At', () => {
  const at = (...parts: (string | number[])[]) =>
    invalidUtf8At(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))));
  it('accepts UTF-8, multibyte and a real U+FFFD included', () => {
    expect(at("SELECT 'größe 漢字 \uFFFD 😀';")).toBe(-1);
  });
  it('names the first bad byte: a Latin-1 byte, a lone continuation, a truncated sequence', () => {
    expect(at('caf', [0xe9], '!')).toBe(3);
    expect(at('ok', [0x80])).toBe(2);
    expect(at('x', [0xe6, 0xbc])).toBe(1);
    expect(at('\uFFFD', [0xff])).toBe(3);
  });
  it('refuses overlong forms, surrogates and code points above U+10FFFF as the decoder does', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x80, 0x80, 0xaf],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      expect(at('a', bad)).toBe(1);
      expect(new TextDecoder('utf-8', { fatal: false }).decode(Buffer.from(bad))).toContain('\uFFFD');
    }
  });
});
