// One sample of bench/parser.bench.ts, in a process of its own: V8 flags first, then the parser,
// timing the load, then the clock over the corpus (one call per script, as a run makes them) and one large script.
import v8 from 'node:v8';
import { readFileSync } from 'node:fs';

if (process.env.FLAGS) v8.setFlagsFromString(process.env.FLAGS);
const t0 = performance.now();
const pg = await import('libpg-query');
await pg.loadModule();
const loadMs = performance.now() - t0;
const scripts = JSON.parse(readFileSync(process.env.LIST, 'utf8')).map((f) => readFileSync(f, 'utf8'));
let t = performance.now();
for (const s of scripts) pg.parseSync(s);
const corpusMs = performance.now() - t;
const big = readFileSync(process.env.BIG, 'utf8');
t = performance.now();
pg.parseSync(big);
console.log(JSON.stringify({ loadMs, corpusMs, bigMs: performance.now() - t }));
