/**
 * The embedded store's verification thread (see scan-pool.ts): checks a journal's bytes with the very scan the store
 * runs in its own thread and answers with the verdict only. The store decodes the records itself: sending them back
 * would cost about as much as decoding them.
 */
import { parentPort } from 'node:worker_threads';
import { scanBuffer, type BufferScan } from './journal-lines.ts';

export interface ScanRequest {
  id: number;
  bytes: ArrayBuffer;
}

export type ScanReply = { id: number; verdict: Omit<BufferScan, 'records'> } | { id: number; error: string };

/** What the worker posts: replies, and once, when it has loaded and listens, `ready`. */
export type WorkerMessage = ScanReply | { ready: true };

const port = parentPort;
if (!port) throw new Error('scan-worker.ts runs as a worker thread');
port.on('message', ({ id, bytes }: ScanRequest) => {
  let reply: ScanReply;
  try {
    const { count, lastHash, goodEnd, problem } = scanBuffer(Buffer.from(bytes), false);
    reply = { id, verdict: { count, lastHash, goodEnd, ...(problem ? { problem } : {}) } };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
const ready: WorkerMessage = { ready: true };
port.postMessage(ready);
