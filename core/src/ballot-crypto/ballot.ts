/**
 * A committee ballot, encrypted on the tablet: for every question (a motion has one; a confidence rating has one per
 * official rated) and every option of it (tán thành / không tán thành / không biểu quyết; tín nhiệm cao / tín nhiệm /
 * tín nhiệm thấp), an exponential ElGamal ciphertext of 0 or 1 under the committee's key, a proof that it is 0 or 1,
 * and per question a proof that the options add up to exactly one. The server checks the proofs before it journals
 * anything and stores ciphertexts only; adding the ciphertexts of every ballot gives encrypted counts, which only the
 * committee can open together.
 *
 * The ballot names no voter. Its receipt (SHA-256 of its canonical form) lets the voter find it on the bulletin board.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { BallotCryptoError, G, Point, decodePoint, encodePoint, gTimes, mod, randomScalar, times, type RandomBytes } from './group.ts';
import { proveBit, proveDleq, verifyBit, verifyDleq, type BitProof, type DleqProof } from './proofs.ts';

/** The shape of a poll's ballot: how many options each question has. */
export interface BallotShape {
  /** Binds every proof to this poll (e.g. `council/session/poll`), so a ballot cannot be replayed in another poll. */
  pollContext: string;
  /** options[q] = number of options of question q. */
  options: number[];
}

export interface Ciphertext {
  a: string;
  b: string;
}

export interface EncryptedOption extends Ciphertext {
  proof: BitProof;
}

export interface EncryptedBallot {
  questions: { options: EncryptedOption[]; sumProof: DleqProof }[];
}

const optionContext = (shape: BallotShape, h: Point, q: number, o: number) => `${shape.pollContext}|pk:${encodePoint(h)}|q:${q}|o:${o}`;
const sumContext = (shape: BallotShape, h: Point, q: number) => `${shape.pollContext}|pk:${encodePoint(h)}|q:${q}|sum`;

export function checkShape(shape: BallotShape): void {
  if (typeof shape.pollContext !== 'string' || shape.pollContext.length === 0 || shape.pollContext.length > 300) throw new BallotCryptoError('BAD_BALLOT', 'pollContext: 1–300 characters');
  if (!Array.isArray(shape.options) || shape.options.length < 1 || shape.options.length > 200) throw new BallotCryptoError('BAD_BALLOT', 'a ballot has 1–200 questions');
  for (const n of shape.options) if (!Number.isInteger(n) || n < 2 || n > 10) throw new BallotCryptoError('BAD_BALLOT', 'a question has 2–10 options');
}

/**
 * Encrypts `choices[q]` = the chosen option's index for every question. Runs on the delegate's tablet with the
 * browser's randomness; the randomness never leaves the function.
 */
export function encryptBallot(shape: BallotShape, publicKey: Point, choices: readonly number[], random: RandomBytes): EncryptedBallot {
  checkShape(shape);
  if (choices.length !== shape.options.length) throw new BallotCryptoError('BAD_BALLOT', `expected ${shape.options.length} choices`);
  return {
    questions: shape.options.map((count, q) => {
      const choice = choices[q]!;
      if (!Number.isInteger(choice) || choice < 0 || choice >= count) throw new BallotCryptoError('BAD_BALLOT', `question ${q}: choice out of range`);
      let rSum = 0n;
      let aSum: Point = Point.ZERO;
      let bSum: Point = aSum;
      const options: EncryptedOption[] = [];
      for (let o = 0; o < count; o++) {
        const m = (o === choice ? 1 : 0) as 0 | 1;
        const r = randomScalar(random);
        const a = times(G, r);
        const b = gTimes(m).add(times(publicKey, r));
        rSum = mod(rSum + r);
        aSum = aSum.add(a);
        bSum = bSum.add(b);
        options.push({ a: encodePoint(a), b: encodePoint(b), proof: proveBit(optionContext(shape, publicKey, q, o), publicKey, a, b, m, r, random) });
      }
      // Σa = rSum·G and Σb − G = rSum·H: the options add up to exactly one.
      const sumProof = proveDleq(sumContext(shape, publicKey, q), G, aSum, publicKey, bSum.subtract(G), rSum, random);
      return { options, sumProof };
    }),
  };
}

/**
 * Checks a ballot's structure and every proof; returns the decoded ciphertexts for counting. Throws BAD_BALLOT or
 * BAD_PROOF (the server answers the tablet with a stable code; nothing is journaled).
 */
export function verifyBallot(shape: BallotShape, publicKey: Point, ballot: EncryptedBallot): { a: Point; b: Point }[][] {
  checkShape(shape);
  if (!ballot || !Array.isArray(ballot.questions) || ballot.questions.length !== shape.options.length) throw new BallotCryptoError('BAD_BALLOT', `expected ${shape.options.length} questions`);
  return shape.options.map((count, q) => {
    const question = ballot.questions[q]!;
    if (!question || !Array.isArray(question.options) || question.options.length !== count) throw new BallotCryptoError('BAD_BALLOT', `question ${q}: expected ${count} options`);
    const decoded = question.options.map((opt, o) => {
      const a = decodePoint(opt?.a, `q${q}o${o}.a`);
      const b = decodePoint(opt?.b, `q${q}o${o}.b`);
      if (!verifyBit(optionContext(shape, publicKey, q, o), publicKey, a, b, opt.proof)) throw new BallotCryptoError('BAD_PROOF', `question ${q}, option ${o}: not an encryption of 0 or 1`);
      return { a, b };
    });
    const aSum = decoded.map((c) => c.a).reduce((x, y) => x.add(y));
    const bSum = decoded.map((c) => c.b).reduce((x, y) => x.add(y));
    if (!verifyDleq(sumContext(shape, publicKey, q), G, aSum, publicKey, bSum.subtract(G), question.sumProof)) throw new BallotCryptoError('BAD_PROOF', `question ${q}: the options do not add up to one choice`);
    return decoded;
  });
}

/** Canonical JSON (keys in a fixed order) of a ballot: what its receipt hashes. */
export function canonicalBallot(ballot: EncryptedBallot): string {
  return JSON.stringify({
    questions: ballot.questions.map((q) => ({
      options: q.options.map((o) => ({ a: o.a, b: o.b, proof: { c0: o.proof.c0, c1: o.proof.c1, s0: o.proof.s0, s1: o.proof.s1 } })),
      sumProof: { c: q.sumProof.c, s: q.sumProof.s },
    })),
  });
}

/** The voter's receipt: SHA-256 (hex) of the canonical ballot. */
export const ballotReceipt = (ballot: EncryptedBallot): string => bytesToHex(sha256(utf8ToBytes(canonicalBallot(ballot))));
