import { describe, expect, it } from 'vitest';
import type { PollView } from '@hall/core';
import { officialFirst, revotedBy } from '../src/rounds.ts';

const poll = (pollId: string, status: PollView['status'], revoteOf: string | null = null): PollView =>
  ({ pollId, status, revoteOf, round: revoteOf ? 2 : 1, result: status === 'announced' ? { kind: 'motion' } : null }) as unknown as PollView;

describe('[KIT-ROUND] rounds of a vote', () => {
  it('[KIT-ROUND-1] the official round comes first, each replaced round right after it, newest chains first', () => {
    const polls = [poll('a1', 'announced'), poll('b1', 'announced'), poll('a2', 'announced', 'a1'), poll('c1', 'announced')];
    expect(officialFirst(polls).map((p) => p.pollId)).toEqual(['c1', 'a2', 'a1', 'b1']);
    expect(revotedBy(polls[0]!, polls)?.pollId).toBe('a2');
    expect(revotedBy(polls[2]!, polls)).toBeNull();
  });

  it('[KIT-ROUND-2] a cancelled re-vote leaves the first round standing; an unannounced round is not listed', () => {
    const polls = [poll('a1', 'announced'), poll('a2', 'cancelled', 'a1'), poll('b1', 'announced'), poll('b2', 'open', 'b1')];
    expect(revotedBy(polls[0]!, polls)).toBeNull();
    // b1 is being voted again: it is marked as replaced and still listed, after nothing official yet.
    expect(revotedBy(polls[2]!, polls)?.pollId).toBe('b2');
    expect(officialFirst(polls).map((p) => p.pollId)).toEqual(['b1', 'a1']);
  });
});
