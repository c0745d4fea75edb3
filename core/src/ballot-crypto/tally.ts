/**
 * Counting without opening any ballot: the ciphertexts of every accepted ballot are added per option (exponential
 * ElGamal is additively homomorphic), each committee member taking part posts d_j = x_j·A for every aggregate with a
 * proof that it used the same x_j as its verification key, any `threshold` of them recover x·A by Lagrange
 * interpolation, and B − x·A = count·G gives the count by a search over 0…(number of ballots).
 *
 * `verifyBoard` re-does all of it from the public bulletin board alone — the commitments, every ballot, the partial
 * decryptions — and compares with the result the board claims: anyone can check a count.
 */
import { BallotCryptoError, G, Point, decodePoint, encodePoint, times, timesPublic, type RandomBytes } from './group.ts';
import { ballotReceipt, checkShape, verifyBallot, type BallotShape, type EncryptedBallot } from './ballot.ts';
import { checkParams, committeeKey, lagrangeAtZero, verificationKey, verifyCommitment, type CommitteeParams, type MemberCommitment } from './committee.ts';
import { proveDleq, verifyDleq, type DleqProof } from './proofs.ts';

export interface Aggregate {
  a: Point;
  b: Point;
}

/** Adds the (already verified) ciphertexts of every ballot, per question and option. */
export function aggregate(shape: BallotShape, ballots: readonly { a: Point; b: Point }[][][]): Aggregate[][] {
  return shape.options.map((count, q) =>
    Array.from({ length: count }, (_, o) => {
      let a = Point.ZERO;
      let b = Point.ZERO;
      for (const ballot of ballots) {
        a = a.add(ballot[q]![o]!.a);
        b = b.add(ballot[q]![o]!.b);
      }
      return { a, b };
    }),
  );
}

/** One member's partial decryption of every aggregate, with proofs. */
export interface PartialDecryption {
  member: number;
  shares: { d: string; proof: DleqProof }[][];
}

const partialContext = (shape: BallotShape, member: number, q: number, o: number) => `${shape.pollContext}|partial:${member}|q:${q}|o:${o}`;

/** On the member's tablet, at close: d = x_j·A for every aggregate, each proven against X_j = x_j·G. */
export function decryptShare(shape: BallotShape, member: number, secret: bigint, aggregates: readonly Aggregate[][], random: RandomBytes): PartialDecryption {
  const xj = times(G, secret);
  return {
    member,
    shares: aggregates.map((row, q) =>
      row.map(({ a }, o) => {
        const d = times(a, secret);
        return { d: encodePoint(d), proof: proveDleq(partialContext(shape, member, q, o), G, xj, a, d, secret, random) };
      }),
    ),
  };
}

/** Checks one member's partial decryption against its verification key; returns the decoded shares. */
export function verifyPartial(shape: BallotShape, members: readonly MemberCommitment[], aggregates: readonly Aggregate[][], partial: PartialDecryption): Point[][] {
  const xj = verificationKey(members, partial.member);
  if (!Array.isArray(partial.shares) || partial.shares.length !== aggregates.length) throw new BallotCryptoError('BAD_PROOF', `member ${partial.member}: wrong number of questions`);
  return aggregates.map((row, q) => {
    const shares = partial.shares[q];
    if (!Array.isArray(shares) || shares.length !== row.length) throw new BallotCryptoError('BAD_PROOF', `member ${partial.member}: wrong number of options in question ${q}`);
    return row.map(({ a }, o) => {
      const d = decodePoint(shares[o]?.d, `member ${partial.member} q${q}o${o}`);
      if (!verifyDleq(partialContext(shape, partial.member, q, o), G, xj, a, d, shares[o]!.proof)) throw new BallotCryptoError('BAD_PROOF', `member ${partial.member}: the decryption share of question ${q}, option ${o} does not hold`);
      return d;
    });
  });
}

/**
 * Combines `threshold` or more verified partial decryptions into counts. `maxCount` bounds the search (the number of
 * ballots): a count outside it means the inputs are inconsistent and is refused, never guessed.
 */
export function combine(params: CommitteeParams, aggregates: readonly Aggregate[][], partials: ReadonlyMap<number, Point[][]>, maxCount: number): number[][] {
  const indices = [...partials.keys()].sort((x, y) => x - y).slice(0, params.threshold);
  if (indices.length < params.threshold) throw new BallotCryptoError('THRESHOLD_NOT_MET', `${partials.size} of the ${params.threshold} committee members needed have decrypted`);
  const lambdas = new Map(indices.map((j) => [j, lagrangeAtZero(j, indices)]));
  return aggregates.map((row, q) =>
    row.map(({ b }, o) => {
      let xa = Point.ZERO;
      for (const j of indices) xa = xa.add(timesPublic(partials.get(j)![q]![o]!, lambdas.get(j)!));
      const target = b.subtract(xa);
      let acc = Point.ZERO;
      for (let m = 0; m <= maxCount; m++) {
        if (acc.equals(target)) return m;
        acc = acc.add(G);
      }
      throw new BallotCryptoError('COUNT_OUT_OF_RANGE', `question ${q}, option ${o}: the count is not between 0 and ${maxCount}`);
    }),
  );
}

/** The public record of a committee poll: everything needed to check its count, and no voter's identity. */
export interface BulletinBoard {
  version: 1;
  shape: BallotShape;
  committee: CommitteeParams & { members: number };
  commitments: MemberCommitment[];
  /** Hex of H, for readers; recomputed from the commitments by the verifier. */
  publicKey: string;
  /** Sorted by receipt: the order ballots were cast is not on the board. */
  ballots: { receipt: string; ballot: EncryptedBallot }[];
  partials: PartialDecryption[];
  /** counts[q][o] as claimed. */
  counts: number[][];
}

export interface BoardCheck {
  ok: boolean;
  problems: string[];
  /** The counts the verifier computed (null when it could not). */
  counts: number[][] | null;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Checks a bulletin board from scratch: every commitment and its proof, the public key, every ballot's proofs and
 * receipt, no ballot twice, the partial decryptions, and that the combined counts equal the claimed ones.
 */
export function verifyBoard(board: BulletinBoard): BoardCheck {
  const problems: string[] = [];
  try {
    if (board?.version !== 1) return { ok: false, problems: ['unknown board version'], counts: null };
    checkShape(board.shape);
    const params = board.committee;
    checkParams(params);
    if (!Array.isArray(board.commitments) || board.commitments.length !== params.members) problems.push(`expected ${params.members} member commitments`);
    if (new Set(board.commitments?.map((c) => c?.index)).size !== board.commitments?.length) problems.push('a member index appears twice');
    for (const c of board.commitments ?? []) {
      try {
        verifyCommitment(board.shape.pollContext, params, c);
      } catch (err) {
        problems.push(describe(err));
      }
    }
    if (problems.length > 0) return { ok: false, problems, counts: null };
    const h = committeeKey(board.commitments);
    if (encodePoint(h) !== board.publicKey) problems.push('the public key is not the sum of the members\' commitments');

    const seen = new Set<string>();
    const accepted: { a: Point; b: Point }[][][] = [];
    let previous = '';
    for (const [i, entry] of (board.ballots ?? []).entries()) {
      try {
        const receipt = ballotReceipt(entry.ballot);
        if (receipt !== entry.receipt) throw new Error('its receipt is not the hash of its content');
        if (seen.has(receipt)) throw new Error('it appears twice');
        if (receipt < previous) throw new Error('ballots are not in receipt order');
        previous = receipt;
        seen.add(receipt);
        accepted.push(verifyBallot(board.shape, h, entry.ballot));
      } catch (err) {
        problems.push(`ballot ${i}: ${describe(err)}`);
      }
    }
    const aggregates = aggregate(board.shape, accepted);
    const partials = new Map<number, Point[][]>();
    for (const p of board.partials ?? []) {
      try {
        if (partials.has(p.member)) throw new Error('posted twice');
        if (!Number.isInteger(p.member) || p.member < 1 || p.member > params.members) throw new Error('not a member');
        partials.set(p.member, verifyPartial(board.shape, board.commitments, aggregates, p));
      } catch (err) {
        problems.push(`partial decryption of member ${p?.member}: ${describe(err)}`);
      }
    }
    if (problems.length > 0) return { ok: false, problems, counts: null };
    const counts = combine(params, aggregates, partials, accepted.length);
    if (JSON.stringify(counts) !== JSON.stringify(board.counts)) problems.push(`the claimed counts ${JSON.stringify(board.counts)} differ from the computed ${JSON.stringify(counts)}`);
    return { ok: problems.length === 0, problems, counts };
  } catch (err) {
    problems.push(describe(err));
    return { ok: false, problems, counts: null };
  }
}

