/**
 * The swarm against the real server (buildApp, embedded store in a temp dir, demo seed, port 0): 85 bots check in,
 * five ask for the floor, and all vote in a public motion and a secret confidence rating. The chair's view of each
 * counted poll must equal what the bots cast, and the bots' log never shows a secret ballot's content.
 */
import type { BallotChoice } from '@hall/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DEVICE_TOKEN, DEMO_STAFF_PASSWORD, demoCouncils, demoDelegateCode } from '../../src/seed/demo.ts';
import { tallyChoices } from '../../src/bots/bot.ts';
import { runSwarm, type SwarmSummary } from '../../src/bots/swarm.ts';
import { login, startHall, TestClient, type RunningHall } from '../support/hall.ts';

const SESSION = 'bn-kh12';
let h: RunningHall;
let baseUrl: string;

beforeAll(async () => {
  h = await startHall();
  baseUrl = h.baseUrl;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('bot swarm end to end', () => {
  it('[BOT-E2E-1] 85 bots check in, 5 request the floor, and every ballot of a public and a secret poll is counted', async () => {
    const chair = await TestClient.connect(baseUrl, await login(baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), SESSION);
    const wall = await TestClient.connect(baseUrl, await login(baseUrl, 'device', 'wall.bn', DEMO_DEVICE_TOKEN), SESSION);
    const audience = await TestClient.connect(baseUrl, null, SESSION);
    await chair.must('session.openCheckIn', {});

    const council = demoCouncils().find((c) => c.id === 'bac-ninh')!;
    const delegateIds = council.delegates.map((d) => d.id);
    expect(delegateIds).toHaveLength(85);
    const ratedIds = council.officials.filter((o) => o.ratable).map((o) => o.id);

    const lines: string[] = [];
    const cast = new Map<string, BallotChoice[]>();
    const swarm: Promise<SwarmSummary> = runSwarm({
      baseUrl,
      sessionId: SESSION,
      delegateIds,
      codeFor: (id) => demoDelegateCode(id)!,
      vote: 'random',
      checkIn: true,
      requestFloor: 5,
      waitForPolls: 2,
      seed: 1,
      delayMs: 0,
      log: (line) => lines.push(line),
      onBallot: ({ pollId, choice }) => cast.set(pollId, [...(cast.get(pollId) ?? []), choice]),
    });
    let swarmError: unknown = null;
    swarm.catch((err) => (swarmError = err));

    await chair.until((v) => v.attendance?.present === 85 || swarmError !== null, '85 present');
    expect(swarmError).toBeNull();
    await chair.must('session.start', {});
    await chair.until((v) => v.queue.length === 5, 'five floor requests');

    // A public (named) motion.
    await chair.must('poll.open', { pollId: 'bn-p1', subject: 'Thông qua Nghị quyết về dự toán ngân sách năm 2029', kind: 'motion', mode: 'electronic', rule: 'more-than-half' });
    await chair.until((v) => v.poll?.pollId === 'bn-p1' && v.poll.castCount === 85, '85 ballots in bn-p1');
    // The chair may see the 85th ballot before that bot reads its ack.
    await expect.poll(() => cast.get('bn-p1')?.length ?? 0, { timeout: 60_000 }).toBe(85);
    await chair.must('poll.close', { pollId: 'bn-p1' });
    const p1 = (await chair.until((v) => v.poll?.pollId === 'bn-p1' && v.poll.result !== null, 'bn-p1 result')).poll!;
    const t1 = tallyChoices('motion', cast.get('bn-p1') ?? []);
    expect(cast.get('bn-p1')).toHaveLength(85);
    expect(p1.result).toMatchObject(t1.kind === 'motion' ? { kind: 'motion', yes: t1.yes, no: t1.no, abstain: t1.abstain } : {});
    await chair.must('poll.announce', { pollId: 'bn-p1' });
    // The wall and the public page show the same announced panel.
    for (const c of [wall, audience]) {
      const v = await c.until((x) => x.poll?.pollId === 'bn-p1' && x.poll.status === 'announced', `${c.view?.audience} announced`);
      expect(v.poll!.result).toEqual(p1.result);
    }

    // A secret confidence rating.
    await chair.must('poll.open', { pollId: 'bn-p2', subject: 'Lấy phiếu tín nhiệm', kind: 'confidenceRating', mode: 'secret', officialIds: ratedIds });
    await chair.until((v) => v.poll?.pollId === 'bn-p2' && v.poll.castCount === 85, '85 ballots in bn-p2');
    await chair.must('poll.close', { pollId: 'bn-p2' });
    // A secret poll's result reaches nobody before the announcement, the chair included.
    expect((await chair.until((v) => v.poll?.pollId === 'bn-p2' && v.poll.status === 'counted', 'bn-p2 counted')).poll!.result).toBeNull();
    await chair.must('poll.announce', { pollId: 'bn-p2' });
    const p2 = (await chair.until((v) => v.poll?.pollId === 'bn-p2' && v.poll.result !== null, 'bn-p2 result')).poll!;

    const summary = await swarm;
    const t2 = tallyChoices('confidenceRating', cast.get('bn-p2') ?? []);
    expect(p2.result?.kind).toBe('confidenceRating');
    if (p2.result?.kind !== 'confidenceRating' || t2.kind !== 'confidenceRating') return;
    expect(p2.result.officials.map((o) => o.officialId)).toEqual(ratedIds);
    for (const o of p2.result.officials) {
      const marks = t2.officials[o.officialId] ?? {};
      expect({ id: o.officialId, high: o.high.count, confidence: o.confidence.count, low: o.low.count }).toEqual({
        id: o.officialId,
        high: marks.high ?? 0,
        confidence: marks.confidence ?? 0,
        low: marks.low ?? 0,
      });
    }

    expect(summary).toMatchObject({ requested: 85, loggedIn: 85, joined: 85, checkedIn: 85, floorRequested: 5, ballotsAcked: 170, ballotsFailed: 0 });
    expect(summary.errors).toEqual([]);
    expect(summary.voteLatencyMs.count).toBe(170);
    expect(summary.voteLatencyMs.max).toBeGreaterThanOrEqual(summary.voteLatencyMs.p99);
    expect(summary.voteLatencyMs.p99).toBeGreaterThanOrEqual(summary.voteLatencyMs.p50);
    expect(Object.keys(summary.firstToLastAckMs).sort()).toEqual(['bn-p1', 'bn-p2']);
    expect(summary.polls['bn-p1']).toMatchObject({ kind: 'motion', mode: 'electronic', acked: 85, tally: t1 });
    expect(summary.polls['bn-p2']).toMatchObject({ kind: 'confidenceRating', mode: 'secret', acked: 85, tally: t2 });

    // The log: one line per acked ballot; public choices shown, secret ones never.
    const acked = lines.filter((l) => l.startsWith('ballot acked: '));
    expect(acked).toHaveLength(170);
    expect(acked[0]).toMatch(/^ballot acked: bn-d\d{3} poll=bn-p[12] seq=\d+ in \d+ ms /);
    const secret = acked.filter((l) => l.includes('poll=bn-p2'));
    expect(secret).toHaveLength(85);
    for (const l of secret) {
      expect(l, l).toMatch(/ \(secret\)( \(retried\))?$/);
      expect(l).not.toMatch(/high|low|confidence|choice/);
    }
    for (const l of acked.filter((l) => l.includes('poll=bn-p1'))) expect(l).toMatch(/ choice="(yes|no|abstain)"( \(retried\))?$/);

    for (const c of [chair, wall, audience]) c.close();
  }, 120_000);
});
