// Connecting the console without loading Ink: the command starts loading the UI (about 250 ms of
// module loading) and connects meanwhile, so the first frame comes sooner.
import { ConsoleController, type ControllerOptions } from './controller.js';

export async function connectController(opts: ControllerOptions): Promise<ConsoleController> {
  const controller = new ConsoleController(opts);
  try {
    await controller.connect();
  } catch (err) {
    await controller.close();
    throw err;
  }
  return controller;
}
