/**
 * `pnpm bench:crypto` — what committee ballots cost (docs/committee-ballots.md): encrypt + prove one ballot on the
 * tablet, verify one on the server, and a whole count — a province confidence rating, 85 ballots × 15 officials × 3
 * levels, a committee of 5 with a threshold of 3. Figures, never assertions; single-threaded Node on this machine
 * (a mid-range tablet's browser is typically 2–4× slower).
 */
import { webcrypto } from 'node:crypto';
import {
  aggregate,
  ballotReceipt,
  combine,
  committeeKey,
  dealShares,
  decryptShare,
  encryptBallot,
  finishCeremony,
  startCeremony,
  verifyBallot,
  verifyBoard,
  verifyPartial,
  type BallotShape,
  type BulletinBoard,
} from '@hall/core/ballot-crypto';

const random = (n: number) => webcrypto.getRandomValues(new Uint8Array(n));
const args = process.argv.slice(2).filter((a) => a !== '--');
const voters = Number(args[args.indexOf('--voters') + 1] ?? 85) || 85;
const officials = Number(args[args.indexOf('--officials') + 1] ?? 15) || 15;
const shape: BallotShape = { pollContext: 'bench/rating', options: Array.from({ length: officials }, () => 3) };
const params = { members: 5, threshold: 3 };

const time = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
};

const [published, ceremonyMs] = time(() => {
  const started = Array.from({ length: params.members }, (_, i) => startCeremony(shape.pollContext, params, i + 1, random));
  const pub = started.map((s) => s.published);
  const sealed = started.flatMap((s) => dealShares(shape.pollContext, s.secrets, pub, random));
  const secrets = new Map(started.map((s) => [s.secrets.index, finishCeremony(shape.pollContext, params, s.secrets, pub, sealed)]));
  return { pub, secrets };
});
const h = committeeKey(published.pub);
const encryptMs: number[] = [];
const verifyMs: number[] = [];
const ballots = Array.from({ length: voters }, (_, v) => {
  const [ballot, e] = time(() => encryptBallot(shape, h, shape.options.map((_, q) => (v + q) % 3), random));
  encryptMs.push(e);
  return ballot;
});
const verified = ballots.map((b) => {
  const [out, ms] = time(() => verifyBallot(shape, h, b));
  verifyMs.push(ms);
  return out;
});
const [aggregates, aggregateMs] = time(() => aggregate(shape, verified));
const decrypting = [1, 3, 5];
const [partials, partialMs] = time(() => decrypting.map((j) => decryptShare(shape, j, published.secrets.get(j)!, aggregates, random)));
const [counts, combineMs] = time(() => {
  const decoded = new Map(partials.map((p) => [p.member, verifyPartial(shape, published.pub, aggregates, p)]));
  return combine(params, aggregates, decoded, ballots.length);
});
const board: BulletinBoard = {
  version: 1,
  shape,
  committee: params,
  commitments: published.pub,
  publicKey: Buffer.from(h.toBytes()).toString('hex'),
  ballots: ballots.map((ballot) => ({ receipt: ballotReceipt(ballot), ballot })).sort((x, y) => (x.receipt < y.receipt ? -1 : 1)),
  partials,
  counts,
};
const [check, boardMs] = time(() => verifyBoard(board));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
console.log(`Committee ballots: ${voters} ballots × ${officials} officials × 3 levels, committee ${params.members} (threshold ${params.threshold})`);
console.log(`  key ceremony (all ${params.members} members, one process) ... ${f(ceremonyMs)}`);
console.log(`  encrypt + prove one ballot (median) ......... ${f(median(encryptMs))}`);
console.log(`  verify one ballot on the server (median) .... ${f(median(verifyMs))}`);
console.log(`  aggregate ${voters} ballots ............................ ${f(aggregateMs)}`);
console.log(`  partial decryptions of ${decrypting.length} members (each on its tablet) ${f(partialMs / decrypting.length)} each`);
console.log(`  verify partials + combine + recover counts .. ${f(combineMs)}`);
console.log(`  verify the whole bulletin board (pnpm verify) ${f(boardMs)} — ${check.ok ? 'OK' : `FAILED: ${check.problems.join('; ')}`}`);
console.log(`  board size .................................. ${(JSON.stringify(board).length / 1024).toFixed(0)} KiB`);
if (!check.ok) process.exit(1);
