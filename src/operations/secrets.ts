// Passwords never reach a screen, a JSON document, an error line or a process list: the front ends
// print through these, which live beside the connection code that knows what a secret looks like.
export { redact, redactDeep, redactError } from '../postgres/secrets.js';
export { hideCommandLine } from '../postgres/commandLine.js';
