// Connecting the console without loading Ink: the command starts loading the UI (about 170 ms of
// CPU) once the first session is open, and the rest of the connecting waits on the server meanwhile.
// Loading it before would hold up the handshake's replies behind the module compiler.
import { ConsoleController, type ControllerOptions } from './controller.js';

export async function connectController(opts: ControllerOptions, onSession?: () => void): Promise<ConsoleController> {
  const controller = new ConsoleController(opts);
  try {
    await controller.connect(onSession);
  } catch (err) {
    await controller.close();
    throw err;
  }
  return controller;
}
