// Entry of the embedded store's verification thread (scan-pool.ts). A worker thread does not inherit tsx's loader
// (tsx registers it on the main thread only), so register it before loading the TypeScript worker. If tsx is not
// there, this fails and the store verifies journals on its own thread.
import { register } from 'tsx/esm/api';

register();
await import('./scan-worker.ts');
