/**
 * [CORES] HALL_CORES: one start command, several server processes on one port (issue 16). A primary with two workers
 * on a private Redis: sessions are placed on different workers, a long-polling client (handed to one worker by the
 * primary, every request after the first by its sid) works like a WebSocket one, 85 bots vote through the one port
 * while the worker owning the session is killed with SIGKILL; the primary starts it again, the other worker takes the
 * session over by its lease, and every acknowledged ballot is counted exactly once. SIGTERM to the primary stops every
 * worker, each releasing its leases.
 */
import { io } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { BallotChoice, CommandAck } from '@hall/core';
import { DEMO_STAFF_PASSWORD, demoCouncils, demoDelegateCode } from '../../src/seed/demo.ts';
import { runSwarm } from '../../src/bots/swarm.ts';
import { newCommandId, tallyChoices } from '../../src/bots/bot.ts';
import { preferredNode } from '../../src/runtime/cluster.ts';
import { isAlive, login, TestClient } from '../support/hall.ts';
import { CORES_WORKERS, startCoresHall, workerPids, type CoresHall } from '../support/cores.ts';

const PREFIX = 'hall:';

let hall: CoresHall | null = null;
afterAll(() => hall?.stop());

describe('HALL_CORES: several processes on one port', () => {
  it('[CORES-1] sessions spread over workers; long-polling works; a worker killed mid-poll loses no acked ballot; SIGTERM stops all', async () => {
    hall = await startCoresHall(PREFIX);
    const { server, holderOf, admin } = hall;
    expect(server.output).toContain('store: redis, 2 processes');
    const url = server.baseUrl;

    // Placement: each session is opened by the worker it is placed on, whichever worker the chair reached.
    const chair = await TestClient.connect(url, await login(url, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), 'bn-kh12');
    await chair.must('session.openCheckIn', {});
    const chairTd = await TestClient.connect(url, await login(url, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD), 'td-kh10');
    await chairTd.must('session.openCheckIn', {});
    const owner = await holderOf('bn-kh12');
    expect(owner).toBe(preferredNode(CORES_WORKERS, 'bn-kh12'));
    expect(await holderOf('td-kh10')).toBe(preferredNode(CORES_WORKERS, 'td-kh10'));
    expect(new Set([owner, await holderOf('td-kh10')]).size).toBe(2);
    chairTd.close();

    // A client that can only long-poll: its requests after the handshake must reach the worker that holds its sid.
    const pollingToken = await login(url, 'code', 'td-d001', demoDelegateCode('td-d001')!);
    const polling = io(url, { auth: { token: pollingToken }, transports: ['polling'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        polling.once('connect', resolve);
        polling.once('connect_error', reject);
      });
      const joined = (await polling.timeout(30_000).emitWithAck('session:join', { sessionId: 'td-kh10', lastSeq: 0 })) as { ok: boolean };
      expect(joined.ok).toBe(true);
      const checkIn = (await polling
        .timeout(30_000)
        .emitWithAck('session:command', { sessionId: 'td-kh10', commandId: newCommandId(), type: 'attendance.checkIn', payload: { delegateId: 'td-d001', channel: 'hall' } })) as CommandAck;
      expect(checkIn).toMatchObject({ ok: true });
    } finally {
      polling.disconnect();
    }

    const ids = demoCouncils().find((x) => x.id === 'bac-ninh')!.delegates.map((d) => d.id);
    const acked: { delegateId: string; choice: BallotChoice; at: number }[] = [];
    const swarm = runSwarm({
      baseUrl: url,
      sessionId: 'bn-kh12',
      delegateIds: ids,
      codeFor: (id) => demoDelegateCode(id)!,
      vote: 'random',
      checkIn: true,
      requestFloor: 0,
      waitForPolls: 1,
      seed: 16,
      delayMs: 5000,
      commandTimeoutMs: 8000,
      log: () => undefined,
      onBallot: (x) => acked.push({ delegateId: x.delegateId, choice: x.choice, at: performance.now() }),
    });
    await chair.until((v) => v.attendance?.present === 85, '85 present', 180_000);
    await chair.must('session.start', {});
    await chair.must('poll.open', { pollId: 'cores-1', subject: 'Biểu quyết trên nhiều tiến trình', kind: 'motion', mode: 'secret', durationSec: 45 });

    await expect.poll(() => acked.length, { timeout: 120_000, interval: 10 }).toBeGreaterThanOrEqual(20);
    const ownerPid = workerPids(server.output).get(owner!)!;
    const killedAt = performance.now();
    process.kill(ownerPid, 'SIGKILL');
    const ackedBeforeKill = acked.filter((x) => x.at <= killedAt).map((x) => x.delegateId);
    expect(ackedBeforeKill.length).toBeLessThan(85);

    // The other worker takes the session over by its lease; the primary starts the killed one again under its name.
    const other = CORES_WORKERS.find((w) => w !== owner)!;
    await expect.poll(() => holderOf('bn-kh12'), { timeout: 90_000, interval: 100 }).toBe(other);
    await expect.poll(() => workerPids(server.output).get(owner!), { timeout: 90_000, interval: 200 }).not.toBe(ownerPid);

    // The chair's socket was on one of the workers: a fresh one reads the outcome whichever worker it reaches.
    const chair2 = await TestClient.connect(url, await login(url, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), 'bn-kh12');
    await chair2.until((v) => v.poll?.pollId === 'cores-1' && v.poll.status === 'counted', 'the deadline closes the poll', 120_000);
    await chair2.must('poll.announce', { pollId: 'cores-1' });
    const closed = await chair2.until((v) => v.poll?.pollId === 'cores-1' && v.poll.status === 'announced', 'announced');
    const summary = await swarm;
    const ackedIds = new Set(acked.map((x) => x.delegateId));
    for (const id of ackedBeforeKill) expect(ackedIds.has(id)).toBe(true);
    expect(acked).toHaveLength(ackedIds.size);
    // Why a ballot failed is the first thing to know when this does.
    expect(summary.ballotsFailed, summary.errors.join('\n')).toBe(0);
    expect(ackedIds.size).toBe(85);
    expect(closed.poll!.castCount).toBe(85);
    const tally = tallyChoices('motion', acked.map((x) => x.choice));
    expect(closed.poll!.result).toMatchObject(tally.kind === 'motion' ? { yes: tally.yes, no: tally.no, abstain: tally.abstain } : {});
    chair.close();
    chair2.close();

    // SIGTERM to the primary alone: it stops every worker, and each gives its leases back on the way out.
    const primaryPid = Number(/\[hall primary (\d+)\]/.exec(server.output)![1]);
    const pids = [...workerPids(server.output).values()].filter(isAlive);
    expect(pids).toHaveLength(2);
    process.kill(primaryPid, 'SIGTERM');
    await expect.poll(() => [primaryPid, ...pids].filter(isAlive), { timeout: 60_000, interval: 100 }).toEqual([]);
    expect(await holderOf('bn-kh12')).toBeNull();
    expect(await holderOf('td-kh10')).toBeNull();
    admin.disconnect();
  }, 600_000);
});
