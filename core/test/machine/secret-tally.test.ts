/**
 * The server counts a secret e-ballot box with `tallySealedBallots`; the machine must accept what it produces.
 */
import { describe, expect, it } from 'vitest';
import { tallySealedBallots } from '../../src/machine/secret-tally.ts';
import { presentCounts } from '../../src/machine/guards.ts';
import { chairView } from '../../src/views/project.ts';
import { chair, delegate, startedSession, type SessionDriver } from '../helpers.ts';

function countAndClose(s: SessionDriver, pollId: string) {
  const poll = s.ctx().polls.find((p) => p.pollId === pollId)!;
  const { present, remote } = presentCounts(s.ctx());
  const counts = tallySealedBallots(poll, s.box[pollId] ?? [], present + remote);
  s.ok({ type: 'poll.close', pollId, counts, by: chair });
  return counts;
}

describe('[TALLY] counting a sealed box', () => {
  it('[TALLY-1] a secret motion', () => {
    const s = startedSession();
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'x', kind: 'motion', mode: 'secret', by: chair });
    s.castAll('p1', ['yes', 'yes', 'no', 'abstain', 'yes']);
    expect(countAndClose(s, 'p1')).toEqual({ kind: 'motion', yes: 3, no: 1, abstain: 1 });
  });

  it('[TALLY-2] a secret confidence rating, per official', () => {
    const s = startedSession({ delegates: 50, present: 47 });
    s.ok({ type: 'poll.open', pollId: 'r1', subject: 'x', kind: 'confidenceRating', mode: 'secret', officialIds: ['o1', 'o2'], by: chair });
    s.castAll('r1', [
      { o1: 'high', o2: 'low' },
      { o1: 'low', o2: 'low' },
      { o1: 'confidence', o2: 'high' },
    ]);
    expect(countAndClose(s, 'r1')).toEqual({
      kind: 'confidenceRating', issued: 47, collected: 3,
      officials: { o1: { valid: 3, high: 1, confidence: 1, low: 1 }, o2: { valid: 3, high: 1, confidence: 0, low: 2 } },
    });
    s.ok({ type: 'poll.announce', pollId: 'r1', by: chair });
    expect(chairView(s.snapshot(), 0).poll?.result).toMatchObject({ kind: 'confidenceRating', officials: [{ low: { percent: '33,33%' } }, { low: { percent: '66,67%' }, consequence: 'dismissal-proposal' }] });
  });

  it('[TALLY-3] a secret vote of confidence and a secret election', () => {
    const s = startedSession();
    s.ok({ type: 'poll.open', pollId: 'v1', subject: 'x', kind: 'confidenceVote', mode: 'secret', officialIds: ['o1'], by: chair });
    s.castAll('v1', [{ o1: 'noConfidence' }, { o1: 'confidence' }, { o1: 'noConfidence' }]);
    expect(countAndClose(s, 'v1')).toEqual({ kind: 'confidenceVote', issued: 15, collected: 3, officials: { o1: { valid: 3, confidence: 1, noConfidence: 2 } } });
    s.ok({ type: 'poll.announce', pollId: 'v1', by: chair });
    s.ok({ type: 'poll.open', pollId: 'e1', subject: 'x', kind: 'election', mode: 'secret', candidates: [{ id: 'k1', name: 'A' }, { id: 'k2', name: 'B' }], seats: 1, by: chair });
    s.castAll('e1', [['k1'], ['k2'], ['k1'], []]);
    expect(countAndClose(s, 'e1')).toEqual({ kind: 'election', issued: 15, collected: 4, valid: 4, votes: { k1: 2, k2: 1 } });
  });

  it('[TALLY-4] a ballot that does not fit the poll (a box written by a buggy build) is counted invalid', () => {
    const s = startedSession({ delegates: 50 });
    s.ok({ type: 'poll.open', pollId: 'r1', subject: 'x', kind: 'confidenceRating', mode: 'secret', officialIds: ['o1'], by: chair });
    s.castAll('r1', [{ o1: 'high' }, { o1: 'low' }, { o1: 'low' }]);
    s.box.r1![1] = { o1: 'maybe' } as never;
    expect(countAndClose(s, 'r1')).toMatchObject({ collected: 3, officials: { o1: { valid: 2, high: 1, low: 1 } } });
    expect(s.command(delegate(4), 'ballot.cast', { pollId: 'r1', choice: { o1: 'high' } })).toMatchObject({ ok: false, reason: 'POLL_NOT_OPEN' });
  });
});
