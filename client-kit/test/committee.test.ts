import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommandAck, CommandPayload, PollView } from '@hall/core';
import { aggregate, ballotReceipt, checkComplaint, combine, committeeKey, decodePoint, encodePoint, verifyBoard, verifyPartial, type BulletinBoard, type EncryptedBallot } from '@hall/core/ballot-crypto';
import type { HallClient } from '../src/client.ts';
import { makeClient, SESSION, until } from './support/fake-hall.ts';
import {
  advanceMember,
  castCommittee,
  castEncrypted,
  forgetFinished,
  memberKey,
  receiptKey,
  receiptOnBoard,
  shortReceipt,
  storedReceipt,
  type CommandSender,
  type CommitteeBoard,
  type CommitteeVoter,
  type MemberCommand,
  type SecretStore,
} from '../src/committee.ts';

/** localStorage as a Map, so a test can see every byte a member's device keeps. */
class MemoryStore implements SecretStore {
  readonly items = new Map<string, string>();
  getItem = (k: string) => this.items.get(k) ?? null;
  setItem = (k: string, v: string) => void this.items.set(k, v);
  removeItem = (k: string) => void this.items.delete(k);
}

const CONTEXT = 'hall:tien-du/td-kh1/p1';
const MEMBERS = ['d1', 'd2', 'd3'];

/**
 * A stand-in for the server: it keeps the poll view's committee flags and the public board in step with the
 * commands the devices send, as the real one does (server tests [CPOLL-*] cover the real one).
 */
function fakePoll(kind: 'motion' | 'confidenceRating' = 'motion') {
  const officials = kind === 'motion' ? [] : [{ id: 'o1', name: 'Ông A', post: 'Chủ tịch' }, { id: 'o2', name: 'Bà B', post: 'Phó Chủ tịch' }];
  const poll = {
    pollId: 'p1',
    kind,
    mode: 'secret',
    sealing: 'committee',
    castCount: 0,
    officials,
    committee: { phase: 'ceremony', threshold: 2, context: CONTEXT, members: MEMBERS.map((delegateId, i) => ({ index: i + 1, delegateId, name: `Đại biểu ${i + 1}`, committed: false, dealt: false, decrypted: false })) },
  } as unknown as PollView & { committee: NonNullable<PollView['committee']> };
  const questions = kind === 'motion' ? 1 : officials.length;
  const board: CommitteeBoard = {
    pollId: 'p1',
    phase: 'ceremony',
    shape: { pollContext: CONTEXT, options: Array.from({ length: questions }, () => 3) },
    committee: { members: 3, threshold: 2 },
    commitments: [],
    publicKey: '',
    sealedShares: [],
    ballots: [],
    aggregates: null,
    partials: [],
    counts: null,
  };
  const ballots: EncryptedBallot[] = [];
  const member = (i: number) => poll.committee.members[i - 1]!;
  const apply = (by: string, cmd: MemberCommand) => {
    const m = poll.committee.members.find((x) => x.delegateId === by)!;
    if (cmd.type === 'committee.commit') {
      board.commitments.push(cmd.payload.commitment);
      m.committed = true;
    } else if (cmd.type === 'committee.deal') {
      board.sealedShares.push(...cmd.payload.shares);
      m.dealt = true;
      if (poll.committee.members.every((x) => x.dealt)) board.phase = poll.committee.phase = 'voting';
    } else if (cmd.type === 'committee.decrypt') {
      board.partials.push(cmd.payload.partial);
      m.decrypted = true;
    } else {
      throw new Error(`the fake poll does not take ${cmd.type}`);
    }
  };
  const close = () => {
    board.phase = poll.committee.phase = 'decrypting';
    board.ballots = ballots.map((ballot) => ({ receipt: '', ballot }));
  };
  return { poll, board, ballots, member, apply, close };
}

type Fake = ReturnType<typeof fakePoll>;

/** Every member's device runs `advanceMember` until nobody has anything to send. */
function runCeremony(f: Fake, stores: Map<string, SecretStore>) {
  for (let round = 0; round < 4; round++) {
    for (const id of MEMBERS) {
      const { command } = advanceMember({ poll: f.poll, delegateId: id, storage: stores.get(id)!, board: f.board });
      if (command) f.apply(id, command);
    }
  }
}

const sender = (f: Fake) => ({
  sent: [] as unknown[],
  send(type: 'ballot.castEncrypted', payload: { pollId: string; ballot: EncryptedBallot }) {
    this.sent.push({ type, payload });
    f.ballots.push(payload.ballot);
    f.poll.castCount++;
    return { commandId: `c${this.sent.length}` };
  },
});

describe('[KIT-CMTE] a committee member\'s device and a voter\'s tablet', () => {
  it('[KIT-CMTE-1] three devices run the ceremony from the poll view, voters encrypt to the key they compute, two members confirm and the counts come out right', () => {
    const f = fakePoll();
    const stores = new Map(MEMBERS.map((id) => [id, new MemoryStore()]));
    // Before anything: each device's own first step is its commitment; an outsider has nothing to do.
    expect(advanceMember({ poll: f.poll, delegateId: 'd9', storage: new MemoryStore(), board: f.board }).status).toEqual({ step: 'none' });
    const first = advanceMember({ poll: f.poll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board });
    expect(first).toMatchObject({ status: { step: 'commit', index: 1 }, command: { type: 'committee.commit', payload: { pollId: 'p1' } } });
    // Asked again before the ack (a re-render, a reload): the same commitment, not a new one.
    expect(advanceMember({ poll: f.poll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board }).command).toEqual(first.command);
    f.apply('d1', first.command!);
    expect(advanceMember({ poll: f.poll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board }).status.step).toBe('waitCommitments');

    runCeremony(f, stores);
    expect(f.poll.committee.phase).toBe('voting');
    for (const id of MEMBERS) expect(advanceMember({ poll: f.poll, delegateId: id, storage: stores.get(id)!, board: f.board }).status.step).toBe('ready');
    // The secrets stay in each device's own storage, under the poll's key; nothing secret went into the board.
    for (const [i, id] of MEMBERS.entries()) {
      expect([...stores.get(id)!.items.keys()]).toEqual([memberKey(CONTEXT, id)]);
      const stored = JSON.parse(stores.get(id)!.getItem(memberKey(CONTEXT, id))!) as { secret: string; coefficients: string[] };
      expect(JSON.stringify(f.board)).not.toContain(stored.secret);
      for (const c of stored.coefficients) expect(JSON.stringify(f.board)).not.toContain(c);
      expect(stored).toMatchObject({ index: i + 1 });
    }

    // Voters: the server's `publicKey` is ignored — a wrong one changes nothing.
    f.board.publicKey = f.board.commitments[0]!.commitments[1]!;
    const client = sender(f);
    const choices = ['yes', 'no', 'yes', 'abstain', 'yes'] as const;
    const receipts = choices.map((c) => castEncrypted(client, f.poll, f.board, c));
    expect(new Set(receipts.map((r) => r.receipt)).size).toBe(5);
    expect(client.sent).toHaveLength(5);
    expect(shortReceipt(receipts[0]!.receipt)).toMatch(/^[0-9A-F]{8}…[0-9A-F]{8}$/);

    f.close();
    // No decryption without the member's confirmation.
    const waiting = advanceMember({ poll: f.poll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board });
    expect(waiting).toEqual({ status: { step: 'confirmDecrypt', index: 1 } });
    for (const id of ['d1', 'd3']) {
      const { command } = advanceMember({ poll: f.poll, delegateId: id, storage: stores.get(id)!, board: f.board, confirmDecrypt: true });
      expect(command?.type).toBe('committee.decrypt');
      f.apply(id, command!);
    }
    expect(advanceMember({ poll: f.poll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board }).status.step).toBe('decrypted');
    // Once counted the key shares are forgotten, by the step itself or by the sweep over the session's polls.
    f.poll.committee.phase = 'done';
    expect(advanceMember({ poll: f.poll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board }).status.step).toBe('done');
    expect(stores.get('d1')!.items.size).toBe(0);
    forgetFinished(stores.get('d2')!, [f.poll], 'd2');
    expect(stores.get('d2')!.items.size).toBe(0);
    expect(stores.get('d3')!.items.size).toBe(1);

    // What the server does with the two shares: verify each, combine; the counts are the votes cast.
    const shape = f.board.shape;
    const aggregates = aggregate(shape, f.ballots.map((b) => b.questions.map((q) => q.options.map((o) => ({ a: decodePoint(o.a), b: decodePoint(o.b) })))));
    const shares = new Map(f.board.partials.map((p) => [p.member, verifyPartial(shape, f.board.commitments, aggregates, p)]));
    const counts = combine(f.board.committee, aggregates, shares, f.ballots.length);
    expect(counts).toEqual([[3, 1, 1]]);

    // The board as the server publishes it: the receipts are found, and the whole board verifies.
    f.board.ballots = f.ballots.map((ballot, i) => ({ receipt: receipts[i]!.receipt, ballot })).sort((a, b) => (a.receipt < b.receipt ? -1 : 1));
    f.board.aggregates = aggregates.map((row) => row.map((x) => ({ a: encodePoint(x.a), b: encodePoint(x.b) })));
    f.board.publicKey = encodePoint(committeeKey(f.board.commitments));
    f.board.counts = counts;
    expect(verifyBoard({ version: 1, ...JSON.parse(JSON.stringify(f.board)) } as BulletinBoard)).toMatchObject({ ok: true, counts: [[3, 1, 1]] });
    for (const r of receipts) expect(receiptOnBoard(f.board, r.receipt)).toBe(true);
  }, 60_000);

  it('[KIT-CMTE-2] a share that does not match its dealer\'s commitments names the dealer, in Vietnamese; the device keeps no key share', () => {
    const f = fakePoll();
    const stores = new Map(MEMBERS.map((id) => [id, new MemoryStore()]));
    for (const id of MEMBERS) f.apply(id, advanceMember({ poll: f.poll, delegateId: id, storage: stores.get(id)!, board: f.board }).command!);
    for (const id of MEMBERS) f.apply(id, advanceMember({ poll: f.poll, delegateId: id, storage: stores.get(id)!, board: f.board }).command!);
    // Member 2 dealt member 1 something else: a share sealed for member 3 relabelled.
    const to1 = f.board.sealedShares.findIndex((s) => s.from === 2 && s.to === 1);
    const to3 = f.board.sealedShares.find((s) => s.from === 2 && s.to === 3)!;
    f.board.sealedShares[to1] = { ...to3, to: 1 };
    const { status, command } = advanceMember({ poll: f.poll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board });
    expect(status).toMatchObject({ step: 'badShare', dealer: 2, dealerName: 'Đại biểu 2' });
    // The device complains, with evidence anyone can check against the dealer's commitments (as the server does).
    expect(command?.type).toBe('committee.complain');
    const complaint = (command as { payload: CommandPayload<'committee.complain'> }).payload.complaint;
    expect(complaint.dealer).toBe(2);
    expect(() => checkComplaint(CONTEXT, f.board.commitments, f.board.sealedShares, 1, complaint)).not.toThrow();
    // Once a complaint is upheld the view says so: the device names the dealer and sends nothing more.
    const failedPoll = { ...f.poll, committee: { ...f.poll.committee!, failed: { dealer: 2, dealerId: 'd2', dealerName: 'Đại biểu 2', by: 'd1' } } };
    const after = advanceMember({ poll: failedPoll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board });
    expect(after).toEqual({ status: status });
    expect(advanceMember({ poll: failedPoll, delegateId: 'd3', storage: stores.get('d3')!, board: f.board })).toEqual({ status: { ...status, index: 3 } });
    expect(status.step === 'badShare' && status.message).toMatch(/^Phần khoá do thành viên số 2 \(Đại biểu 2\) gửi cho máy này không khớp.*Chủ toạ cần huỷ và mở lại/);
    expect(JSON.parse(stores.get('d1')!.getItem(memberKey(CONTEXT, 'd1'))!).secret).toBeUndefined();
    // The others are not affected.
    expect(advanceMember({ poll: f.poll, delegateId: 'd3', storage: stores.get('d3')!, board: f.board }).status.step).toBe('ready');
  }, 60_000);

  it('[KIT-CMTE-3] the voter\'s key is never the server\'s: a commitment with a broken proof, or one missing, is refused; a receipt is found only with its own ballot', () => {
    const f = fakePoll('confidenceRating');
    const stores = new Map(MEMBERS.map((id) => [id, new MemoryStore()]));
    runCeremony(f, stores);
    const client = sender(f);
    // A server that swapped member 3's commitment for one of its own (its proof does not hold for it).
    const honest = f.board.commitments[2]!;
    f.board.commitments[2] = { ...honest, commitments: [honest.commitments[1]!, honest.commitments[1]!] };
    expect(() => castEncrypted(client, f.poll, f.board, { o1: 'high', o2: 'low' })).toThrow(/proof of knowledge/);
    f.board.commitments[2] = honest;
    expect(() => castEncrypted(client, f.poll, { commitments: f.board.commitments.slice(0, 2) }, { o1: 'high', o2: 'low' })).toThrow(/not complete/);
    // A choice the ballot has no option for never leaves the tablet.
    expect(() => castEncrypted(client, f.poll, f.board, { o1: 'high' })).toThrow(/not one of/);
    expect(client.sent).toHaveLength(0);

    const { receipt } = castEncrypted(client, f.poll, f.board, { o1: 'high', o2: 'low' });
    const { receipt: other } = castEncrypted(client, f.poll, f.board, { o1: 'confidence', o2: 'low' });
    const [mine, theirs] = f.ballots;
    expect(receiptOnBoard({ ballots: [{ receipt, ballot: mine! }] }, receipt)).toBe(true);
    expect(receiptOnBoard({ ballots: [{ receipt: other, ballot: theirs! }] }, receipt)).toBe(false);
    // A board that prints my receipt beside a different ballot does not fool the check.
    expect(receiptOnBoard({ ballots: [{ receipt, ballot: theirs! }] }, receipt)).toBe(false);
  }, 60_000);

  it('[KIT-CMTE-4] a device without the member\'s secrets says so; a board listing fewer ballots than were cast is not decrypted', () => {
    const f = fakePoll();
    const stores = new Map(MEMBERS.map((id) => [id, new MemoryStore()]));
    runCeremony(f, stores);
    expect(advanceMember({ poll: f.poll, delegateId: 'd2', storage: new MemoryStore(), board: f.board }).status).toMatchObject({ step: 'lost', message: expect.stringMatching(/^Máy này không giữ phần khoá/) });
    const client = sender(f);
    castEncrypted(client, f.poll, f.board, 'yes');
    castEncrypted(client, f.poll, f.board, 'no');
    f.close();
    // Only one of the two ballots listed: what would be decrypted is one voter's ballot, not a total.
    f.board.ballots = f.board.ballots.slice(0, 1);
    expect(() => advanceMember({ poll: f.poll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board, confirmDecrypt: true })).toThrow(/lists 1 distinct ballots, 2 were cast/);
    f.board.ballots = [f.board.ballots[0]!, f.board.ballots[0]!];
    expect(() => advanceMember({ poll: f.poll, delegateId: 'd1', storage: stores.get('d1')!, board: f.board, confirmDecrypt: true })).toThrow(/distinct/);
  }, 60_000);

  describe('castCommittee', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });
    /** The server's board endpoint for the session (td-kh1 unless named) on http://h; any other address is a 404. */
    const serveBoard = (f: Fake, sessionId = 'td-kh1') => {
      const fetchMock = vi.fn(async (url: string) =>
        url === `http://h/api/sessions/${sessionId}/polls/p1/board` ? new Response(JSON.stringify({ ok: true, board: f.board }), { status: 200 }) : new Response('{}', { status: 404 }),
      );
      vi.stubGlobal('fetch', fetchMock);
      return fetchMock;
    };

    it('[KIT-CMTE-5] one call fetches the board, encrypts, sends and keeps only the receipt in the store it is given; a store that fails does not stop the vote; no board, no cast', async () => {
      const f = fakePoll();
      runCeremony(f, new Map(MEMBERS.map((id) => [id, new MemoryStore()])));
      const fetchMock = serveBoard(f);
      const voter = Object.assign(sender(f), { sessionId: 'td-kh1' as string | null, actor: { id: 'd7' } as { id: string } | null });
      const receipts = new MemoryStore();
      const measured = performance.getEntriesByName('hall:encrypt').length;

      const cast = await castCommittee(voter, f.poll, 'no', { receipts, baseUrl: 'http://h' });
      expect(fetchMock).toHaveBeenCalledTimes(1);
      expect(voter.sent).toEqual([{ type: 'ballot.castEncrypted', payload: { pollId: 'p1', ballot: f.ballots[0] } }]);
      expect(cast).toEqual({ commandId: 'c1', receipt: ballotReceipt(f.ballots[0]!) });
      // The receipt, under the voter's key for this poll, is all the store holds: nothing of the choice.
      expect([...receipts.items]).toEqual([[receiptKey(f.poll, 'd7'), cast.receipt]]);
      expect(storedReceipt(f.poll, 'd7', receipts)).toBe(cast.receipt);
      expect(storedReceipt(f.poll, 'd8', receipts)).toBeNull();
      expect(performance.getEntriesByName('hall:encrypt').length).toBe(measured + 1);

      // A tablet whose storage refuses the write still votes.
      const full: SecretStore = {
        getItem: () => null,
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
        removeItem: () => undefined,
      };
      const second = await castCommittee(voter, f.poll, 'yes', { receipts: full, baseUrl: 'http://h' });
      expect(voter.sent).toHaveLength(2);
      expect(second.receipt).toBe(ballotReceipt(f.ballots[1]!));

      // Not joined to a session, or a poll with no board: refused before anything is encrypted or sent.
      await expect(castCommittee({ ...voter, sessionId: null }, f.poll, 'yes', { receipts, baseUrl: 'http://h' })).rejects.toThrow('no board');
      await expect(castCommittee(voter, { ...f.poll, pollId: 'p-none' }, 'yes', { receipts, baseUrl: 'http://h' })).rejects.toThrow('no board');
      expect(voter.sent).toHaveLength(2);
      expect(receipts.items.size).toBe(1);
    }, 60_000);

    it('[KIT-CMTE-6] the receipt is kept before the ballot leaves and stays while no answer comes; a send that throws takes it back', async () => {
      const f = fakePoll();
      runCeremony(f, new Map(MEMBERS.map((id) => [id, new MemoryStore()])));
      serveBoard(f);
      const receipts = new MemoryStore();
      // A tablet that dies in the middle of sending: the send is called, and its answer never comes.
      const heldAtSend: (string | null)[] = [];
      const silent: CommitteeVoter = {
        sessionId: 'td-kh1',
        actor: { id: 'd7' },
        send: () => {
          heldAtSend.push(storedReceipt(f.poll, 'd7', receipts));
          return { commandId: 'c-silent', done: new Promise<never>(() => undefined) };
        },
      };
      const cast = await castCommittee(silent, f.poll, 'no', { receipts, baseUrl: 'http://h' });
      expect(heldAtSend).toEqual([cast.receipt]);
      await new Promise((r) => setTimeout(r, 20));
      expect(storedReceipt(f.poll, 'd7', receipts)).toBe(cast.receipt);

      // A send that throws (not joined after all) cast nothing: the store holds what it held before.
      const throwing: CommitteeVoter = {
        ...silent,
        send: () => {
          throw new Error('HallClient.send: join a session first');
        },
      };
      await expect(castCommittee(throwing, f.poll, 'yes', { receipts, baseUrl: 'http://h' })).rejects.toThrow('join a session first');
      expect(storedReceipt(f.poll, 'd7', receipts)).toBe(cast.receipt);
    }, 60_000);

    it('[KIT-CMTE-7] through HallClient: OUTCOME_UNKNOWN keeps the receipt while the same commandId goes again; a definitive refusal leaves none (or the receipt kept before)', async () => {
      const f = fakePoll();
      runCeremony(f, new Map(MEMBERS.map((id) => [id, new MemoryStore()])));
      serveBoard(f, SESSION);
      const { client, hall } = makeClient();
      try {
        client.connect();
        await client.join(SESSION);
        const receipts = new MemoryStore();
        const unknown: CommandAck = { ok: false, code: 'OUTCOME_UNKNOWN', message: 'Chưa xác nhận được' };
        const refused: CommandAck = { ok: false, code: 'REJECTED', reason: 'WRONG_STATE', message: 'Không thể thực hiện ở giai đoạn hiện tại của kỳ họp' };
        const heldWhileUnknown: (string | null)[] = [];
        hall.commandHook = (_cmd, attempt) => {
          heldWhileUnknown.push(storedReceipt(f.poll, 'd7', receipts));
          return attempt <= 2 ? unknown : refused;
        };
        const first = await castCommittee(client, f.poll, 'no', { receipts, baseUrl: 'http://h' });
        const pending = client.pending().find((c) => c.commandId === first.commandId)!;
        await expect(pending.done).resolves.toMatchObject({ state: 'refused', code: 'REJECTED' });
        expect(hall.attempts.get(first.commandId)).toBe(3);
        expect(heldWhileUnknown).toEqual([first.receipt, first.receipt, first.receipt]);
        await until(() => storedReceipt(f.poll, 'd7', receipts) === null, 'the refused receipt to be taken back');
        expect(receipts.items.size).toBe(0);

        // Recorded after an OUTCOME_UNKNOWN: the receipt stays.
        hall.commandHook = (_cmd, attempt) => (attempt === 1 ? unknown : undefined);
        const recorded = await castCommittee(client, f.poll, 'yes', { receipts, baseUrl: 'http://h' });
        await until(() => hall.applied.some((c) => c.commandId === recorded.commandId), 'the second ballot to be recorded');
        await until(() => client.pending().length === 0, 'the kit to settle it');
        expect(storedReceipt(f.poll, 'd7', receipts)).toBe(recorded.receipt);

        // A second cast the server refuses (the voter has voted) takes back only its own receipt: the recorded one stays.
        hall.commandHook = () => refused;
        const again = await castCommittee(client, f.poll, 'abstain', { receipts, baseUrl: 'http://h' });
        expect(storedReceipt(f.poll, 'd7', receipts)).toBe(again.receipt);
        await until(() => storedReceipt(f.poll, 'd7', receipts) === recorded.receipt, 'the recorded receipt to be put back');
      } finally {
        client.close();
      }
    }, 60_000);
  });
});

// HallClient is a CommandSender (compile-time check).
export const _clientSends = (c: HallClient): CommandSender => c;
// …and a CommitteeVoter, so castCommittee takes it as it is.
export const _clientVotes = (c: HallClient): CommitteeVoter => c;
