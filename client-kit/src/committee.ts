/**
 * Committee ballots on the tablets (docs/committee-ballots.md): what one counting-committee member's device does at
 * each step of a poll, and how a voter's tablet encrypts, casts and later finds its ballot on the public board.
 *
 * Pure apart from the storage it is handed: `advanceMember` decides the member's next step from the poll view and
 * the public board and returns the command to send (the app sends it); the member's secrets live only in `storage`
 * (the tablet's localStorage), leave it only as the protocol says (shares sealed to the other members, proven
 * decryption shares), and are never derived from anything the server could choose.
 */
import { committeeOptions, type BallotChoice, type CommandPayload, type PollView } from '@hall/core';
import {
  aggregate,
  BallotCryptoError,
  badDealers,
  ballotReceipt,
  committeeKey,
  complainAboutShare,
  dealShares,
  decodePoint,
  decryptShare,
  encryptBallot,
  finishCeremony,
  startCeremony,
  verifyCommitment,
  type BallotShape,
  type EncryptedBallot,
  type MemberCommitment,
  type MemberSecrets,
  type PartialDecryption,
  type RandomBytes,
  type SealedShare,
} from '@hall/core/ballot-crypto';
import { HallError, messageFor, type HallErrorCode } from './errors.ts';

/** The part of `Storage` the committee needs (localStorage on a tablet; a Map-backed fake in tests). */
export interface SecretStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The public bulletin board (`GET /api/sessions/<s>/polls/<p>/board`) as the tablets read it. */
export interface CommitteeBoard {
  pollId: string;
  phase: 'ceremony' | 'voting' | 'decrypting' | 'counted' | 'cancelled';
  shape: BallotShape;
  committee: { members: number; threshold: number };
  commitments: MemberCommitment[];
  /** The server's claim; tablets recompute the key from `commitments` and never use this. */
  publicKey: string;
  sealedShares: SealedShare[];
  ballots: { receipt: string; ballot: EncryptedBallot }[];
  aggregates: { a: string; b: string }[][] | null;
  partials: PartialDecryption[];
  counts: number[][] | null;
}

/** Crypto randomness of the browser (or Node's webcrypto in tests). */
export const webRandom: RandomBytes = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

/** The board of a committee poll; null when the poll has none (not a committee poll, or unknown). */
export async function fetchBoard(sessionId: string, pollId: string, opts: { baseUrl?: string; signal?: AbortSignal } = {}): Promise<CommitteeBoard | null> {
  let res: Response;
  try {
    res = await fetch(`${opts.baseUrl ?? ''}/api/sessions/${encodeURIComponent(sessionId)}/polls/${encodeURIComponent(pollId)}/board`, { signal: opts.signal ?? null });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new HallError('NETWORK');
  }
  opts.signal?.throwIfAborted();
  if (res.status === 404) return null;
  const body = (await res.json().catch(() => null)) as { ok?: boolean; code?: string; message?: string; board?: CommitteeBoard } | null;
  if (!res.ok || !body?.ok || !body.board) {
    const code = (body?.code ?? 'INTERNAL') as HallErrorCode;
    throw new HallError(code, body?.message ?? messageFor(code), res.status);
  }
  return body.board;
}

// ——— the ballot: shape and choices, computed from the poll view, never taken from the server's board ———

/** Questions × options of the poll's ballot, as the machine defines them (`committeeShape`). */
export function ballotShapeOf(poll: PollView): BallotShape {
  if (!poll.committee) throw new BallotCryptoError('BAD_BALLOT', 'not a committee poll');
  const per = committeeOptions(poll).length;
  const questions = poll.kind === 'motion' ? 1 : poll.officials.length;
  return { pollContext: poll.committee.context, options: Array.from({ length: questions }, () => per) };
}

/** The chosen option of every question: a motion's one choice, or one level per official in the poll's order. */
export function choiceIndices(poll: PollView, choice: BallotChoice): number[] {
  const options = committeeOptions(poll);
  const pick = (c: unknown) => {
    const i = typeof c === 'string' ? options.indexOf(c) : -1;
    if (i < 0) throw new BallotCryptoError('BAD_BALLOT', `choice ${String(c)} is not one of ${options.join(', ')}`);
    return i;
  };
  if (poll.kind === 'motion') return [pick(choice)];
  if (typeof choice !== 'object' || choice === null || Array.isArray(choice)) throw new BallotCryptoError('BAD_BALLOT', 'one level per official expected');
  return poll.officials.map((o) => pick((choice as Record<string, unknown>)[o.id]));
}

/**
 * The poll's public key, computed here from the committee's published commitments — every one's proof checked and
 * one per member — so a server that swapped in a key of its own would be caught, not obeyed.
 */
export function pollKeyFrom(poll: PollView, commitments: readonly MemberCommitment[]) {
  const c = poll.committee;
  if (!c) throw new BallotCryptoError('BAD_BALLOT', 'not a committee poll');
  const params = { members: c.members.length, threshold: c.threshold };
  const indices = commitments.map((m) => m.index).sort((a, b) => a - b);
  if (indices.length !== params.members || indices.some((x, i) => x !== i + 1)) throw new BallotCryptoError('BAD_SHARE', 'the key ceremony is not complete');
  for (const m of commitments) verifyCommitment(c.context, params, m);
  return committeeKey(commitments);
}

/** Encrypts a choice for the poll; the receipt is what the voter later looks for on the board. */
export function encryptChoice(poll: PollView, commitments: readonly MemberCommitment[], choice: BallotChoice, random: RandomBytes = webRandom): { ballot: EncryptedBallot; receipt: string } {
  const ballot = encryptBallot(ballotShapeOf(poll), pollKeyFrom(poll, commitments), choiceIndices(poll, choice), random);
  return { ballot, receipt: ballotReceipt(ballot) };
}

/**
 * What sends a command: `HallClient.send` (which gives it a command id and resends it until answered). `done`, when
 * the sender has it, settles once the answer is definitive: recorded, or refused (nothing recorded).
 */
export interface CommandSender {
  send(type: 'ballot.castEncrypted', payload: CommandPayload<'ballot.castEncrypted'>): { commandId: string; done?: PromiseLike<{ state: string }> };
}

/** Encrypts on this device, sends `ballot.castEncrypted`, and returns the receipt with the command's id. */
export function castEncrypted(client: CommandSender, poll: PollView, board: Pick<CommitteeBoard, 'commitments'>, choice: BallotChoice, random: RandomBytes = webRandom): { receipt: string; commandId: string } {
  const { ballot, receipt } = encryptChoice(poll, board.commitments, choice, random);
  const { commandId } = client.send('ballot.castEncrypted', { pollId: poll.pollId, ballot });
  return { receipt, commandId };
}

/** The caller of `castCommittee`: a `HallClient`, joined to the session, signed in as the voter. */
export interface CommitteeVoter extends CommandSender {
  readonly sessionId: string | null;
  readonly actor: { id: string } | null;
}

/**
 * A voter's committee ballot in one call: fetches the poll's board, encrypts the choice on this device to the key
 * computed from the committee's commitments, keeps the receipt (which shows nothing of the choice) in `receipts` — the
 * tablet's localStorage unless another store is given — for the check on the public board after the announcement,
 * then sends `ballot.castEncrypted`. The receipt is kept before the ballot leaves, so a tablet that dies once it is
 * sent (the kit resends it after a reload) can still check the board; a definitive refusal takes it back, so the
 * tablet never claims a ballot that was not recorded. OUTCOME_UNKNOWN keeps it: the kit sends the same commandId
 * again until the answer is definitive. A store that cannot be written does not stop the vote.
 */
export async function castCommittee(
  client: CommitteeVoter,
  poll: PollView,
  choice: BallotChoice,
  opts: { receipts?: SecretStore; baseUrl?: string; random?: RandomBytes } = {},
): Promise<{ receipt: string; commandId: string }> {
  const sessionId = client.sessionId;
  const me = client.actor?.id;
  const board = sessionId ? await fetchBoard(sessionId, poll.pollId, opts.baseUrl === undefined ? {} : { baseUrl: opts.baseUrl }) : null;
  if (!board) throw new Error('no board');
  globalThis.performance?.mark('hall:encrypt:start');
  const { ballot, receipt } = encryptChoice(poll, board.commitments, choice, opts.random);
  // Measured for the tablet test's figure (encryption and proofs only); the mark carries no content of the ballot.
  globalThis.performance?.measure('hall:encrypt', 'hall:encrypt:start');
  const kept = me ? keepReceipt(opts.receipts ?? globalThis.localStorage, receiptKey(poll, me), receipt) : null;
  let sent: ReturnType<CommandSender['send']>;
  try {
    sent = client.send('ballot.castEncrypted', { pollId: poll.pollId, ballot });
  } catch (err) {
    kept?.takeBack();
    throw err;
  }
  sent.done?.then((status) => {
    if (status.state === 'refused') kept?.takeBack();
  });
  return { receipt, commandId: sent.commandId };
}

/**
 * Writes a receipt under `key`; `takeBack` puts back what the key held before (a receipt already recorded for this
 * voter must outlive a second cast that is refused), unless a later cast has written its own since.
 */
function keepReceipt(store: SecretStore | undefined, key: string, receipt: string): { takeBack(): void } {
  let before: string | null = null;
  try {
    before = store?.getItem(key) ?? null;
    store?.setItem(key, receipt);
  } catch {
    // A tablet with no storage still votes; only the later check on the board needs the receipt.
  }
  return {
    takeBack() {
      try {
        if (!store || store.getItem(key) !== receipt) return;
        if (before === null) store.removeItem(key);
        else store.setItem(key, before);
      } catch {
        // Nothing to take back from a store that cannot be read.
      }
    },
  };
}

/** Whether the board lists a ballot with this receipt — recomputed from the ballot itself, not read off the board. */
export function receiptOnBoard(board: Pick<CommitteeBoard, 'ballots'>, receipt: string): boolean {
  return board.ballots.some((b) => b.receipt === receipt && ballotReceipt(b.ballot) === receipt);
}

const ZERO64 = '0'.repeat(64);
/**
 * A stand-in ballot that only passes the command's schema (no proof in it holds): what a tablet asks the machine
 * with — "may this delegate cast on this poll now?" — before it encrypts anything. Never sent.
 */
export const probeBallot: EncryptedBallot = {
  questions: [{ options: [0, 1].map(() => ({ a: ZERO64, b: ZERO64, proof: { c0: ZERO64, c1: ZERO64, s0: ZERO64, s1: ZERO64 } })), sumProof: { c: ZERO64, s: ZERO64 } }],
};

/** Receipts are long hex strings: the short form a person compares by eye. */
export const shortReceipt = (receipt: string): string => `${receipt.slice(0, 8)}…${receipt.slice(-8)}`.toUpperCase();

/** Where this tablet keeps a voter's receipt for a poll (the poll context names council, session and poll). */
export const receiptKey = (poll: PollView, delegateId: string): string => `hall.receipt:${poll.committee?.context ?? poll.pollId}:${delegateId}`;

/** The receipt `castCommittee` kept for this voter and poll (localStorage unless another store is given), if any. */
export function storedReceipt(poll: PollView, delegateId: string, receipts?: Pick<SecretStore, 'getItem'>): string | null {
  try {
    return (receipts ?? globalThis.localStorage)?.getItem(receiptKey(poll, delegateId)) ?? null;
  } catch {
    return null;
  }
}

// ——— a committee member's device ———

/** Where a member's secrets for one poll live: `hall:<council>/<session>/<poll>` is the poll's context. */
export const memberKey = (context: string, delegateId: string) => `hall.committee:${context}:${delegateId}`;

interface StoredMember {
  v: 1;
  index: number;
  coefficients: string[];
  transportSecret: string;
  /** What was published, so a resend after a reload sends the same commitment. */
  published: MemberCommitment;
  /** x_j, once every share dealt to this member has been checked. */
  secret?: string;
}

const hex = (x: bigint) => x.toString(16);
const big = (s: string) => BigInt(`0x${s}`);

function load(store: SecretStore, key: string): StoredMember | null {
  try {
    const raw = JSON.parse(store.getItem(key) ?? 'null') as StoredMember | null;
    return raw?.v === 1 ? raw : null;
  } catch {
    return null;
  }
}

const secretsOf = (s: StoredMember): MemberSecrets => ({ index: s.index, coefficients: s.coefficients.map(big), transportSecret: big(s.transportSecret) });

export type MemberStep =
  /** Not on this poll's committee (or not a committee poll). */
  | { step: 'none' }
  /** This device sends its commitment now. */
  | { step: 'commit'; index: number }
  | { step: 'waitCommitments'; index: number }
  /** Every member committed: this device deals its sealed shares now. */
  | { step: 'deal'; index: number }
  | { step: 'waitDeals'; index: number }
  /** Every share checked; this device holds its part of the key. */
  | { step: 'ready'; index: number }
  /** The poll is closed: waiting for the member to confirm the decryption. */
  | { step: 'confirmDecrypt'; index: number }
  | { step: 'decrypted'; index: number }
  | { step: 'done'; index: number }
  /**
   * A dealer's share does not match its commitments: named, the poll cannot be counted as it stands. While nobody's
   * complaint has been upheld, this device sends its own (`committee.complain`, which anyone can check).
   */
  | { step: 'badShare'; index: number; dealer: number; dealerName: string; message: string }
  /** This device does not hold the member's secrets (another tablet, storage cleared). */
  | { step: 'lost'; index: number; message: string };

export type MemberCommand =
  | { type: 'committee.commit'; payload: CommandPayload<'committee.commit'> }
  | { type: 'committee.deal'; payload: CommandPayload<'committee.deal'> }
  | { type: 'committee.decrypt'; payload: CommandPayload<'committee.decrypt'> }
  | { type: 'committee.complain'; payload: CommandPayload<'committee.complain'> };

export interface MemberInput {
  poll: PollView;
  /** The delegate this tablet belongs to. */
  delegateId: string;
  storage: SecretStore;
  /** The public board, when fetched; the steps that need it wait for it. */
  board: CommitteeBoard | null;
  /** The member pressed "Xác nhận giải mã" (decryption happens only then). */
  confirmDecrypt?: boolean;
  random?: RandomBytes;
}

export const badShareMessage = (dealer: number, name: string) =>
  `Phần khoá do thành viên số ${dealer} (${name}) gửi cho máy này không khớp với cam kết của họ: biểu quyết này không thể kiểm phiếu, Chủ toạ cần huỷ và mở lại. / The key share from member ${dealer} (${name}) does not match their commitment: this poll cannot be counted; the chair must cancel and reopen it.`;
export const lostSecretsMessage =
  'Máy này không giữ phần khoá của bạn cho biểu quyết này (đã dùng máy khác hoặc bộ nhớ đã bị xoá): bạn không thể tham gia giải mã. / This tablet does not hold your key share for this poll: you cannot take part in the decryption.';

/**
 * The member's next step and, when it is this device's turn, the command to send. Writes to `storage` only what the
 * device must remember (its ceremony secrets, then its checked key share). Calling it again before the command is
 * answered returns the same command (the same commitment, freshly sealed shares), so the app must not send twice.
 */
export function advanceMember(input: MemberInput): { status: MemberStep; command?: MemberCommand } {
  const { poll, delegateId, storage, board } = input;
  const random = input.random ?? webRandom;
  const c = poll.committee;
  const me = c?.members.find((m) => m.delegateId === delegateId);
  if (!c || !me) return { status: { step: 'none' } };
  const index = me.index;
  const params = { members: c.members.length, threshold: c.threshold };
  const key = memberKey(c.context, delegateId);
  let stored = load(storage, key);
  if (stored && stored.index !== index) stored = null;
  const lost = { status: { step: 'lost', index, message: lostSecretsMessage } as MemberStep };

  if (c.phase === 'done') {
    // Counted or cancelled: the share opens nothing this poll still needs, and k kept shares could open a ballot.
    storage.removeItem(key);
    return { status: { step: 'done', index } };
  }

  if (!me.committed) {
    if (c.phase !== 'ceremony') return lost;
    if (!stored) {
      const { secrets, published } = startCeremony(c.context, params, index, random);
      stored = { v: 1, index, coefficients: secrets.coefficients.map(hex), transportSecret: hex(secrets.transportSecret), published };
      storage.setItem(key, JSON.stringify(stored));
    }
    return { status: { step: 'commit', index }, command: { type: 'committee.commit', payload: { pollId: poll.pollId, commitment: stored.published } } };
  }
  if (!stored) return lost;
  const secrets = secretsOf(stored);

  if (!me.dealt) {
    if (c.phase !== 'ceremony') return lost;
    if (!c.members.every((m) => m.committed) || !board || board.commitments.length !== params.members) return { status: { step: 'waitCommitments', index } };
    for (const m of board.commitments) verifyCommitment(c.context, params, m);
    return { status: { step: 'deal', index }, command: { type: 'committee.deal', payload: { pollId: poll.pollId, shares: dealShares(c.context, secrets, board.commitments, random) } } };
  }
  if (c.phase === 'ceremony') return { status: { step: 'waitDeals', index } };

  const badShare = (dealer: number): MemberStep => {
    const dealerName = c.members.find((m) => m.index === dealer)?.name ?? '?';
    return { step: 'badShare', index, dealer, dealerName, message: badShareMessage(dealer, dealerName) };
  };
  // A complaint was upheld (this device's or another member's): the ceremony failed, nothing more to send.
  if (c.failed) return { status: badShare(c.failed.dealer) };
  if (stored.secret === undefined) {
    if (!board) return { status: { step: 'waitDeals', index } };
    const [dealer] = badDealers(c.context, secrets, board.commitments, board.sealedShares);
    if (dealer !== undefined) {
      const sealed = board.sealedShares.find((e) => e.from === dealer && e.to === index);
      // The sealed share and this device's proof that it opened it honestly: the server, and anyone, can check it.
      const command: MemberCommand | undefined = sealed && { type: 'committee.complain', payload: { pollId: poll.pollId, complaint: complainAboutShare(c.context, secrets, sealed, random) } };
      return { status: badShare(dealer), ...(command ? { command } : {}) };
    }
    stored.secret = hex(finishCeremony(c.context, params, secrets, board.commitments, board.sealedShares));
    storage.setItem(key, JSON.stringify(stored));
  }

  if (c.phase === 'voting') return { status: { step: 'ready', index } };
  if (me.decrypted) return { status: { step: 'decrypted', index } };
  if (!input.confirmDecrypt || !board || board.phase !== 'decrypting') return { status: { step: 'confirmDecrypt', index } };
  const shape = ballotShapeOf(poll);
  const partial = decryptShare(shape, index, big(stored.secret), aggregatesToDecrypt(poll, shape, board), random);
  return { status: { step: 'confirmDecrypt', index }, command: { type: 'committee.decrypt', payload: { pollId: poll.pollId, partial } } };
}

/**
 * What the member decrypts: the sum of the ballots the board lists, added up here rather than taken from the board's
 * `aggregates`, and only when the board lists exactly as many ballots as were cast — otherwise a server could hand
 * the committee one voter's ciphertext to open instead of the total.
 */
function aggregatesToDecrypt(poll: PollView, shape: BallotShape, board: CommitteeBoard) {
  const receipts = new Set(board.ballots.map((b) => ballotReceipt(b.ballot)));
  if (board.ballots.length !== poll.castCount || receipts.size !== board.ballots.length) {
    throw new BallotCryptoError('BAD_BALLOT', `the board lists ${board.ballots.length} distinct ballots, ${poll.castCount} were cast`);
  }
  const decoded = board.ballots.map(({ ballot }) => {
    if (ballot.questions.length !== shape.options.length || ballot.questions.some((q, i) => q.options.length !== shape.options[i])) throw new BallotCryptoError('BAD_BALLOT', 'a ballot on the board has the wrong shape');
    return ballot.questions.map((q) => q.options.map((o) => ({ a: decodePoint(o.a), b: decodePoint(o.b) })));
  });
  return aggregate(shape, decoded);
}

/**
 * Forgets this delegate's secrets of every committee poll that is over (counted or cancelled): kept, k members'
 * shares together could still open a single ballot of the box the board publishes.
 */
export function forgetFinished(storage: SecretStore, polls: readonly PollView[], delegateId: string): void {
  for (const p of polls) if (p.committee?.phase === 'done') storage.removeItem(memberKey(p.committee.context, delegateId));
}
