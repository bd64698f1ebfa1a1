// .env files as the Prisma CLI loads them: the project root's, then the one beside the schema,
// neither overriding what the environment already says. Parsed by dotenv (the loader Prisma's own
// config loader uses); the process environment is left untouched, only looked up through here.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';

export interface EnvLookup {
  value: string;
  /** "the environment" or the .env file's path relative to the working folder. */
  from: string;
}

export class ProjectEnv {
  private readonly files: { file: string; vars: Record<string, string> }[] = [];
  constructor(
    private readonly cwd: string,
    candidates: string[],
  ) {
    const seen = new Set<string>();
    for (const c of candidates) {
      const file = path.resolve(c);
      if (seen.has(file) || !existsSync(file)) continue;
      seen.add(file);
      this.files.push({ file, vars: parse(readFileSync(file)) });
    }
  }

  /** The .env files that were read, relative to the working folder. */
  get loaded(): string[] {
    return this.files.map((f) => path.relative(this.cwd, f.file) || f.file);
  }

  get(name: string): EnvLookup | undefined {
    const own = process.env[name];
    if (own !== undefined && own !== '') return { value: own, from: 'the environment' };
    for (const f of this.files) {
      const v = f.vars[name];
      if (v !== undefined && v !== '') return { value: v, from: path.relative(this.cwd, f.file) || f.file };
    }
    return undefined;
  }
}
