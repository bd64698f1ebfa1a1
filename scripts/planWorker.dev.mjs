// The plan worker's entry (src/analysis/offThread.ts) when run from the TypeScript sources (tests,
// benches): tsx is registered on the worker's own thread first, since a worker's `--import tsx`
// does not register it on Node 20. Built, the worker is dist/bundle/planWorker.js.
import { register } from 'tsx/esm/api';

register();
await import('../src/analysis/planWorker.ts');
