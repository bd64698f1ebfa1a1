// Connecting the console without loading Ink: the command loads the UI (about 170 ms of CPU in one
// piece) once the panes have their first data, so that it does not hold up the server's replies.
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
