// The console's own session: a module of its own, light to load, so that the command opens it
// before the console's modules have loaded.
export { consoleSession } from '../operations/consoleSession.js';
