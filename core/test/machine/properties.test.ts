/**
 * Model-based properties of the session machine: random command sequences played through the server's path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explain, persist, replay, restoreSession, startSession } from '../../src/machine/engine.ts';
import type { SessionContext } from '../../src/machine/context.ts';
import type { MachineEvent } from '../../src/protocol/commands.ts';
import { delegateView, project, resultOf, type SessionView } from '../../src/views/project.ts';
import { otherChoice, probeEvent, runScenario, scenarioArb, stepArb, type Run } from './arbitraries.ts';

const RUNS = { numRuns: 100 };
const persistedOf = (run: Run) => JSON.stringify(run.actor.getPersistedSnapshot());

/** Every audience; for delegates, a few seats and whoever cast last in each poll. */
function views(run: Run): { who: string; view: SessionView }[] {
  const snap = run.actor.getSnapshot();
  const out: { who: string; view: SessionView }[] = (['chair', 'secretary', 'wall', 'public'] as const).map((a) => ({ who: a, view: project(snap, run.log.length, a) }));
  const ids = new Set(['d1', 'd2', 'd3', ...snap.context.polls.flatMap((p) => p.castBy.slice(-1))]);
  for (const id of ids) out.push({ who: id, view: delegateView(snap, run.log.length, id) });
  return out;
}

describe('[PROP] the session machine under random command sequences', () => {
  it('[PROP-1] a refused command never changes the persisted snapshot; replay and restore reproduce the live session', () => {
    let accepted = 0;
    let refused = 0;
    const reached = new Set<string>();
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const run = runScenario(scenario, {
          onStep: (r, report, before) => {
            const after = r.actor.getSnapshot();
            if (report.accepted) accepted++;
            else {
              refused++;
              // The persisted form of the snapshot the refused command met is exactly the one it left.
              expect(JSON.stringify(after.context)).toBe(JSON.stringify(before.context));
              expect(after.value).toEqual(before.value);
              expect(after.historyValue).toEqual(before.historyValue);
            }
            reached.add(JSON.stringify(after.value));
          },
        });
        const live = persistedOf(run);
        const journal = JSON.parse(JSON.stringify(run.log)) as unknown[];
        const replayed = replay(startSession(scenario.setup), journal);
        expect(JSON.stringify(replayed.getPersistedSnapshot())).toBe(live);
        const restored = restoreSession(JSON.parse(JSON.stringify(persist(run.actor, run.log.length))));
        expect(JSON.stringify(restored.getPersistedSnapshot())).toBe(live);
        // Both copies go on to agree on the next event too.
        const probe = { type: 'session.resume', at: 9e12, by: { role: 'chair', id: 'chair' } } as MachineEvent;
        expect(restored.getSnapshot().can(probe)).toBe(run.actor.getSnapshot().can(probe));
      }),
      RUNS,
    );
    // The generator reaches the deep states, not only refusals.
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
    expect([...reached].some((v) => v.includes('"voting":"counted"'))).toBe(true);
    expect([...reached].some((v) => v.includes('"questioning":"active"'))).toBe(true);
    expect([...reached].some((v) => v.includes('"floor":"speaking"'))).toBe(true);
    expect(reached.has('"recess"')).toBe(true);
  });

  it('[PROP-1] a refused command leaves getPersistedSnapshot() byte-identical (refused steps of every type)', () => {
    const refusedTypes = new Set<string>();
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        runScenario(scenario, {
          persisted: true,
          onStep: (r, report) => {
            if (report.accepted || !report.event) return;
            refusedTypes.add(report.event.type);
            expect(JSON.stringify(r.actor.getPersistedSnapshot()), report.event.type).toBe(report.persistedBefore);
          },
        });
      }),
      RUNS,
    );
    // Every event type was refused at least once, sent to the machine, and changed nothing.
    expect(refusedTypes.size).toBeGreaterThanOrEqual(40);
  });

  it('[PROP-2] tallies add up: one ballot per delegate, castCount = castBy.length, tookPart = yes + no + abstain ≤ total', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        runScenario(scenario, {
          onStep: (r) => {
            const ctx: SessionContext = r.actor.getSnapshot().context;
            const sitting = new Set(ctx.council.delegates.filter((d) => d.status === 'sitting').map((d) => d.id));
            expect(ctx.polls.filter((p) => p.status === 'open').length).toBeLessThanOrEqual(1);
            const chair = project(r.actor.getSnapshot(), 0, 'chair');
            for (const poll of ctx.polls) {
              expect(new Set(poll.castBy).size).toBe(poll.castBy.length);
              for (const id of poll.castBy) expect(sitting.has(id)).toBe(true);
              expect(chair.polls.find((p) => p.pollId === poll.pollId)?.castCount).toBe(poll.castBy.length);
              if (poll.mode !== 'electronic') expect(poll.choices).toEqual({});
              else expect(Object.keys(poll.choices).sort()).toEqual(poll.status === 'cancelled' ? [] : [...poll.castBy].sort());
              if (poll.mode === 'hands' || poll.mode === 'paper') expect(poll.castBy).toEqual([]);
              const result = resultOf(ctx, poll);
              if (result?.kind === 'motion') {
                expect(result.tookPart).toBe(result.yes + result.no + result.abstain);
                expect(result.tookPart).toBeLessThanOrEqual(poll.totalDelegates);
                if (poll.mode === 'electronic' || poll.mode === 'secret') expect(result.tookPart).toBe(poll.castBy.length);
              }
              if (result && result.kind !== 'motion' && poll.mode === 'secret' && poll.counts && 'collected' in poll.counts) {
                expect(poll.counts.collected).toBe(poll.castBy.length);
              }
              if (poll.status === 'counted' || poll.status === 'announced') expect(result).not.toBeNull();
            }
          },
        });
      }),
      RUNS,
    );
  });

  it('[PROP-5] the regions agree with the context (a counted poll can always be announced, an open group closed)', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        runScenario(scenario, {
          onStep: (r) => {
            const snap = r.actor.getSnapshot();
            const ctx = snap.context;
            const open = ctx.polls.some((p) => p.status === 'open');
            const value = snap.value as string | { inProgress: Record<string, string> };
            if (typeof value === 'string') {
              expect(open, value).toBe(false);
              expect(ctx.floor.current, value).toBeNull();
              return;
            }
            const regions = value.inProgress;
            expect(regions.voting === 'open', 'voting').toBe(open);
            expect(regions.floor === 'speaking', 'floor').toBe(ctx.floor.current !== null);
            expect(regions.questioning === 'active', 'questioning').toBe(ctx.questioning.activeGroupId !== null);
            expect(regions.broadcast === 'onAir', 'broadcast').toBe(ctx.broadcast.onAir);
            const latest = ctx.polls.filter((p) => p.status !== 'cancelled').at(-1);
            if (latest?.status === 'counted' && !ctx.polls.some((p) => p.revoteOf === latest.pollId)) expect(regions.voting).toBe('counted');
          },
        });
      }),
      RUNS,
    );
  });

  it('[PROP-3] no projection of a state with an open secret poll carries a choice from its ballots', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        // The same commands twice, every secret ballot sealed with different contents the second time.
        const seen: string[][] = [];
        const a = runScenario(scenario, {
          onStep: (r) => {
            seen.push(views(r).map((v) => JSON.stringify(v.view)));
            const ctx = r.actor.getSnapshot().context;
            for (const poll of ctx.polls.filter((p) => p.mode === 'secret' && p.status === 'open')) {
              // An empty election ballot ("[]") is indistinguishable from any empty list; the byte-for-byte comparison
              // of views across runs below covers it.
              const box = (r.box[poll.pollId] ?? []).map((c) => JSON.stringify(c)).filter((c) => c !== '[]');
              for (const { who, view } of views(r)) {
                const pv = [view.poll, ...view.polls].filter((p) => p?.pollId === poll.pollId);
                for (const p of pv) {
                  expect(p?.mine?.choice, who).toBeUndefined();
                  expect(p?.named, who).toBeUndefined();
                  expect(p?.result, who).toBeNull();
                  // No field of the poll's own view carries a choice (the whole view is compared across runs below).
                  const text = JSON.stringify(p);
                  expect(text, who).not.toContain('"choice"');
                  for (const b of box) expect(text, who).not.toContain(b);
                }
                const snap = view.snapshot as { context: SessionContext } | undefined;
                if (snap) expect(snap.context.polls.find((p) => p.pollId === poll.pollId)?.choices, who).toEqual({});
              }
            }
          },
        });
        let k = 0;
        let diverged = false;
        runScenario(scenario, {
          sealed: otherChoice,
          onStep: (r, report) => {
            // Until a secret poll with altered ballots is counted, every view must be byte-identical.
            if (report.accepted && (report.event?.type === 'poll.close' || report.event?.type === 'poll.deadline') && r.box[report.event.pollId]) diverged = true;
            if (!diverged) expect(views(r).map((v) => JSON.stringify(v.view))).toEqual(seen[k]);
            k++;
          },
        });
        expect(k).toBe(seen.length);
        expect(a.log.length).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 60 },
    );
  });

  it('[PROP-4] explain(snapshot, ev).ok === snapshot.can(ev) for generated events', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(stepArb.filter((p) => !p.type.startsWith('$')), { minLength: 5, maxLength: 5 }), (scenario, probes) => {
        runScenario(scenario, {
          onStep: (r, report, before) => {
            if (report.event) expect(explain(before, report.event).ok).toBe(before.can(report.event));
            const snap = r.actor.getSnapshot();
            for (const p of probes) {
              const ev = probeEvent(p, snap.context, 1);
              if (ev) expect(explain(snap, ev).ok, p.type).toBe(snap.can(ev));
            }
          },
        });
      }),
      RUNS,
    );
  });
});
