// The runbook's YAML parser, in a module of its own: loading and running the `yaml` package on a cold
// start costs ~150 ms of the console's first frame, so loadManifest.ts imports this only when the
// document is not in the parse cache.
import { parse } from 'yaml';
import { ManifestError } from './manifestFields.js';
import { checkManifest, type RunbookManifest } from './manifest.js';

/** The YAML document as plain data, or one sentence naming the file. */
export function readYaml(text: string, source: string): unknown {
  try {
    return parse(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new ManifestError(`${source}: is not valid YAML (${first})`);
  }
}

export function parseManifest(text: string, source: string): RunbookManifest {
  return checkManifest(readYaml(text, source), source);
}
