import { describe, expect, it } from 'vitest';
import type { ThresholdBase } from '../../src/model.ts';
import {
  confidenceRatingResult,
  confidenceVoteResult,
  electionResult,
  motionResult,
} from '../../src/rules/index.ts';

describe('[RULES-4] motionResult', () => {
  it('[RULES-4] the docs/rules.md result panel: 85 total, 70/6/4 → THÔNG QUA', () => {
    expect(motionResult({ yes: 70, no: 6, abstain: 4 }, 85, 'more-than-half')).toEqual({
      total: 85,
      tookPart: 80,
      yes: 70,
      no: 6,
      abstain: 4,
      adopted: true,
      outcome: 'THÔNG QUA',
      lines: { tookPart: '80 (94,12%)', yes: '70 (82,35%)', no: '6 (7,06%)', abstain: '4 (4,71%)' },
    });
  });

  it('[RULES-4] the base is total delegates, not those who voted', () => {
    // 14 of 15 votes cast is a landslide among voters but not more than half of a 30-member council.
    const r = motionResult({ yes: 14, no: 1, abstain: 0 }, 30, 'more-than-half');
    expect(r.adopted).toBe(false);
    expect(r.outcome).toBe('KHÔNG THÔNG QUA');
    expect(r.lines.yes).toBe('14 (46,67%)');
    expect(motionResult({ yes: 16, no: 0, abstain: 0 }, 30, 'more-than-half').adopted).toBe(true);
    expect(motionResult({ yes: 15, no: 0, abstain: 0 }, 30, 'more-than-half').adopted).toBe(false);
  });

  it('[RULES-4] boundary on 85: 42 fails, 43 passes', () => {
    const fail = motionResult({ yes: 42, no: 0, abstain: 0 }, 85, 'more-than-half');
    expect(fail).toMatchObject({ adopted: false, outcome: 'KHÔNG THÔNG QUA' });
    expect(fail.lines.yes).toBe('42 (49,41%)');
    expect(motionResult({ yes: 43, no: 42, abstain: 0 }, 85, 'more-than-half').outcome).toBe('THÔNG QUA');
  });

  it('[RULES-4] two-thirds and special-mode rules', () => {
    expect(motionResult({ yes: 56, no: 0, abstain: 0 }, 85, 'at-least-two-thirds').adopted).toBe(false);
    expect(motionResult({ yes: 57, no: 0, abstain: 0 }, 85, 'at-least-two-thirds').adopted).toBe(true);
    // Late term, 40 remaining delegates: more than two thirds means 27.
    expect(motionResult({ yes: 26, no: 0, abstain: 0 }, 40, 'more-than-two-thirds').adopted).toBe(false);
    expect(motionResult({ yes: 27, no: 0, abstain: 0 }, 40, 'more-than-two-thirds').adopted).toBe(true);
    expect(motionResult({ yes: 10, no: 0, abstain: 0 }, 30, 'at-least-one-third').adopted).toBe(true);
  });

  it('[RULES-4] zero votes', () => {
    const r = motionResult({ yes: 0, no: 0, abstain: 0 }, 15, 'more-than-half');
    expect(r).toMatchObject({ tookPart: 0, adopted: false, outcome: 'KHÔNG THÔNG QUA' });
    expect(r.lines).toEqual({ tookPart: '0 (0,00%)', yes: '0 (0,00%)', no: '0 (0,00%)', abstain: '0 (0,00%)' });
  });

  it('[RULES-4] everyone abstains', () => {
    const r = motionResult({ yes: 0, no: 0, abstain: 15 }, 15, 'more-than-half');
    expect(r.adopted).toBe(false);
    expect(r.lines).toEqual({ tookPart: '15 (100,00%)', yes: '0 (0,00%)', no: '0 (0,00%)', abstain: '15 (100,00%)' });
  });

  it('[RULES-4] unanimous yes, and a council of one', () => {
    const r = motionResult({ yes: 85, no: 0, abstain: 0 }, 85, 'at-least-two-thirds');
    expect(r.adopted).toBe(true);
    expect(r.lines.yes).toBe('85 (100,00%)');
    expect(motionResult({ yes: 1, no: 0, abstain: 0 }, 1, 'more-than-half').adopted).toBe(true);
    expect(motionResult({ yes: 0, no: 1, abstain: 0 }, 1, 'more-than-half').adopted).toBe(false);
  });

  it('[RULES-4] rejects impossible counts', () => {
    expect(() => motionResult({ yes: 80, no: 5, abstain: 1 }, 85, 'more-than-half')).toThrow(
      /yes \+ no \+ abstain \(86\) cannot exceed totalDelegates \(85\)/,
    );
    expect(() => motionResult({ yes: -1, no: 0, abstain: 0 }, 85, 'more-than-half')).toThrow(RangeError);
    expect(() => motionResult({ yes: 0, no: -1, abstain: 0 }, 85, 'more-than-half')).toThrow(RangeError);
    expect(() => motionResult({ yes: 0, no: 0, abstain: 0.5 }, 85, 'more-than-half')).toThrow(RangeError);
    expect(() => motionResult({ yes: 0, no: 0, abstain: 0 }, 0, 'at-least-two-thirds')).toThrow(
      /totalDelegates must be at least 1/,
    );
  });
});

describe('[RULES-5] confidenceRatingResult', () => {
  const rate = (
    c: { issued?: number; collected?: number; valid?: number; high: number; confidence: number; low: number },
    base: ThresholdBase = 'total-ballots',
    totalDelegates = 85,
  ) => {
    const ballots = c.high + c.confidence + c.low;
    return confidenceRatingResult(
      { issued: c.issued ?? ballots, collected: c.collected ?? ballots, valid: c.valid ?? ballots, ...c },
      base,
      totalDelegates,
    );
  };

  // 19 + 2 + 25 = 46 of 47 ballots: one ballot did not rate this person validly, yet it stays in the base.
  it('[RULES-5] the 2023 worked example: 47 ballots, 19/2/25 → may resign, else vote of confidence', () => {
    expect(rate({ issued: 47, collected: 47, valid: 47, high: 19, confidence: 2, low: 25 }, 'total-ballots', 50)).toEqual({
      issued: 47,
      collected: 47,
      valid: 47,
      invalid: 0,
      base: 'total-ballots',
      baseCount: 47,
      high: { count: 19, percent: '40,43%' },
      confidence: { count: 2, percent: '4,26%' },
      low: { count: 25, percent: '53,19%' },
      consequence: 'may-resign-else-vote-of-confidence',
    });
  });

  it('[RULES-5] the worked example with the odd ballot counted invalid for this person', () => {
    const r = rate({ issued: 47, collected: 47, valid: 46, high: 19, confidence: 2, low: 25 }, 'total-ballots', 50);
    expect([r.high.percent, r.confidence.percent, r.low.percent, r.invalid]).toEqual(['40,43%', '4,26%', '53,19%', 1]);
  });

  it('[RULES-5] the same counts against total delegates (older base) change the consequence', () => {
    const r = rate({ issued: 47, collected: 47, valid: 47, high: 19, confidence: 2, low: 25 }, 'total-delegates', 50);
    expect(r.baseCount).toBe(50);
    expect(r.low).toEqual({ count: 25, percent: '50,00%' });
    expect(r.high.percent).toBe('38,00%');
    expect(r.consequence).toBe('none');
  });

  it('[RULES-5] band edges on 47 ballots: 23 none, 24 and 31 may resign, 32 dismissal', () => {
    const low = (n: number) => rate({ high: 47 - n, confidence: 0, low: n }).consequence;
    expect(low(23)).toBe('none');
    expect(low(24)).toBe('may-resign-else-vote-of-confidence');
    expect(low(31)).toBe('may-resign-else-vote-of-confidence');
    expect(low(32)).toBe('dismissal-proposal');
    expect(low(47)).toBe('dismissal-proposal');
    expect(low(0)).toBe('none');
  });

  it('[RULES-5] base divisible by 3: exactly two thirds low is a dismissal proposal', () => {
    expect(rate({ high: 10, confidence: 0, low: 20 }).consequence).toBe('dismissal-proposal');
    expect(rate({ high: 11, confidence: 0, low: 19 }).consequence).toBe('may-resign-else-vote-of-confidence');
    expect(rate({ high: 15, confidence: 0, low: 15 }).consequence).toBe('none');
  });

  it('[RULES-5] invalid ballots stay in the base (collected), and are reported', () => {
    const r = rate({ issued: 50, collected: 48, valid: 46, high: 10, confidence: 10, low: 26 });
    expect(r.baseCount).toBe(48);
    expect(r.invalid).toBe(2);
    expect(r.low.percent).toBe('54,17%');
    expect(r.consequence).toBe('may-resign-else-vote-of-confidence');
  });

  it('[RULES-5] a valid ballot may leave a person unmarked', () => {
    const r = rate({ issued: 30, collected: 30, valid: 30, high: 10, confidence: 5, low: 5 }, 'total-ballots', 30);
    expect(r.high.percent).toBe('33,33%');
    expect(r.consequence).toBe('none');
  });

  it('[RULES-5] no ballots collected against total delegates is simply no consequence', () => {
    const r = rate({ issued: 0, collected: 0, valid: 0, high: 0, confidence: 0, low: 0 }, 'total-delegates', 15);
    expect(r.consequence).toBe('none');
    expect(r.low.percent).toBe('0,00%');
  });

  it('[RULES-5] rejects impossible counts', () => {
    expect(() => rate({ valid: 46, high: 20, confidence: 2, low: 25 })).toThrow(
      /high \+ confidence \+ low \(47\) cannot exceed valid \(46\)/,
    );
    expect(() => rate({ valid: 48, collected: 47, high: 1, confidence: 1, low: 1 })).toThrow(/valid \(48\) cannot exceed collected/);
    expect(() => rate({ collected: 48, issued: 47, high: 1, confidence: 1, low: 1 })).toThrow(/collected \(48\) cannot exceed issued/);
    expect(() => rate({ high: 30, confidence: 0, low: 0 }, 'total-ballots', 29)).toThrow(/issued \(30\) cannot exceed totalDelegates/);
    expect(() => rate({ high: -1, confidence: 0, low: 0 })).toThrow(RangeError);
    expect(() => rate({ high: 0, confidence: 1.5, low: 0 })).toThrow(RangeError);
    expect(() => rate({ high: 0, confidence: 0, low: -2 })).toThrow(RangeError);
    expect(() => rate({ issued: -1, high: 0, confidence: 0, low: 0 })).toThrow(RangeError);
    expect(() => rate({ high: 1, confidence: 0, low: 0 }, 'total-delegates', 0)).toThrow(RangeError);
    expect(() => rate({ issued: 10, collected: 0, valid: 0, high: 0, confidence: 0, low: 0 })).toThrow(/no ballots collected/);
    expect(() => rate({ high: 1, confidence: 0, low: 0 }, 'total-votes' as ThresholdBase)).toThrow(/unknown confidence base/);
  });
});

describe('[RULES-6] confidenceVoteResult', () => {
  const ballots = (n: number) => ({ issued: n, collected: n, valid: n });

  it('[RULES-6] more than half of total delegates "không tín nhiệm" → dismissal proposal', () => {
    expect(confidenceVoteResult({ ...ballots(85), noConfidence: 43, confidence: 42 }, 85)).toEqual({
      issued: 85,
      collected: 85,
      valid: 85,
      invalid: 0,
      totalDelegates: 85,
      noConfidence: { count: 43, percent: '50,59%' },
      confidence: { count: 42, percent: '49,41%' },
      consequence: 'dismissal-proposal',
    });
    expect(confidenceVoteResult({ ...ballots(85), noConfidence: 42, confidence: 43 }, 85).consequence).toBe('none');
  });

  it('[RULES-6] a majority of ballots is not enough when it is not a majority of delegates', () => {
    const r = confidenceVoteResult({ issued: 60, collected: 60, valid: 58, noConfidence: 40, confidence: 18 }, 85);
    expect(r.consequence).toBe('none');
    expect(r.invalid).toBe(2);
    expect(r.noConfidence.percent).toBe('47,06%');
  });

  it('[RULES-6] even council: exactly half is not more than half', () => {
    expect(confidenceVoteResult({ ...ballots(30), noConfidence: 15, confidence: 15 }, 30).consequence).toBe('none');
    expect(confidenceVoteResult({ ...ballots(30), noConfidence: 16, confidence: 14 }, 30).consequence).toBe('dismissal-proposal');
  });

  it('[RULES-6] zero ballots', () => {
    const r = confidenceVoteResult({ ...ballots(0), noConfidence: 0, confidence: 0 }, 15);
    expect(r.consequence).toBe('none');
    expect(r.confidence.percent).toBe('0,00%');
  });

  it('[RULES-6] rejects impossible counts', () => {
    expect(() => confidenceVoteResult({ ...ballots(50), noConfidence: 30, confidence: 21 }, 85)).toThrow(
      /noConfidence \+ confidence \(51\) cannot exceed valid \(50\)/,
    );
    expect(() => confidenceVoteResult({ ...ballots(86), noConfidence: 0, confidence: 0 }, 85)).toThrow(RangeError);
    expect(() => confidenceVoteResult({ ...ballots(5), noConfidence: -1, confidence: 0 }, 85)).toThrow(RangeError);
    expect(() => confidenceVoteResult({ ...ballots(5), noConfidence: 0, confidence: 0.5 }, 85)).toThrow(RangeError);
    expect(() => confidenceVoteResult({ ...ballots(0), noConfidence: 0, confidence: 0 }, 0)).toThrow(RangeError);
  });
});

describe('[RULES-7] electionResult', () => {
  const ids = (r: ReturnType<typeof electionResult>) => r.candidates.map((c) => c.id);

  it('[RULES-7] one seat: a majority of total delegates elects', () => {
    const r = electionResult({ seats: 1, validBallots: 80, candidates: [{ id: 'B', votes: 20 }, { id: 'A', votes: 60 }] }, 85);
    expect(r.candidates).toEqual([
      { id: 'A', votes: 60, rank: 1, percent: '70,59%', majority: true, elected: true },
      { id: 'B', votes: 20, rank: 2, percent: '23,53%', majority: false, elected: false },
    ]);
    expect(r).toMatchObject({ electedIds: ['A'], tieAtLastSeat: false, tiedIds: [], seats: 1, validBallots: 80, totalDelegates: 85 });
  });

  it('[RULES-7] most votes without a majority of total delegates is not elected', () => {
    const r = electionResult({ seats: 1, validBallots: 80, candidates: [{ id: 'A', votes: 42 }, { id: 'B', votes: 38 }] }, 85);
    expect(r.electedIds).toEqual([]);
    expect(r.tieAtLastSeat).toBe(false);
  });

  it('[RULES-7] more majorities than seats: the top seats win', () => {
    const r = electionResult(
      { seats: 2, validBallots: 80, candidates: [{ id: 'A', votes: 45 }, { id: 'B', votes: 60 }, { id: 'C', votes: 50 }] },
      85,
    );
    expect(ids(r)).toEqual(['B', 'C', 'A']);
    expect(r.electedIds).toEqual(['B', 'C']);
    expect(r.candidates.map((c) => c.majority)).toEqual([true, true, true]);
  });

  it('[RULES-7] a tie at the last seat with too many tied: none of the tied is elected, re-vote', () => {
    const r = electionResult(
      { seats: 2, validBallots: 80, candidates: [{ id: 'C', votes: 50 }, { id: 'A', votes: 60 }, { id: 'B', votes: 50 }] },
      85,
    );
    expect(ids(r)).toEqual(['A', 'C', 'B']);
    expect(r.electedIds).toEqual(['A']);
    expect(r.tieAtLastSeat).toBe(true);
    expect(r.tiedIds).toEqual(['C', 'B']);
    expect(r.candidates.map((c) => c.rank)).toEqual([1, 2, 2]);
  });

  it('[RULES-7] a tie covering every seat elects nobody', () => {
    const r = electionResult(
      { seats: 2, validBallots: 85, candidates: [{ id: 'A', votes: 55 }, { id: 'B', votes: 55 }, { id: 'C', votes: 55 }] },
      85,
    );
    expect(r.electedIds).toEqual([]);
    expect(r.tieAtLastSeat).toBe(true);
    expect(r.tiedIds).toEqual(['A', 'B', 'C']);
  });

  it('[RULES-7] ties that fit the seats, or sit below the majority, are no tie at the last seat', () => {
    const fits = electionResult(
      { seats: 2, validBallots: 80, candidates: [{ id: 'A', votes: 50 }, { id: 'B', votes: 50 }, { id: 'C', votes: 10 }] },
      85,
    );
    expect(fits.electedIds).toEqual(['A', 'B']);
    expect(fits.tieAtLastSeat).toBe(false);
    const below = electionResult(
      { seats: 2, validBallots: 80, candidates: [{ id: 'A', votes: 60 }, { id: 'B', votes: 30 }, { id: 'C', votes: 30 }] },
      85,
    );
    expect(below.electedIds).toEqual(['A']);
    expect(below.tieAtLastSeat).toBe(false);
    const above = electionResult(
      {
        seats: 3,
        validBallots: 80,
        candidates: [{ id: 'A', votes: 50 }, { id: 'B', votes: 50 }, { id: 'C', votes: 45 }, { id: 'D', votes: 44 }],
      },
      85,
    );
    expect(above.electedIds).toEqual(['A', 'B', 'C']);
    expect(above.tieAtLastSeat).toBe(false);
  });

  it('[RULES-7] equal votes keep input order and share a rank', () => {
    const r = electionResult(
      {
        seats: 2,
        validBallots: 60,
        candidates: [{ id: 'X', votes: 10 }, { id: 'Y', votes: 50 }, { id: 'Z', votes: 10 }, { id: 'W', votes: 50 }],
      },
      85,
    );
    expect(ids(r)).toEqual(['Y', 'W', 'X', 'Z']);
    expect(r.candidates.map((c) => c.rank)).toEqual([1, 1, 3, 3]);
    expect(r.electedIds).toEqual(['Y', 'W']);
  });

  it('[RULES-7] small council, and no candidates', () => {
    const c = (a: number, b: number) =>
      electionResult({ seats: 1, validBallots: 15, candidates: [{ id: 'A', votes: a }, { id: 'B', votes: b }] }, 15);
    expect(c(8, 7).electedIds).toEqual(['A']);
    expect(c(7, 7).electedIds).toEqual([]);
    expect(c(7, 7).tieAtLastSeat).toBe(false);
    expect(c(15, 0).candidates[0]!.percent).toBe('100,00%');
    const none = electionResult({ seats: 1, validBallots: 0, candidates: [] }, 15);
    expect(none).toMatchObject({ candidates: [], electedIds: [], tieAtLastSeat: false, tiedIds: [] });
  });

  it('[RULES-7] rejects impossible input', () => {
    const ok = { seats: 1, validBallots: 10, candidates: [{ id: 'A', votes: 6 }] };
    expect(() => electionResult({ ...ok, candidates: [{ id: 'A', votes: 1 }, { id: 'A', votes: 2 }] }, 15)).toThrow(
      /duplicate candidate id: A/,
    );
    expect(() => electionResult({ ...ok, candidates: [{ id: 'A', votes: 11 }] }, 15)).toThrow(
      /votes of A \(11\) cannot exceed validBallots \(10\)/,
    );
    expect(() => electionResult({ ...ok, candidates: [{ id: 'A', votes: -1 }] }, 15)).toThrow(RangeError);
    expect(() => electionResult({ ...ok, candidates: [{ id: 'A', votes: 6 }, { id: 'B', votes: 5 }] }, 15)).toThrow(
      /total votes \(11\) cannot exceed validBallots × seats \(10\)/,
    );
    expect(() => electionResult({ ...ok, validBallots: 16 }, 15)).toThrow(/validBallots \(16\) cannot exceed totalDelegates/);
    expect(() => electionResult({ ...ok, seats: 0 }, 15)).toThrow(/seats must be at least 1/);
    expect(() => electionResult({ ...ok, seats: 1.5 }, 15)).toThrow(RangeError);
    expect(() => electionResult(ok, 0)).toThrow(RangeError);
    expect(() => electionResult({ ...ok, validBallots: -1 }, 15)).toThrow(RangeError);
  });
});
