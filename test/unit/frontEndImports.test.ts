// Issue 27: the front ends reach the layers below only through src/operations/, besides the few
// modules ARCHITECTURE.md allows ("What the front ends may import"). A command that needs something
// from safety, analysis, postgres… gets it from an operation, so that both front ends do it one way.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importGraph } from '../helpers/imports.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const graph = importGraph(SRC);
const layerOf = (file: string) => file.split(path.sep)[0]!;

/** Modules of no layer that import nothing of ours (or errors.ts only). */
const ALLOWED = new Set(['errors.ts', 'format.ts', 'defaults.ts', 'folders.ts', 'who.ts']);
/** Types only: the engine's events and the monitor's snapshots, which the screens draw. */
const TYPES_ONLY = (dep: string) => dep === path.join('engine', 'events.ts') || layerOf(dep) === 'monitor';

// Still being moved behind their operations by the run/skip/rollback/kill and the console work of
// issue 27 (their files are theirs to change): remove each from here as it is done.
const PENDING = new Set(
  [
    'cli/context.ts',
    'cli/commands/run.ts',
    'cli/commands/kill.ts',
    'cli/commands/action.ts',
    'cli/commands/demo.ts',
    'cli/commands/console.ts',
  ].map((f) => f.split('/').join(path.sep)),
);

type Text = (file: string) => string;
const onDisk: Text = (file) => readFileSync(path.join(SRC, file), 'utf8');

/** Whether every import of `dep` in `file` is `import type` (erased: nothing of it runs in the front end). */
function onlyTypes(file: string, dep: string, text: Text): boolean {
  let rel = path
    .relative(path.dirname(file), dep)
    .split(path.sep)
    .join('/')
    .replace(/\.tsx?$/, '.js');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  const source = text(file);
  const statements = [...source.matchAll(/(?:import|export)\s+([^;]*?)\s+from\s+['"]([^'"]+)['"]/g)].filter(
    (m) => m[2] === rel,
  );
  return (
    !source.includes(`import('${rel}')`) && statements.length > 0 && statements.every((m) => /^type\s/.test(m[1]!))
  );
}

function leaks(g: Map<string, string[]>, text: Text): string[] {
  return [...g].flatMap(([file, deps]) =>
    layerOf(file) !== 'cli' || PENDING.has(file)
      ? []
      : deps
          .filter((d) => !['cli', 'tui', 'operations'].includes(layerOf(d)) && !ALLOWED.has(d))
          .filter((d) => !(TYPES_ONLY(d) && onlyTypes(file, d, text)))
          .map((d) => `${file} -> ${d}`),
  );
}

describe('the front ends go through operations (ARCHITECTURE.md)', () => {
  it('the CLI imports below src/operations/ only the allowed modules', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(leaks(graph, onDisk)).toEqual([]);
  });

  it('sees a command that goes around operations; a type-only import of an engine event passes', () => {
    const file = path.join('cli', 'commands', 'planted.ts');
    const planted = new Map([
      [file, [path.join('safety', 'restore.ts'), path.join('engine', 'events.ts'), 'errors.ts', 'format.ts']],
    ]);
    const typeOnly = [
      "import { restoreBackup } from '../../safety/restore.js';",
      "import type { EngineEvent } from '../../engine/events.js';",
      "import { UserError } from '../../errors.js';",
      "import { formatBytes } from '../../format.js';",
    ].join('\n');
    expect(leaks(planted, () => typeOnly)).toEqual([`${file} -> ${path.join('safety', 'restore.ts')}`]);
    const value = typeOnly.replace('import type { EngineEvent }', 'import { EventStream }');
    expect(leaks(planted, () => value)).toEqual([
      `${file} -> ${path.join('safety', 'restore.ts')}`,
      `${file} -> ${path.join('engine', 'events.ts')}`,
    ]);
  });
});
