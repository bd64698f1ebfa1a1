// The console's help on a narrow screen (issue 26): a key's long note wrapped to column 1, where it
// read as the next key's line. Continuations now start under the help text.
import { describe, it, expect } from 'vitest';
import { HELP_HANG, helpLines, KEYS, DETAILS_KEYS, DIALOG_KEYS, SEARCH_KEYS } from '../../src/tui/keys.js';
import { wrappedDetails } from '../../src/tui/components/overlays.js';

describe('help lines wrap under their text', () => {
  it('at 60 and 80 columns every line is a section, a key, or a continuation under the text', () => {
    expect(HELP_HANG).toBeGreaterThan(3); // the column where every key's text starts
    const labels = [KEYS, DETAILS_KEYS, DIALOG_KEYS, SEARCH_KEYS].flat().map((k) => k.label);
    for (const width of [60, 80]) {
      const lines = wrappedDetails(helpLines(true), width, HELP_HANG);
      let continuations = 0;
      let inKey = false;
      for (const l of lines) {
        if (!l.trim() || l.startsWith(' ──') || l.startsWith(' ! ')) {
          inKey = false; // a section title or the closing note, not a key
          continue;
        }
        if (labels.some((k) => l.startsWith(` ${k} `))) {
          inKey = true;
          continue;
        }
        if (!inKey) continue;
        continuations++;
        expect(l.slice(0, HELP_HANG + 1).trim(), `${width}: ${l}`).toBe('');
      }
      expect(continuations).toBeGreaterThan(0);
    }
  });
});
