/**
 * Committee ballots end to end on the server (docs/committee-ballots.md), with the committee members' devices played
 * by this test: key ceremony → tablet-encrypted ballots (tampered ones refused, nothing journaled) → close → decryption
 * shares (k of n, an absent member does not block; below k the poll cannot be counted) → counts through the usual
 * rules → a bulletin board that `verifyBoard` accepts, and rejects once tampered. The unlinkability scan reads every
 * byte the server keeps (journal, snapshots, ballot box opened with the server's own secret, logs) and finds nothing
 * that ties a ballot to a delegate.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Actor, type Command } from '@hall/core';
import {
  ballotReceipt,
  complainAboutShare,
  decodePoint,
  dealShares,
  encryptBallot,
  finishCeremony,
  startCeremony,
  verifyBoard,
  type BulletinBoard,
  type EncryptedBallot,
} from '@hall/core/ballot-crypto';
import { decryptShare } from '@hall/core/ballot-crypto';
import { createMemoryStore } from '../../src/store/memory.ts';
import { SessionRoom, commandDigest, pollKey } from '../../src/runtime/session-room.ts';
import { SecretBallots } from '../../src/ballots/secret-ballots.ts';
import { aggregatesOf, type CommitteeBoard } from '../../src/ballots/committee.ts';
import { runPollVerify, VERIFY_EXIT } from '../../src/cli/verify-run.ts';
import { startTestApp } from '../support/app.ts';
import { CHAIR, D, MOTION, SECRET, SESSION, castAndScan, castSealedAndScan, ceremony, cmd, council, hall, ids, keyOf, pollOf, random, rooms, setupOf, shapeOf, startAndDeal, template, type Hall } from './committee-hall.ts';
import { ballotBytesIn, boxProblems, castOrderProblems, openBox } from './unlinkability.ts';

afterEach(async () => {
  await Promise.all(rooms.splice(0).map((r) => r.close()));
});

async function decrypt(h: Hall, pollId: string, member: number, secret: bigint) {
  const poll = pollOf(h, pollId);
  const ballots = (await new SecretBallots(h.store.ballots, SECRET).contents(pollKey(SESSION, pollId))) as unknown as EncryptedBallot[];
  return h.send(cmd('committee.decrypt', { pollId, partial: decryptShare(shapeOf(h, pollId), member, secret, aggregatesOf(poll, ballots), random) }), D(member - 1));
}

describe('[CPOLL] a committee poll, from the key ceremony to a verified count', () => {
  it('[CPOLL-1] ceremony, encrypted ballots (tampered refused), 2 of 3 members decrypt, the count flows into the rules; the board verifies and a tampered one does not', async () => {
    const h = await hall();
    await h.ok(cmd('poll.open', { pollId: 'c1', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true }), CHAIR);
    const poll = pollOf(h, 'c1');
    expect(poll.committee).toMatchObject({ members: [ids[0], ids[1], ids[2]], threshold: 2, phase: 'ceremony' });
    const view = (await import('@hall/core')).project(h.room.snapshot, h.room.seq, 'chair', null);
    expect(view.poll).toMatchObject({ sealing: 'committee', committee: { phase: 'ceremony', threshold: 2 } });

    // Nobody votes, and the chair cannot close, before the key exists.
    expect(await h.send(cmd('poll.close', { pollId: 'c1' }), CHAIR)).toMatchObject({ ok: false, reason: 'CEREMONY_PENDING' });
    // A delegate outside the committee cannot take part in the ceremony.
    const outsider = startCeremony(poll.committee.context, { members: 3, threshold: 2 }, 1, random);
    expect(await h.send(cmd('committee.commit', { pollId: 'c1', commitment: outsider.published }), D(5))).toMatchObject({ ok: false, reason: 'NOT_COMMITTEE_MEMBER' });
    // A commitment whose proof does not hold is refused before anything is journaled.
    const bad = startCeremony(poll.committee.context, { members: 3, threshold: 2 }, 1, random).published;
    const length = await h.store.journal.lastSeq(SESSION);
    expect(await h.send(cmd('committee.commit', { pollId: 'c1', commitment: { ...bad, proof: { ...bad.proof, s: bad.proof.c } } }), D(0))).toMatchObject({ ok: false, reason: 'BAD_PROOF' });
    expect(await h.store.journal.lastSeq(SESSION)).toBe(length);

    const secrets = await ceremony(h, 'c1');
    const shape = shapeOf(h, 'c1');
    const key = keyOf(h, 'c1');
    const choices = ['yes', 'yes', 'no', 'yes', 'abstain', 'no', 'yes'];
    const receipts: string[] = [];
    for (const [i, choice] of choices.entries()) {
      const ballot = encryptBallot(shape, key, [MOTION.indexOf(choice)], random);
      if (i === 2) {
        // Tampered on the way: a ciphertext swapped for another option's; its proof no longer holds.
        const tampered = structuredClone(ballot);
        tampered.questions[0]!.options[0]!.b = ballot.questions[0]!.options[1]!.b;
        const before = await h.store.journal.lastSeq(SESSION);
        const refused = await h.send(cmd('ballot.castEncrypted', { pollId: 'c1', ballot: tampered }), D(i));
        expect(refused).toMatchObject({ ok: false, code: 'REJECTED', reason: 'BAD_PROOF' });
        expect((refused as { message: string }).message).toMatch(/Bằng chứng mật mã không hợp lệ/);
        expect(await h.store.journal.lastSeq(SESSION)).toBe(before);
        expect(pollOf(h, 'c1').castBy).not.toContain(ids[i]);
        // A readable choice is refused on a committee poll: it would reach the server in clear.
        expect(await h.send(cmd('ballot.cast', { pollId: 'c1', choice: 'no' }), D(i))).toMatchObject({ ok: false, reason: 'BAD_BALLOT' });
      }
      await h.ok(cmd('ballot.castEncrypted', { pollId: 'c1', ballot }), D(i));
      receipts.push(ballotReceipt(ballot));
    }
    // "Has cast" as today: a second ballot is refused.
    expect(await h.send(cmd('ballot.castEncrypted', { pollId: 'c1', ballot: encryptBallot(shape, key, [0], random) }), D(0))).toMatchObject({ ok: false, reason: 'ALREADY_CAST' });
    expect(await h.room.board('c1')).toMatchObject({ phase: 'voting', ballots: [] });

    await h.ok(cmd('poll.close', { pollId: 'c1' }), CHAIR);
    expect(pollOf(h, 'c1')).toMatchObject({ status: 'open', counts: null, committee: { phase: 'decrypting' } });
    expect(await h.send(cmd('ballot.castEncrypted', { pollId: 'c1', ballot: encryptBallot(shape, key, [0], random) }), D(9))).toMatchObject({ ok: false, reason: 'POLL_NOT_OPEN' });

    // A decryption share with a wrong proof is refused; member 2 stays away; members 1 and 3 are enough.
    const ballots = (await new SecretBallots(h.store.ballots, SECRET).contents(pollKey(SESSION, 'c1'))) as unknown as EncryptedBallot[];
    const share = decryptShare(shape, 1, secrets.get(1)!, aggregatesOf(pollOf(h, 'c1'), ballots), random);
    const forged = structuredClone(share);
    forged.shares[0]![0]!.d = share.shares[0]![1]!.d;
    expect(await h.send(cmd('committee.decrypt', { pollId: 'c1', partial: forged }), D(0))).toMatchObject({ ok: false, reason: 'BAD_PROOF' });
    expect(await h.send(cmd('committee.decrypt', { pollId: 'c1', partial: share }), D(0))).toMatchObject({ ok: true });
    expect(pollOf(h, 'c1').status).toBe('open');
    expect(await decrypt(h, 'c1', 3, secrets.get(3)!)).toMatchObject({ ok: true });
    expect(pollOf(h, 'c1')).toMatchObject({ status: 'counted', counts: { kind: 'motion', yes: 4, no: 2, abstain: 1 } });
    // Counted is not public: the shares (which decrypt the sums) and the counts wait for the announcement.
    expect(await h.room.board('c1')).toMatchObject({ phase: 'counted', partials: [], counts: null });
    await h.ok(cmd('poll.announce', { pollId: 'c1' }), CHAIR);
    expect(pollOf(h, 'c1').status).toBe('announced');

    const board = (await h.room.board('c1')) as CommitteeBoard;
    expect(board.ballots.map((b) => b.receipt).sort()).toEqual([...receipts].sort());
    expect(board.ballots.map((b) => b.receipt)).toEqual([...board.ballots.map((b) => b.receipt)].sort());
    const check = verifyBoard(JSON.parse(JSON.stringify(board)));
    expect(check).toMatchObject({ ok: true, counts: [[4, 2, 1]] });
    const tampered = JSON.parse(JSON.stringify(board)) as CommitteeBoard;
    tampered.counts = [[3, 3, 1]];
    expect(verifyBoard(tampered as BulletinBoard).ok).toBe(false);
    const dropped = JSON.parse(JSON.stringify(board)) as CommitteeBoard;
    dropped.ballots.splice(0, 1);
    expect(verifyBoard(dropped as BulletinBoard).ok).toBe(false);

    // Survives a restart: the box is kept for the board, and the journal replays to the same record.
    const reopened = await SessionRoom.open(SESSION, setupOf, {
      journal: h.store.journal,
      ballots: new SecretBallots(h.store.ballots, SECRET),
      now: () => 1_790_000_000_000,
      snapshotEvery: 5,
      onChange: () => undefined,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    rooms.push(reopened);
    expect(verifyBoard(JSON.parse(JSON.stringify(await reopened.board('c1'))))).toMatchObject({ ok: true, counts: [[4, 2, 1]] });
  }, 240_000);

  it('[CPOLL-2] below the threshold the poll cannot be counted: it waits, cannot be announced, and is cancelled with the reason to be repeated', async () => {
    const h = await hall();
    await h.ok(cmd('poll.open', { pollId: 'c2', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true }), CHAIR);
    const secrets = await ceremony(h, 'c2');
    for (let i = 0; i < 4; i++) await h.ok(cmd('ballot.castEncrypted', { pollId: 'c2', ballot: encryptBallot(shapeOf(h, 'c2'), keyOf(h, 'c2'), [i % 3], random) }), D(i + 3));
    await h.ok(cmd('poll.close', { pollId: 'c2' }), CHAIR);
    const ballots = (await new SecretBallots(h.store.ballots, SECRET).contents(pollKey(SESSION, 'c2'))) as unknown as EncryptedBallot[];
    const late = decryptShare(shapeOf(h, 'c2'), 1, secrets.get(1)!, aggregatesOf(pollOf(h, 'c2'), ballots), random);
    expect(await decrypt(h, 'c2', 2, secrets.get(2)!)).toMatchObject({ ok: true });
    // The same member twice does not make two.
    expect(await decrypt(h, 'c2', 2, secrets.get(2)!)).toMatchObject({ ok: false, reason: 'ALREADY_DECRYPTED' });
    expect(pollOf(h, 'c2')).toMatchObject({ status: 'open', counts: null });
    expect(await h.send(cmd('poll.announce', { pollId: 'c2' }), CHAIR)).toMatchObject({ ok: false });
    const reason = 'Không đủ thành viên Ban kiểm phiếu giải mã (1/2): bỏ phiếu lại';
    await h.ok(cmd('poll.cancel', { pollId: 'c2', reason }), CHAIR);
    expect(pollOf(h, 'c2')).toMatchObject({ status: 'cancelled', cancelReason: reason });
    // Too late for the others: the cancelled poll takes no more shares.
    expect(await h.send(cmd('committee.decrypt', { pollId: 'c2', partial: late }), D(0))).toMatchObject({ ok: false, reason: 'NOT_DECRYPTING' });
    // And it is repeated as a new committee poll, with a new key.
    await h.ok(cmd('poll.open', { pollId: 'c2b', subject: 'Miễn nhiệm (lần 2)', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true }), CHAIR);
    expect(pollOf(h, 'c2b').committee.phase).toBe('ceremony');
  }, 240_000);

  it('[CPOLL-3] a member absent at opening is left out: n = members present, k = their majority', async () => {
    const h = await hall();
    await h.ok(cmd('attendance.set', { delegateId: ids[1], status: 'absentExcused' }), CHAIR);
    await h.ok(cmd('poll.open', { pollId: 'c3', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true }), CHAIR);
    expect(pollOf(h, 'c3').committee).toMatchObject({ members: [ids[0], ids[2]], threshold: 2 });
    // Elections are not a one-of-n ballot: refused with a clear reason rather than counted wrongly.
    await h.ok(cmd('poll.cancel', { pollId: 'c3', reason: 'thử' }), CHAIR);
    expect(await h.send(cmd('poll.open', { pollId: 'c4', subject: 'Bầu', kind: 'election', mode: 'secret', sealing: 'committee', candidates: [{ id: 'k1', name: 'A' }] }), CHAIR)).toMatchObject({ ok: false, reason: 'COMMITTEE_UNSUPPORTED' });
  }, 240_000);

  it('[CPOLL-4] unlinkability scan: journal, snapshots, the box opened with the server secret and the logs tie no ballot to a delegate; the scan catches a planted link', async () => {
    const h = await hall();
    const backing = h.backing!;
    const dump = async () => [
      ...[...backing.journals].map(([k, v]) => ({ name: `journal ${k}`, bytes: Buffer.from(JSON.stringify(v)) })),
      ...[...backing.snapshots, ...backing.genesis].map(([k, v]) => ({ name: `snapshot ${k}`, bytes: Buffer.from(v) })),
      ...[...backing.ballots].map(([k, v]) => ({ name: `box ${k}`, bytes: Buffer.from(v) })),
    ];
    const boxText = async () => backing.ballots.get(pollKey(SESSION, 'c5'))!;
    const { findings, cast, states, sources } = await castAndScan(h, 'c5', dump, boxText);
    expect(findings).toEqual([]);
    // Negative controls: each kind of link, planted, is named.
    const planted = { name: 'planted', bytes: Buffer.from(JSON.stringify({ by: cast[2]!.delegateId, receipt: ballotReceipt(cast[2]!.ballot) })) };
    expect(ballotBytesIn([...sources, planted], 'c5', cast)).toEqual([expect.stringMatching(/^planted holds the receipt of ballot 2$/)]);
    const leaky = await boxWith({ ...cast[0]!.ballot, by: cast[0]!.delegateId, at: 1_780_000_000_123 });
    expect(boxProblems(leaky, ['questions'], ids)).toEqual(expect.arrayContaining([expect.stringMatching(/fields at,by,questions/), expect.stringMatching(/names/), expect.stringMatching(/time-like/)]));
    const appended = states.map((s, i) => ({ sealed: s.sealed, order: states.at(-1)!.order.slice(0, i + 1) }));
    expect(castOrderProblems(appended, states.at(-1)!.order)).toContain('the box keeps the cast order');
    expect(castOrderProblems([states[0]!, states[0]!], [])).toContain('write 1 kept a sealed ballot of the write before');
  }, 240_000);

  it('[CPOLL-4] the server-sealed fallback, same scan: the box opens to bare choices, no name or time, every ballot re-sealed on every write', async () => {
    const h = await hall();
    expect(await castSealedAndScan(h, 's1', async () => h.backing!.ballots.get(pollKey(SESSION, 's1'))!)).toEqual([]);
  }, 240_000);

  it('[CPOLL-5] `pnpm verify -- --poll` fetches the board from the server\'s public endpoint and checks it once announced (exit 3 before); a board altered on the way is rejected', async () => {
    const app = await startTestApp();
    try {
      await app.hall.store.catalog.putCouncil(council);
      await app.hall.store.catalog.putSession({ id: SESSION, councilId: council.id, title: template.title, date: '2028-12-08', agenda: template.agenda, status: 'scheduled' });
      const ok = async (c: Command, by: Actor) => {
        const ack = await app.hall.sessions.submit(c, by);
        if (!ack.ok) throw new Error(`${c.type} by ${by.id} refused: ${ack.code} ${ack.reason ?? ''}`);
      };
      await ok(cmd('session.openCheckIn', {}), CHAIR);
      for (let i = 0; i < 20; i++) await ok(cmd('attendance.checkIn', { delegateId: ids[i] }), D(i));
      await ok(cmd('session.start', {}), CHAIR);
      await ok(cmd('counting.setCommittee', { members: [0, 1, 2].map((i) => ({ delegateId: ids[i], role: 'member' })) }), CHAIR);
      await ok(cmd('poll.open', { pollId: 'v1', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true }), CHAIR);
      const out: string[] = [];
      const verify = (fetchImpl: typeof fetch = fetch) => runPollVerify(`${SESSION}/v1`, app.baseUrl, (l) => out.push(l), (l) => out.push(l), fetchImpl);
      expect(await verify()).toBe(VERIFY_EXIT.nothingToVerify);

      const board = async () => ((await (await fetch(`${app.baseUrl}/api/sessions/${SESSION}/polls/v1/board`)).json()) as { board: CommitteeBoard }).board;
      const c = (await board()).shape.pollContext;
      const params = { members: 3, threshold: 2 };
      const started = [1, 2, 3].map((i) => startCeremony(c, params, i, random));
      for (const [i, s] of started.entries()) await ok(cmd('committee.commit', { pollId: 'v1', commitment: s.published }), D(i));
      const published = (await board()).commitments;
      for (const [i, s] of started.entries()) await ok(cmd('committee.deal', { pollId: 'v1', shares: dealShares(c, s.secrets, published, random) }), D(i));
      const sealed = (await board()).sealedShares;
      const key = decodePoint((await board()).publicKey);
      for (let i = 3; i < 8; i++) await ok(cmd('ballot.castEncrypted', { pollId: 'v1', ballot: encryptBallot({ pollContext: c, options: [3] }, key, [i % 2], random) }), D(i));
      await ok(cmd('poll.close', { pollId: 'v1' }), CHAIR);
      const closed = await board();
      const aggregates = closed.aggregates!.map((row) => row.map((x) => ({ a: decodePoint(x.a), b: decodePoint(x.b) })));
      for (const s of started.slice(0, 2)) {
        const secret = finishCeremony(c, params, s.secrets, published, sealed);
        await ok(cmd('committee.decrypt', { pollId: 'v1', partial: decryptShare({ pollContext: c, options: [3] }, s.secrets.index, secret, aggregates, random) }), D(s.secrets.index - 1));
      }
      // Counted but not announced: the board holds back the shares and the counts, and verify says why (exit 3).
      expect(await board()).toMatchObject({ phase: 'counted', partials: [], counts: null });
      out.length = 0;
      expect(await verify()).toBe(VERIFY_EXIT.notAnnounced);
      expect(VERIFY_EXIT.notAnnounced).toBe(3);
      expect(out.join('\n')).toMatch(/chưa được công bố.*\n.*not announced yet/);
      await ok(cmd('poll.announce', { pollId: 'v1' }), CHAIR);
      expect((await board()).partials.map((p) => p.member)).toEqual([1, 2]);
      out.length = 0;
      expect(await verify()).toBe(VERIFY_EXIT.ok);
      expect(out.join('\n')).toMatch(/OK {2}5 ballots.*\[\[2,3,0\]\]/);
      // A board changed between the server and the verifier: one ballot's ciphertext swapped for another's.
      const altering: typeof fetch = async (input) => {
        const body = (await (await fetch(input)).json()) as { board: CommitteeBoard };
        const q = body.board.ballots[0]!.ballot.questions[0]!;
        [q.options[0]!.b, q.options[1]!.b] = [q.options[1]!.b, q.options[0]!.b];
        return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
      };
      out.length = 0;
      expect(await verify(altering)).toBe(VERIFY_EXIT.broken);
      expect(out.join('\n')).toMatch(/ballot 0/);
    } finally {
      await app.close();
    }
  }, 300_000);

  it('[CPOLL-6] a member\'s complaint about a dealt share: a true one fails the ceremony naming the dealer; a false or forged one is refused and nothing is recorded', async () => {
    const h = await hall();
    await h.ok(cmd('poll.open', { pollId: 'k1', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true }), CHAIR);
    // Member 2 deals member 3 a share off its committed polynomial: the masked value it sealed to member 1.
    const { started } = await startAndDeal(h, 'k1', (from, shares) => (from === 2 ? shares.map((x) => (x.to === 3 ? { ...x, masked: shares.find((y) => y.to === 1)!.masked } : x)) : shares));
    const c = pollOf(h, 'k1').committee;
    const sealedTo = (from: number, to: number) => c.shares.find((x) => x.from === from && x.to === to)!;
    const length = await h.store.journal.lastSeq(SESSION);
    // Member 3 about member 1's honest share: refused, SHARE_VALID; an honest dealer cannot be framed.
    const framing = complainAboutShare(c.context, started[2]!.secrets, sealedTo(1, 3), random);
    const refused = await h.send(cmd('committee.complain', { pollId: 'k1', complaint: framing }), D(2));
    expect(refused).toMatchObject({ ok: false, code: 'REJECTED', reason: 'SHARE_VALID' });
    expect((refused as { message: string }).message).toMatch(/khớp với cam kết/);
    // The true complaint with another point: the proof does not hold.
    const honest = complainAboutShare(c.context, started[2]!.secrets, sealedTo(2, 3), random);
    expect(await h.send(cmd('committee.complain', { pollId: 'k1', complaint: { ...honest, shared: framing.shared } }), D(2))).toMatchObject({ ok: false, reason: 'BAD_PROOF' });
    // Member 1 replaying member 3's complaint as its own: not its transport key.
    expect(await h.send(cmd('committee.complain', { pollId: 'k1', complaint: honest }), D(0))).toMatchObject({ ok: false, reason: 'BAD_PROOF' });
    expect(await h.send(cmd('committee.complain', { pollId: 'k1', complaint: honest }), D(7))).toMatchObject({ ok: false, reason: 'NOT_COMMITTEE_MEMBER' });
    expect(await h.store.journal.lastSeq(SESSION)).toBe(length);
    expect(pollOf(h, 'k1').committee.failed).toBeUndefined();

    await h.ok(cmd('committee.complain', { pollId: 'k1', complaint: honest }), D(2));
    expect(pollOf(h, 'k1').committee.failed).toEqual({ dealer: 2, dealerId: ids[1], by: ids[2] });
    const view = (await import('@hall/core')).project(h.room.snapshot, h.room.seq, 'chair', null);
    expect(view.poll?.committee?.failed).toMatchObject({ dealer: 2, dealerId: ids[1], by: ids[2] });
    expect(await h.send(cmd('ballot.castEncrypted', { pollId: 'k1', ballot: encryptBallot(shapeOf(h, 'k1'), keyOf(h, 'k1'), [0], random) }), D(5))).toMatchObject({ ok: false, reason: 'CEREMONY_FAILED' });
    expect(await h.send(cmd('poll.close', { pollId: 'k1' }), CHAIR)).toMatchObject({ ok: false, reason: 'CEREMONY_FAILED' });
    // The chair cancels with the reason and reopens without the dealer.
    await h.ok(cmd('poll.cancel', { pollId: 'k1', reason: `Thành viên Ban kiểm phiếu số 2 chia mảnh khóa sai (${ids[1]}): tạo khóa lại` }), CHAIR);
    await h.ok(cmd('attendance.set', { delegateId: ids[1], status: 'absentExcused' }), CHAIR);
    await h.ok(cmd('poll.open', { pollId: 'k2', subject: 'Miễn nhiệm (lần 2)', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true }), CHAIR);
    expect(pollOf(h, 'k2').committee).toMatchObject({ members: [ids[0], ids[2]], phase: 'ceremony' });
    await ceremony(h, 'k2');
  }, 240_000);

  it('[CPOLL-7] encrypted ballots waiting together: each proof checked, a bad one refused alone, the rest in one append and one box write', async () => {
    const h = await hall();
    await h.ok(cmd('poll.open', { pollId: 'c6', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true }), CHAIR);
    await ceremony(h, 'c6');
    const shape = shapeOf(h, 'c6');
    const key = keyOf(h, 'c6');
    const saves = vi.spyOn(h.store.ballots, 'save');
    const ballots = [0, 1, 2, 0, 0, 1].map((option) => encryptBallot(shape, key, [option], random));
    const tampered = structuredClone(ballots[2]!);
    tampered.questions[0]!.options[0]!.b = ballots[2]!.questions[0]!.options[1]!.b;
    const commands = ballots.map((ballot, i) => cmd('ballot.castEncrypted', { pollId: 'c6', ballot: i === 2 ? tampered : ballot }));
    // Sent at once: they wait together for the room's next turn.
    const acks = await Promise.all(commands.map((c, i) => h.send(c, D(3 + i))));
    expect(acks[2]).toMatchObject({ ok: false, code: 'REJECTED', reason: 'BAD_PROOF' });
    const accepted = acks.filter((_, i) => i !== 2);
    const journal = new Map((await h.store.journal.read(SESSION)).map((r) => [r.seq, r]));
    const records = accepted.map((ack) => journal.get((ack as { seq: number }).seq)!);
    records.forEach((record, k) => {
      const i = k < 2 ? k : k + 1;
      expect(record.commandId).toBe(commands[i]!.commandId);
      // Who cast, never what: no ciphertext and no digest of one beside the name.
      expect(record.event).toEqual({ type: 'ballot.cast', pollId: 'c6', at: record.at, by: D(3 + i) });
      expect(record.digest).toBe(commandDigest('ballot.castEncrypted', { pollId: 'c6' }, true));
    });
    // One append (one time for all five, consecutive seqs) and one box write.
    expect(new Set(records.map((r) => r.at)).size).toBe(1);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 5 }, (_, k) => records[0]!.seq + k));
    expect(saves).toHaveBeenCalledTimes(1);
    expect(saves.mock.calls[0]![1].sealed).toHaveLength(5);
    expect(pollOf(h, 'c6').castBy).not.toContain(ids[5]);
    // The refused delegate may still vote, one at a time as before.
    await h.ok(cmd('ballot.castEncrypted', { pollId: 'c6', ballot: ballots[2]! }), D(5));
    expect(pollOf(h, 'c6').castBy).toHaveLength(6);
  }, 240_000);
});

/** A box, as stored, holding `entry`: what a leaky writer would leave. */
async function boxWith(entry: object) {
  const store = createMemoryStore();
  const key = pollKey(SESSION, 'neg');
  const box = new SecretBallots(store.ballots, SECRET);
  await box.open(key);
  await box.add(key, entry as never);
  return openBox(JSON.stringify(await store.ballots.load(key)), key, SECRET);
}
