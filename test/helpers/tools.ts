// What a test needs from the machine (strace, tmux, pgbouncer, a tmpfs, root). Where it is missing a
// developer's run skips the test with the reason; under CI=true the test fails with the install step
// instead, so that a green CI run never hides a safety test that did not run.

/** True when the test should be skipped: `missing` is why it cannot run here (undefined: it can). */
export function lacks(what: string, missing: string | undefined, install: string): boolean {
  if (!missing) return false;
  const sentence = `${what} is needed by this test but ${missing}: ${install}`;
  if (process.env.CI === 'true') throw new Error(sentence);
  console.warn(`skipped: ${sentence}`);
  return true;
}

/** The error of a tool that is not installed, with how to install it (tmux, pgbouncer: never skipped). */
export function notInstalled(err: unknown, tool: string, install: string): unknown {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT'
    ? new Error(`${tool} is not installed, and this test runs it: ${install}`)
    : err;
}
