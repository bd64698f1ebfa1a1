// A command line is readable by every user of the host (ps, /proc/PID/cmdline) for as long as the
// process runs. Once the options are parsed, the process title replaces it: on Linux, Node writes
// the title over the memory the kernel shows as the command line, so the URL given with
// --database-url (and its password) is gone from `ps` for the rest of the run.

/** True when the URL carries a password in its user-info (user:PASSWORD@host). */
export function urlHasPassword(url: string | undefined): boolean {
  if (!url) return false;
  const auth = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/)[0] ?? '';
  const at = auth.lastIndexOf('@');
  return at >= 0 && auth.slice(0, at).includes(':') && auth.slice(0, at).split(':').slice(1).join(':') !== '';
}

let warned = false;

/**
 * Replaces the process's visible command line with "citadel-migrate COMMAND" and, when the password
 * came on the command line, says once how to keep it off: by then it has been visible for a moment.
 * The warning goes to a terminal only: a script's log is not the place a person reads advice, and
 * its error output stays one sentence.
 */
export function hideCommandLine(
  command: string,
  databaseUrlOption: string | undefined,
  warn: (line: string) => void,
): void {
  try {
    process.title = `citadel-migrate ${command}`;
  } catch {
    // a platform without a settable title: nothing to hide from
  }
  if (!warned && urlHasPassword(databaseUrlOption) && process.stderr.isTTY) {
    warned = true;
    warn(
      'Warning: the password in --database-url can be seen by other users of this host (ps) while a command starts: set DATABASE_URL, or keep the password in ~/.pgpass (or the file PGPASSFILE names) instead.',
    );
  }
}
