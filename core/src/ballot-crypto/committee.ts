/**
 * The counting committee's key, made so that no single party ever holds it (a Pedersen distributed key generation
 * with Feldman commitments):
 *  1. every member i (numbered 1…n) picks a random polynomial f_i of degree k−1 and publishes commitments
 *     C_i,t = a_i,t·G to its coefficients, with a proof that it knows a_i,0 (so no member can pick its commitment
 *     as a function of the others' and cancel them);
 *  2. member i gives every member j the share f_i(j), sealed to j's transport key (only j can open it), through the
 *     server, which sees only sealed bytes; j checks each share against i's commitments;
 *  3. j's secret is x_j = Σ_i f_i(j); the poll's public key is H = Σ_i C_i,0 and j's verification key
 *     X_j = Σ_i Σ_t j^t·C_i,t is computable by anyone from the commitments.
 * Any k members can then decrypt together (Lagrange interpolation at 0 of their partial decryptions); fewer learn
 * nothing. The server only relays and publishes; it never holds a share.
 */
import { BallotCryptoError, G, challenge, decodePoint, decodeScalar, encodePoint, encodeScalar, invertScalar, mod, randomScalar, times, timesPublic, type Point, type RandomBytes } from './group.ts';
import { minimumFor } from '../rules/thresholds.ts';
import { proveDleq, proveKnowledge, requireProof, verifyDleq, verifyKnowledge, type DleqProof } from './proofs.ts';

export interface CommitteeParams {
  /** Members are numbered 1…n (the index is the point their share is evaluated at). */
  members: number;
  /** How many members must take part in decrypting. */
  threshold: number;
}

export function checkParams(p: CommitteeParams): void {
  if (!Number.isInteger(p.members) || p.members < 1 || p.members > 100) throw new BallotCryptoError('BAD_SHARE', 'a committee has 1 to 100 members');
  if (!Number.isInteger(p.threshold) || p.threshold < 1 || p.threshold > p.members) throw new BallotCryptoError('BAD_SHARE', 'the threshold is between 1 and the number of members');
}

/** The default threshold: a majority of the members present at the ceremony, so one absent member never blocks a count. */
export const majority = (members: number): number => minimumFor('more-than-half', members);

/** What a member publishes at the ceremony (everything here is public). */
export interface MemberCommitment {
  index: number;
  /** C_t = a_t·G for t = 0…k−1, hex. */
  commitments: string[];
  /** Proof of knowledge of a_0. */
  proof: DleqProof;
  /** The member's transport key E = e·G, to which the others seal its shares. */
  transportKey: string;
}

/** A member's private state during the ceremony: its polynomial and its transport secret. Stays on the device. */
export interface MemberSecrets {
  index: number;
  coefficients: bigint[];
  transportSecret: bigint;
}

const ctx = (pollContext: string, index: number) => `${pollContext}|member:${index}`;

export function startCeremony(pollContext: string, params: CommitteeParams, index: number, random: RandomBytes): { secrets: MemberSecrets; published: MemberCommitment } {
  checkParams(params);
  if (!Number.isInteger(index) || index < 1 || index > params.members) throw new BallotCryptoError('BAD_SHARE', 'member index out of range');
  const coefficients = Array.from({ length: params.threshold }, () => randomScalar(random));
  const commitments = coefficients.map((a) => times(G, a));
  const transportSecret = randomScalar(random);
  return {
    secrets: { index, coefficients, transportSecret },
    published: {
      index,
      commitments: commitments.map(encodePoint),
      proof: proveKnowledge(ctx(pollContext, index), commitments[0]!, coefficients[0]!, random),
      transportKey: encodePoint(times(G, transportSecret)),
    },
  };
}

/** Checks a member's published commitment: the right number of valid points and a proof that holds. */
export function verifyCommitment(pollContext: string, params: CommitteeParams, c: MemberCommitment): void {
  checkParams(params);
  // The index is the point shares are evaluated at: outside 1…n, a board could name a member nobody can interpolate.
  if (!Number.isInteger(c?.index) || c.index < 1 || c.index > params.members) throw new BallotCryptoError('BAD_SHARE', `member index ${String(c?.index)} out of range`);
  if (c.commitments?.length !== params.threshold) throw new BallotCryptoError('BAD_SHARE', `member ${c.index}: expected ${params.threshold} commitments`);
  const points = c.commitments.map((h, t) => decodePoint(h, `member ${c.index} commitment ${t}`));
  decodePoint(c.transportKey, `member ${c.index} transport key`);
  if (!verifyKnowledge(ctx(pollContext, c.index), points[0]!, c.proof)) throw new BallotCryptoError('BAD_PROOF', `member ${c.index}: proof of knowledge does not hold`);
}

const evalPoly = (coefficients: readonly bigint[], x: number): bigint => {
  let acc = 0n;
  for (let t = coefficients.length - 1; t >= 0; t--) acc = mod(acc * BigInt(x) + coefficients[t]!);
  return acc;
};

/** Σ_t x^t·C_t: what a share for x must be times G. */
export function expectedShareKey(commitments: readonly Point[], x: number): Point {
  let acc: Point | null = null;
  let power = 1n;
  for (const c of commitments) {
    const term = timesPublic(c, power);
    acc = acc ? acc.add(term) : term;
    power = mod(power * BigInt(x));
  }
  return acc!;
}

/** A share sealed to its recipient: hashed ElGamal, the mask derived from the shared point. */
export interface SealedShare {
  from: number;
  to: number;
  ephemeral: string;
  masked: string;
}

const shareMask = (pollContext: string, from: number, to: number, shared: Point) => challenge('share-mask', [pollContext, from, to, shared]);

/** Member `secrets.index` seals f(j) for every other member j (its own share it keeps). */
export function dealShares(pollContext: string, secrets: MemberSecrets, all: readonly MemberCommitment[], random: RandomBytes): SealedShare[] {
  const out: SealedShare[] = [];
  for (const m of all) {
    if (m.index === secrets.index) continue;
    const r = randomScalar(random);
    const shared = times(decodePoint(m.transportKey, `member ${m.index} transport key`), r);
    const share = evalPoly(secrets.coefficients, m.index);
    out.push({ from: secrets.index, to: m.index, ephemeral: encodePoint(times(G, r)), masked: encodeScalar(share + shareMask(pollContext, secrets.index, m.index, shared)) });
  }
  return out;
}

/** The share inside a sealed one, given the shared point e_to·R (its recipient's, or one a complaint revealed). */
function unseal(pollContext: string, s: SealedShare, shared: Point): bigint {
  return mod(decodeScalar(s.masked, `share from ${s.from}`) - shareMask(pollContext, s.from, s.to, shared));
}

/** Whether a share for member `to` is f(to) of the polynomial its dealer committed to. */
const matchesCommitments = (dealer: MemberCommitment, to: number, share: bigint): boolean =>
  times(G, share).equals(expectedShareKey(dealer.commitments.map((h) => decodePoint(h, `member ${dealer.index} commitment`)), to));

/**
 * Member `secrets.index` opens the shares sealed to it and returns the dealers whose share is missing, malformed or
 * does not match their commitments — each one is what `complainAboutShare` is for.
 */
export function badDealers(pollContext: string, secrets: MemberSecrets, all: readonly MemberCommitment[], sealed: readonly SealedShare[]): number[] {
  return all.filter((m) => m.index !== secrets.index && openOwnShare(pollContext, secrets, m, sealed) === null).map((m) => m.index);
}

function openOwnShare(pollContext: string, secrets: MemberSecrets, dealer: MemberCommitment, sealed: readonly SealedShare[]): bigint | null {
  const s = sealed.find((e) => e.from === dealer.index && e.to === secrets.index);
  if (!s) return null;
  try {
    const share = unseal(pollContext, s, times(decodePoint(s.ephemeral, `share from ${dealer.index}`), secrets.transportSecret));
    return matchesCommitments(dealer, secrets.index, share) ? share : null;
  } catch (err) {
    if (err instanceof BallotCryptoError) return null;
    throw err;
  }
}

/**
 * Member `secrets.index` opens the shares sealed to it, checks each against its dealer's commitments, and returns its
 * secret x_j. A share that does not match is refused naming its dealer (`badDealers` lists them all; the member's
 * device then posts a complaint, and the ceremony is restarted without that dealer).
 */
export function finishCeremony(pollContext: string, params: CommitteeParams, secrets: MemberSecrets, all: readonly MemberCommitment[], sealed: readonly SealedShare[]): bigint {
  let x = evalPoly(secrets.coefficients, secrets.index);
  for (const m of all) {
    if (m.index === secrets.index) continue;
    const share = openOwnShare(pollContext, secrets, m, sealed);
    if (share === null) throw new BallotCryptoError('BAD_SHARE', `the share from member ${m.index} does not match its commitments (or is missing or malformed)`);
    x = mod(x + share);
  }
  if (all.length !== params.members) throw new BallotCryptoError('BAD_SHARE', `expected ${params.members} members, got ${all.length}`);
  return x;
}

/**
 * A member's complaint about one share sealed to it. Revealing the shared point e·R lets anyone open that one share
 * (and only it: the transport secret e stays hidden behind the proof) and check it against the dealer's commitments,
 * so the server judges the complaint without trusting the complainer, and an honest dealer cannot be framed — a
 * shared point other than e·R fails the proof, and the true one opens a share that matches.
 */
export interface ShareComplaint {
  /** The accused dealer's member number. */
  dealer: number;
  /** e·R, hex: the complainer's transport secret times the share's ephemeral key. */
  shared: string;
  /** Chaum–Pedersen: log_G(E) = log_R(shared) for the complainer's transport key E. */
  proof: DleqProof;
}

const complaintContext = (pollContext: string, dealer: number, complainer: number) => `${pollContext}|complaint:${dealer}->${complainer}`;

export function complainAboutShare(pollContext: string, secrets: MemberSecrets, sealed: SealedShare, random: RandomBytes): ShareComplaint {
  if (sealed.to !== secrets.index) throw new BallotCryptoError('BAD_SHARE', 'a member complains only about a share sealed to it');
  const ephemeral = decodePoint(sealed.ephemeral, `share from ${sealed.from}`);
  const shared = times(ephemeral, secrets.transportSecret);
  const transportKey = times(G, secrets.transportSecret);
  return {
    dealer: sealed.from,
    shared: encodePoint(shared),
    proof: proveDleq(complaintContext(pollContext, sealed.from, secrets.index), G, transportKey, ephemeral, shared, secrets.transportSecret, random, 'share-complaint'),
  };
}

/**
 * Judges member `complainer`'s complaint from public data alone. Returns when it holds (the dealer's share to the
 * complainer is malformed or does not match the dealer's commitments); throws BAD_PROOF when the revealed point is
 * not proven, SHARE_VALID when the share it opens is a good one (the dealer is honest), BAD_SHARE when there is no
 * such dealer or share.
 */
export function checkComplaint(pollContext: string, all: readonly MemberCommitment[], sealed: readonly SealedShare[], complainer: number, complaint: ShareComplaint): void {
  const dealer = all.find((m) => m.index === complaint.dealer);
  const accuser = all.find((m) => m.index === complainer);
  const s = sealed.find((e) => e.from === complaint.dealer && e.to === complainer);
  if (!dealer || !accuser || !s || complaint.dealer === complainer) throw new BallotCryptoError('BAD_SHARE', `no share from member ${complaint.dealer} to member ${complainer}`);
  // A share that is not even well-formed is the dealer's fault for everyone to see: no secret needs revealing.
  let ephemeral: Point;
  try {
    ephemeral = decodePoint(s.ephemeral);
    decodeScalar(s.masked);
  } catch {
    return;
  }
  const shared = decodePoint(complaint.shared, 'complaint.shared');
  const proven = verifyDleq(complaintContext(pollContext, complaint.dealer, complainer), G, decodePoint(accuser.transportKey, `member ${complainer} transport key`), ephemeral, shared, complaint.proof, 'share-complaint');
  requireProof(proven, `the complaint of member ${complainer}`);
  if (matchesCommitments(dealer, complainer, unseal(pollContext, s, shared))) throw new BallotCryptoError('SHARE_VALID', `the share from member ${complaint.dealer} matches its commitments`);
}

/** The poll's public key H = Σ_i C_i,0. */
export function committeeKey(all: readonly MemberCommitment[]): Point {
  return all.map((m) => decodePoint(m.commitments[0], `member ${m.index} commitment 0`)).reduce((a, b) => a.add(b));
}

/** Member j's verification key X_j = Σ_i Σ_t j^t·C_i,t (anyone can compute it from the board). */
export function verificationKey(all: readonly MemberCommitment[], j: number): Point {
  return all.map((m) => expectedShareKey(m.commitments.map((h) => decodePoint(h)), j)).reduce((a, b) => a.add(b));
}

/** Lagrange coefficient at 0 of member j among `indices`. */
export function lagrangeAtZero(j: number, indices: readonly number[]): bigint {
  let num = 1n;
  let den = 1n;
  for (const m of indices) {
    if (m === j) continue;
    num = mod(num * BigInt(m));
    den = mod(den * BigInt(m - j));
  }
  return mod(num * invertScalar(den));
}
