import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCycles, importGraph } from '../helpers/imports.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const graph = importGraph(SRC);
const layerOf = (file: string) => file.split(path.sep)[0]!;

describe('the layers (ARCHITECTURE.md)', () => {
  it('finds the modules it checks', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get(path.join('cli', 'main.ts'))?.length).toBeGreaterThan(0);
  });

  it('nothing below the front ends imports the CLI', () => {
    const below = [
      'engine',
      'safety',
      'analysis',
      'monitor',
      'postgres',
      'runbook',
      'journal',
      'tui',
      'operations',
      'sandbox',
      'tools',
      'fleet',
    ];
    const leaks = [...graph].flatMap(([file, deps]) =>
      below.includes(layerOf(file)) ? deps.filter((d) => layerOf(d) === 'cli').map((d) => `${file} -> ${d}`) : [],
    );
    expect(leaks).toEqual([]);
  });

  it('the engine imports nothing of analysis, journal, tui, operations or the CLI', () => {
    const leaks = [...graph].flatMap(([file, deps]) =>
      layerOf(file) === 'engine'
        ? deps
            .filter((d) => ['analysis', 'journal', 'tui', 'operations', 'cli'].includes(layerOf(d)))
            .map((d) => `${file} -> ${d}`)
        : [],
    );
    expect(leaks).toEqual([]);
  });

  it('errors.ts imports nothing', () => {
    expect(graph.get('errors.ts')).toEqual([]);
    expect(readFileSync(path.join(SRC, 'errors.ts'), 'utf8')).not.toMatch(/^import /m);
  });

  it('has no import circle, type-only imports included', () => {
    expect(importCycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('sees a circle when there is one', () => {
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['a.ts']],
        ]),
      ).length,
    ).toBe(1);
  });
});
