/** Turns scenario results into table rows, a terminal table and the Markdown page docs/benchmarks.md. */
import type { S1Result } from '../scenarios/s1-vote-storm.ts';
import type { S2Result } from '../scenarios/s2-fanout.ts';
import type { S3Result } from '../scenarios/s3-recovery.ts';
import type { MemoryResult } from '../scenarios/memory.ts';
import { round } from './stats.ts';
import { cpuSplit, worstHealth } from './common.ts';
import { variantRows } from '../scenarios/s1-cores.ts';

export interface Row {
  scenario: string;
  figure: string;
  unit: string;
  value: number;
  baseline: number | null;
  /** value / baseline. */
  ratio: number | null;
  target: string | null;
  met: boolean | null;
  note?: string;
}

export interface Meta {
  date: string;
  mode: 'quick' | 'full';
  store: 'embedded' | 'redis';
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGB: number;
  loadAvgStart: number[];
  loadAvgEnd: number[];
  /** Generator processes at the end of the run (S2 adds some for its largest N). */
  workers: number;
  /** S2 subscribers per generator process. */
  subscribersPerWorker?: number;
  windowMs: number;
  durationMs: number;
  seed: number;
  /** With --store redis: the server version and its persistence settings. */
  redis?: string;
}

export interface Results {
  s1: S1Result[];
  s2: S2Result[];
  s3: S3Result | null;
  memory: MemoryResult | null;
  /** Scenarios that failed (the rest of the run went on). */
  errors: { scenario: string; error: string }[];
}

export const TARGETS = { s1P99: 1.5, s2FramesPerSec: 0.8, s3Window: 1.3 };

const lagNote = (g: { lagP99: number; saturated: boolean; foreignCpuPct?: number }) =>
  (g.saturated ? `GENERATOR SATURATED (loop lag p99 ${round(g.lagP99)} ms)` : `gen. lag p99 ${round(g.lagP99)} ms`) +
  (g.foreignCpuPct !== undefined ? `; other processes ${Math.round(g.foreignCpuPct)}% of CPU` : '');

/**
 * The rig's own limit: the machine had (nearly) no idle CPU left — generators, server and other processes together —
 * so the figures measure the machine as much as the server.
 */
export const RIG_BOUND_PCT = 90;
const machineBusy = (g: { generatorCpuPct?: number; serverCpuPct?: number; foreignCpuPct?: number }) => (g.generatorCpuPct ?? Number.NaN) + (g.serverCpuPct ?? Number.NaN) + (g.foreignCpuPct ?? 0);
const rigNote = (s: S2Result) =>
  s.app.generator.generatorCpuPct === undefined
    ? `${s.app.generator.processes - 1} generator processes`
    : `${s.app.generator.processes - 1} generator processes; machine CPU: ${cpuSplit(s.app.generator)} (baseline run: ${cpuSplit(s.baseline.generator)})`;
/** What a vote storm's publications cost on the wire: whole views (join, resync) and what was pushed per publication. */
function publicationNote(app: S1Result['app']): string {
  const whole = `${round(app.delegateViewBytes / 1024)} KB shared by a hall's tablets, ${round(app.chairViewBytes / 1024)} KB the chair's`;
  // Runs saved before patches carry no push sizes: every publication pushed the whole views.
  const pushed = app.delegatePushBytes || app.chairPushBytes ? `${Math.round(app.delegatePushBytes)} B to the tablets, ${Math.round(app.chairPushBytes)} B to the chair (mean patch frame)` : 'the whole views';
  return `a publication pushes ${pushed} + the voter's own part; whole views: ${whole}; at most one publication per session per 100 ms`;
}

export function rows(r: Results): Row[] {
  const out: Row[] = [];
  for (const s of r.s1) {
    const sc = `S1 vote storm S=${s.sessions} (${s.sockets} ballots / ${s.windowMs / 1000} s${(s.rounds ?? 1) > 1 ? `, ${s.rounds} rounds` : ''})`;
    const gen = lagNote(worstHealth(s.app.generator, s.baseline.generator));
    out.push(
      { scenario: sc, figure: 'vote→ack p50', unit: 'ms', value: s.app.ackMs.p50, baseline: s.baseline.ackMs.p50, ratio: s.ratio.p50, target: null, met: null },
      {
        scenario: sc,
        figure: 'vote→ack p99',
        unit: 'ms',
        value: s.app.ackMs.p99,
        baseline: s.baseline.ackMs.p99,
        ratio: s.ratio.p99,
        target: `≤ ${TARGETS.s1P99}× with 0 lost`,
        met: s.ratio.p99 <= TARGETS.s1P99 && s.app.lost === 0 && s.app.failed === 0,
        note: gen,
      },
      { scenario: sc, figure: 'chair tally delivery p99', unit: 'ms', value: s.app.tallyMs.p99, baseline: null, ratio: null, target: null, met: null, note: `p50 ${round(s.app.tallyMs.p50)} ms` },
      {
        scenario: sc,
        figure: 'lost ballots',
        unit: 'ballots',
        value: s.app.lost,
        baseline: null,
        ratio: null,
        target: '0',
        met: s.app.lost === 0 && s.app.tallyMismatches === 0,
        note: `acked ${s.app.acked}/${s.app.votes}${s.app.failed ? `, ${s.app.failed} failed (${s.app.errors.join('; ')})` : ''}${s.app.tallyMismatches ? `, ${s.app.tallyMismatches} tally mismatches` : ''}`,
      },
      {
        scenario: sc,
        figure: 'server CPU per vote',
        unit: 'ms',
        value: s.app.cpuMsPerVote,
        baseline: s.baseline.cpuMsPerVote,
        ratio: s.app.cpuMsPerVote / s.baseline.cpuMsPerVote,
        target: null,
        met: null,
        ...(s.app.delegateViewBytes ? { note: publicationNote(s.app) } : {}),
      },
    );
    if (s.app.peakRssMB) out.push({ scenario: sc, figure: 'server peak RSS during the storm', unit: 'MB', value: s.app.peakRssMB, baseline: null, ratio: null, target: null, met: null });
    out.push(...variantRows(s));
  }
  for (const s of r.s2) {
    const sc = `S2 fan-out N=${s.subscribers} (${s.app.changes} views, ${round(s.app.viewBytes / 1024, 1)} KB)`;
    const gen = lagNote(worstHealth(s.app.generator, s.baseline.generator));
    out.push(
      { scenario: sc, figure: 'delivery p50', unit: 'ms', value: s.app.deliveryMs.p50, baseline: s.baseline.deliveryMs.p50, ratio: s.ratio.p50, target: null, met: null },
      { scenario: sc, figure: 'delivery p99', unit: 'ms', value: s.app.deliveryMs.p99, baseline: s.baseline.deliveryMs.p99, ratio: s.ratio.p99, target: null, met: null },
      {
        scenario: sc,
        figure: 'frames/s received',
        unit: 'frames/s',
        value: s.app.framesPerSec,
        baseline: s.baseline.framesPerSec,
        ratio: s.ratio.framesPerSec,
        target: `≥ ${TARGETS.s2FramesPerSec}×`,
        met: s.ratio.framesPerSec >= TARGETS.s2FramesPerSec,
        note: `${gen}; ${rigNote(s)}; frames delivered ${round(s.app.delivered * 100)}% vs ${round(s.baseline.delivered * 100)}%${s.app.undelivered || s.baseline.undelivered ? `; changes never delivered: ${s.app.undelivered} vs ${s.baseline.undelivered}` : ''}`,
      },
    );
  }
  if (r.s3) {
    const s = r.s3;
    const sc = `S3 recovery ${s.sessions} sessions × ${s.eventsPerSession} events`;
    out.push(
      {
        scenario: sc,
        figure: 'restart → all sessions serve, all bots resynced',
        unit: 'ms',
        value: s.recoveryMs,
        baseline: s.baselineMs,
        ratio: s.ratio,
        target: `≤ ${TARGETS.s3Window}×`,
        met: s.ratio <= TARGETS.s3Window && s.resynced === s.sessions && s.baselineResynced === s.sessions,
        note: `baseline = restart without journals → all bots re-joined ${Math.round(s.emptyRecoveryMs)} ms (boot ${Math.round(s.emptyBootMs)} ms + reconnect) + pure replay ${Math.round(s.pureReplayMs)} ms; ${s.resynced}/${s.sessions} resynced; kill → resynced ${Math.round(s.killToResyncMs)} ms`,
      },
      { scenario: sc, figure: 'spawn → /healthz (listens, then restores)', unit: 'ms', value: s.bootToHealthMs, baseline: s.emptyBootMs, ratio: s.bootToHealthMs / s.emptyBootMs, target: null, met: null, note: 'baseline: the same restart without journals' },
      {
        scenario: sc,
        figure: 'replay throughput (server read+verify+replay)',
        unit: 'events/s',
        value: s.serverEventsPerSec,
        baseline: s.pureEventsPerSec,
        ratio: s.serverEventsPerSec / s.pureEventsPerSec,
        target: null,
        met: null,
        note: `server restore ${Math.round(s.serverRestoreMs)} ms; pure machine cold ${Math.round(s.pureEventsPerSec)}, warm ${Math.round(s.pureWarmEventsPerSec)} events/s`,
      },
    );
  }
  for (const e of r.errors) {
    out.push({ scenario: e.scenario, figure: 'FAILED', unit: '—', value: Number.NaN, baseline: null, ratio: null, target: null, met: false, note: e.error.slice(0, 200) });
  }
  if (r.memory) {
    const m = r.memory;
    const sc = `Memory (${m.sessions} sessions, ${m.clients} idle clients)`;
    out.push(
      { scenario: sc, figure: 'RSS per live session', unit: 'KB', value: m.perSessionKB, baseline: null, ratio: null, target: null, met: null },
      { scenario: sc, figure: 'RSS per idle connected client', unit: 'KB', value: m.perClientKB, baseline: null, ratio: null, target: null, met: null },
      { scenario: sc, figure: 'RSS after warm-up (base)', unit: 'MB', value: m.rssBaseMB, baseline: null, ratio: null, target: null, met: null, note: `${round(m.rssSessionsMB)} MB with sessions, ${round(m.rssClientsMB)} MB with clients` },
    );
  }
  return out;
}

const fmt = (n: number | null, unit = ''): string => {
  if (n === null) return '—';
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = unit === 'frames/s' || unit === 'events/s' || abs >= 1000 ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
};
const fmtRatio = (n: number | null) =>
  n === null ? '—' : !Number.isFinite(n) ? String(n) : n >= 100 ? `${Math.round(n).toLocaleString('en-US')}×` : `${n.toFixed(2)}×`;
const fmtMet = (m: boolean | null) => (m === null ? '' : m ? 'yes' : 'NO');

function cells(r: Row): string[] {
  return [r.scenario, `${r.figure} (${r.unit})`, fmt(r.value, r.unit), fmt(r.baseline, r.unit), fmtRatio(r.ratio), r.target ?? '', fmtMet(r.met), r.note ?? ''];
}

const HEAD = ['Scenario', 'Figure', 'Hall', 'Baseline', 'Ratio', 'Target', 'Met', 'Notes'];

export function textTable(rs: Row[]): string {
  const all = [HEAD, ...rs.map(cells)];
  const widths = HEAD.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c >= 2 && c <= 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  const out: string[] = [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (const r of rs) {
    const c = cells(r);
    if (r.scenario === last) c[0] = '';
    else if (last) out.push('');
    last = r.scenario;
    out.push(line(c));
  }
  return out.join('\n');
}

export function markdownTable(rs: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i >= 2 && i <= 4 ? '---:' : '---')).join('|')}|`];
  let last = '';
  for (const r of rs) {
    const c = cells(r).map(esc);
    if (r.scenario === last) c[0] = '';
    last = r.scenario;
    if (c[6] === 'NO') c[6] = '**NO**';
    out.push(`| ${c.join(' | ')} |`);
  }
  return out.join('\n');
}

export function flags(r: Results, meta: Meta): string[] {
  const f: string[] = [];
  for (const e of r.errors) f.push(`${e.scenario} failed: ${e.error}`);
  for (const s of r.s1) {
    if (s.app.generator.saturated || s.baseline.generator.saturated) f.push(`S1 S=${s.sessions}: a load generator was saturated (event-loop lag p99 > 50 ms); latencies include generator delay.`);
    if (s.app.lost) f.push(`S1 S=${s.sessions}: ${s.app.lost} acknowledged ballots were not counted.`);
    if (s.app.failed) f.push(`S1 S=${s.sessions}: ${s.app.failed} ballots were not acknowledged (${s.app.errors.join('; ')}).`);
  }
  for (const s of r.s2) {
    if (s.app.generator.saturated || s.baseline.generator.saturated) f.push(`S2 N=${s.subscribers}: a load generator was saturated (event-loop lag p99 > 50 ms); delivery times include generator delay and frames/s is capped by the generator.`);
    const sides = [
      ['app', s.app],
      ['baseline', s.baseline],
    ] as const;
    const bound = sides.filter(([, side]) => machineBusy(side.generator) > RIG_BOUND_PCT);
    if (bound.length) f.push(`S2 N=${s.subscribers}: the rig binds — the machine's ${meta.cpus} cores were busy ${bound.map(([name, side]) => `${Math.min(100, Math.round(machineBusy(side.generator)))}% in the ${name} run (${cpuSplit(side.generator)})`).join(' and ')}; frames/s and delivery measure the machine as much as the server.`);
    if (s.app.behind || s.baseline.behind) f.push(`S2 N=${s.subscribers}: some subscribers had not received the last view when the drain ended (app ${s.app.behind ? 'yes' : 'no'}, baseline ${s.baseline.behind ? 'yes' : 'no'}).`);
  }
  if (r.s3 && (r.s3.generator.saturated || r.s3.baselineGenerator.saturated)) f.push('S3: the bot process was saturated during recovery.');
  if (r.s3 && r.s3.resynced < r.s3.sessions) f.push(`S3: only ${r.s3.resynced}/${r.s3.sessions} bots resynced.`);
  if (r.s3 && r.s3.baselineResynced < r.s3.sessions) f.push(`S3 baseline: only ${r.s3.baselineResynced}/${r.s3.sessions} bots re-joined the server without journals.`);
  const healths = [...r.s1.flatMap((s) => [s.app.generator, s.baseline.generator]), ...r.s2.flatMap((s) => [s.app.generator, s.baseline.generator]), ...(r.s3 ? [r.s3.generator, r.s3.baselineGenerator] : [])];
  const foreign = Math.max(0, ...healths.map((h) => h.foreignCpuPct ?? 0));
  if (foreign > 20) f.push(`The machine was shared: processes outside the bench used up to ${Math.round(foreign)}% of its CPU during a measured window (1-min load average ${meta.loadAvgStart[0]?.toFixed(1)} at start, ${meta.loadAvgEnd[0]?.toFixed(1)} at end, on ${meta.cpus} CPUs). Figures are noisier and slower than on an idle machine.`);
  return f;
}

export function markdown(meta: Meta, r: Results, rs: Row[]): string {
  const fl = flags(r, meta);
  const s1 = r.s1.map((s) => `S=${s.sessions}: p99 ${fmtRatio(s.ratio.p99)} (${s.app.lost} lost)`).join(', ');
  const s2 = r.s2.map((s) => `N=${s.subscribers}: ${fmtRatio(s.ratio.framesPerSec)}`).join(', ');
  return `# Benchmarks

Generated by \`pnpm bench${meta.mode === 'quick' ? ' -- --quick' : ''}${meta.store === 'redis' ? ' --store redis' : ''}\` (tests/bench/run.ts) — do not edit by hand; rerun to refresh.

| | |
|---|---|
| Date | ${meta.date} |
| Mode | ${meta.mode}${meta.mode === 'quick' ? ' (smoke sizes: not representative)' : ''} |
| Store | ${meta.store}${meta.redis ? ` (${meta.redis})` : ' (files + fdatasync per append)'} |
| CPU | ${meta.cpus} × ${meta.cpuModel} |
| Memory | ${meta.memoryGB.toFixed(1)} GB |
| Node | ${meta.node} (${meta.platform}) |
| Load average (1 min) | ${meta.loadAvgStart[0]?.toFixed(2)} at start, ${meta.loadAvgEnd[0]?.toFixed(2)} at end |
| Load generators | ${meta.workers} forked processes at most (+ the orchestrator, which holds the chair/driver sockets)${meta.subscribersPerWorker ? `; S2 uses one per ${meta.subscribersPerWorker.toLocaleString('en-US')} subscribers` : ''} |
| Vote window / drive length | ${meta.windowMs / 1000} s |
| Run time | ${(meta.durationMs / 1000).toFixed(0)} s |

Every server — the app and the baseline — runs as its own process, separate from the load generators. Each
baseline runs **in the same run**, right before or after the app, on the same machine, with the same clients.

Two other benchmarks report elsewhere: \`pnpm bench -- --media\` (broadcast: WebRTC viewers per process, CPU per
viewer, HLS CPU per rung; figures in media/README.md, JSON in tests/bench/results/media.json) and \`pnpm bench:crypto\`
(committee ballots: encrypting, proving and verifying a ballot; figures in docs/committee-ballots.md). The province
soak, \`pnpm bench -- --soak\` (100 sessions sitting for 20 minutes; not in CI), writes the last section of this page;
a full run keeps it as it was.

## Results

${markdownTable(rs)}

**Targets** (reported, not asserted): S1 p99 ≤ ${TARGETS.s1P99}× baseline with 0 lost — ${s1 || 'not run'}; S2 frames/s ≥ ${TARGETS.s2FramesPerSec}× baseline — ${s2 || 'not run'}; S3 recovery window ≤ ${TARGETS.s3Window}× — ${r.s3 ? fmtRatio(r.s3.ratio) : 'not run'}.

${fl.length ? `### Flags\n\n${fl.map((x) => `- ${x}`).join('\n')}\n` : '### Flags\n\nNone: no generator was saturated and nothing acknowledged was lost.\n'}
## How each figure is measured

- **Clock.** Every process stamps with \`performance.timeOrigin + performance.now()\` (the host clock, sub-millisecond,
  comparable across the bench's processes on one machine).
- **S1 vote storm.** S sessions (\`bench-1…bench-S\` of the demo council \`bac-ninh\`, seeded through the storage port
  before the server starts) × 85 delegate sockets. Each delegate logs in once over HTTP; its token is reused for its
  socket in every session. Setup (not measured): the chair (one socket per session) opens check-in, every bot checks
  in and then joins its session's room (joining after check-in spares the setup S×85 rounds of delegate views), the
  chair starts the session and opens a public (named, electronic) motion poll with a one-hour deadline, and the bench
  waits until the opening views are out. Then every bot sends \`ballot.cast\` at an **intended** time drawn uniformly
  over the window (seeded). Latencies are measured from the intended time, not the actual send, so a late generator
  counts against the result (no coordinated omission). *vote→ack* = ack receipt − intended. *Chair tally delivery* =
  receipt of the first chair view whose \`seq\` ≥ the ballot's acked seq (the first view whose castCount includes it)
  − intended. *Lost ballots* = ok-acked ballots − ballots in the closed poll's counts, per session (the per-choice
  counts are also compared with what the bots were told). *Server CPU per vote* = utime+stime of the server process
  tree (\`/proc/<pid>/stat\`) across the storm, including publishing the views it causes, ÷ acked ballots.
  **Baseline:** a bare Socket.IO server (tests/bench/baseline-server.ts; the app's Socket.IO options, no auth, no
  validation, no machine, no views) that acks the same command after one raw journal append with the same adapter and
  fsync policy (embedded: one JSON line + \`fdatasync\` per command to a file per session, serialized per session;
  redis: one \`XADD\`), fed the same schedule (same offsets and choices) by the same clients after the same warm-up
  (one command per socket).
- **S2 fan-out.** One session, N anonymous public subscribers joined to it. The chair drives 10 view changes per
  second (\`attendance.set\` toggles) from intended times. A view has no server timestamp, so a change's **server
  stamp** is the time the driver received the ack of the command that made it (the ack carries the journal seq the
  view will carry); *delivery* of a change to a subscriber = receipt, in a generator, of the first frame whose
  \`seq\` ≥ the change's seq − the stamp, measured for every change on every subscriber (a change the app coalesced
  into a later view counts until that view arrives). The app publishes views on a 15 ms coalescing timer after the
  ack (a session at most every 100 ms), so that delay is part of its figure. *Frames/s* = frames received by all subscribers ÷ (last receipt − first
  stamp); when the app is saturated it coalesces changes, so it sends fewer frames (see "delivered"). The
  subscribers are spread over ⌈N ÷ ${meta.subscribersPerWorker ?? 1250}⌉ generator processes (at least the run's
  default), so that no process is saturated by its share; the notes give the CPU the generators (with the
  orchestrator), the server and every other process on the machine used, as shares of all its cores; a run that left
  less than ${100 - RIG_BOUND_PCT}% of the machine idle is flagged: the machine, not only the server, then sets the figures.
  **Baseline:** the bare server acks a trigger and then \`io.to(room).emit\`s a real public view captured from the app
  (same bytes, \`seq\` replaced) to the same number of sockets, on the same schedule, stamped the same way.
- **S3 recovery.** S sessions get a seq-0 snapshot (the frozen setup, as the runtime's first command writes it) and E
  valid machine events each (\`attendance.set\` toggles by the chair), appended through the storage port, so records
  are hash-chained as in production; no later snapshot exists, so the restart replays all E events per session (the
  runtime normally snapshots every 100 events). The server starts, one bot per session (socket.io-client, reconnect
  delay ${r.s3 ? `${r.s3.reconnectDelayMs[0]}–${r.s3.reconnectDelayMs[1]}` : '100–500'} ms) joins at seq E; the server is \`kill -9\`ed and restarted on the
  same port. *Recovery window* = spawn → every bot's re-join returned the view at seq E (the server listens first and
  then restores every live session; a join for a session not restored yet waits for that session's restore). *Server replay throughput* = S×E ÷ the server's own "sessions restored" time (read +
  hash-chain verify + replay). **Baseline:** the same procedure (same bots and reconnect delays, \`kill -9\`, restart)
  on the same server and catalog without journals, spawn → every bot re-joined — boot + reconnect window, measured in
  the same run — + the pure machine's \`restoreSession\` + \`replay\` of the same events in the bench process
  (first, cold pass — the server is cold too; the warm figure is in the notes).
- **Memory.** VmRSS of the server (\`/proc/<pid>/status\`), median of samples after each step settles: after a
  warm-up (one session, 20 sockets), after S sessions are opened by the chair (live: actor, journal, seq-0 snapshot),
  after N idle anonymous sockets join a public room. Per session = ΔRSS ÷ S, per client = ΔRSS ÷ N. RSS includes
  garbage not yet collected: read these as upper bounds.
- **Generator saturation.** Every generator process (and the orchestrator) records its event-loop delay with
  \`perf_hooks.monitorEventLoopDelay\` during the measured window; a p99 above 50 ms flags the scenario, since a
  saturated generator sends late and reads late. *Other processes* = the share of the machine's CPU used during the
  measured window by processes outside the bench (\`/proc/stat\` busy time minus the bench's own process tree): a
  noise indicator for shared machines.

## Caveats

- One small machine runs the server, the baseline and every generator: the server competes with its own load.
  Generators are lightweight clients (Engine.IO/Socket.IO over \`ws\`, reading only a view's \`seq\` from its first
  bytes instead of parsing it); both the app and the baseline are measured with the same clients, so their cost
  largely cancels out of the ratios, but not out of the absolute figures.
- A storm of fewer than 500 ballots (S=1: 85) would make its p99 the slowest ballot or two, decided by one pause (a
  GC, another process) on either side. Such a storm is run in rounds, one after another on a new poll of the same
  sessions (and replayed as often against the baseline), until each side has at least 500 ballots: S=1 is 6 rounds
  of 85 at the rate of one hall. Each round's poll is closed and its counts checked; CPU per vote counts each storm
  until its chairs have seen its last ballot, not the pauses between rounds. \`--quick\` runs one round.
- Delegate tablets in S1 join their session, so the storm makes the server publish views (a session at most every
  100 ms: one view shared by the hall's tablets, the voter's own part, the chair's view), written 64 sockets per
  event-loop turn; that work is part of the app's CPU per vote and its latency. The baseline publishes nothing, so
  the S1 ratios charge the app for the whole fan-out of its views.
- \`--quick\` uses smoke sizes and a 3 s window: its numbers only show the suite works.
- **The soak's memory grows with its sittings, by design.** A sitting keeps its own record in memory while it runs:
  its speeches, questions and polls (with named ballots) in the machine's state, the acks of its commands (so that a
  retried command gets its first answer; at most 20,000 per session) and, per screen room, the last view sent (the
  base of the next patch). All of it grows with each sitting's length, which is why the heap in use after major
  collections rises through the soak. Two heap snapshots of one server 5.2 minutes apart (100 sessions, a cycle
  every 60 s, 500 viewers) found 27.7 MB of new objects: the acks kept for retries 9.3 MB (about 360 bytes per
  command), the publisher's last-sent views and own parts about 12 MB, the rest the sittings' state and sockets; no
  other owner grew. What matters for a server that runs for weeks is that this is given back when a sitting is over:
  a room whose sitting is adjourned and that nobody uses or follows is closed after \`HALL_ROOM_IDLE_MS\`, and the
  soak measures the heap after a forced collection at setup, at the end of the sittings and after every sitting
  adjourned and its room retired (its section below).
- With \`--store redis\`, the app runs in cluster mode (lease per session, fenced appends, Redis streams adapter)
  even with one node, because that is what \`REDIS_URL\` turns on; S3 then also waits for the dead node's leases
  (HALL_LEASE_MS=2000 in the bench) to lapse.
`;
}
