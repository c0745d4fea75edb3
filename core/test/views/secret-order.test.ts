/**
 * Secret polls in views and in the machine (issue: trust): no view carries the order ballots came in, nobody (the
 * chair included) sees a secret poll's counts before the announcement, a poll with too few ballots can only be
 * cancelled, and a ballot whose sealed content never reached the box can be retracted by the server.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { explain, explainCommand, type SessionSnapshot } from '../../src/machine/engine.ts';
import { sessionMachine } from '../../src/machine/session.machine.ts';
import { TOO_FEW_AT_DEADLINE } from '../../src/machine/apply.ts';
import type { Command, MachineEvent } from '../../src/protocol/commands.ts';
import { delegateView, personalOf, personalise, project, sharedDelegateView, type Audience, type SessionView } from '../../src/views/project.ts';
import { ViewAssembler, withoutCouncil } from '../../src/views/wire.ts';
import { chair, delegate, did, secretary, startedSession, system, type SessionDriver } from '../helpers.ts';

const openSecret = (pollId: string, extra: Record<string, unknown> = {}) =>
  ({ type: 'poll.open', pollId, subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', by: chair, ...extra }) as never;
const cmd = (type: string, payload: object): Command => ({ sessionId: 'ky-hop-1', commandId: 'c-12345678', type, payload }) as Command;
type Redacted = { context: { polls: { pollId: string; castBy: string[]; counts: unknown }[] } };
const redactedPoll = (view: SessionView, pollId: string) => (view.snapshot as Redacted).context.polls.find((p) => p.pollId === pollId)!;

/** The session after `order` delegates cast (same choices, in the order given) in one secret poll, `at` fixed per cast. */
function afterCasts(order: number[]): SessionDriver {
  const s = startedSession({ delegates: 15 });
  s.ok(openSecret('p1'));
  const start = s.clock.now;
  order.forEach((i, k) => {
    const ev = s.command(delegate(i), 'ballot.cast', { pollId: 'p1', choice: 'yes' });
    expect(ev, `cast of d${i}`).toMatchObject({ ok: true });
    // The same times in every order, so that only the order differs between two runs.
    expect(s.ctx().lastEventAt).toBe(start + k * s.clock.step);
  });
  return s;
}

describe('[SECRET-ORDER] no view reveals the order of secret ballots', () => {
  it('[SECRET-ORDER-1] the same voters in any order give byte-identical views for every audience', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { minLength: 2, maxLength: 10 }), fc.integer({ min: 0, max: 1_000_000 }), (voters, seed) => {
        const other = [...voters].sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
        const a = afterCasts(voters);
        const b = afterCasts(other);
        for (const audience of ['chair', 'secretary', 'wall', 'public'] as Audience[]) {
          expect(JSON.stringify(project(b.snapshot(), 9, audience)), audience).toBe(JSON.stringify(project(a.snapshot(), 9, audience)));
        }
        for (const i of [1, 5, 11]) {
          expect(JSON.stringify(delegateView(b.snapshot(), 9, did(i))), did(i)).toBe(JSON.stringify(delegateView(a.snapshot(), 9, did(i))));
        }
        expect(JSON.stringify(sharedDelegateView(b.snapshot(), 9))).toBe(JSON.stringify(sharedDelegateView(a.snapshot(), 9)));
      }),
      { numRuns: 40 },
    );
  });

  it('[SECRET-ORDER-2] staff get who has cast as a set in seat order and who has not; a tablet gets only itself', () => {
    const s = afterCasts([9, 2, 5]);
    // The machine keeps the journal's order; the views must not.
    expect(s.ctx().polls[0]!.castBy).toEqual(['d9', 'd2', 'd5']);
    for (const audience of ['chair', 'secretary'] as const) {
      const view = project(s.snapshot(), 4, audience);
      expect(redactedPoll(view, 'p1').castBy, audience).toEqual(['d2', 'd5', 'd9']);
      expect(view.poll?.notVoted, audience).toEqual(['d1', 'd3', 'd4', 'd6', 'd7', 'd8', 'd10', 'd11', 'd12', 'd13', 'd14', 'd15']);
      expect(view.poll?.castCount).toBe(3);
    }
    expect(redactedPoll(delegateView(s.snapshot(), 4, 'd5'), 'p1').castBy).toEqual(['d5']);
    expect(redactedPoll(delegateView(s.snapshot(), 4, 'd4'), 'p1').castBy).toEqual([]);
    expect(redactedPoll(sharedDelegateView(s.snapshot(), 4), 'p1').castBy).toEqual([]);
    for (const audience of ['wall', 'public'] as const) expect(project(s.snapshot(), 4, audience).snapshot, audience).toBeUndefined();
  });

  it('[SECRET-ORDER-3] a tablet assembled from the shared push knows its own ballot is in, so can() refuses a second one as the server does', () => {
    const s = afterCasts([3, 7, 1]);
    const server = s.snapshot();
    const assembler = new ViewAssembler();
    assembler.complete(delegateView(server, 4, 'd7'));
    assembler.personal(personalOf(server, 5, 'd7'));
    const assembled = assembler.pushed(withoutCouncil(sharedDelegateView(server, 5)))!;
    expect(redactedPoll(assembled, 'p1').castBy).toEqual(['d7']);
    const client = createActor(sessionMachine, { snapshot: assembled.snapshot as SessionSnapshot, input: undefined as never }).start().getSnapshot();
    const second: MachineEvent = { type: 'ballot.cast', pollId: 'p1', at: s.clock.now, by: delegate(7) };
    expect(explain(client, second)).toEqual(explain(server, second));
    expect(explain(client, second)).toMatchObject({ ok: false, reason: 'ALREADY_CAST' });
    // And personalise (the server's per-tablet path) agrees with the join answer.
    expect(personalise(sharedDelegateView(server, 5), personalOf(server, 5, 'd7'))).toEqual(delegateView(server, 5, 'd7'));
  });
});

describe('[SECRET-COUNTS] a secret poll shows no counts to anyone before the announcement', () => {
  it('[SECRET-COUNTS-1] counted: the chair sees no result and no counts in its snapshot; announced: everyone sees it', () => {
    const s = afterCasts([1, 2, 3, 4]);
    s.ok({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 4, no: 0, abstain: 0 }, by: chair });
    for (const audience of ['chair', 'secretary', 'delegate', 'wall', 'public'] as Audience[]) {
      const view = project(s.snapshot(), 6, audience, audience === 'delegate' ? 'd1' : null);
      expect(view.poll?.result, audience).toBeNull();
      if (view.snapshot) expect(redactedPoll(view, 'p1').counts, audience).toBeNull();
      expect(JSON.stringify(view), audience).not.toMatch(/"yes":4/);
    }
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    for (const audience of ['chair', 'wall', 'public'] as Audience[]) {
      expect(project(s.snapshot(), 7, audience).poll?.result, audience).toMatchObject({ kind: 'motion' });
    }
  });

  it('[SECRET-COUNTS-2] a public electronic poll still shows its result to staff once counted', () => {
    const s = startedSession();
    s.ok({ type: 'poll.open', pollId: 'e1', subject: 'NQ', kind: 'motion', mode: 'electronic', by: chair } as never);
    s.castAll('e1', ['yes', 'no']);
    s.ok({ type: 'poll.close', pollId: 'e1', by: chair });
    expect(project(s.snapshot(), 5, 'chair').poll?.result).toMatchObject({ kind: 'motion' });
    expect(project(s.snapshot(), 5, 'wall').poll?.result).toBeNull();
  });
});

describe('[SECRET-MIN] a secret poll with fewer ballots than the minimum can only be cancelled', () => {
  it('[SECRET-MIN-1] closing with 2 ballots is refused (TOO_FEW_BALLOTS), also for the client-side verdict; cancelling is allowed', () => {
    const s = afterCasts([1, 2]);
    s.refuse({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 2, no: 0, abstain: 0 }, by: chair }, 'TOO_FEW_BALLOTS');
    expect(explainCommand(s.snapshot(), cmd('poll.close', { pollId: 'p1' }), chair, s.clock.now)).toMatchObject({ ok: false, reason: 'TOO_FEW_BALLOTS' });
    s.ok({ type: 'poll.cancel', pollId: 'p1', reason: 'Quá ít phiếu', by: chair });
    expect(s.ctx().polls[0]).toMatchObject({ status: 'cancelled', counts: null });
  });

  it('[SECRET-MIN-2] at its deadline such a poll is cancelled with no counts; a deadline carrying counts is refused', () => {
    const s = afterCasts([1]);
    const closesAt = s.ctx().polls[0]!.closesAt!;
    s.refuse({ type: 'poll.deadline', pollId: 'p1', counts: { kind: 'motion', yes: 1, no: 0, abstain: 0 }, by: system, at: closesAt }, 'BAD_COUNTS');
    s.ok({ type: 'poll.deadline', pollId: 'p1', by: system, at: closesAt });
    expect(s.ctx().polls[0]).toMatchObject({ status: 'cancelled', counts: null, cancelReason: TOO_FEW_AT_DEADLINE });
    expect((s.value() as { inProgress: { voting: string } }).inProgress.voting).toBe('idle');
    // The hall can open the next poll at once.
    s.ok(openSecret('p2'));
  });

  it('[SECRET-MIN-3] the minimum is the council’s: with secretMinBallots 1 one ballot may be counted; public polls have no minimum', () => {
    const s = startedSession({ profile: { secretMinBallots: 1 } });
    s.ok(openSecret('p1'));
    s.castAll('p1', ['no']);
    s.ok({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 0, no: 1, abstain: 0 }, by: chair });
    const e = startedSession();
    e.ok({ type: 'poll.open', pollId: 'e1', subject: 'NQ', kind: 'motion', mode: 'electronic', by: chair } as never);
    e.castAll('e1', ['yes']);
    e.ok({ type: 'poll.close', pollId: 'e1', by: chair });
  });
});

describe('[RETRACT] ballot.retract withdraws an eligibility record whose content never reached the box', () => {
  it('[RETRACT-1] only the server may retract; the delegate may then cast again', () => {
    const s = afterCasts([1, 2, 3]);
    s.refuse({ type: 'ballot.retract', pollId: 'p1', delegateId: 'd3', by: chair } as never, 'NOT_SYSTEM', 'FORBIDDEN');
    s.refuse({ type: 'ballot.retract', pollId: 'p1', delegateId: 'd3', by: delegate(3) } as never, 'NOT_SYSTEM', 'FORBIDDEN');
    s.ok({ type: 'ballot.retract', pollId: 'p1', delegateId: 'd3', by: system } as never);
    expect(s.ctx().polls[0]!.castBy).toEqual(['d1', 'd2']);
    expect(s.command(delegate(3), 'ballot.cast', { pollId: 'p1', choice: 'no' })).toMatchObject({ ok: true });
    expect(s.ctx().polls[0]!.castBy).toEqual(['d1', 'd2', 'd3']);
  });

  it('[RETRACT-2] refused for a delegate who has not cast, an unknown poll, a public or closed poll', () => {
    const s = afterCasts([1, 2, 3]);
    s.refuse({ type: 'ballot.retract', pollId: 'p1', delegateId: 'd4', by: system } as never, 'NOT_CAST');
    s.refuse({ type: 'ballot.retract', pollId: 'nope', delegateId: 'd1', by: system } as never, 'UNKNOWN_POLL');
    s.ok({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 3, no: 0, abstain: 0 }, by: chair });
    s.refuse({ type: 'ballot.retract', pollId: 'p1', delegateId: 'd1', by: system } as never, 'POLL_NOT_OPEN');
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.open', pollId: 'e1', subject: 'NQ', kind: 'motion', mode: 'electronic', by: chair } as never);
    s.castAll('e1', ['yes']);
    s.refuse({ type: 'ballot.retract', pollId: 'e1', delegateId: 'd1', by: system } as never, 'POLL_NOT_OPEN');
  });

  it('[RETRACT-3] a client cannot send it: it is not a command type', () => {
    const s = afterCasts([1, 2, 3]);
    expect(s.command(secretary, 'ballot.retract' as never, { pollId: 'p1', delegateId: 'd1' })).toMatchObject({ ok: false, code: 'VALIDATION' });
  });
});
