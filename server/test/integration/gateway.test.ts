/**
 * The command path through real sockets: who may do what, what malformed input gets, that retries are safe, and
 * what each audience sees. One Hall per file; each test uses its own session state as far as it can.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_PASSWORD, DEMO_DEVICE_TOKEN, DEMO_STAFF_PASSWORD, demoDelegateCode } from '../../src/seed/demo.ts';
import type { PersonalView, SessionView } from '@hall/core';
import { login, startHall, TestClient, type RunningHall } from '../support/hall.ts';

const SESSION = 'bn-kh12';
let h: RunningHall;
let chair: TestClient;
const delegates: TestClient[] = [];

const delegateToken = (n: number) => {
  const id = `bn-d${String(n).padStart(3, '0')}`;
  return login(h.baseUrl, 'code', id, demoDelegateCode(id)!);
};

beforeAll(async () => {
  h = await startHall();
  chair = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), SESSION);
  for (let i = 1; i <= 60; i++) delegates.push(await TestClient.connect(h.baseUrl, await delegateToken(i), SESSION));
  await chair.must('session.openCheckIn', {});
  for (const d of delegates) expect((await d.send('attendance.checkIn', { delegateId: d.view!.me!.delegateId, channel: 'hall' })).ok).toBe(true);
  await chair.must('session.start', {});
}, 120_000);

afterAll(async () => {
  for (const c of [chair, ...delegates]) c?.close();
  await h?.close();
});

describe('authorization', () => {
  it('[GW-1] a delegate cannot act for another delegate', async () => {
    const ack = await delegates[0]!.send('attendance.checkIn', { delegateId: 'bn-d070', channel: 'hall' });
    expect(ack).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: 'NOT_YOURSELF' });
    expect(chair.view!.roll!.find((r) => r.delegateId === 'bn-d070')!.status).toBe('unknown');
  });

  it('[GW-2] the public cannot send commands, and a bad token cannot connect', async () => {
    const anon = await TestClient.connect(h.baseUrl, null, SESSION);
    expect(anon.view!.audience).toBe('public');
    expect(await anon.send('floor.request', { requestId: 'r-anon', purpose: 'speech' })).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    anon.close();
    await expect(TestClient.connect(h.baseUrl, 'not-a-token', SESSION)).rejects.toThrow();
  });

  it('[GW-3] a display cannot vote and a delegate cannot run the session', async () => {
    const wall = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'device', 'wall.bn', DEMO_DEVICE_TOKEN), SESSION);
    await chair.must('poll.open', { pollId: 'gw3', subject: 'Biểu quyết thử', kind: 'motion', mode: 'electronic' });
    expect(await wall.send('ballot.cast', { pollId: 'gw3', choice: 'yes' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await delegates[0]!.send('poll.close', { pollId: 'gw3' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await delegates[0]!.send('session.recess', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await chair.must('poll.cancel', { pollId: 'gw3', reason: 'Thử nghiệm' });
    wall.close();
  });

  it('[GW-4] a chair of another council cannot command or watch this session as staff', async () => {
    const other = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD), SESSION, { join: false });
    expect(await other.join()).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await other.send('session.recess', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    other.close();
  });

  it('[GW-14] commands to a started session are authorized from its open room, with no catalog read; other councils still get FORBIDDEN', async () => {
    const catalog = h.hall.store.catalog;
    const read = catalog.getSession.bind(catalog);
    let reads = 0;
    catalog.getSession = (id: string) => (reads++, read(id));
    try {
      await chair.must('poll.open', { pollId: 'gw14', subject: 'Biểu quyết thử', kind: 'motion', mode: 'electronic' });
      for (const d of delegates.slice(0, 5)) expect((await d.send('ballot.cast', { pollId: 'gw14', choice: 'yes' })).ok).toBe(true);
      const other = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD), SESSION, { join: false });
      expect(await other.send('poll.close', { pollId: 'gw14' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      other.close();
      expect(reads).toBe(0);
      await chair.must('poll.cancel', { pollId: 'gw14', reason: 'Thử nghiệm' });
    } finally {
      catalog.getSession = read;
    }
  });

  it('[GW-5] an admin watches with the chair view but cannot act as the chair', async () => {
    const admin = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'password', 'admin', DEMO_ADMIN_PASSWORD), SESSION);
    expect(admin.view!.audience).toBe('chair');
    expect(await admin.send('session.recess', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    admin.close();
  });
});

describe('validation and retries', () => {
  it('[GW-6] malformed commands get VALIDATION and change nothing', async () => {
    // Views are published at most a few times a second: ask for the current one rather than trust the last push.
    const joined = await chair.join();
    if (!joined.ok) throw new Error('join failed');
    const before = joined.view.seq;
    const d = delegates[1]!;
    const cases: unknown[] = [
      null,
      'ballot',
      { sessionId: SESSION, commandId: 'abcdefgh12', type: 'no.such', payload: {} },
      { sessionId: SESSION, commandId: 'short', type: 'floor.request', payload: { requestId: 'r1', purpose: 'speech' } },
      { sessionId: SESSION, commandId: 'abcdefgh13', type: 'floor.request', payload: { requestId: 'r1', purpose: 'shouting' } },
      { sessionId: SESSION, commandId: 'abcdefgh14', type: 'floor.request', payload: { requestId: 'r1', purpose: 'speech', extra: 1 } },
      { sessionId: '../../etc', commandId: 'abcdefgh15', type: 'floor.request', payload: { requestId: 'r1', purpose: 'speech' } },
      { sessionId: SESSION, commandId: 'abcdefgh16', type: 'ballot.cast', payload: { pollId: 'x', choice: { deep: { nested: 1 } } } },
    ];
    for (const raw of cases) expect(await d.sendRaw(raw), JSON.stringify(raw)).toMatchObject({ ok: false, code: 'VALIDATION' });
    // A client that sends no ack callback must not crash the server either.
    d.socket.emit('session:command', { nonsense: true } as never, undefined as never);
    expect((await d.send('floor.request', { requestId: 'gw6-ok', purpose: 'speech' })).ok).toBe(true);
    const after = await chair.until((v) => v.queue.some((q) => q.requestId === 'gw6-ok'), 'queued request');
    expect(after.seq).toBe(before + 1);
    await chair.must('floor.deny', { requestId: 'gw6-ok' });
  });

  it('[GW-16] an event with no payload, or one argument too many, still gets its answer (the callback is the last argument): VALIDATION, nothing recorded', async () => {
    const joined = await chair.join();
    if (!joined.ok) throw new Error('join failed');
    const before = joined.view.seq;
    const d = delegates[6]!;
    const socket = d.socket as unknown as { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> } };
    const ask = (event: string, ...args: unknown[]) => socket.timeout(60_000).emitWithAck(event, ...args);
    const command = { sessionId: SESSION, commandId: 'gw16-extra-1', type: 'floor.request', payload: { requestId: 'gw16', purpose: 'speech' } };
    expect(await ask('session:join')).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(await ask('session:join', { sessionId: SESSION }, 'extra')).toMatchObject({ ok: false, code: 'VALIDATION', issues: [expect.stringContaining('one payload argument')] });
    expect(await ask('session:command')).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(await ask('session:command', command, { also: 'this' })).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(await ask('media:info')).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(await ask('time:sync')).toMatchObject({ clientTime: 0, serverTime: expect.any(Number) });
    // The refused command was not recorded: the same id and payload, sent properly, is a first command, not a repeat.
    const accepted = await d.sendRaw(command);
    expect(accepted).toMatchObject({ ok: true, seq: before + 1 });
    expect((accepted as { duplicate?: boolean }).duplicate).toBeUndefined();
    await chair.must('floor.deny', { requestId: 'gw16' });
  });

  it('[GW-7] a retried commandId returns the original ack and counts once', async () => {
    await chair.must('poll.open', { pollId: 'gw7', subject: 'Biểu quyết lặp lệnh', kind: 'motion', mode: 'electronic' });
    const d = delegates[2]!;
    const first = await d.send('ballot.cast', { pollId: 'gw7', choice: 'no' }, 'retry-gw7-0001');
    const again = await d.send('ballot.cast', { pollId: 'gw7', choice: 'no' }, 'retry-gw7-0001');
    expect(first.ok).toBe(true);
    expect(again).toEqual({ ...first, duplicate: true });
    const view = await chair.until((v) => v.poll?.pollId === 'gw7' && v.poll.castCount === 1, 'one ballot');
    expect(view.seq).toBe((first as { seq: number }).seq);
    await chair.must('poll.close', { pollId: 'gw7' });
    const closed = await chair.until((v) => v.poll?.pollId === 'gw7' && v.poll.result !== null, 'result');
    expect(closed.poll!.result).toMatchObject({ kind: 'motion', yes: 0, no: 1, abstain: 0 });
    await chair.must('poll.announce', { pollId: 'gw7' });
  });

  it('[GW-8] a refusal carries the machine reason in Vietnamese', async () => {
    const ack = await delegates[3]!.send('ballot.cast', { pollId: 'gw7', choice: 'yes' });
    expect(ack).toMatchObject({ ok: false, code: 'REJECTED', reason: 'POLL_NOT_OPEN', message: 'Cuộc biểu quyết không mở' });
  });

  it('[GW-9] a flood from one socket is rate limited without affecting others', async () => {
    const d = delegates[4]!;
    const acks = await Promise.all(Array.from({ length: 80 }, (_, i) => d.send('floor.withdraw', { requestId: `none-${i}` })));
    expect(acks.filter((a) => !a.ok && a.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
    expect((await delegates[5]!.send('floor.request', { requestId: 'gw9', purpose: 'speech' })).ok).toBe(true);
    await chair.must('floor.deny', { requestId: 'gw9' });
  });
});

describe('views per audience', () => {
  it('[GW-10] wall, public, chair and delegates see the same announced result; nobody sees a choice while a secret ballot is open', async () => {
    const wall = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'device', 'wall.bn', DEMO_DEVICE_TOKEN), SESSION);
    const pub = await TestClient.connect(h.baseUrl, null, SESSION);
    await chair.must('poll.open', { pollId: 'gw10', subject: 'Bầu Ủy viên UBND', kind: 'motion', mode: 'secret', durationSec: 600 });
    const choices = ['yes', 'no', 'abstain'] as const;
    const cast = { yes: 0, no: 0, abstain: 0 };
    for (const [i, d] of delegates.entries()) {
      const choice = choices[i % 3]!;
      const ack = await d.send('ballot.cast', { pollId: 'gw10', choice });
      expect(ack.ok).toBe(true);
      // The voter's own part rides on the ack, and of a secret poll it says only that the ballot was cast (no choice).
      if (ack.ok) expect(ack.personal?.mine.gw10).toEqual({ cast: true });
      cast[choice]++;
    }
    await chair.until((v) => v.poll?.pollId === 'gw10' && v.poll.castCount === 60, '60 secret ballots');
    await wall.until((v) => v.poll?.castCount === 60, 'wall count');
    await pub.until((v) => v.poll?.castCount === 60, 'public count');
    // While open, no view of any audience names a choice, and a delegate's own view says only that it was recorded.
    for (const v of [chair.view!, wall.view!, pub.view!, delegates[0]!.view!]) {
      expect(v.poll!.result).toBeNull();
      expect(JSON.stringify(v.poll)).not.toMatch(/"(yes|no|abstain)"/);
    }
    expect(delegates[0]!.view!.poll!.mine).toEqual({ cast: true });
    await chair.must('poll.close', { pollId: 'gw10' });
    // A secret poll's counts reach nobody before the announcement, the chair included (its snapshot has none either).
    const counted = await chair.until((v) => v.poll?.pollId === 'gw10' && v.poll.status === 'counted', 'chair sees it counted');
    expect(counted.poll!.result).toBeNull();
    const inSnapshot = (counted.snapshot as { context: { polls: { pollId: string; counts: unknown }[] } }).context.polls.find((p) => p.pollId === 'gw10');
    expect(inSnapshot?.counts).toBeNull();
    expect(wall.view!.poll!.result).toBeNull();
    await chair.must('poll.announce', { pollId: 'gw10' });
    const expected = { kind: 'motion', yes: cast.yes, no: cast.no, abstain: cast.abstain, tookPart: 60, total: 85 };
    for (const c of [chair, wall, pub, delegates[7]!]) {
      const v = await c.until((x) => x.poll?.pollId === 'gw10' && x.poll.status === 'announced', `${c.view?.audience} announced`);
      expect(v.poll!.result).toMatchObject(expected);
      expect(v.poll!.named).toBeUndefined();
    }
    expect(pub.view!.roll).toBeUndefined();
    expect(pub.view!.snapshot).toBeUndefined();
    wall.close();
    pub.close();
  });

  it('[GW-11] tablets share one pushed view; a delegate gets their own part only when it changes; pushes leave out the council', async () => {
    const watcher = await TestClient.connect(h.baseUrl, await delegateToken(61), SESSION);
    const parts: PersonalView[] = [];
    const pushed: SessionView[] = [];
    watcher.socket.on('session:personal', (p) => parts.push(p));
    watcher.socket.on('session:view', (v) => pushed.push(v));
    const asker = delegates[4]!;
    const other = delegates[5]!;
    const seq0 = await asker.must('floor.request', { requestId: 'gw11', purpose: 'speech' });
    await watcher.until((v) => v.seq >= seq0, 'watcher sees the first request');
    // A (re)join makes the next publication repeat the tablet's own part once, whatever was pushed before.
    expect(parts.length).toBeLessThanOrEqual(1);
    parts.length = 0;
    const seq = await other.must('floor.request', { requestId: 'gw11b', purpose: 'speech' });
    await other.until((v) => v.seq >= seq && v.me?.requestId === 'gw11b', 'the other sees their place in the queue');
    await watcher.until((v) => v.seq >= seq, 'watcher sees the request');
    // The watcher's own part did not change: only the shared view came, without `me` and without the council.
    expect(parts).toEqual([]);
    const last = pushed.at(-1)!;
    expect(last.me).toBeUndefined();
    expect((last.snapshot as { context: Record<string, unknown> }).context.council).toBeUndefined();
    // What the tablets assembled is exactly what a fresh join answers.
    for (const c of [watcher, asker, other]) {
      const assembled = c.view!;
      const joined = await c.join();
      if (!joined.ok) throw new Error('join failed');
      expect(joined.view.seq).toBe(assembled.seq);
      expect(assembled, assembled.me!.delegateId).toEqual(joined.view);
    }
    // The chair checking the watcher in changes the watcher's own part: it comes, and the view shows it.
    const checkedIn = await chair.must('attendance.checkIn', { delegateId: 'bn-d061', channel: 'hall' });
    await watcher.until((v) => v.seq >= checkedIn && v.me?.attendance === 'present', 'watcher present');
    expect(parts.map((p) => p.me.attendance)).toContain('present');
    await asker.must('floor.withdraw', { requestId: 'gw11' });
    await other.must('floor.withdraw', { requestId: 'gw11b' });
    watcher.close();
  });

  it('[GW-12] a delegate with one socket gets their own part in the ballot ack, and no separate session:personal for that state', async () => {
    const voter = delegates[20]!;
    const parts: PersonalView[] = [];
    voter.socket.on('session:personal', (p) => parts.push(p));
    await chair.must('poll.open', { pollId: 'gw12', subject: 'Biểu quyết công khai', kind: 'motion', mode: 'electronic', durationSec: 600 });
    await voter.until((v) => v.poll?.pollId === 'gw12', 'the voter sees the poll');
    parts.length = 0;
    const ack = await voter.send('ballot.cast', { pollId: 'gw12', choice: 'no' });
    if (!ack.ok) throw new Error(`ballot refused: ${ack.code}`);
    expect(ack.personal).toMatchObject({ sessionId: SESSION, me: { delegateId: voter.view!.me!.delegateId } });
    expect(ack.personal!.seq).toBeGreaterThanOrEqual(ack.seq);
    expect(ack.personal!.mine.gw12).toEqual({ cast: true, choice: 'no' });
    // Shown as soon as the ack came: the part completes the shared view the tablet holds.
    expect(voter.view!.poll!.mine).toEqual({ cast: true, choice: 'no' });
    // A publication of that state (or a later one) reaches the tablets; it repeats no part the ack delivered.
    await voter.until((v) => v.seq >= ack.seq && v.poll?.castCount === 1, 'the shared view counts the ballot');
    const echoed = await chair.until((v) => v.seq >= ack.seq, 'the chair sees the ballot');
    expect(echoed.poll!.castCount).toBe(1);
    expect(parts).toEqual([]);
    await chair.must('poll.cancel', { pollId: 'gw12', reason: 'Thử nghiệm' });
    voter.socket.off('session:personal');
  });

  it('[GW-13] a delegate with a tablet and a phone: the ack answers the tablet, and the phone still gets the part pushed', async () => {
    const tablet = delegates[21]!;
    const phone = await TestClient.connect(h.baseUrl, await delegateToken(22), SESSION);
    const pushed: PersonalView[] = [];
    phone.socket.on('session:personal', (p) => pushed.push(p));
    await chair.must('poll.open', { pollId: 'gw13', subject: 'Biểu quyết công khai', kind: 'motion', mode: 'electronic', durationSec: 600 });
    await phone.until((v) => v.poll?.pollId === 'gw13', 'the phone sees the poll');
    const ack = await tablet.send('ballot.cast', { pollId: 'gw13', choice: 'abstain' });
    if (!ack.ok) throw new Error(`ballot refused: ${ack.code}`);
    expect(ack.personal!.mine.gw13).toEqual({ cast: true, choice: 'abstain' });
    const seen = await phone.until((v) => v.poll?.pollId === 'gw13' && v.poll.mine?.cast === true, 'the phone sees its own ballot');
    expect(seen.poll!.mine).toEqual({ cast: true, choice: 'abstain' });
    expect(pushed.some((p) => p.seq >= ack.seq && p.mine.gw13?.choice === 'abstain')).toBe(true);
    await chair.must('poll.cancel', { pollId: 'gw13', reason: 'Thử nghiệm' });
    phone.close();
  });

  it('[GW-15] a client that did not say it takes its own part in the ack (a page older than that) gets no part in the ack, and the part pushed', async () => {
    // A delegate with no other socket: with the opt-in, the ack would have stood for the push.
    const old = await TestClient.connect(h.baseUrl, await delegateToken(65), SESSION, { ownPartInAck: false });
    await chair.must('attendance.checkIn', { delegateId: 'bn-d065', channel: 'hall' });
    const pushed: PersonalView[] = [];
    old.socket.on('session:personal', (p) => pushed.push(p));
    await chair.must('poll.open', { pollId: 'gw15', subject: 'Biểu quyết công khai', kind: 'motion', mode: 'electronic', durationSec: 600 });
    await old.until((v) => v.poll?.pollId === 'gw15', 'the old page sees the poll');
    const ack = await old.send('ballot.cast', { pollId: 'gw15', choice: 'yes' });
    if (!ack.ok) throw new Error(`ballot refused: ${ack.code}`);
    expect(ack.personal).toBeUndefined();
    // Its own choice reaches it the old way, as a pushed part of that state or a later one.
    const seen = await old.until((v) => v.seq >= ack.seq && v.poll?.mine?.cast === true, 'the old page sees its own ballot');
    expect(seen.poll!.mine).toEqual({ cast: true, choice: 'yes' });
    expect(pushed.some((p) => p.seq >= ack.seq && p.mine.gw15?.choice === 'yes')).toBe(true);
    await chair.must('poll.cancel', { pollId: 'gw15', reason: 'Thử nghiệm' });
    old.close();
  });
});
