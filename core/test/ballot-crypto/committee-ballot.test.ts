/**
 * Committee ballots: the key ceremony, encryption with proofs, the homomorphic count opened by any threshold of the
 * committee, and the bulletin board a stranger can check. Property tests are bounded by runs (each run does hundreds
 * of group operations), with a seeded randomness source so a failure replays.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BallotCryptoError,
  aggregate,
  badDealers,
  checkComplaint,
  complainAboutShare,
  ballotReceipt,
  combine,
  committeeKey,
  dealShares,
  decryptShare,
  encryptBallot,
  finishCeremony,
  majority,
  startCeremony,
  verificationKey,
  verifyBallot,
  verifyBoard,
  verifyPartial,
  type BallotShape,
  type BulletinBoard,
  type CommitteeParams,
  type EncryptedBallot,
  type RandomBytes,
} from '../../src/ballot-crypto/index.ts';
import { G, Point, encodePoint, encodeScalar, gTimes, times } from '../../src/ballot-crypto/group.ts';
import { proveBit, proveDleq } from '../../src/ballot-crypto/proofs.ts';
import { randomScalar } from '../../src/ballot-crypto/group.ts';
import { seeded } from '../helpers.ts';

interface Ceremony {
  params: CommitteeParams;
  secrets: Map<number, bigint>;
  board: Pick<BulletinBoard, 'commitments' | 'publicKey'>;
}

function ceremony(pollContext: string, params: CommitteeParams, random: RandomBytes): Ceremony {
  const started = Array.from({ length: params.members }, (_, i) => startCeremony(pollContext, params, i + 1, random));
  const published = started.map((s) => s.published);
  const sealed = started.flatMap((s) => dealShares(pollContext, s.secrets, published, random));
  const secrets = new Map(started.map((s) => [s.secrets.index, finishCeremony(pollContext, params, s.secrets, published, sealed)]));
  return { params, secrets, board: { commitments: published, publicKey: encodePoint(committeeKey(published)) } };
}

/** A whole poll: ceremony, ballots, the members in `decrypting` decrypt, the board. */
function runPoll(shape: BallotShape, params: CommitteeParams, choices: number[][], decrypting: number[], seed: number) {
  const random = seeded(seed);
  const c = ceremony(shape.pollContext, params, random);
  const h = committeeKey(c.board.commitments);
  const ballots = choices.map((ch) => encryptBallot(shape, h, ch, random));
  const verified = ballots.map((b) => verifyBallot(shape, h, b));
  const aggregates = aggregate(shape, verified);
  const partials = decrypting.map((j) => decryptShare(shape, j, c.secrets.get(j)!, aggregates, random));
  const decoded = new Map(partials.map((p) => [p.member, verifyPartial(shape, c.board.commitments, aggregates, p)]));
  const counts = combine(params, aggregates, decoded, ballots.length);
  const board: BulletinBoard = {
    version: 1,
    shape,
    committee: params,
    ...c.board,
    ballots: ballots.map((ballot) => ({ receipt: ballotReceipt(ballot), ballot })).sort((x, y) => (x.receipt < y.receipt ? -1 : 1)),
    partials,
    counts,
  };
  return { ceremony: c, h, ballots, counts, board };
}

const plainCounts = (shape: BallotShape, choices: number[][]) => shape.options.map((n, q) => Array.from({ length: n }, (_, o) => choices.filter((ch) => ch[q] === o).length));

const RATING: BallotShape = { pollContext: 'bac-ninh/bn-kh12/rating-1', options: [3, 3, 3] };

describe('committee ballots', () => {
  it('[CB-1] the ceremony: every member\'s secret matches its public verification key; the key is the sum of the commitments', () => {
    const c = ceremony('ctx', { members: 5, threshold: 3 }, seeded(1));
    for (const [j, x] of c.secrets) expect(times(G, x).equals(verificationKey(c.board.commitments, j))).toBe(true);
    expect(majority(5)).toBe(3);
    expect(majority(4)).toBe(3);
    expect(majority(1)).toBe(1);
  });

  it('[CB-2] property: any shape, ballots and committee — any threshold-sized subset of members recovers the exact counts', () => {
    const arb = fc
      .record({
        options: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 1, maxLength: 3 }),
        members: fc.integer({ min: 1, max: 4 }),
        voters: fc.integer({ min: 0, max: 6 }),
        seed: fc.integer(),
      })
      .chain((r) =>
        fc.record({
          r: fc.constant(r),
          threshold: fc.integer({ min: 1, max: r.members }),
          choices: fc.array(fc.tuple(...r.options.map((n) => fc.integer({ min: 0, max: n - 1 }))), { minLength: r.voters, maxLength: r.voters }),
          order: fc.shuffledSubarray(Array.from({ length: r.members }, (_, i) => i + 1), { minLength: r.members, maxLength: r.members }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ r, threshold, choices, order }) => {
        const shape: BallotShape = { pollContext: `poll-${r.seed}`, options: r.options };
        const decrypting = order.slice(0, threshold);
        const { counts, board } = runPoll(shape, { members: r.members, threshold }, choices, decrypting, r.seed);
        expect(counts).toEqual(plainCounts(shape, choices));
        const check = verifyBoard(board);
        expect(check.problems).toEqual([]);
        expect(check.counts).toEqual(counts);
      }),
      { numRuns: 12 },
    );
  });

  it('[CB-3] fewer members than the threshold cannot count', () => {
    const random = seeded(3);
    const params = { members: 3, threshold: 2 };
    const c = ceremony(RATING.pollContext, params, random);
    const h = committeeKey(c.board.commitments);
    const verified = [verifyBallot(RATING, h, encryptBallot(RATING, h, [0, 1, 2], random))];
    const aggregates = aggregate(RATING, verified);
    const one = decryptShare(RATING, 2, c.secrets.get(2)!, aggregates, random);
    const decoded = new Map([[2, verifyPartial(RATING, c.board.commitments, aggregates, one)]]);
    expect(() => combine(params, aggregates, decoded, 1)).toThrow(expect.objectContaining({ code: 'THRESHOLD_NOT_MET' }));
  });

  it('[CB-4] a ballot that is not one choice per question is refused: an option worth 2, two options, none, another poll\'s ballot, any changed digit', () => {
    const random = seeded(4);
    const c = ceremony(RATING.pollContext, { members: 3, threshold: 2 }, random);
    const h = committeeKey(c.board.commitments);
    const good = encryptBallot(RATING, h, [0, 1, 2], random);
    expect(() => verifyBallot(RATING, h, good)).not.toThrow();

    // Option 0 of question 0 made to count twice (b + G): its 0/1 proof no longer holds.
    const doubled: EncryptedBallot = structuredClone(good);
    doubled.questions[0]!.options[0]!.b = encodePoint(Point.fromHex(good.questions[0]!.options[0]!.b).add(G));
    expect(() => verifyBallot(RATING, h, doubled)).toThrow(BallotCryptoError);

    // Two options of one question each honestly 0/1-proven: the sum proof cannot be made, a forged one fails.
    const ctx = (q: number, o: number) => `${RATING.pollContext}|pk:${encodePoint(h)}|q:${q}|o:${o}`;
    const twoChosen: EncryptedBallot = structuredClone(good);
    const rs = [11n, 12n, 13n];
    twoChosen.questions[0]!.options = [1, 1, 0].map((m, o) => {
      const a = times(G, rs[o]!);
      const b = gTimes(m).add(times(h, rs[o]!));
      return { a: encodePoint(a), b: encodePoint(b), proof: proveBit(ctx(0, o), h, a, b, m as 0 | 1, rs[o]!, random) };
    });
    const aSum = times(G, 36n);
    const forgedSum = proveDleq(`${RATING.pollContext}|pk:${encodePoint(h)}|q:0|sum`, G, aSum, h, times(h, 36n).add(gTimes(2)).subtract(G), 36n, random);
    twoChosen.questions[0]!.sumProof = forgedSum;
    expect(() => verifyBallot(RATING, h, twoChosen)).toThrow(/do not add up to one choice/);

    const other: BallotShape = { ...RATING, pollContext: 'bac-ninh/bn-kh12/rating-2' };
    expect(() => verifyBallot(other, h, good)).toThrow(BallotCryptoError);

    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom('a', 'b', 'c0', 'c1', 's0', 's1'), fc.integer({ min: 0, max: 63 }), (q, o, field, pos) => {
        const bad: EncryptedBallot = structuredClone(good);
        const opt = bad.questions[q]!.options[o]!;
        const target = (field === 'a' || field === 'b' ? opt : opt.proof) as unknown as Record<string, string>;
        const hex = target[field]!;
        target[field] = hex.slice(0, pos) + (hex[pos] === '0' ? '1' : '0') + hex.slice(pos + 1);
        expect(() => verifyBallot(RATING, h, bad)).toThrow(BallotCryptoError);
      }),
      { numRuns: 25 },
    );
  });

  it('[CB-5] the bulletin board: verifies as published; a changed count, a changed or dropped ballot, a duplicate, a bad partial, an unsorted list are all caught', () => {
    const choices = [
      [0, 0, 1],
      [1, 0, 2],
      [0, 2, 2],
      [2, 1, 0],
    ];
    const { board } = runPoll(RATING, { members: 3, threshold: 2 }, choices, [1, 3], 5);
    expect(verifyBoard(board)).toEqual({ ok: true, problems: [], counts: plainCounts(RATING, choices) });

    const counted = structuredClone(board);
    counted.counts[0]![0]! += 1;
    expect(verifyBoard(counted).problems.join()).toMatch(/claimed counts/);

    const dropped = structuredClone(board);
    dropped.ballots.pop();
    expect(verifyBoard(dropped).ok).toBe(false);

    const duplicated = structuredClone(board);
    duplicated.ballots.push(duplicated.ballots.at(-1)!);
    expect(verifyBoard(duplicated).problems.join()).toMatch(/appears twice/);

    const unsorted = structuredClone(board);
    unsorted.ballots.reverse();
    expect(verifyBoard(unsorted).problems.join()).toMatch(/receipt order/);

    const badPartial = structuredClone(board);
    badPartial.partials[0]!.shares[1]![2]!.d = badPartial.partials[0]!.shares[0]![0]!.d;
    expect(verifyBoard(badPartial).problems.join()).toMatch(/member 1: the decryption share/);

    const wrongKey = structuredClone(board);
    wrongKey.publicKey = encodePoint(G);
    expect(verifyBoard(wrongKey).problems.join()).toMatch(/public key/);

    const notAReceipt = structuredClone(board);
    notAReceipt.ballots[0]!.receipt = '0'.repeat(64);
    expect(verifyBoard(notAReceipt).problems.join()).toMatch(/receipt is not the hash/);
  });

  it('[CB-6] a dealer\'s wrong share is caught by its recipient, naming the dealer; a sealed share opens only for its recipient', () => {
    const random = seeded(6);
    const params = { members: 3, threshold: 2 };
    const started = [1, 2, 3].map((i) => startCeremony('ctx', params, i, random));
    const published = started.map((s) => s.published);
    const sealed = started.flatMap((s) => dealShares('ctx', s.secrets, published, random));
    const cheat = sealed.map((s) => (s.from === 2 && s.to === 3 ? { ...s, masked: encodeScalar(BigInt(`0x${s.masked}`) + 1n) } : s));
    expect(() => finishCeremony('ctx', params, started[2]!.secrets, published, cheat)).toThrow(/from member 2 does not match/);
    // Member 1 cannot open what was sealed to member 3: it lands on a value that does not match the commitments.
    const stolen = sealed.filter((s) => s.to === 3).map((s) => ({ ...s, to: 1 }));
    const forMember1 = [...sealed.filter((s) => s.to === 1 && s.from !== 2), ...stolen.filter((s) => s.from === 2)];
    expect(() => finishCeremony('ctx', params, started[0]!.secrets, published, forMember1)).toThrow(/from member 2 does not match/);
  });

  it('[CB-8] property: a share complaint — an honest dealer cannot be framed, a cheating dealer is caught, by anyone from public data', () => {
    const code = (f: () => void): string => {
      try {
        f();
        return 'upheld';
      } catch (err) {
        if (err instanceof BallotCryptoError) return err.code;
        throw err;
      }
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }).chain((members) =>
          fc.record({
            members: fc.constant(members),
            threshold: fc.integer({ min: 1, max: members }),
            dealer: fc.integer({ min: 1, max: members }),
            offset: fc.integer({ min: 1, max: members - 1 }),
            cheat: fc.constantFrom('none', 'masked', 'polynomial', 'ephemeral'),
            seed: fc.integer(),
          }),
        ),
        ({ members, threshold, dealer, offset, cheat, seed }) => {
          const random = seeded(seed);
          const params = { members, threshold };
          const complainer = ((dealer - 1 + offset) % members) + 1;
          const started = Array.from({ length: members }, (_, i) => startCeremony('ctx', params, i + 1, random));
          const published = started.map((s) => s.published);
          const other = startCeremony('ctx', params, dealer, random).secrets;
          const sealed = started.flatMap((s) => dealShares('ctx', s.secrets, published, random)).map((s) => {
            if (s.from !== dealer || s.to !== complainer || cheat === 'none') return s;
            if (cheat === 'masked') return { ...s, masked: encodeScalar(BigInt(`0x${s.masked}`) + 1n) };
            // The dealer seals the share of a polynomial other than the one it committed to.
            if (cheat === 'polynomial') return dealShares('ctx', other, published, random).find((o) => o.to === complainer)!;
            return { ...s, ephemeral: 'ff'.repeat(32) };
          });
          const secrets = started[complainer - 1]!.secrets;
          const mine = sealed.find((s) => s.from === dealer && s.to === complainer)!;
          const judge = (c: Parameters<typeof checkComplaint>[4], by = complainer) => code(() => checkComplaint('ctx', published, sealed, by, c));
          if (cheat === 'ephemeral') {
            // Not even a point: the dealer is at fault on sight, whatever the complaint carries.
            expect(badDealers('ctx', secrets, published, sealed)).toEqual([dealer]);
            expect(judge({ dealer, shared: encodePoint(G), proof: { c: encodeScalar(1n), s: encodeScalar(1n) } })).toBe('upheld');
            return;
          }
          const honest = complainAboutShare('ctx', secrets, mine, random);
          expect(badDealers('ctx', secrets, published, sealed)).toEqual(cheat === 'none' ? [] : [dealer]);
          expect(judge(honest)).toBe(cheat === 'none' ? 'SHARE_VALID' : 'upheld');
          // Framing attempts all fail the proof: another point, a proof made with a secret other than the
          // complainer's transport secret, the complaint replayed by another member or against another dealer.
          const fake = times(G, randomScalar(random));
          expect(judge({ ...honest, shared: encodePoint(fake) })).toBe('BAD_PROOF');
          const e = randomScalar(random);
          const R = Point.fromHex(mine.ephemeral);
          const forged = { dealer, shared: encodePoint(times(R, e)), proof: proveDleq(`ctx|complaint:${dealer}->${complainer}`, G, times(G, e), R, times(R, e), e, random, 'share-complaint') };
          expect(judge(forged)).toBe('BAD_PROOF');
          const third = [...Array(members).keys()].map((i) => i + 1).find((i) => i !== dealer && i !== complainer);
          if (third !== undefined) expect(judge(honest, third)).toBe('BAD_PROOF');
          // A decryption-share style proof of the same statement is not a complaint proof (domain separation).
          const unlabelled = { ...honest, proof: proveDleq(`ctx|complaint:${dealer}->${complainer}`, G, times(G, secrets.transportSecret), R, Point.fromHex(honest.shared), secrets.transportSecret, random) };
          expect(judge(unlabelled)).toBe('BAD_PROOF');
        },
      ),
      { numRuns: 24 },
    );
    // Nobody complains about a share that is not theirs, nor about themselves.
    const random = seeded(9);
    const started = [1, 2].map((i) => startCeremony('ctx', { members: 2, threshold: 1 }, i, random));
    const published = started.map((s) => s.published);
    const sealed = started.flatMap((s) => dealShares('ctx', s.secrets, published, random));
    expect(() => complainAboutShare('ctx', started[0]!.secrets, sealed.find((s) => s.to === 2)!, random)).toThrow(BallotCryptoError);
    const honest = complainAboutShare('ctx', started[0]!.secrets, sealed.find((s) => s.to === 1)!, random);
    expect(code(() => checkComplaint('ctx', published, sealed, 2, honest))).toBe('BAD_SHARE');
    expect(code(() => checkComplaint('ctx', published, sealed, 1, { ...honest, dealer: 1 }))).toBe('BAD_SHARE');
  });

  it('[CB-7] malformed input is a BallotCryptoError, never a crash: not hex, not a point, not reduced, wrong sizes', () => {
    const random = seeded(7);
    const c = ceremony('ctx', { members: 1, threshold: 1 }, random);
    const h = committeeKey(c.board.commitments);
    const shape: BallotShape = { pollContext: 'ctx', options: [3] };
    const good = encryptBallot(shape, h, [1], random);
    const cases: unknown[] = [
      null,
      {},
      { questions: [] },
      { questions: [{ options: [], sumProof: good.questions[0]!.sumProof }] },
      { questions: [{ ...good.questions[0], options: good.questions[0]!.options.map((o) => ({ ...o, a: 'zz' })) }] },
      { questions: [{ ...good.questions[0], options: good.questions[0]!.options.map((o) => ({ ...o, a: 'ff'.repeat(32) })) }] },
      { questions: [{ ...good.questions[0], sumProof: { c: 'f'.repeat(64), s: '0'.repeat(64) } }] },
      { questions: [{ ...good.questions[0], sumProof: null }] },
    ];
    for (const bad of cases) expect(() => verifyBallot(shape, h, bad as EncryptedBallot)).toThrow(BallotCryptoError);
    expect(() => encryptBallot(shape, h, [3], random)).toThrow(BallotCryptoError);
    expect(() => encryptBallot({ pollContext: '', options: [3] }, h, [0], random)).toThrow(BallotCryptoError);
    expect(() => startCeremony('ctx', { members: 3, threshold: 4 }, 1, random)).toThrow(BallotCryptoError);
    expect(() => startCeremony('ctx', { members: 0, threshold: 1 }, 1, random)).toThrow(BallotCryptoError);
    expect(() => startCeremony('ctx', { members: 3, threshold: 2 }, 4, random)).toThrow(BallotCryptoError);
    // A count bound below the true count is refused, never guessed.
    const verified = [verifyBallot(shape, h, good), verifyBallot(shape, h, encryptBallot(shape, h, [1], random))];
    const aggregates = aggregate(shape, verified);
    const partial = decryptShare(shape, 1, c.secrets.get(1)!, aggregates, random);
    const decoded = new Map([[1, verifyPartial(shape, c.board.commitments, aggregates, partial)]]);
    expect(combine({ members: 1, threshold: 1 }, aggregates, decoded, 2)).toEqual([[0, 2, 0]]);
    expect(() => combine({ members: 1, threshold: 1 }, aggregates, decoded, 1)).toThrow(expect.objectContaining({ code: 'COUNT_OUT_OF_RANGE' }));
    // A member commitment with a wrong proof or the wrong number of coefficients spoils the board.
    const board = runPoll(shape, { members: 2, threshold: 2 }, [[0]], [1, 2], 8).board;
    const badProof = structuredClone(board);
    badProof.commitments[1]!.proof = badProof.commitments[0]!.proof;
    expect(verifyBoard(badProof).problems.join()).toMatch(/member 2: proof of knowledge/);
    const short = structuredClone(board);
    short.commitments[0]!.commitments.pop();
    expect(verifyBoard(short).problems.join()).toMatch(/expected 2 commitments/);
    // The committee's own parameters and member numbers are checked, not trusted: they are what interpolation runs on.
    expect(verifyBoard({ ...board, committee: { members: 2, threshold: 0 } })).toMatchObject({ ok: false, problems: [expect.stringMatching(/threshold is between/)] });
    const twice = structuredClone(board);
    twice.commitments[1]!.index = 1;
    expect(verifyBoard(twice).problems.join()).toMatch(/member index appears twice/);
    const outside = structuredClone(board);
    outside.commitments[1]!.index = 3;
    expect(verifyBoard(outside).problems.join()).toMatch(/member index 3 out of range/);
    expect(verifyBoard({ version: 2 } as unknown as BulletinBoard).ok).toBe(false);
    expect(verifyBoard(null as unknown as BulletinBoard).ok).toBe(false);
  });
});
