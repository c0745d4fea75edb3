/**
 * `pnpm verify`: recomputes every session journal's hash chain in the configured store (DATA_DIR or REDIS_URL, as the
 * server has them) and reports the first record that does not hold. Exit codes in verify-run.ts: 0 every journal
 * verifies, 2 one does not (tampering or disk damage), 3 nothing to verify, 4 the data directory is in use.
 */
import { runVerify } from './verify-run.ts';

process.exit(await runVerify(process.env));
