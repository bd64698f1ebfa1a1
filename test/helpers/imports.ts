import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every module under src/ with the src/ modules it imports (static, dynamic and type-only alike). */
export function importGraph(srcDir: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(srcDir);
  const graph = new Map<string, string[]>();
  const spec =
    /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(spec)) {
      const rel = (m[1] ?? m[2])!;
      const base = path.resolve(path.dirname(f), rel).replace(/\.js$/, '');
      const hit = [`${base}.ts`, `${base}.tsx`].find((c) => files.includes(c));
      if (hit) deps.push(path.relative(srcDir, hit));
    }
    graph.set(path.relative(srcDir, f), deps);
  }
  return graph;
}

/** The import circles, each as the list of modules around it (empty when there is none). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 'open') cycles.push(stack.slice(stack.indexOf(d)));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return cycles;
}
