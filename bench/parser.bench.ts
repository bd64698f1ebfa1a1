// Why src/engine/split.ts keeps the parser's WebAssembly on V8's baseline compiler (--liftoff-only):
// each sample is a new Node process that loads libpg-query and parses the engine corpus (160
// scripts, one call each, as a run does) and then one 5 MB script, with and without the flag.
// Median of 5 processes per setting.
import { execa } from 'execa';
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './corpus.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The child (bench/parseChild.mjs) sets the flags, loads the parser, then starts its clock.
const CHILD = fileURLToPath(new URL('./parseChild.mjs', import.meta.url));

export async function benchParser() {
  const corpus = generateCorpus(160);
  const files = readdirSync(corpus)
    .filter((f) => statSync(path.join(corpus, f)).isDirectory())
    .sort()
    .map((f) => path.join(corpus, f, 'migration.sql'));
  const list = path.join(corpus, 'list.json');
  writeFileSync(list, JSON.stringify(files));
  const all = files.map((f) => readFileSync(f, 'utf8')).join('\n;\n');
  const big = path.join(corpus, 'big.sql');
  writeFileSync(big, Array.from({ length: Math.ceil(5e6 / all.length) }, () => all).join('\n;\n'));
  const bigBytes = statSync(big).size;
  const settings = { default: '', liftoffOnly: '--liftoff-only' };
  const samples: Record<string, { loadMs: number[]; corpusMs: number[]; bigMs: number[] }> = {};
  try {
    for (let i = 0; i < 5; i++) {
      for (const [name, flags] of Object.entries(settings)) {
        const r = await execa('node', [CHILD], { env: { FLAGS: flags, LIST: list, BIG: big } });
        const s = JSON.parse(r.stdout) as { loadMs: number; corpusMs: number; bigMs: number };
        samples[name] ??= { loadMs: [], corpusMs: [], bigMs: [] };
        samples[name]!.loadMs.push(s.loadMs);
        samples[name]!.corpusMs.push(s.corpusMs);
        samples[name]!.bigMs.push(s.bigMs);
      }
    }
  } finally {
    rmSync(corpus, { recursive: true, force: true });
  }
  const out: Record<string, unknown> = { scripts: files.length, bigScriptMB: Number((bigBytes / 1e6).toFixed(1)) };
  for (const [name, s] of Object.entries(samples)) {
    out[name] = {
      loadMs: Math.round(median(s.loadMs)),
      corpusMs: Math.round(median(s.corpusMs)),
      bigMs: Math.round(median(s.bigMs)),
      allCorpusMs: s.corpusMs.map(Math.round),
    };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchParser(), null, 2));
