/**
 * `pnpm verify`: recomputes every session journal's hash chain in the configured store (DATA_DIR or REDIS_URL, as the
 * server has them) and reports the first record that does not hold. Exit codes in verify-run.ts: 0 every journal
 * verifies, 2 one does not (tampering or disk damage), 3 nothing to verify, 4 the data directory is in use.
 * `--board <file.json>` checks a committee poll's bulletin board instead; `--poll <sessionId>/<pollId>` fetches it from
 * a server (`--server <url>`, default HALL_URL or http://127.0.0.1:8080) and checks it; there exit 3 means the poll
 * is not announced yet (its board has no shares or counts before the announcement).
 */
import { parseArgs } from 'node:util';
import { runBoardVerify, runPollVerify, runVerify } from './verify-run.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { board: { type: 'string' }, poll: { type: 'string' }, server: { type: 'string' } },
  strict: true,
});
const server = values.server ?? process.env.HALL_URL ?? 'http://127.0.0.1:8080';
process.exit(values.board ? runBoardVerify(values.board) : values.poll ? await runPollVerify(values.poll, server) : await runVerify(process.env));
