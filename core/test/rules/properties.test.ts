import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ThresholdRule } from '../../src/model.ts';
import {
  electionResult,
  formatPercent,
  hundredths,
  inLowBand,
  MAX_COUNT,
  meetsThreshold,
  minimumFor,
  motionResult,
  quorumStatus,
  THRESHOLD_RULES,
} from '../../src/rules/index.ts';

// Each rule as a fraction p/q and whether the comparison is strict, checked in BigInt so the reference shares
// neither the formulas nor the number type of the implementation.
const RATIONAL: Record<ThresholdRule, { p: bigint; q: bigint; strict: boolean }> = {
  'more-than-half': { p: 1n, q: 2n, strict: true },
  'at-least-two-thirds': { p: 2n, q: 3n, strict: false },
  'at-least-one-third': { p: 1n, q: 3n, strict: false },
  'more-than-two-thirds': { p: 2n, q: 3n, strict: true },
};

function reference(rule: ThresholdRule, count: number, base: number): boolean {
  const { p, q, strict } = RATIONAL[rule];
  // count / base ⋛ p / q  ⇔  count·q ⋛ base·p   (q > 0)
  const lhs = BigInt(count) * q;
  const rhs = BigInt(base) * p;
  return strict ? lhs > rhs : lhs >= rhs;
}

function referenceHundredths(x: number, n: number): number {
  if (n === 0) return 0;
  const num = 10000n * BigInt(x);
  const den = BigInt(n);
  const q = num / den;
  return Number(2n * (num % den) >= den ? q + 1n : q);
}

const rule = fc.constantFrom(...THRESHOLD_RULES);
const count = fc.integer({ min: 0, max: MAX_COUNT });
const small = fc.integer({ min: 0, max: 600 });
const pair = (max: number) =>
  fc.integer({ min: 0, max }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

describe('[RULES-8] properties', () => {
  it('[RULES-8] meetsThreshold agrees with the BigInt rational reference', () => {
    fc.assert(fc.property(rule, count, count, (r, x, n) => meetsThreshold(r, x, n) === reference(r, x, n)));
    fc.assert(fc.property(rule, small, small, (r, x, n) => meetsThreshold(r, x, n) === reference(r, x, n)));
  });

  it('[RULES-8] minimumFor is the least count meeting the rule', () => {
    fc.assert(
      fc.property(rule, count, (r, n) => {
        const m = minimumFor(r, n);
        return meetsThreshold(r, m, n) && (m === 0 || !meetsThreshold(r, m - 1, n));
      }),
    );
  });

  it('[RULES-8] thresholds are monotone in the count', () => {
    fc.assert(
      fc.property(rule, small, small, (r, x, n) => !meetsThreshold(r, x, n) || meetsThreshold(r, x + 1, n)),
    );
  });

  it('[RULES-8] inLowBand is exactly [minimum more-than-half, minimum two-thirds)', () => {
    fc.assert(
      fc.property(small, small, (x, n) =>
        inLowBand(x, n) === (x >= minimumFor('more-than-half', n) && x < minimumFor('at-least-two-thirds', n)),
      ),
    );
  });

  it('[RULES-8] hundredths equals exact rational rounding half up (BigInt)', () => {
    fc.assert(fc.property(count, count, (x, n) => hundredths(x, n) === referenceHundredths(x, n)));
    fc.assert(fc.property(pair(600), ([x, n]) => hundredths(x, n) === referenceHundredths(x, n)));
  });

  it('[RULES-8] formatPercent reads back as hundredths with a decimal comma', () => {
    fc.assert(
      fc.property(pair(100_000), ([x, n]) => {
        const s = formatPercent(x, n);
        const m = /^(\d+),(\d{2})%$/.exec(s);
        return m !== null && Number(m[1]) * 100 + Number(m[2]) === hundredths(x, n);
      }),
    );
  });

  it('[RULES-8] motionResult: tookPart = yes + no + abstain, adopted iff yes reaches the minimum', () => {
    const counts = fc.integer({ min: 1, max: 500 }).chain((n) =>
      fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n })).chain(([n, yes]) =>
        fc.tuple(fc.constant(n), fc.constant(yes), fc.integer({ min: 0, max: n - yes })).chain(([n, yes, no]) =>
          fc.tuple(fc.constant(n), fc.constant(yes), fc.constant(no), fc.integer({ min: 0, max: n - yes - no })),
        ),
      ),
    );
    fc.assert(
      fc.property(counts, rule, ([n, yes, no, abstain], r) => {
        const res = motionResult({ yes, no, abstain }, n, r);
        expect(res.tookPart).toBe(yes + no + abstain);
        expect(res.adopted).toBe(yes >= minimumFor(r, n));
        expect(res.outcome).toBe(res.adopted ? 'THÔNG QUA' : 'KHÔNG THÔNG QUA');
        expect(res.lines.tookPart).toBe(`${yes + no + abstain} (${formatPercent(yes + no + abstain, n)})`);
      }),
    );
  });

  it('[RULES-8] quorumStatus.met iff counted reaches required', () => {
    const att = fc.integer({ min: 1, max: 500 }).chain((n) =>
      fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n })).chain(([n, p]) =>
        fc.tuple(fc.constant(n), fc.constant(p), fc.integer({ min: 0, max: n - p })),
      ),
    );
    fc.assert(
      fc.property(att, rule, fc.boolean(), ([total, present, remote], r, remoteCounts) => {
        const q = quorumStatus({ present, remote, total, rule: r, remoteCounts });
        return q.met === q.counted >= q.required && q.counted === present + (remoteCounts ? remote : 0);
      }),
    );
  });

  it('[RULES-8] electionResult: never more elected than seats, all with a majority, ties fully excluded', () => {
    // Generate real ballots: each valid ballot keeps at most `seats` names.
    const election = fc
      .record({ seats: fc.integer({ min: 1, max: 4 }), candidates: fc.integer({ min: 0, max: 7 }), total: fc.integer({ min: 1, max: 40 }) })
      .chain(({ seats, candidates, total }) => {
        const idx = Array.from({ length: candidates }, (_, i) => i);
        return fc.record({
          seats: fc.constant(seats),
          total: fc.constant(total),
          ballots: fc.array(fc.subarray(idx, { maxLength: Math.min(seats, candidates) }), { maxLength: total }),
          candidates: fc.constant(candidates),
        });
      });
    fc.assert(
      fc.property(election, ({ seats, total, ballots, candidates }) => {
        const votes = Array.from({ length: candidates }, () => 0);
        for (const b of ballots) for (const i of b) votes[i]!++;
        const input = { seats, validBallots: ballots.length, candidates: votes.map((v, i) => ({ id: `c${i}`, votes: v })) };
        const r = electionResult(input, total);
        const elected = r.candidates.filter((c) => c.elected);
        expect(elected.length).toBeLessThanOrEqual(seats);
        for (const c of elected) expect(2 * c.votes).toBeGreaterThan(total);
        for (let i = 1; i < r.candidates.length; i++) {
          expect(r.candidates[i - 1]!.votes).toBeGreaterThanOrEqual(r.candidates[i]!.votes);
        }
        const byVotes = new Map(r.candidates.map((c) => [c.id, c.votes]));
        if (r.tieAtLastSeat) {
          const v = byVotes.get(r.tiedIds[0]!)!;
          expect(r.tiedIds.every((id) => byVotes.get(id) === v)).toBe(true);
          expect(r.electedIds.length + r.tiedIds.length).toBeGreaterThan(seats);
          expect(r.candidates.filter((c) => c.votes === v).map((c) => c.id)).toEqual(r.tiedIds);
        } else {
          // Without a tie, every majority candidate in the top seats is elected.
          const majority = r.candidates.filter((c) => 2 * c.votes > total);
          expect(elected.length).toBe(Math.min(seats, majority.length));
        }
      }),
    );
  });
});
