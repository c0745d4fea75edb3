import { describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../src/machine/engine.ts';
import { delegateView, ownPartsTouched, personalOf, project, sharedDelegateView, type PersonalView, type SessionView } from '../../src/views/project.ts';
import { onlyVoteProgress, onlyVoteProgressBetween, viewPatch, ViewAssembler, withoutCouncil } from '../../src/views/wire.ts';
import { chair, delegate, secretary, startedSession, type SessionDriver } from '../helpers.ts';

/** What the server's publisher sends one tablet for one state: its part only when it changed, then the shared view. */
class Wire {
  private lastSent = new Map<string, string>();
  constructor(private readonly s: SessionDriver) {}
  publish(delegateId: string): { personal: PersonalView | null; shared: SessionView } {
    const snap = this.s.snapshot();
    const seq = this.s.log.length;
    const part = personalOf(snap, seq, delegateId);
    const key = JSON.stringify([part.me, part.mine]);
    const changed = this.lastSent.get(delegateId) !== key;
    this.lastSent.set(delegateId, key);
    return { personal: changed ? part : null, shared: withoutCouncil(sharedDelegateView(snap, seq)) };
  }
}

const snapshotCouncil = (v: SessionView | null) => (v?.snapshot as { context: { council?: unknown } } | undefined)?.context.council;

describe('[WIRE] pushed views are completed on the client (views/wire.ts)', () => {
  it('[WIRE-1] shared view + own part (sent only when changed) rebuilds exactly the tablet’s view, state after state', () => {
    const s = startedSession({ present: 12 });
    const tablets = ['d1', 'd2', 'd3'];
    const wire = new Wire(s);
    const assemblers = new Map(tablets.map((id) => [id, new ViewAssembler()]));
    for (const id of tablets) assemblers.get(id)!.complete(delegateView(s.snapshot(), s.log.length, id));
    const steps: (() => void)[] = [
      () => s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(2) }),
      () => s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic', by: chair } as never),
      () => expect(s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'yes' })).toMatchObject({ ok: true }),
      () => expect(s.command(delegate(4), 'ballot.cast', { pollId: 'p1', choice: 'no' })).toMatchObject({ ok: true }),
      () => s.ok({ type: 'poll.close', pollId: 'p1', by: chair }),
      () => s.ok({ type: 'poll.announce', pollId: 'p1', by: chair }),
      () => s.ok({ type: 'attendance.set', delegateId: 'd3', status: 'absentExcused', note: 'Ốm', by: secretary }),
      () => expect(s.command(chair, 'poll.open', { pollId: 'p2', subject: 'Kín', kind: 'motion', mode: 'secret' })).toMatchObject({ ok: true }),
      () => expect(s.command(delegate(2), 'ballot.cast', { pollId: 'p2', choice: 'no' })).toMatchObject({ ok: true }),
    ];
    let partsSent = 0;
    for (const step of steps) {
      step();
      for (const id of tablets) {
        const { personal, shared } = wire.publish(id);
        const a = assemblers.get(id)!;
        if (personal) {
          partsSent++;
          a.personal(personal);
        }
        expect(snapshotCouncil(shared), 'pushed without the council').toBeUndefined();
        expect(a.pushed(shared), `${id} after step ${s.log.length}`).toEqual(delegateView(s.snapshot(), s.log.length, id));
      }
    }
    // Most steps change nobody's own part, or one tablet's: parts are not resent with every view.
    expect(partsSent).toBeLessThan(steps.length * tablets.length);
    expect(partsSent).toBeGreaterThan(0);
  });

  it('[WIRE-2] staff views travel without the council and come back whole; views without a snapshot pass unchanged', () => {
    const s = startedSession();
    const full = project(s.snapshot(), 3, 'chair');
    const a = new ViewAssembler();
    a.complete(full);
    s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(2) });
    const next = project(s.snapshot(), 4, 'chair');
    const pushed = withoutCouncil(next);
    expect(snapshotCouncil(pushed)).toBeUndefined();
    expect(JSON.stringify(pushed).length).toBeLessThan(JSON.stringify(next).length);
    expect(a.pushed(pushed)).toEqual(next);
    const wall = project(s.snapshot(), 4, 'wall');
    expect(withoutCouncil(wall)).toBe(wall);
    expect(new ViewAssembler().pushed(wall)).toBe(wall);
  });

  it('[WIRE-3] before a join answer of the same session nothing can be completed, and an older part never wins', () => {
    const s = startedSession();
    const snap = (): SessionSnapshot => s.snapshot();
    const a = new ViewAssembler();
    const shared = withoutCouncil(sharedDelegateView(snap(), 3));
    expect(a.pushed(shared)).toBeNull();
    expect(a.pushed(withoutCouncil(project(snap(), 3, 'chair')))).toBeNull();
    // A join answer of another session does not complete this one's views.
    a.complete({ ...delegateView(snap(), 3, 'd1'), sessionId: 'other' });
    expect(a.pushed(shared)).toBeNull();

    a.complete(delegateView(snap(), 3, 'd1'));
    const stale = personalOf(snap(), 3, 'd1');
    s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(1) });
    a.personal(personalOf(snap(), 4, 'd1'));
    a.personal(stale); // late: dropped
    expect(a.pushed(withoutCouncil(sharedDelegateView(snap(), 4)))?.me?.queuePosition).toBe(1);
  });

  it('[WIRE-4] a ballot changes the tablets\' shared view by vote progress only; opening, closing, the floor and check-in are not progress', () => {
    const s = startedSession({ delegates: 15, present: 12 });
    const shared = () => withoutCouncil(sharedDelegateView(s.snapshot(), s.log.length));
    const progress = (step: () => void) => {
      const before = shared();
      step();
      return onlyVoteProgress(viewPatch(before, shared()).ops);
    };
    expect(progress(() => s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Thông qua', kind: 'motion', mode: 'electronic', durationSec: 600, by: chair } as never))).toBe(false);
    // A named ballot: the count and who has cast; a change of mind changes neither count nor list (nothing to send).
    expect(progress(() => s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'yes' }))).toBe(true);
    expect(progress(() => s.command(delegate(2), 'ballot.cast', { pollId: 'p1', choice: 'no' }))).toBe(true);
    expect(progress(() => s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'abstain' }))).toBe(true);
    expect(progress(() => s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(3) }))).toBe(false);
    expect(progress(() => s.ok({ type: 'attendance.checkIn', delegateId: 'd13', channel: 'hall', by: delegate(13) } as never))).toBe(false);
    expect(progress(() => s.ok({ type: 'poll.close', pollId: 'p1', by: chair } as never))).toBe(false);
    expect(progress(() => s.ok({ type: 'poll.announce', pollId: 'p1', by: chair } as never))).toBe(false);
    // A secret ballot: the count only.
    s.ok({ type: 'poll.open', pollId: 'p2', subject: 'Kín', kind: 'motion', mode: 'secret', by: chair } as never);
    expect(progress(() => s.command(delegate(4), 'ballot.cast', { pollId: 'p2', choice: 'no' }))).toBe(true);
    // A hand-made patch that touches anything else is not progress.
    expect(onlyVoteProgress([['s', ['poll', 'status'], 'closed']])).toBe(false);
    expect(onlyVoteProgress([['s', ['polls', 0, 'result'], {}]])).toBe(false);
    expect(onlyVoteProgress([])).toBe(true);
  });

  it('[WIRE-6] told from two states without views: progress only where the patch is, and never where it is not', () => {
    const s = startedSession({ delegates: 15, present: 12 });
    const steps: [string, () => unknown, boolean][] = [
      ['open', () => s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Thông qua', kind: 'motion', mode: 'electronic', durationSec: 600, by: chair } as never), false],
      ['ballot', () => s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'yes' }), true],
      ['ballot', () => s.command(delegate(2), 'ballot.cast', { pollId: 'p1', choice: 'no' }), true],
      ['change of mind', () => s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'abstain' }), true],
      ['floor', () => s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(3) }), false],
      ['check-in', () => s.ok({ type: 'attendance.checkIn', delegateId: 'd13', channel: 'hall', by: delegate(13) } as never), false],
      ['close', () => s.ok({ type: 'poll.close', pollId: 'p1', by: chair } as never), false],
      ['announce', () => s.ok({ type: 'poll.announce', pollId: 'p1', by: chair } as never), false],
      ['secret open', () => s.ok({ type: 'poll.open', pollId: 'p2', subject: 'Kín', kind: 'motion', mode: 'secret', by: chair } as never), false],
      ['secret ballot', () => s.command(delegate(4), 'ballot.cast', { pollId: 'p2', choice: 'no' }), true],
      ['attendance note', () => s.ok({ type: 'attendance.set', delegateId: 'd3', status: 'absentExcused', note: 'Ốm', by: secretary }), false],
    ];
    let base = s.snapshot();
    let baseView = withoutCouncil(sharedDelegateView(base, s.log.length));
    for (const [name, step, expected] of steps) {
      step();
      const now = s.snapshot();
      const view = withoutCouncil(sharedDelegateView(now, s.log.length));
      const told = onlyVoteProgressBetween(base, now);
      expect(told, name).toBe(expected);
      // Never "progress" for a change the patch says is more than progress.
      if (told) expect(onlyVoteProgress(viewPatch(baseView, view).ops), name).toBe(true);
      // Progress piles up: from a base several ballots back it is still progress only.
      if (!expected) [base, baseView] = [now, view];
    }
    expect(onlyVoteProgressBetween(base, base)).toBe(true);
  });

  it('[WIRE-7] the delegates whose own part may have changed: every part that did is among them, a ballot names only its voter', () => {
    const s = startedSession({ delegates: 15, present: 12 });
    const everyone = Array.from({ length: 15 }, (_, i) => `d${i + 1}`);
    const own = (id: string) => {
      const { me, mine } = personalOf(s.snapshot(), 0, id);
      return JSON.stringify([me, mine]);
    };
    const steps: [string, () => unknown][] = [
      ['open', () => s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Thông qua', kind: 'motion', mode: 'electronic', durationSec: 600, by: chair } as never)],
      ['ballot', () => s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'yes' })],
      ['change of mind', () => s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'no' })],
      ['floor', () => s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(3) })],
      ['check-in', () => s.ok({ type: 'attendance.checkIn', delegateId: 'd13', channel: 'hall', by: delegate(13) } as never)],
      ['attendance', () => s.ok({ type: 'attendance.set', delegateId: 'd3', status: 'absentExcused', note: 'Ốm', by: secretary })],
      ['close', () => s.ok({ type: 'poll.close', pollId: 'p1', by: chair } as never)],
      ['announce', () => s.ok({ type: 'poll.announce', pollId: 'p1', by: chair } as never)],
      ['secret open', () => s.ok({ type: 'poll.open', pollId: 'p2', subject: 'Kín', kind: 'motion', mode: 'secret', by: chair } as never)],
      ['secret ballot', () => s.command(delegate(4), 'ballot.cast', { pollId: 'p2', choice: 'no' })],
    ];
    for (const [name, step] of steps) {
      const before = s.snapshot().context;
      const was = new Map(everyone.map((id) => [id, own(id)]));
      step();
      const touched = ownPartsTouched(before, s.snapshot().context);
      const changed = everyone.filter((id) => own(id) !== was.get(id));
      for (const id of changed) expect(touched === null || touched.has(id), `${name}: ${id}`).toBe(true);
      if (name.includes('ballot') || name === 'change of mind') expect(touched, name).toEqual(new Set(changed));
    }
    expect(ownPartsTouched(s.snapshot().context, s.snapshot().context)).toEqual(new Set());
  });

  it('[WIRE-5] an own part arriving alone completes the shared view held, so the voter sees their choice before the tablets\' next shared view', () => {
    const s = startedSession({ delegates: 5 });
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Thông qua', kind: 'motion', mode: 'electronic', durationSec: 600, by: chair } as never);
    const a = new ViewAssembler();
    const seq0 = s.log.length;
    // Nothing held yet: the part alone completes nothing.
    expect(a.personal(personalOf(s.snapshot(), seq0, 'd1'))).toBeNull();
    a.complete(delegateView(s.snapshot(), seq0, 'd1'));
    expect(a.pushed(withoutCouncil(sharedDelegateView(s.snapshot(), seq0)))?.poll?.mine).toEqual({ cast: false });
    s.command(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'no' });
    const mine = a.personal(personalOf(s.snapshot(), s.log.length, 'd1'));
    expect(mine?.poll?.mine).toMatchObject({ cast: true, choice: 'no' });
    expect(mine?.seq).toBe(seq0);
    // A part of another session never completes this one's view.
    expect(a.personal({ ...personalOf(s.snapshot(), s.log.length + 1, 'd1'), sessionId: 'other' })).toBeNull();
  });
});
