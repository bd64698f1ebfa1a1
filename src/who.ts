import os from 'node:os';

/** Who acts: the person behind sudo first, as the guide's sign-offs name people, not root. */
export function whoAmI(): string {
  return process.env.SUDO_USER || process.env.USER || process.env.LOGNAME || safeUserName();
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
