/**
 * View patches (views/patch.ts, views/wire.ts): the structural diff against JSON's rules, and the stream of patches a
 * room receives against the whole views of the same states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPatch, diff, jsonEqual, PatchMismatch } from '../../src/views/patch.ts';
import { project, sharedDelegateView, type Audience, type SessionView } from '../../src/views/project.ts';
import { ViewAssembler, viewPatch, withoutCouncil, type ViewPatch } from '../../src/views/wire.ts';
import { runScenario, scenarioArb } from '../machine/arbitraries.ts';
import { chair, delegate, startedSession } from '../helpers.ts';

/** What a client holds after the wire: JSON's encoding and decoding. */
const overWire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** JSON-shaped trees with what real views have that JSON drops: `undefined` values and slots, nested arrays. */
const key = fc.constantFrom('a', 'b', 'c', 'seq', 'polls', 'castBy', 'notVoted', 'x y', '0');
const tree = fc.letrec<{ node: unknown; obj: Record<string, unknown> }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, undefined, true, false, 0, 1, -2.5, '', 'd1', 'd2', 'Đại biểu'),
    fc.array(tie('node'), { maxLength: 6 }),
    tie('obj'),
  ),
  obj: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
})).obj;

/** A second tree close to the first (what consecutive views are): some keys changed, list elements added or dropped. */
const nearby = (base: Record<string, unknown>) =>
  fc.infiniteStream(fc.tuple(fc.nat(9), fc.nat(20), tree)).map((stream) => {
    const it = stream[Symbol.iterator]();
    const edit = (v: unknown, depth: number): unknown => {
      const [what, where, fresh] = it.next().value as [number, number, Record<string, unknown>];
      if (depth > 4 || what > 6) return v;
      if (Array.isArray(v)) {
        const copy = v.map((x) => edit(x, depth + 1));
        if (what === 0) copy.splice(where % (copy.length + 1), 0, fresh);
        if (what === 1 && copy.length) copy.splice(where % copy.length, 1);
        return copy;
      }
      if (v && typeof v === 'object') {
        const copy: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) copy[k] = what === 2 && where % 3 === 0 ? undefined : edit(x, depth + 1);
        if (what === 3) Object.assign(copy, fresh);
        return copy;
      }
      return what === 4 ? fresh : v;
    };
    return edit(base, 0) as Record<string, unknown>;
  });

describe('[PATCH] the structural diff', () => {
  it('[PATCH-1] applying diff(a, b) to what a client decoded of a gives what it would decode of b; a is left as it was', () => {
    fc.assert(
      fc.property(
        tree.chain((a) => fc.tuple(fc.constant(a), fc.oneof(nearby(a), tree))),
        ([a, b]) => {
          const before = JSON.stringify(a);
          const held = overWire(a);
          const heldBefore = JSON.stringify(held);
          const ops = overWire(diff(a, b));
          expect(applyPatch(held, ops)).toEqual(overWire(b));
          expect(JSON.stringify(a)).toBe(before);
          expect(JSON.stringify(held)).toBe(heldBefore);
          expect(jsonEqual(a, b)).toBe(ops.length === 0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('[PATCH-2] a list losing or gaining one element in the middle is one splice, and unchanged parts stay shared', () => {
    const voters = Array.from({ length: 85 }, (_, i) => `d${i + 1}`);
    const a = { poll: { notVoted: voters, castCount: 0 }, agenda: [{ id: 'i1', title: 'Ngân sách' }] };
    const b = { poll: { notVoted: voters.filter((d) => d !== 'd40'), castCount: 1 }, agenda: a.agenda };
    const ops = diff(a, b);
    expect(ops).toEqual([
      ['a', ['poll', 'notVoted'], 39, 1, []],
      ['s', ['poll', 'castCount'], 1],
    ]);
    const next = applyPatch(a, ops);
    expect(next.agenda).toBe(a.agenda);
    expect(next.poll).not.toBe(a.poll);
    expect(a.poll.notVoted).toHaveLength(85);
  });

  it('[PATCH-3] a patch that does not fit the value is refused with PatchMismatch, never half-applied', () => {
    const held = { a: { b: [1, 2] } };
    expect(() => applyPatch(held, [['s', ['x', 'y'], 1]])).toThrow(PatchMismatch);
    expect(() => applyPatch(held, [['a', ['a', 'b'], 1, 5, []]])).toThrow(PatchMismatch);
    expect(() => applyPatch(held, [['d', ['a', 'zz']]])).toThrow(PatchMismatch);
    expect(() => applyPatch(held, [['s', ['a', 'b', 7], 1]])).toThrow(PatchMismatch);
    expect(() => applyPatch(held, [['s', ['a', '__proto__'], { polluted: true }]])).toThrow(PatchMismatch);
    expect(() => applyPatch(held, [['q', ['a']]] as never)).toThrow(PatchMismatch);
    expect(held).toEqual({ a: { b: [1, 2] } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

const ROOMS: (Exclude<Audience, 'delegate'> | 'delegates')[] = ['chair', 'secretary', 'wall', 'public', 'delegates'];
const pushed = (snap: Parameters<typeof project>[0], seq: number, room: (typeof ROOMS)[number]) =>
  withoutCouncil(room === 'delegates' ? sharedDelegateView(snap, seq) : project(snap, seq, room));

describe('[PATCH] a room’s stream of patches', () => {
  it('[PATCH-4] applying every patch to the first whole view gives the whole view at each published seq, in every room', () => {
    let published = 0;
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), (scenario, publishes) => {
        // Server side: per room, the view last sent; client side: what one socket of the room holds, as decoded.
        const sent = new Map<string, SessionView>();
        const held = new Map<string, SessionView>();
        let k = 0;
        runScenario(scenario, {
          onStep: (run, report) => {
            // Publications coalesce states: a room skips some seqs, and the next patch spans them.
            if (!report.accepted || !publishes[k++ % publishes.length]) return;
            const seq = run.log.length;
            const snap = run.actor.getSnapshot();
            for (const room of ROOMS) {
              const view = pushed(snap, seq, room);
              const base = sent.get(room);
              sent.set(room, view);
              if (!base) {
                held.set(room, overWire(view));
                continue;
              }
              const patch = overWire(viewPatch(base, view));
              expect(patch.from).toBe(held.get(room)!.seq);
              const next = applyPatch(held.get(room)!, patch.ops);
              expect(next, `${room} at ${seq}`).toEqual(overWire(view));
              held.set(room, next);
              published++;
            }
          },
        });
      }),
      { numRuns: 60 },
    );
    expect(published).toBeGreaterThan(500);
  });
});

describe('[PATCH] continuity on the client', () => {
  const s = startedSession({ present: 10 });
  const view = (seq = s.log.length) => withoutCouncil(project(s.snapshot(), seq, 'chair'));

  it('[PATCH-5] a gap, a patch for another audience or one that does not fit asks for a whole view; stale ones are ignored', () => {
    const first = view();
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic', by: chair } as never);
    const second = view();
    expect(s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'yes' })).toMatchObject({ ok: true });
    const third = view();
    const a = new ViewAssembler();
    a.complete(project(s.snapshot(), s.log.length, 'chair'));
    // After a join and before the whole view the server pushes next, a patch has nothing to apply to.
    expect(a.patched(overWire(viewPatch(first, second))).kind).toBe('ignored');
    a.pushed(overWire(first));
    expect(a.patched(overWire(viewPatch(second, third))).kind).toBe('resync');
    // Until a whole view comes again, nothing is applied (the answer to the resync join is current).
    expect(a.patched(overWire(viewPatch(first, second))).kind).toBe('ignored');
    a.pushed(overWire(first));
    const foreign: ViewPatch = { ...overWire(viewPatch(first, second)), audience: 'wall' };
    expect(a.patched(foreign).kind).toBe('resync');
    a.pushed(overWire(first));
    const unfit: ViewPatch = { ...overWire(viewPatch(first, second)), ops: [['d', ['no-such-key']]] };
    expect(a.patched(unfit).kind).toBe('resync');
    a.pushed(overWire(second));
    expect(a.patched(overWire(viewPatch(first, second))).kind).toBe('ignored');
    const applied = a.patched(overWire(viewPatch(second, third)));
    expect(applied.kind).toBe('view');
    if (applied.kind === 'view') expect(applied.view).toEqual(overWire(project(s.snapshot(), s.log.length, 'chair')));
  });
});

describe('[PATCH] a patch is for one room’s shared view', () => {
  it('[PATCH-6] viewPatch throws for views of two rooms or views carrying a delegate’s own part (me, mine)', () => {
    const s = startedSession({ present: 10 });
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic', by: chair } as never);
    const seq = s.log.length;
    const chairs = project(s.snapshot(), seq, 'chair');
    expect(() => viewPatch(chairs, project(s.snapshot(), seq + 1, 'wall'))).toThrow(/two rooms/);
    expect(() => viewPatch(chairs, { ...chairs, seq: seq + 1, sessionId: 'ky-hop-2' })).toThrow(/two rooms/);
    // A delegate's own view: `me` at the top, `mine` on each poll; the shared view of the delegates' room has neither.
    const own = project(s.snapshot(), seq, 'delegate', 'd1');
    expect(own.me).toBeDefined();
    expect(own.poll?.mine).toBeDefined();
    const shared = sharedDelegateView(s.snapshot(), seq);
    expect(() => viewPatch(shared, own)).toThrow(/personal part/);
    expect(() => viewPatch(own, shared)).toThrow(/personal part/);
    expect(() => viewPatch(shared, { ...shared, me: own.me })).toThrow(/personal part/);
    expect(() => viewPatch(shared, { ...shared, polls: own.polls })).toThrow(/personal part/);
    expect(() => viewPatch(shared, { ...shared, poll: own.poll })).toThrow(/personal part/);
    expect(viewPatch(shared, sharedDelegateView(s.snapshot(), seq + 1))).toMatchObject({ from: seq, seq: seq + 1, audience: 'delegate' });
  });
});
