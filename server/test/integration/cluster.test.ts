/**
 * [CLUSTER] Several server processes on one Redis (issue 6): bots spread over the nodes vote in one poll, the node
 * that owns the session is killed with SIGKILL mid-poll, another node takes the session over when the lease lapses,
 * and every acknowledged ballot is counted exactly once. Then Redis itself goes away and comes back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { BallotChoice } from '@hall/core';
import { DEMO_STAFF_PASSWORD, demoCouncils, demoDelegateCode } from '../../src/seed/demo.ts';
import { runSwarm } from '../../src/bots/swarm.ts';
import { tallyChoices } from '../../src/bots/bot.ts';
import { freePort, login, ServerProcess, TestClient } from '../support/hall.ts';
import { REDIS_URL, dropRedisPrefix } from '../support/redis.ts';
import { RedisProcess } from '../support/redis-process.ts';
import { NodeDirectory } from '../../src/runtime/cluster.ts';

const SESSION = 'bn-kh12';
const servers: ServerProcess[] = [];
const redisServers: RedisProcess[] = [];
const dirs: string[] = [];
let prefix = '';
const prefixes: string[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const r of redisServers) await r.destroy();
  for (const p of [prefix, ...prefixes]) if (p) await dropRedisPrefix(p);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function node(name: string, redisUrl: string, keyPrefix: string): Promise<ServerProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), `hall-${name}-`));
  dirs.push(dir);
  const server = new ServerProcess(path.join(dir, 'data'), await freePort(), {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: keyPrefix,
    NODE_ID: name,
    HALL_LEASE_MS: '2000',
  });
  servers.push(server);
  await server.start();
  return server;
}

async function ownerOf(sessionId: string, keyPrefix: string, redisUrl = REDIS_URL) {
  const redis = new Redis(redisUrl);
  const holder = await redis.get(`${keyPrefix}lease:${sessionId}`);
  redis.disconnect();
  return holder?.split(':')[0] ?? null;
}

describe('several nodes on one Redis', () => {
  it('[CLUSTER-1] bots on three nodes; the owner is killed mid-poll; another node takes over; every acked ballot counts once', async () => {
    prefix = `hall-t${randomBytes(4).toString('hex')}:`;
    const a = await node('a', REDIS_URL, prefix); // seeds the catalog first
    // The chair on node a while it is the only node: the session is placed there, so a owns it.
    const chair = await TestClient.connect(a.baseUrl, await login(a.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), SESSION);
    await chair.must('session.openCheckIn', {});
    expect(await ownerOf(SESSION, prefix)).toBe('a');
    const [b, c] = await Promise.all([node('b', REDIS_URL, prefix), node('c', REDIS_URL, prefix)]);
    const health = (await (await fetch(`${b.baseUrl}/healthz`)).json()) as { store: string; cluster: boolean; node: string };
    expect(health).toMatchObject({ store: 'redis', cluster: true, node: 'b' });
    // Nodes joining later take nothing a node holds, whatever the placement would prefer.
    expect(await ownerOf(SESSION, prefix)).toBe('a');

    const ids = demoCouncils().find((x) => x.id === 'bac-ninh')!.delegates.map((d) => d.id);
    const acked: { delegateId: string; choice: BallotChoice; at: number }[] = [];
    const swarmOn = (server: ServerProcess, delegateIds: string[], seed: number) =>
      runSwarm({
        baseUrl: server.baseUrl,
        sessionId: SESSION,
        delegateIds,
        codeFor: (id) => demoDelegateCode(id)!,
        vote: 'random',
        checkIn: true,
        requestFloor: 0,
        waitForPolls: 1,
        seed,
        delayMs: 5000,
        commandTimeoutMs: 8000,
        log: () => undefined,
        onBallot: (x) => acked.push({ delegateId: x.delegateId, choice: x.choice, at: performance.now() }),
      });
    const swarms = [swarmOn(b, ids.slice(0, 42), 1), swarmOn(c, ids.slice(42), 2)];

    await chair.until((v) => v.attendance?.present === 85, '85 present via nodes b and c', 120_000);
    await chair.must('session.start', {});
    await chair.must('poll.open', { pollId: 'cl-1', subject: 'Biểu quyết qua nhiều máy chủ', kind: 'motion', mode: 'secret', durationSec: 45 });

    await expect.poll(() => acked.length, { timeout: 120_000, interval: 10 }).toBeGreaterThanOrEqual(20);
    const killedAt = performance.now();
    await a.kill9();
    const ackedBeforeKill = acked.filter((x) => x.at <= killedAt).map((x) => x.delegateId);
    expect(ackedBeforeKill.length).toBeLessThan(85);

    // The chair moves to node b; b or c must own the session within the lease time plus a sweep.
    const chairB = await TestClient.connect(b.baseUrl, await login(b.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), SESSION);
    await expect.poll(() => ownerOf(SESSION, prefix), { timeout: 60_000, interval: 200 }).toMatch(/^[bc]$/);
    const takeoverMs = performance.now() - killedAt;

    await chairB.until((v) => v.poll?.pollId === 'cl-1' && v.poll.status === 'counted', 'the deadline closes the poll', 90_000);
    // A secret poll's counts are shown once announced (to nobody before, the chair included).
    await chairB.must('poll.announce', { pollId: 'cl-1' });
    const closed = await chairB.until((v) => v.poll?.pollId === 'cl-1' && v.poll.status === 'announced', 'announced');
    const summaries = await Promise.all(swarms);
    const ackedIds = new Set(acked.map((x) => x.delegateId));
    for (const id of ackedBeforeKill) expect(ackedIds.has(id)).toBe(true);
    expect(acked).toHaveLength(ackedIds.size);
    expect(closed.poll!.castCount).toBe(ackedIds.size);
    const tally = tallyChoices('motion', acked.map((x) => x.choice));
    expect(closed.poll!.result).toMatchObject(tally.kind === 'motion' ? { yes: tally.yes, no: tally.no, abstain: tally.abstain } : {});
    expect(summaries.reduce((n, s) => n + s.ballotsFailed, 0)).toBe(0);
    expect(ackedIds.size).toBe(85);
    console.log(`[CLUSTER-1] ${ackedBeforeKill.length} ballots acked before the owner was killed; new owner ${await ownerOf(SESSION, prefix)} after ${Math.round(takeoverMs)} ms; all 85 counted once`);
    chair.close();
    chairB.close();
  }, 240_000);

  it('[CLUSTER-4] a committee poll\'s bulletin board is served by every node, the same as by its owner', async () => {
    const boardPrefix = `hall-t${randomBytes(4).toString('hex')}:`;
    prefixes.push(boardPrefix);
    const a = await node('a3', REDIS_URL, boardPrefix);
    const chair = await TestClient.connect(a.baseUrl, await login(a.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), SESSION);
    const ids = demoCouncils().find((x) => x.id === 'bac-ninh')!.delegates.map((d) => d.id);
    const members = ids.slice(0, 3);
    await chair.must('session.openCheckIn', {});
    // A quorum is present (the chair records it), the committee among them.
    for (const delegateId of ids.slice(0, Math.ceil((ids.length * 2) / 3) + 1)) {
      // One chair marking 58 delegates in a row meets the per-user rate limit: wait, as the console would.
      let ack = await chair.send('attendance.set', { delegateId, status: 'present' });
      while (!ack.ok && ack.code === 'RATE_LIMITED') {
        await new Promise((r) => setTimeout(r, 500));
        ack = await chair.send('attendance.set', { delegateId, status: 'present' });
      }
      expect(ack, delegateId).toMatchObject({ ok: true });
    }
    await chair.must('session.start', {});
    await chair.must('counting.setCommittee', { members: members.map((delegateId, i) => ({ delegateId, role: i === 0 ? 'head' : 'member' })) });
    await chair.must('poll.open', { pollId: 'cl-board', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true });
    expect(await ownerOf(SESSION, boardPrefix)).toBe('a3');

    const b = await node('b3', REDIS_URL, boardPrefix);
    const path = `/api/sessions/${SESSION}/polls/cl-board/board`;
    const fromOwner = await fetch(`${a.baseUrl}${path}`);
    const fromOther = await fetch(`${b.baseUrl}${path}`);
    expect(fromOwner.status).toBe(200);
    expect(fromOther.status).toBe(200);
    const ownerBody = (await fromOwner.json()) as { ok: boolean; board: { committee?: unknown } };
    expect(ownerBody.ok).toBe(true);
    expect(await fromOther.json()).toEqual(ownerBody);
    // The other node asked; it did not take the session over to answer.
    expect(await ownerOf(SESSION, boardPrefix)).toBe('a3');
    // A poll that is not a committee poll has no board, on any node.
    expect((await fetch(`${b.baseUrl}/api/sessions/${SESSION}/polls/no-such-poll/board`)).status).toBe(404);
    chair.close();
  }, 240_000);

  it('[CLUSTER-2] Redis down: commands fail fast with UNAVAILABLE and change nothing; /readyz says not ready; Redis back (AOF) loses nothing', async () => {
    const redis = await RedisProcess.create();
    redisServers.push(redis);
    await redis.start();
    const url = redis.url;

    const d = await node('d', url, 'hall:');
    const chair = await TestClient.connect(d.baseUrl, await login(d.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), SESSION);
    await chair.must('session.openCheckIn', {});
    const delegate = await TestClient.connect(d.baseUrl, await login(d.baseUrl, 'code', 'bn-d001', demoDelegateCode('bn-d001')!), SESSION);
    const seqBefore = await delegate.must('attendance.checkIn', { delegateId: 'bn-d001', channel: 'hall' });

    await redis.kill('SIGKILL');
    // Answered (the socket's 10 s ack timeout would throw otherwise) and refused as unavailable, not left hanging.
    const ack = await chair.send('attendance.set', { delegateId: 'bn-d002', status: 'absentExcused', note: 'Đi công tác' });
    expect(ack).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    expect((await fetch(`${d.baseUrl}/readyz`)).status).toBe(503);

    await redis.start();
    await expect.poll(() => fetch(`${d.baseUrl}/readyz`).then((r) => r.status), { timeout: 60_000, interval: 200 }).toBe(200);
    // Service resumes, and the journal continues right after the last acknowledged record.
    let next = await chair.send('attendance.set', { delegateId: 'bn-d002', status: 'absentExcused', note: 'Đi công tác' });
    for (let i = 0; !next.ok && i < 20; i++) {
      await new Promise((r) => setTimeout(r, 500));
      next = await chair.send('attendance.set', { delegateId: 'bn-d002', status: 'absentExcused', note: 'Đi công tác' });
    }
    expect(next).toMatchObject({ ok: true, seq: seqBefore + 1 });
    const view = await chair.until((v) => v.seq === seqBefore + 1, 'view after Redis returned');
    expect(view.roll!.find((r) => r.delegateId === 'bn-d001')!.status).toBe('present');
    expect(view.roll!.find((r) => r.delegateId === 'bn-d002')!.status).toBe('absentExcused');
    chair.close();
    delegate.close();
  }, 120_000);

  it('[CLUSTER-3] a booting node waits for its expected peers in the node directory, and gives up at the bound', async () => {
    const redis = await RedisProcess.create();
    redisServers.push(redis);
    await redis.start();
    const [a, b] = [new Redis(redis.url), new Redis(redis.url)];
    const leaseMs = 1000;
    const first = new NodeDirectory(a, 'hall:', 'm-c1', leaseMs);
    let second: NodeDirectory | null = null;
    try {
      // The sibling's first heartbeat comes while the first node waits: placement then sees both.
      const waited = first.awaitPeers(2, 60_000);
      await new Promise((r) => setTimeout(r, 300));
      second = new NodeDirectory(b, 'hall:', 'm-c2', leaseMs);
      await second.beat();
      expect(await waited).toBe(true);
      expect([...first.nodes()].sort()).toEqual(['m-c1', 'm-c2']);
      expect(first.preferred('bn-kh12')).toBe(second.preferred('bn-kh12'));
      // A third worker that never starts: the wait ends (false) and the node goes on with what it saw.
      expect(await first.awaitPeers(3, 2 * leaseMs)).toBe(false);
      expect(first.nodes()).toHaveLength(2);
    } finally {
      await first.close();
      await second?.close();
      a.disconnect();
      b.disconnect();
    }
  }, 120_000);
});
