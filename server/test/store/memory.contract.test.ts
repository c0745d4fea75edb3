import { describeStoreContract } from '../../src/store/contract.ts';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory.ts';

describeStoreContract('memory', async () => {
  const backing = createMemoryBacking();
  let current = createMemoryStore(backing);
  return {
    store: current,
    async reopen() {
      await current.close();
      current = createMemoryStore(backing);
      return current;
    },
    async cleanup() {
      await current.close();
    },
    async tamper(sessionId, seq) {
      const lines = backing.journals.get(sessionId)!;
      const record = JSON.parse(lines[seq - 1]!) as { event: Record<string, unknown> };
      record.event = { ...record.event, tampered: true };
      lines[seq - 1] = JSON.stringify(record);
    },
  };
});
