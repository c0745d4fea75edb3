/**
 * `pnpm verify`: recomputes every session journal's hash chain in the configured store (DATA_DIR or REDIS_URL, as the
 * server has them) and reports the first record that does not hold. Exit codes in verify-run.ts: 0 every journal
 * verifies, 2 one does not (tampering or disk damage), 3 nothing to verify, 4 the data directory is in use.
 * `--board <file.json>` checks a committee poll's bulletin board instead.
 */
import { parseArgs } from 'node:util';
import { runBoardVerify, runVerify } from './verify-run.ts';

const { values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { board: { type: 'string' } }, strict: true });
process.exit(values.board ? runBoardVerify(values.board) : await runVerify(process.env));
