import { main } from './main.js';
import { describeError } from './errors.js';
import { printErr } from './output.js';

const debug = process.argv.includes('--debug');
const fatal = (err: unknown) => {
  const { message, exitCode } = describeError(err, debug);
  printErr(message);
  process.exit(exitCode);
};
process.on('unhandledRejection', fatal);
process.on('uncaughtException', fatal);

main(process.argv).then((code) => {
  process.exitCode = code;
}, fatal);
