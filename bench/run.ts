// `npm run bench`: every bench/*.bench.ts in turn, each printing its figures as JSON.
import { readdirSync } from 'node:fs';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('./', import.meta.url));
const only = process.argv.slice(2);
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  process.stdout.write(`\n== ${file}\n`);
  const r = await execa('node', ['--import', 'tsx', `${dir}${file}`], { stdio: 'inherit', reject: false });
  if (r.exitCode !== 0) process.exitCode = 1;
}
