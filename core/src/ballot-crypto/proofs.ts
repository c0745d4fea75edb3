/**
 * The zero-knowledge proofs of committee ballots, all Chaum–Pedersen style sigma protocols made non-interactive with
 * Fiat–Shamir (group.ts `challenge`, every statement and its context hashed in):
 *  - `proveDleq`: y1 = x·g1 and y2 = x·g2 for one secret x (a decryption share is honest; a ballot's options sum to one);
 *  - `proveBit`: an ElGamal ciphertext (a, b) encrypts 0 or 1, without saying which (the disjunctive proof of Cramer,
 *    Damgård and Schoenmakers: the real branch is proven, the other simulated, and the two challenges must add up to
 *    the hash);
 *  - the same Chaum–Pedersen proof, labelled `share-complaint`: a member's revealed shared point for one sealed share is
 *    its transport secret times the share's ephemeral key (committee.ts `complainAboutShare`);
 *  - `proveKnowledge`: a Schnorr proof of a discrete log (a committee member knows the secret behind its commitment).
 */
import { BallotCryptoError, G, challenge, decodeScalar, encodeScalar, gTimes, mod, randomScalar, times, timesPublic, type Point, type RandomBytes } from './group.ts';

/** (c, s) of a Chaum–Pedersen proof, hex scalars. */
export interface DleqProof {
  c: string;
  s: string;
}

/**
 * Proves log_g1(y1) = log_g2(y2) = x. `context` binds the proof to its poll and position; `label` is the proof kind in
 * the domain-separation tag, so a proof of one kind (a decryption share) is never accepted as another (a complaint).
 */
export function proveDleq(context: string, g1: Point, y1: Point, g2: Point, y2: Point, x: bigint, random: RandomBytes, label = 'dleq'): DleqProof {
  const w = randomScalar(random);
  const c = challenge(label, [context, g1, y1, g2, y2, times(g1, w), times(g2, w)]);
  return { c: encodeScalar(c), s: encodeScalar(w + c * x) };
}

export function verifyDleq(context: string, g1: Point, y1: Point, g2: Point, y2: Point, proof: DleqProof, label = 'dleq'): boolean {
  const c = decodeScalar(proof?.c, 'proof.c');
  const s = decodeScalar(proof?.s, 'proof.s');
  // t = s·g − c·y: the commitments the prover must have used.
  const t1 = timesPublic(g1, s).subtract(timesPublic(y1, c));
  const t2 = timesPublic(g2, s).subtract(timesPublic(y2, c));
  return challenge(label, [context, g1, y1, g2, y2, t1, t2]) === c;
}

/** The disjunctive proof that a ciphertext encrypts 0 or 1: a challenge and a response per branch. */
export interface BitProof {
  c0: string;
  c1: string;
  s0: string;
  s1: string;
}

/**
 * (a, b) = (r·g, m·g + r·h) with m ∈ {0, 1}. Branch k claims "a = r·g and b − k·g = r·h". The prover knows r and m:
 * it proves branch m honestly and simulates the other with a challenge of its choosing.
 */
export function proveBit(context: string, h: Point, a: Point, b: Point, m: 0 | 1, r: bigint, random: RandomBytes): BitProof {
  const other = (1 - m) as 0 | 1;
  const cOther = randomScalar(random);
  const sOther = randomScalar(random);
  const bOther = b.subtract(gTimes(other));
  const tOther: [Point, Point] = [times(G, sOther).subtract(times(a, cOther)), times(h, sOther).subtract(times(bOther, cOther))];
  const w = randomScalar(random);
  const tReal: [Point, Point] = [times(G, w), times(h, w)];
  const [t0, t1] = m === 0 ? [tReal, tOther] : [tOther, tReal];
  const c = challenge('bit', [context, h, a, b, t0[0], t0[1], t1[0], t1[1]]);
  const cReal = mod(c - cOther);
  const sReal = mod(w + cReal * r);
  const [c0, c1, s0, s1] = m === 0 ? [cReal, cOther, sReal, sOther] : [cOther, cReal, sOther, sReal];
  return { c0: encodeScalar(c0), c1: encodeScalar(c1), s0: encodeScalar(s0), s1: encodeScalar(s1) };
}

export function verifyBit(context: string, h: Point, a: Point, b: Point, proof: BitProof): boolean {
  const c0 = decodeScalar(proof?.c0, 'proof.c0');
  const c1 = decodeScalar(proof?.c1, 'proof.c1');
  const s0 = decodeScalar(proof?.s0, 'proof.s0');
  const s1 = decodeScalar(proof?.s1, 'proof.s1');
  const t0: [Point, Point] = [timesPublic(G, s0).subtract(timesPublic(a, c0)), timesPublic(h, s0).subtract(timesPublic(b, c0))];
  const b1 = b.subtract(gTimes(1));
  const t1: [Point, Point] = [timesPublic(G, s1).subtract(timesPublic(a, c1)), timesPublic(h, s1).subtract(timesPublic(b1, c1))];
  return mod(c0 + c1) === challenge('bit', [context, h, a, b, t0[0], t0[1], t1[0], t1[1]]);
}

/** Schnorr proof of knowledge of x with y = x·g. */
export function proveKnowledge(context: string, y: Point, x: bigint, random: RandomBytes): DleqProof {
  const w = randomScalar(random);
  const c = challenge('schnorr', [context, y, times(G, w)]);
  return { c: encodeScalar(c), s: encodeScalar(w + c * x) };
}

export function verifyKnowledge(context: string, y: Point, proof: DleqProof): boolean {
  const c = decodeScalar(proof?.c, 'proof.c');
  const s = decodeScalar(proof?.s, 'proof.s');
  return challenge('schnorr', [context, y, timesPublic(G, s).subtract(timesPublic(y, c))]) === c;
}

/** Throws BAD_PROOF with `what` when `ok` is false: the callers' one way to refuse. */
export function requireProof(ok: boolean, what: string): void {
  if (!ok) throw new BallotCryptoError('BAD_PROOF', `${what}: the proof does not hold`);
}
