// Colour is a second channel only: every state also has a symbol or a word, and NO_COLOR
// (https://no-color.org) turns colour off entirely.
export type Colour = 'red' | 'green' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray' | 'white';

export const colourEnabled = (env: NodeJS.ProcessEnv = process.env): boolean => !env.NO_COLOR;

const enabled = colourEnabled();

export const colour = (c: Colour | undefined): Colour | undefined => (enabled ? c : undefined);

export const SYMBOL = {
  pass: '✓',
  fail: '✗',
  warn: '!',
  pending: '·',
  running: '▶',
  rolledBack: '↺',
  manual: '○',
  cursor: '›',
} as const;
