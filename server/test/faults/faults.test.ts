/**
 * [FAULT] Two real server processes on a private Redis (AOF, appendfsync always, MONITOR on every write), 85 bot
 * delegates voting continuously, and an operator's bad day: the owner killed, the owner frozen past its lease,
 * Redis stopped or killed and restarted at once, Redis pausing every client. After each: the last acknowledged
 * choice of every delegate = the journal's replay = the announced result, no ack names another record, no write of
 * the record without the current lease token, and the session served everyone again by itself (harness.ts).
 *
 * The failover figures are measured and printed, never asserted (docs/cluster.md keeps a table of them).
 * HALL_FAULT_ROUNDS (default 1) repeats each fault; HALL_FAULT_DEBUG=1 prints every ballot's answers and runs the
 * nodes at log level info.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_LABEL, FaultCluster, LEASE_MS, type Fault, type RoundReport } from './harness.ts';

const ROUNDS = Math.max(1, Number(process.env.HALL_FAULT_ROUNDS ?? 1));
let cluster: FaultCluster | null = null;
const reports: RoundReport[] = [];

beforeAll(async () => {
  cluster = await FaultCluster.start();
  await cluster.prepareSitting();
}, 300_000);

afterAll(async () => {
  await cluster?.close();
  const ms = (x: number | null) => (x === null ? '—' : `${(x / 1000).toFixed(2)} s`);
  const lines = reports.map(
    (r) =>
      `${FAULT_LABEL[r.fault].padEnd(30)} ${r.mode.padEnd(10)} gap ${ms(r.gapMs).padStart(7)}  lease ${ms(r.leaseTakenMs).padStart(7)}  first ${ms(r.firstServedMs).padStart(7)}  all ${ms(r.allServedMs).padStart(7)}  longest wait ${ms(r.longestWaitMs).padStart(7)}` +
      `${r.redisBackMs !== null ? `  redis back ${ms(r.redisBackMs)}` : ''}${r.frozenServedAfterContMs !== null ? `  frozen node's delegates after SIGCONT ${ms(r.frozenServedAfterContMs)}` : ''}` +
      `  owner ${r.ownerBefore}→${r.ownerAfter}  acks ${r.acks}  retried: unavailable ${r.unavailable}, unknown ${r.outcomeUnknown}, timeout ${r.timeouts}, reconnects ${r.reconnects}` +
      `  refused appends ${r.refusedAppends}, fenced ${r.fencedByNodes}${r.unmonitored ? `, unmonitored ${r.unmonitored}` : ''}  wrong acks ${r.wrongAcks}, extra ${r.extra}, lost ${r.lost}`,
  );
  console.log(`[FAULT] failover figures (lease ${LEASE_MS / 1000} s):\n${lines.join('\n')}`);
  console.log(`[FAULT] where the seconds went (from the fault):\n${reports.map((r) => `${FAULT_LABEL[r.fault]} ${r.mode}: ${r.timeline}`).join('\n')}`);
}, 120_000);

const run = async (fault: Fault, mode: 'electronic' | 'secret') => {
  for (let i = 0; i < ROUNDS; i++) {
    const report = await cluster!.round(fault, mode);
    reports.push(report);
    expect(report.problems).toEqual([]);
    expect(report.acks).toBeGreaterThanOrEqual(85);
  }
};

describe('faults under continuous voting on two nodes', () => {
  it('[FAULT-1] owner kill -9: the other node takes over, every delegate is served again, the record is exact', () => run('kill9', 'electronic'), 300_000);
  it('[FAULT-2] owner SIGSTOP past its lease, then SIGCONT: the woken node writes nothing, the record is exact', () => run('sigstop', 'electronic'), 300_000);
  it('[FAULT-3] secret poll, owner SIGSTOP and SIGCONT: the sealed box is fenced like the journal, counts agree', () => run('sigstop', 'secret'), 300_000);
  it('[FAULT-4] Redis SIGTERM and an immediate restart: no INTERNAL, nothing lost or extra, service resumes', () => run('redisTerm', 'electronic'), 300_000);
  it('[FAULT-5] Redis SIGKILL and an immediate restart: no INTERNAL, nothing lost or extra, service resumes', () => run('redisKill', 'electronic'), 300_000);
  it('[FAULT-6] Redis CLIENT PAUSE past the lease: the session serves again by itself, the record is exact', () => run('clientPause', 'electronic'), 300_000);
  it('[FAULT-7] secret poll, owner kill -9: every acknowledged ballot counted once, the box agrees', () => run('kill9', 'secret'), 300_000);
});
