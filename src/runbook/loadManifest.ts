// Reads a runbook manifest file: the text, its document (from the parse cache, else the YAML parser)
// and the field checks of manifest.ts.
import { readFile } from 'node:fs/promises';
import { checkManifest, ManifestError, type RunbookManifest } from './manifest.js';
import { cachedDocument, rememberDocument } from './yamlCache.js';

// The console, the checklist and the notifier all read the same file: an unchanged text is checked once per process.
const loaded = new Map<string, { text: string; manifest: RunbookManifest }>();

export async function loadManifest(file: string): Promise<RunbookManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ManifestError(`${file}: cannot be read (${code})`);
  }
  const known = loaded.get(file);
  if (known?.text === text) return structuredClone(known.manifest);
  let doc = cachedDocument(text)?.doc;
  if (doc === undefined) {
    const { readYaml } = await import('./manifestYaml.js');
    doc = readYaml(text, file);
    rememberDocument(text, doc);
  }
  const manifest = checkManifest(doc, file);
  loaded.set(file, { text, manifest });
  return structuredClone(manifest);
}
