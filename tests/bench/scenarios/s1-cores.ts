/**
 * S1 on more than one core (issue 16): the same storm, same schedule and same baseline as S1's one process, against
 *  - all cores: `main.ts` with HALL_CORES=<cores of this machine>, one port, the workers sharing the sessions
 *    through Redis (the only store several processes can share);
 *  - two nodes: two separate `main.ts` processes on one Redis, each generator process talking to one of them
 *    (what a hall with two machines behind a load balancer does).
 * Both run on the Redis store whatever --store says, so their rows name their store.
 */
import { cpus } from 'node:os';
import { startApp } from '../lib/hall.ts';
import { round } from '../lib/stats.ts';
import type { Row } from '../lib/report.ts';
import type { Deployment, S1Result } from './s1-vote-storm.ts';

export const allCores = (): Deployment => {
  const n = cpus().length;
  return {
    label: `all ${n} cores (HALL_CORES=${n})`,
    store: 'redis',
    start: async (bench, name) => {
      const s = await startApp(bench, name, { HALL_CORES: String(n) });
      return { urls: [s.baseUrl], pids: [s.proc.pid], readyMs: s.readyMs, stop: () => s.proc.kill9() };
    },
  };
};

export const twoNodes = (): Deployment => ({
  label: '2 nodes',
  store: 'redis',
  start: async (bench, name) => {
    // The bench seeded the store already; neither node needs to.
    const nodes = await Promise.all(['a', 'b'].map((n) => startApp(bench, `${name}-${n}`, { NODE_ID: `${name}-${n}`.slice(-40), HALL_SEED: '0' })));
    return {
      urls: nodes.map((s) => s.baseUrl),
      pids: nodes.map((s) => s.proc.pid),
      readyMs: Math.max(...nodes.map((s) => s.readyMs)),
      stop: async () => void (await Promise.all(nodes.map((s) => s.proc.kill9()))),
    };
  },
});

/** The variants' rows: ack and tally against the same baseline as the 1-process rows of that S. */
export function variantRows(s: S1Result): Row[] {
  const out: Row[] = [];
  for (const v of s.variants ?? []) {
    const sc = `S1 vote storm S=${s.sessions}, ${v.label}, ${v.store} store`;
    const lag = `gen. lag p99 ${round(v.app.generator.lagP99)} ms${v.app.generator.saturated ? ' (GENERATOR SATURATED)' : ''}`;
    out.push(
      { scenario: sc, figure: 'vote→ack p50', unit: 'ms', value: v.app.ackMs.p50, baseline: s.baseline.ackMs.p50, ratio: v.ratio.p50, target: null, met: null },
      {
        scenario: sc,
        figure: 'vote→ack p99',
        unit: 'ms',
        value: v.app.ackMs.p99,
        baseline: s.baseline.ackMs.p99,
        ratio: v.ratio.p99,
        target: '≤ 1.5× with 0 lost',
        met: v.ratio.p99 <= 1.5 && v.app.lost === 0 && v.app.failed === 0,
        note: `${lag}; 1 process: ${round(s.app.ackMs.p99)} ms`,
      },
      { scenario: sc, figure: 'chair tally delivery p99', unit: 'ms', value: v.app.tallyMs.p99, baseline: null, ratio: null, target: s.sessions >= 100 ? '≤ 250 ms' : null, met: s.sessions >= 100 ? v.app.tallyMs.p99 <= 250 : null, note: `1 process: ${round(s.app.tallyMs.p99)} ms` },
      {
        scenario: sc,
        figure: 'lost ballots',
        unit: 'ballots',
        value: v.app.lost,
        baseline: null,
        ratio: null,
        target: '0',
        met: v.app.lost === 0 && v.app.tallyMismatches === 0,
        note: `acked ${v.app.acked}/${v.app.votes}${v.app.failed ? `, ${v.app.failed} failed (${v.app.errors.join('; ')})` : ''}`,
      },
      { scenario: sc, figure: 'server CPU per vote (all processes)', unit: 'ms', value: v.app.cpuMsPerVote, baseline: s.baseline.cpuMsPerVote, ratio: v.app.cpuMsPerVote / s.baseline.cpuMsPerVote, target: null, met: null },
    );
  }
  return out;
}
