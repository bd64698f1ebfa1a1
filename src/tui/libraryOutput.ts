// What libraries print while the console runs. Their words would scribble over the panes, so they go
// to the message line; Node's own warnings (a deprecation, a listener leak) are for whoever maintains
// this tool, not for the DBA, and are printed on the normal screen once the console has closed.
import type { MessageLevel } from './state.js';

const NODE_WARNING = /^\(node:\d+\) /;

export interface LibraryOutput {
  /** Puts console.log/info/warn/error back and prints the Node warnings held back. */
  restore(): void;
}

export function redirectLibraryOutput(
  say: (text: string, level: MessageLevel) => void,
  out: (text: string) => void = (t) => process.stderr.write(t),
): LibraryOutput {
  const saved = {
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
    debug: console.debug,
  };
  const held: string[] = [];
  const to =
    (level: MessageLevel) =>
    (...args: unknown[]) => {
      const text = args.map(String).join(' ');
      if (NODE_WARNING.test(text)) held.push(text);
      else say(text, level);
    };
  Object.assign(console, {
    log: to('info'),
    info: to('info'),
    debug: () => undefined,
    warn: to('warn'),
    error: to('error'),
  });
  return {
    restore() {
      Object.assign(console, saved);
      for (const text of held.splice(0)) out(`${text}\n`);
    },
  };
}
