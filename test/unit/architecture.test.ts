import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The engine's modules import each other in one direction only: a circle (even of types) means two
// modules can only be understood together, and the order ESM evaluates them in becomes fragile.

const ENGINE = join(import.meta.dirname, '../../src/engine');

/** The engine modules each engine module imports (static `import`/`export ... from`, types included). */
function engineImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(ENGINE).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(ENGINE, file), 'utf8');
    const targets = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]\.\/([\w.-]+)\.js['"]/gm)].map((m) => `${m[1]}.ts`);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The first circle found, as the list of files around it, or undefined. */
function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string): string[] | undefined => {
    if (state.get(f) === 'done') return undefined;
    if (state.get(f) === 'open') return [...path.slice(path.indexOf(f)), f];
    state.set(f, 'open');
    path.push(f);
    for (const t of graph.get(f) ?? []) {
      const circle = visit(t);
      if (circle) return circle;
    }
    path.pop();
    state.set(f, 'done');
    return undefined;
  };
  for (const f of graph.keys()) {
    const circle = visit(f);
    if (circle) return circle;
  }
  return undefined;
}

describe('architecture: the engine', () => {
  it('reads the imports it checks (the parser sees the known arrows)', () => {
    const graph = engineImports();
    expect(graph.get('run.ts')).toContain('execute.ts');
    expect(graph.get('sendStep.ts')).toContain('migrationTypes.ts');
    expect(findCircle(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']]]))).toEqual(['a.ts', 'b.ts', 'a.ts']);
  });

  it('has no import circle among its modules', () => {
    expect(findCircle(engineImports())).toBeUndefined();
  });

  it('keeps every module at most 300 lines', () => {
    const long = readdirSync(ENGINE)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ f, lines: readFileSync(join(ENGINE, f), 'utf8').split('\n').length }))
      .filter((x) => x.lines > 300);
    expect(long).toEqual([]);
  });
});
