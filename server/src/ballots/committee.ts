/**
 * The server's part of committee ballots (docs/committee-ballots.md): it checks every proof before anything is
 * journaled, adds the ciphertexts at close, combines the committee's verified decryption shares into counts, and
 * publishes the bulletin board. It holds no key that opens a ballot: the ciphertexts in the box are what the board
 * shows, and only a threshold of the committee's devices can decrypt their sum.
 */
import {
  aggregate,
  ballotReceipt,
  BallotCryptoError,
  checkComplaint,
  combine,
  committeeKey,
  decodePoint,
  encodePoint,
  verifyBallot,
  verifyCommitment,
  verifyPartial,
  type BulletinBoard,
  type EncryptedBallot,
  type MemberCommitment,
  type PartialDecryption,
  type ShareComplaint,
} from '@hall/core/ballot-crypto';
import { committeeOptions, committeeShape, countsFromCommittee, type Poll, type PollCommittee, type PollCounts } from '@hall/core';

export type CommitteePoll = Poll & { committee: PollCommittee };

const params = (c: PollCommittee) => ({ members: c.members.length, threshold: c.threshold });

/** The poll's public key, from the commitments on its record; only complete once every member has committed. */
export function publicKeyOf(poll: CommitteePoll) {
  if (poll.committee.commitments.length !== poll.committee.members.length) throw new BallotCryptoError('BAD_SHARE', 'the key ceremony is not complete');
  return committeeKey(poll.committee.commitments);
}

export function checkCommitment(poll: CommitteePoll, commitment: MemberCommitment): void {
  verifyCommitment(poll.committee.context, params(poll.committee), commitment);
}

/**
 * A member's complaint about the share a dealer sealed to it, judged from the record alone (the complainer is not
 * trusted): returns when the share is shown not to match the dealer's commitments; throws BAD_PROOF when the revealed
 * point is not proven, SHARE_VALID when the share is good (an honest dealer cannot be framed).
 */
export function checkShareComplaint(poll: CommitteePoll, complainer: string, complaint: ShareComplaint): void {
  const c = poll.committee;
  checkComplaint(c.context, c.commitments, c.shares, c.members.indexOf(complainer) + 1, complaint);
}

/** Every proof of a ballot, against this poll's shape and key. Throws BallotCryptoError (the tablet is told why). */
export function checkBallot(poll: CommitteePoll, ballot: EncryptedBallot): void {
  verifyBallot(committeeShape(poll), publicKeyOf(poll), ballot);
}

/** The ciphertexts of every ballot added per question and option (each ballot's proofs were checked at its cast). */
export function aggregatesOf(poll: CommitteePoll, ballots: readonly EncryptedBallot[]) {
  const decoded = ballots.map((b) => b.questions.map((q) => q.options.map((o) => ({ a: decodePoint(o.a), b: decodePoint(o.b) }))));
  return aggregate(committeeShape(poll), decoded);
}

/**
 * Checks a member's decryption share against the aggregate; when it brings the verified shares to the threshold,
 * returns the poll's counts (the event that records the share carries them), else undefined.
 */
export function countWithShare(poll: CommitteePoll, ballots: readonly EncryptedBallot[], partial: PartialDecryption, issued: number): PollCounts | undefined {
  const shape = committeeShape(poll);
  const aggregates = aggregatesOf(poll, ballots);
  const fresh = verifyPartial(shape, poll.committee.commitments, aggregates, partial);
  if (poll.committee.partials.length + 1 < poll.committee.threshold) return undefined;
  const shares = new Map(poll.committee.partials.map((p) => [p.member, verifyPartial(shape, poll.committee.commitments, aggregates, p)]));
  shares.set(partial.member, fresh);
  const counts = combine(params(poll.committee), aggregates, shares, ballots.length);
  return countsFromCommittee(poll, counts, poll.presentAtClose);
}

/** counts[q][o] of a counted committee poll: what the board claims and `verify` recomputes. */
function countsMatrix(poll: CommitteePoll): number[][] | null {
  const c = poll.counts;
  if (!c) return null;
  const options = committeeOptions(poll);
  if (c.kind === 'motion') return [[c.yes, c.no, c.abstain]];
  if (c.kind === 'election') return null;
  return poll.officialIds.map((id) => options.map((o) => (c.officials[id] as Record<string, number | undefined>)[o] ?? 0));
}

/**
 * A committee poll's public board: its parameters and ceremony, from its close the ballots and their sums, and from
 * the chair's announcement the members' decryption shares and the counts.
 */
export interface CommitteeBoard extends Omit<BulletinBoard, 'counts'> {
  pollId: string;
  phase: 'ceremony' | 'voting' | 'decrypting' | 'counted' | 'cancelled';
  /** Shares dealt at the ceremony, sealed to their recipients: members' devices fetch theirs from here. */
  sealedShares: PollCommittee['shares'];
  /** Per question and option, the sum of every ballot's ciphertexts (from the close; recomputed by `verify`). */
  aggregates: { a: string; b: string }[][] | null;
  /** Null until the poll is announced (as `partials` stays empty): results are public only from the announcement. */
  counts: number[][] | null;
}

/**
 * Ballots are listed only once the poll is closed and in receipt order, so neither the board nor its changes over time
 * tell in which order ballots came in (which, with the journal's "has cast" order, would link them to voters).
 */
export function boardOf(poll: CommitteePoll, ballots: readonly EncryptedBallot[] | null): CommitteeBoard {
  const c = poll.committee;
  const complete = c.commitments.length === c.members.length;
  const closed = ballots !== null && c.phase === 'decrypting';
  const listed = closed ? ballots.map((ballot) => ({ receipt: ballotReceipt(ballot), ballot })).sort((x, y) => (x.receipt < y.receipt ? -1 : x.receipt > y.receipt ? 1 : 0)) : [];
  const phase = poll.status === 'cancelled' ? 'cancelled' : poll.status !== 'open' ? 'counted' : c.phase;
  // The shares decrypt the sums, so they are the result: like the counts, nobody sees them before the chair announces.
  const announced = poll.status === 'announced';
  return {
    version: 1,
    pollId: poll.pollId,
    phase,
    shape: committeeShape(poll),
    committee: params(c),
    commitments: c.commitments,
    publicKey: complete ? encodePoint(committeeKey(c.commitments)) : '',
    sealedShares: c.shares,
    ballots: listed,
    aggregates: closed ? aggregatesOf(poll, ballots).map((row) => row.map((x) => ({ a: encodePoint(x.a), b: encodePoint(x.b) }))) : null,
    partials: announced ? c.partials : [],
    counts: announced ? countsMatrix(poll) : null,
  };
}
