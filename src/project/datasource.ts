// The datasource block of a Prisma schema (one file, or a folder of .prisma files): which
// environment variables (or literal URLs) Prisma Migrate connects with.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { UrlSource } from './config.js';

export interface Datasource {
  /** The .prisma file that holds the block. */
  file: string;
  provider?: string;
  url?: UrlSource;
  directUrl?: UrlSource;
}

/** Every .prisma file of a schema folder (Prisma reads subfolders too), or the one file. */
export function schemaFiles(schema: string): string[] {
  if (!statSync(schema).isDirectory()) return [schema];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'migrations' && e.name !== 'node_modules') walk(p);
      else if (e.isFile() && e.name.endsWith('.prisma')) out.push(p);
    }
  };
  walk(schema);
  return out;
}

/** Strings are kept (a URL holds "//"); line comments outside strings go. */
function withoutComments(text: string): string {
  return text.replace(/"(?:[^"\\\n]|\\.)*"|\/\/[^\n]*/g, (m) => (m.startsWith('"') ? m : ''));
}

function field(block: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}\\s*=\\s*(.+?)\\s*$`, 'm').exec(block)?.[1];
}

function urlOf(expr: string | undefined): UrlSource | undefined {
  if (!expr) return undefined;
  const env = /^env\(\s*"([^"]+)"\s*\)/.exec(expr);
  if (env) return { env: env[1]! };
  const lit = /^"([^"]*)"/.exec(expr);
  return lit ? { literal: lit[1]! } : undefined;
}

export function readDatasource(schema: string): Datasource | undefined {
  for (const file of schemaFiles(schema)) {
    const text = withoutComments(readFileSync(file, 'utf8'));
    const m = /(^|\n)\s*datasource\s+\w+\s*\{([^}]*)\}/.exec(text);
    if (!m) continue;
    const block = m[2]!;
    return {
      file,
      provider: /^"([^"]*)"/.exec(field(block, 'provider') ?? '')?.[1],
      url: urlOf(field(block, 'url')),
      directUrl: urlOf(field(block, 'directUrl')),
    };
  }
  return undefined;
}
