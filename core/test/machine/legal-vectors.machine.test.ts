/**
 * The legal vectors of docs/rules.md played through the whole path: a council, a roll call, ballots on tablets (or the
 * counting committee's counts), the close, and the result panel of the chair's view.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MotionChoice } from '../../src/protocol/commands.ts';
import { chairView, wallView, type ResultView } from '../../src/views/project.ts';
import { chair, choices, secretary, startedSession, type SessionDriver } from '../helpers.ts';

type Motion = Extract<ResultView, { kind: 'motion' }>;

interface Vectors {
  electronicVote: { totalDelegates: number; yes: number; no: number; abstain: number; rule: string; expect: { tookPart: string; yes: string; no: string; abstain: string; outcome: string } }[];
  confidenceRating: { ballots: number; high: number; confidence: number; low: number; base: 'total-ballots' | 'total-delegates'; expect: { high: string; confidence: string; low: string; consequence: string } }[];
}
const vectors = JSON.parse(readFileSync(new URL('../legal-vectors.json', import.meta.url), 'utf8')) as Vectors;

/** An electronic vote: `total` delegates, `present` checked in, the first delegates pressing the given buttons. */
function electronicVote(total: number, present: number, ballots: MotionChoice[]): { s: SessionDriver; result: Motion } {
  const s = startedSession({ delegates: total, present, profile: { quorumEnforcement: 'warn' } });
  s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic', by: chair });
  s.castAll('p1', ballots);
  s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
  const result = chairView(s.snapshot(), s.log.length).poll!.result as Motion;
  return { s, result };
}

describe('[LEGAL] electronic vote result panel (docs/rules.md)', () => {
  it('[LEGAL-1] 85 delegates, 80 present, 70 yes / 6 no / 4 abstain → THÔNG QUA with percentages of the total', () => {
    const { s, result } = electronicVote(85, 80, choices({ yes: 70, no: 6, abstain: 4 }));
    expect(result.lines).toEqual({ tookPart: '80 (94,12%)', yes: '70 (82,35%)', no: '6 (7,06%)', abstain: '4 (4,71%)' });
    expect(result.outcome).toBe('THÔNG QUA');
    expect(result).toMatchObject({ kind: 'motion', total: 85, tookPart: 80, adopted: true });
    // The wall sees the same panel once announced.
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    expect((wallView(s.snapshot(), s.log.length).poll!.result as Motion).lines.yes).toBe('70 (82,35%)');
  });

  for (const v of vectors.electronicVote) {
    it(`[LEGAL-1] vector ${v.yes}/${v.no}/${v.abstain} of ${v.totalDelegates} through the machine`, () => {
      const ballots = choices({ yes: v.yes, no: v.no, abstain: v.abstain });
      const { result } = electronicVote(v.totalDelegates, ballots.length, ballots);
      expect(result.lines).toEqual({ tookPart: v.expect.tookPart, yes: v.expect.yes, no: v.expect.no, abstain: v.expect.abstain });
      expect(result.outcome).toBe(v.expect.outcome);
    });
  }

  it('[LEGAL-2] a present delegate who presses nothing does not take part', () => {
    const { result } = electronicVote(85, 80, choices({ yes: 65, no: 6, abstain: 4 }));
    expect(result.lines.tookPart).toBe('75 (88,24%)');
    expect(result.outcome).toBe('THÔNG QUA');
  });

  it('[LEGAL-3] 42 yes of 85 is not adopted, 43 is — counted against the total, not those present', () => {
    expect(electronicVote(85, 57, choices({ yes: 42, no: 10, abstain: 5 })).result).toMatchObject({ adopted: false, outcome: 'KHÔNG THÔNG QUA', lines: { yes: '42 (49,41%)' } });
    expect(electronicVote(85, 57, choices({ yes: 43, no: 10, abstain: 4 })).result).toMatchObject({ adopted: true, outcome: 'THÔNG QUA', lines: { yes: '43 (50,59%)' } });
  });

  it('[LEGAL-4] a commune council of 15: 8 yes pass, 7 do not', () => {
    expect(electronicVote(15, 15, choices({ yes: 8, no: 7 })).result).toMatchObject({ outcome: 'THÔNG QUA', lines: { yes: '8 (53,33%)', no: '7 (46,67%)' } });
    expect(electronicVote(15, 15, choices({ yes: 7, no: 2, abstain: 6 })).result).toMatchObject({ outcome: 'KHÔNG THÔNG QUA', lines: { yes: '7 (46,67%)' } });
  });

  it('[LEGAL-5] a commune council of 25: 13 yes pass, 12 do not; quorum is 17', () => {
    expect(electronicVote(25, 17, choices({ yes: 13, no: 4 })).result).toMatchObject({ outcome: 'THÔNG QUA', lines: { tookPart: '17 (68,00%)', yes: '13 (52,00%)' } });
    expect(electronicVote(25, 25, choices({ yes: 12, no: 13 })).result).toMatchObject({ outcome: 'KHÔNG THÔNG QUA', lines: { yes: '12 (48,00%)', no: '13 (52,00%)' } });
    const s = startedSession({ delegates: 25, present: 17 });
    expect(chairView(s.snapshot(), 0).attendance!.quorum).toEqual({ counted: 17, required: 17, total: 25, met: true, percent: '68,00%' });
  });

  it('[LEGAL-6] everyone abstains: all took part, nothing adopted', () => {
    expect(electronicVote(15, 15, choices({ abstain: 15 })).result).toMatchObject({
      outcome: 'KHÔNG THÔNG QUA',
      lines: { tookPart: '15 (100,00%)', yes: '0 (0,00%)', no: '0 (0,00%)', abstain: '15 (100,00%)' },
    });
  });

  it('[LEGAL-7] zero votes: the poll closes with nobody taking part', () => {
    expect(electronicVote(15, 15, []).result).toMatchObject({
      tookPart: 0,
      outcome: 'KHÔNG THÔNG QUA',
      lines: { tookPart: '0 (0,00%)', yes: '0 (0,00%)', no: '0 (0,00%)', abstain: '0 (0,00%)' },
    });
  });

  it('[LEGAL-8] a show of hands counted by the secretary gives the same panel', () => {
    const s = startedSession({ delegates: 85, present: 80 });
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'hands', by: chair });
    s.ok({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes: 70, no: 6, abstain: 4 }, by: secretary });
    expect((chairView(s.snapshot(), 0).poll!.result as Motion).lines).toEqual({ tookPart: '80 (94,12%)', yes: '70 (82,35%)', no: '6 (7,06%)', abstain: '4 (4,71%)' });
  });

  it('[LEGAL-9] the two-thirds rule on 85 (removing a delegate): 56 fail, 57 pass', () => {
    const run = (yes: number) => {
      const s = startedSession({ delegates: 85, present: 85 });
      s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Bãi nhiệm đại biểu', kind: 'motion', mode: 'paper', rule: 'at-least-two-thirds', by: chair });
      s.ok({ type: 'poll.close', pollId: 'p1', counts: { kind: 'motion', yes, no: 85 - yes, abstain: 0 }, by: secretary });
      return (chairView(s.snapshot(), 0).poll!.result as Motion).outcome;
    };
    expect(run(56)).toBe('KHÔNG THÔNG QUA');
    expect(run(57)).toBe('THÔNG QUA');
  });
});

describe('[LEGAL] confidence rating (Resolution 96/2023, 2023 example)', () => {
  function paperRating(total: number, ballots: number, o1: { high: number; confidence: number; low: number }, profile = {}) {
    const s = startedSession({ delegates: total, present: ballots, profile });
    s.ok({ type: 'poll.open', pollId: 'r1', subject: 'Lấy phiếu tín nhiệm', kind: 'confidenceRating', mode: 'paper', officialIds: ['o1'], by: chair });
    const valid = o1.high + o1.confidence + o1.low;
    s.ok({ type: 'poll.close', pollId: 'r1', counts: { kind: 'confidenceRating', issued: ballots, collected: ballots, officials: { o1: { valid, ...o1 } } }, by: secretary });
    const r = chairView(s.snapshot(), 0).poll!.result as Extract<ResultView, { kind: 'confidenceRating' }>;
    return r.officials[0]!;
  }

  it('[LEGAL-10] 47 ballots, 19 high / 2 confidence / 25 low → 40,43% / 4,26% / 53,19%: may resign, else a vote of confidence', () => {
    const r = paperRating(50, 47, { high: 19, confidence: 2, low: 25 });
    expect(r).toMatchObject({
      officialId: 'o1', name: 'Nguyễn Văn An', post: 'Chủ tịch UBND', issued: 47, collected: 47, valid: 46, invalid: 1, base: 'total-ballots', baseCount: 47,
      high: { count: 19, percent: '40,43%' }, confidence: { count: 2, percent: '4,26%' }, low: { count: 25, percent: '53,19%' },
      consequence: 'may-resign-else-vote-of-confidence',
    });
  });

  for (const v of vectors.confidenceRating) {
    it(`[LEGAL-10] vector ${v.high}/${v.confidence}/${v.low} of ${v.ballots} ballots through the machine`, () => {
      const r = paperRating(Math.max(50, v.ballots), v.ballots, { high: v.high, confidence: v.confidence, low: v.low }, { confidenceBase: v.base });
      expect([r.high.percent, r.confidence.percent, r.low.percent, r.consequence]).toEqual([v.expect.high, v.expect.confidence, v.expect.low, v.expect.consequence]);
    });
  }

  it('[LEGAL-11] at least two thirds low → dismissal proposal; below half → none', () => {
    expect(paperRating(50, 47, { high: 10, confidence: 5, low: 32 }).consequence).toBe('dismissal-proposal');
    expect(paperRating(50, 47, { high: 30, confidence: 5, low: 12 }).consequence).toBe('none');
  });

  it('[LEGAL-12] with the older base (total delegates) the same ballots read differently', () => {
    const r = paperRating(50, 47, { high: 19, confidence: 2, low: 25 }, { confidenceBase: 'total-delegates' });
    expect(r).toMatchObject({ baseCount: 50, low: { percent: '50,00%' }, consequence: 'none' });
  });

  it('[LEGAL-13] vote of confidence: more than half of total delegates "không tín nhiệm" → dismissal proposal', () => {
    const run = (noConfidence: number) => {
      const s = startedSession({ delegates: 50, present: 50 });
      s.ok({ type: 'poll.open', pollId: 'v1', subject: 'Bỏ phiếu tín nhiệm', kind: 'confidenceVote', mode: 'paper', officialIds: ['o1'], by: chair });
      s.ok({ type: 'poll.close', pollId: 'v1', counts: { kind: 'confidenceVote', issued: 50, collected: 50, officials: { o1: { valid: 50, confidence: 50 - noConfidence, noConfidence } } }, by: secretary });
      return (chairView(s.snapshot(), 0).poll!.result as Extract<ResultView, { kind: 'confidenceVote' }>).officials[0]!;
    };
    expect(run(25)).toMatchObject({ noConfidence: { percent: '50,00%' }, consequence: 'none' });
    expect(run(26)).toMatchObject({ noConfidence: { percent: '52,00%' }, consequence: 'dismissal-proposal' });
  });

  it('[LEGAL-14] election: a majority of total delegates elects, within the seats', () => {
    const s = startedSession({ delegates: 15 });
    s.ok({ type: 'poll.open', pollId: 'e1', subject: 'Bầu', kind: 'election', mode: 'paper', candidates: [{ id: 'k1', name: 'A' }, { id: 'k2', name: 'B' }, { id: 'k3', name: 'C' }], seats: 2, by: chair });
    s.ok({ type: 'poll.close', pollId: 'e1', counts: { kind: 'election', issued: 15, collected: 15, valid: 14, votes: { k1: 12, k2: 7, k3: 8 } }, by: secretary });
    const r = chairView(s.snapshot(), 0).poll!.result as Extract<ResultView, { kind: 'election' }>;
    expect(r.names).toEqual({ k1: 'A', k2: 'B', k3: 'C' });
    expect(r.electedIds).toEqual(['k1', 'k3']);
    expect(r.candidates.map((c) => [c.id, c.percent, c.elected])).toEqual([
      ['k1', '80,00%', true],
      ['k3', '53,33%', true],
      ['k2', '46,67%', false],
    ]);
  });
});
