/**
 * `pnpm verify`: recomputes every session journal's hash chain in the configured store and reports the first record
 * that does not hold. Exit code 0 when every journal verifies, 2 when one does not (tampering or disk damage).
 */
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open.ts';

const config = await loadConfig();
const store = await openStore(config);
let bad = 0;
try {
  const ids = await store.journal.sessionIds();
  for (const id of ids) {
    const result = await store.journal.verify(id);
    if (!result.ok) bad++;
    console.log(`${result.ok ? 'OK ' : 'BAD'} ${id}: ${result.records} records${result.ok ? '' : `, first bad seq ${result.firstBadSeq}`}`);
  }
  console.log(`${ids.length} journals, ${bad} failed verification (${store.kind} store${config.redisUrl ? '' : ` at ${config.dataDir}`})`);
} finally {
  await store.close();
}
process.exit(bad ? 2 : 0);
