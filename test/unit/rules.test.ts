// The rules CI runs (dependency-cruiser's layers, Biome's linter and formatter) fail on a planted
// violation: a copy of the project's configuration over a small tree with one violation of each kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
let dir = '';

function plant(files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cm-rules-'));
  // pg is declared; pg-connection-string only arrives through it, as it did in this project.
  plant({
    'package.json': JSON.stringify({ name: 'planted', type: 'module', dependencies: { pg: '*' } }),
    'tsconfig.json': readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'),
    '.dependency-cruiser.cjs': readFileSync(path.join(ROOT, '.dependency-cruiser.cjs'), 'utf8'),
    'src/errors.ts': 'export const E = 1;\n',
    'src/tui/screen.ts': "export const screen = 'x';\n",
    'src/operations/run.ts': "import { screen } from '../tui/screen.js';\nexport const run = screen;\n",
    'src/engine/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
    'src/engine/b.ts': "import type { a } from './a.js';\nexport const b = 1 as unknown as typeof a;\n",
    'src/analysis/plan.ts': 'export const plan = 1;\n',
    'src/cli/commands/plan.ts': "import { plan } from '../../analysis/plan.js';\nexport const p = plan;\n",
    'src/postgres/url.ts': "import { parse } from 'pg-connection-string';\nexport const u = parse;\n",
  });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the dependency rules', () => {
  it('fail on an upward import, a circle, a front end around operations and an undeclared package', async () => {
    const r = await execa(bin('depcruise'), ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
      cwd: dir,
      reject: false,
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/operations-import-no-front-end: src\/operations\/run\.ts → src\/tui\/screen\.ts/);
    expect(r.stdout).toMatch(/no-circular: src\/engine\/a\.ts → \s*src\/engine\/b\.ts/);
    expect(r.stdout).toMatch(
      /front-ends-go-through-operations: src\/cli\/commands\/plan\.ts → src\/analysis\/plan\.ts/,
    );
    expect(r.stdout).toMatch(
      /declared-dependencies-only: src\/postgres\/url\.ts → .*node_modules\/pg-connection-string/,
    );
  }, 60_000);
});

describe('the linter and the formatter', () => {
  it('fail on a lint error and on a file the formatter would change', async () => {
    // The project's own settings, outside git (the copy has no repository to read ignores from).
    const config = readFileSync(path.join(ROOT, 'biome.jsonc'), 'utf8')
      .replace(/"\$schema": "[^"]*",/, '')
      .replace(/"vcs": \{[^}]*\}/, '"vcs": { "enabled": false }');
    plant({
      'biome.jsonc': config,
      'src/lint.ts': 'export function f(x: number) {\n  let y;\n  y = x;\n  return y;\n}\n',
      'src/format.ts': 'export const  g = ( x:number )=>x*2\n',
    });
    const lint = await execa(bin('biome'), ['lint', 'src/lint.ts'], { cwd: dir, reject: false, all: true });
    expect(lint.exitCode).not.toBe(0);
    expect(lint.all).toMatch(/noImplicitAnyLet/);
    const format = await execa(bin('biome'), ['format', 'src/format.ts'], { cwd: dir, reject: false, all: true });
    expect(format.exitCode).not.toBe(0);
    expect(format.all).toMatch(/Formatter would have printed the following content/);
  }, 60_000);
});
