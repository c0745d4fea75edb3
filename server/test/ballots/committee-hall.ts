/**
 * A session room with a counting committee, for the committee-poll tests: the same hall on any store (memory, the
 * embedded files, Redis), with the members' devices and the tablets played by the test.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { parseCommand, SessionSetup, type Actor, type Command, type CommandAck } from '@hall/core';
import { ballotReceipt, committeeKey, dealShares, encryptBallot, finishCeremony, startCeremony, type BallotShape, type MemberCommitment, type MemberSecrets } from '@hall/core/ballot-crypto';
import { createMemoryBacking, createMemoryStore, type MemoryBacking } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/types.ts';
import { SessionRoom, pollKey } from '../../src/runtime/session-room.ts';
import { SecretBallots } from '../../src/ballots/secret-ballots.ts';
import type { CommitteePoll } from '../../src/ballots/committee.ts';
import { demoCouncils, demoSessions } from '../../src/seed/demo.ts';
import { ballotBytesIn, boxProblems, castOrderProblems, castRecordProblems, openBox, receiptsOf, type Cast, type Source } from './unlinkability.ts';

export const council = demoCouncils().find((c) => c.id === 'tien-du')!;
export const template = demoSessions().find((s) => s.councilId === council.id)!;
export const SESSION = template.id;
export const SECRET = 'committee-poll-test-ballot-secret-0123456789';
export const CHAIR: Actor = { role: 'chair', id: 'chutoa.td' };
export const ids = council.delegates.map((d) => d.id);
export const D = (i: number): Actor => ({ role: 'delegate', id: ids[i]! });
export const random = (n: number) => new Uint8Array(randomBytes(n));
export const MOTION = ['yes', 'no', 'abstain'];

let n = 0;
export const cmd = (type: string, payload: object): Command => {
  const parsed = parseCommand({ sessionId: SESSION, commandId: `cp-${String(++n).padStart(8, '0')}`, type, payload });
  if (!parsed.ok) throw new Error(`bad test command ${type}: ${parsed.issues.join('; ')}`);
  return parsed.command;
};

/** Rooms opened by `hall`; the test file closes them after each test. */
export const rooms: SessionRoom[] = [];

export const setupOf = async () => SessionSetup.parse({ sessionId: SESSION, title: template.title, council, agenda: template.agenda });

/**
 * Twenty delegates present and the first three as the counting committee, on `store` (a fresh memory store when
 * omitted; `backing` is then its bytes). Every log line the room writes is kept in `logs`.
 */
export async function hall(present = 20, store?: Store) {
  const backing: MemoryBacking | undefined = store ? undefined : createMemoryBacking();
  const used = store ?? createMemoryStore(backing!);
  const logs: string[] = [];
  const keep = (o: object, m?: string) => void logs.push(JSON.stringify([o, m]));
  const log = { info: keep, warn: keep, error: keep };
  let now = 1_780_000_000_000;
  const room = await SessionRoom.open(SESSION, setupOf, { journal: used.journal, ballots: new SecretBallots(used.ballots, SECRET), now: () => (now += 10), snapshotEvery: 5, onChange: () => undefined, log });
  rooms.push(room);
  const send = (c: Command, by: Actor): Promise<CommandAck> => room.submit(c, by);
  const ok = async (c: Command, by: Actor) => {
    const ack = await send(c, by);
    if (!ack.ok) throw new Error(`${c.type} by ${by.id} refused: ${ack.code} ${ack.reason ?? ''}`);
  };
  await ok(cmd('session.openCheckIn', {}), CHAIR);
  for (let i = 0; i < present; i++) await ok(cmd('attendance.checkIn', { delegateId: ids[i] }), D(i));
  await ok(cmd('session.start', {}), CHAIR);
  // The counting committee: the first three delegates.
  await ok(cmd('counting.setCommittee', { members: [0, 1, 2].map((i) => ({ delegateId: ids[i], role: i === 0 ? 'head' : 'member' })) }), CHAIR);
  return { backing, store: used, room, send, ok, logs };
}

export type Hall = Awaited<ReturnType<typeof hall>>;
export const pollOf = (h: Hall, pollId: string) => h.room.snapshot.context.polls.find((p) => p.pollId === pollId) as CommitteePoll;

/** Every member commits; `deal` may change what a member deals (a cheating dealer). Each device keeps its own secrets. */
export async function startAndDeal(h: Hall, pollId: string, deal: (index: number, shares: ReturnType<typeof dealShares>) => ReturnType<typeof dealShares> = (_, s) => s) {
  const c = pollOf(h, pollId).committee;
  const params = { members: c.members.length, threshold: c.threshold };
  const started = c.members.map((_, i) => startCeremony(c.context, params, i + 1, random));
  const member = (i: number): Actor => ({ role: 'delegate', id: c.members[i]! });
  for (const [i, s] of started.entries()) await h.ok(cmd('committee.commit', { pollId, commitment: s.published }), member(i));
  const published: MemberCommitment[] = pollOf(h, pollId).committee.commitments;
  for (const [i, s] of started.entries()) await h.ok(cmd('committee.deal', { pollId, shares: deal(i + 1, dealShares(c.context, s.secrets, published, random)) }), member(i));
  return { params, started };
}

/** The members' devices run the ceremony through the server and finish with their key shares. */
export async function ceremony(h: Hall, pollId: string): Promise<Map<number, bigint>> {
  const { params, started } = await startAndDeal(h, pollId);
  const after = pollOf(h, pollId).committee;
  expect(after.phase).toBe('voting');
  return new Map(started.map((s: { secrets: MemberSecrets }) => [s.secrets.index, finishCeremony(after.context, params, s.secrets, after.commitments, after.shares)]));
}

export const shapeOf = (h: Hall, pollId: string): BallotShape => {
  const c = pollOf(h, pollId).committee;
  const per = pollOf(h, pollId).kind === 'motion' ? 1 : pollOf(h, pollId).officialIds.length;
  return { pollContext: c.context, options: Array.from({ length: per }, () => 3) };
};
export const keyOf = (h: Hall, pollId: string) => committeeKey(pollOf(h, pollId).committee.commitments);

/**
 * The unlinkability scenario on whatever store `h` runs on: a committee poll, 8 ballots from delegates outside the
 * committee, the box as stored read back (`boxText`) after every cast, then every byte the store holds (`dump`) and
 * the room's logs scanned. Returns every finding (empty is the pass) and what was cast, for negative controls.
 */
export async function castAndScan(h: Hall, pollId: string, dump: () => Promise<Source[]>, boxText: () => Promise<string>) {
  await h.ok(cmd('poll.open', { pollId, subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true }), CHAIR);
  await ceremony(h, pollId);
  const cast: Cast[] = [];
  const states: { sealed: string[]; order: string[] }[] = [];
  const key = pollKey(SESSION, pollId);
  for (let i = 3; i < 11; i++) {
    const ballot = encryptBallot(shapeOf(h, pollId), keyOf(h, pollId), [i % 3], random);
    await h.ok(cmd('ballot.castEncrypted', { pollId, ballot }), D(i));
    cast.push({ delegateId: ids[i]!, ballot });
    const box = await openBox(await boxText(), key, SECRET);
    states.push({ sealed: box.sealed, order: receiptsOf(box.contents) });
  }
  const box = await openBox(await boxText(), key, SECRET);
  const sources = [...(await dump()), { name: 'logs', bytes: Buffer.from(h.logs.join('\n')) }];
  const events = (await h.store.journal.read(SESSION)).map((r) => r.event as Record<string, unknown>);
  const findings = [
    ...ballotBytesIn(sources, pollId, cast),
    ...boxProblems(box, ['questions'], ids),
    ...(box.contents.length === cast.length ? [] : [`the box holds ${box.contents.length} ballots for ${cast.length} casts`]),
    ...castRecordProblems(events),
    ...castOrderProblems(states, cast.map((c) => ballotReceipt(c.ballot))),
  ];
  return { findings, cast, states, sources };
}

/** The same for the server-sealed fallback: the box opens to bare choices, re-sealed and reshuffled on every write. */
export async function castSealedAndScan(h: Hall, pollId: string, boxText: () => Promise<string>) {
  await h.ok(cmd('poll.open', { pollId, subject: 'Nghị quyết', kind: 'motion', mode: 'secret', manualClose: true }), CHAIR);
  const states: { sealed: string[]; order: string[] }[] = [];
  const key = pollKey(SESSION, pollId);
  for (let i = 3; i < 11; i++) {
    await h.ok(cmd('ballot.cast', { pollId, choice: MOTION[i % 3] }), D(i));
    const box = await openBox(await boxText(), key, SECRET);
    // Choices repeat, so only the sealing can show order here: every write must re-seal every ballot.
    states.push({ sealed: box.sealed, order: box.sealed });
  }
  const box = await openBox(await boxText(), key, SECRET);
  const events = (await h.store.journal.read(SESSION)).map((r) => r.event as Record<string, unknown>);
  return [...boxProblems(box, ['string'], ids), ...castRecordProblems(events), ...castOrderProblems(states, []).filter((f) => f.startsWith('write'))];
}
