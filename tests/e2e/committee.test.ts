/**
 * A committee ballot in Chromium (docs/committee-ballots.md): three counting-committee members on tablets (browser
 * pages) whose devices run the key ceremony by themselves, voters encrypting on their tablets (two members in the
 * browser, the others bots encrypting with client-kit's same code), the chair console showing the sealing and who has
 * confirmed, two members confirming decryption at close, the counts, the announcement, a voter finding their receipt
 * on the public board, and the board passing `pnpm verify --poll`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PollView } from '@hall/core';
import { verifyBoard, type BulletinBoard } from '@hall/core/ballot-crypto';
import { encryptChoice, fetchBoard } from '../../client-kit/src/committee.ts';
import { runPollVerify, VERIFY_EXIT } from '../../server/src/cli/verify-run.ts';
import {
  ballotRecorded,
  chairLogin,
  chairPickSession,
  chairPollCard,
  checkInAll,
  closeSitting,
  delegateCheckIn,
  delegateId,
  delegateLogin,
  dumpPages,
  motionButton,
  newPage,
  range,
  SESSION,
  startSitting,
  STATE_TIMEOUT,
  textMatches,
  visible,
  type Sitting,
} from '../support/e2e.ts';

/** The counting committee's three members, each on a tablet; 54 bots make the quorum (57 of 85 present). */
const MEMBERS = [1, 2, 3];
const BOTS = range(4, 57);
/** Bots that vote, and how: with the members' two browser ballots, 5 yes, 2 no, 1 abstain. */
const BOT_VOTES: [number, 'yes' | 'no' | 'abstain'][] = [
  [4, 'yes'],
  [5, 'yes'],
  [6, 'yes'],
  [7, 'yes'],
  [8, 'no'],
  [9, 'abstain'],
];
const POLL = 'cmte-1';
const SUBJECT = 'Miễn nhiệm thành viên Ủy ban nhân dân tỉnh';

let s: Sitting;
const tablets = new Map<number, Page>();
let chairPage: Page;

const panel = (page: Page) => page.getByRole('region', { name: 'Ban kiểm phiếu' });
const pollOf = (v: { polls: PollView[] } | null) => v?.polls.find((p) => p.pollId === POLL);

beforeAll(async () => {
  s = await startSitting(BOTS);
  await s.observer.must('session.openCheckIn', {});
  await checkInAll(s.bots.values());
  for (const n of MEMBERS) {
    const page = await newPage(s.browser, 'portrait');
    await delegateLogin(page, s.h.baseUrl, n);
    await delegateCheckIn(page);
    tablets.set(n, page);
  }
  await s.observer.must('session.start', {});
  await s.observer.must('counting.setCommittee', { members: MEMBERS.map((n, i) => ({ delegateId: delegateId(n), role: i === 0 ? 'head' : 'member' })) });
  chairPage = await newPage(s.browser, 'chair');
  await chairLogin(chairPage, s.h.baseUrl);
  await chairPickSession(chairPage);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await dumpPages({ chair: chairPage, ...Object.fromEntries([...tablets].map(([n, p]) => [`member-${n}`, p])) });
});

afterAll(async () => {
  await closeSitting(s);
});

describe('[E2E-CMTE] a secret ballot nobody can open alone, on three members\' tablets', () => {
  it('[E2E-CMTE-1] the members\' tablets run the ceremony, voters get receipts, two members confirm at close, the counts are right, the receipt is on the board and the board verifies', async () => {
    await s.observer.must('poll.open', { pollId: POLL, subject: SUBJECT, kind: 'motion', mode: 'secret', sealing: 'committee', manualClose: true });
    // The chair console says how this secret ballot is sealed.
    await textMatches(chairPollCard(chairPage), /Phiếu kín — Ban kiểm phiếu giải mã \(2\/3\)/);

    // Nobody presses anything: each member's tablet commits, deals and checks its shares.
    await s.observer.until((v) => pollOf(v)?.committee?.phase === 'voting', 'the key ceremony done by the three tablets', 120_000);
    for (const page of tablets.values()) await textMatches(panel(page), /Khoá đã sẵn sàng: máy này giữ phần khoá của bạn \(đã kiểm tra\)/);
    await textMatches(chairPollCard(chairPage), /Khóa đã sẵn sàng, đang bỏ phiếu/);

    // Two members vote on their tablets: encrypted there, a receipt shown.
    const receipts = new Map<number, string>();
    for (const [n, choice] of [
      [1, 'Tán thành'],
      [2, 'Không tán thành'],
    ] as const) {
      const page = tablets.get(n)!;
      await motionButton(page, choice).click();
      const confirm = page.getByRole('dialog', { name: 'Xác nhận phiếu kín' });
      await visible(confirm);
      await confirm.getByRole('button', { name: 'Gửi phiếu' }).click();
      await visible(ballotRecorded(page));
      const card = page.getByRole('region', { name: 'Mã biên nhận phiếu của bạn' });
      await textMatches(card, /[0-9A-F]{8}…[0-9A-F]{8}/);
      const stored = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('hall.receipt:')));
      expect(stored).toHaveLength(1);
      receipts.set(n, stored[0]![1]);
      const ms = await page.evaluate(() => performance.getEntriesByName('hall:encrypt').map((e) => e.duration));
      console.log(`[E2E-CMTE-1] member ${n}'s tablet: encrypt + prove one motion ballot in the browser: ${ms.map((x) => x.toFixed(0)).join(', ')} ms`);
      // Nothing on the tablet remembers the choice: only the receipt and the member's key share.
      const kept = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      expect(kept).not.toMatch(/"choice"|Tán thành|"yes"|"no"/);
    }

    // The bots encrypt with the same client-kit code, to the key computed from the commitments.
    const board = await fetchBoard(SESSION, POLL, { baseUrl: s.h.baseUrl });
    for (const [n, choice] of BOT_VOTES) {
      const bot = s.bots.get(n)!;
      const { ballot } = encryptChoice(pollOf(bot.view)!, board!.commitments, choice);
      await bot.must('ballot.castEncrypted', { pollId: POLL, ballot });
    }
    await s.observer.until((v) => pollOf(v)?.castCount === 8, 'eight ballots in');

    await s.observer.must('poll.close', { pollId: POLL });
    // At close, the members are asked to confirm; two of three are enough.
    for (const n of [1, 3]) {
      const page = tablets.get(n)!;
      const button = panel(page).getByRole('button', { name: 'Xác nhận giải mã' });
      await visible(button);
      await button.click();
      if (n === 1) await textMatches(chairPollCard(chairPage), /Đã xác nhận giải mã: 1\/2 thành viên cần thiết/);
    }
    const counted = await s.observer.until((v) => pollOf(v)?.status === 'counted', 'counted by the committee', 120_000);
    expect(pollOf(counted)).toMatchObject({ status: 'counted', committee: { phase: 'done' } });
    await s.observer.must('poll.announce', { pollId: POLL });
    const announced = await s.observer.until((v) => pollOf(v)?.status === 'announced', 'announced');
    expect(pollOf(announced)!.result).toMatchObject({ kind: 'motion', yes: 5, no: 2, abstain: 1 });
    expect(pollOf(announced)!.committee!.members.filter((m) => m.decrypted).map((m) => m.index)).toEqual([1, 3]);

    // A voter checks their receipt on the public board from the tablet.
    const voter = tablets.get(1)!;
    await voter.getByRole('button', { name: 'Kiểm tra phiếu trên bảng công khai' }).click();
    await visible(voter.getByText('Phiếu của bạn có trên bảng công khai và được tính.'));

    // The board: both browser receipts listed, every proof and the counts hold — by core and by `pnpm verify --poll`.
    const final = await fetchBoard(SESSION, POLL, { baseUrl: s.h.baseUrl });
    expect(final!.ballots).toHaveLength(8);
    for (const r of receipts.values()) expect(final!.ballots.map((b) => b.receipt)).toContain(r);
    expect(verifyBoard(final as unknown as BulletinBoard)).toMatchObject({ ok: true, counts: [[5, 2, 1]] });
    const out: string[] = [];
    expect(await runPollVerify(`${SESSION}/${POLL}`, s.h.baseUrl, (l) => out.push(l), (l) => out.push(l))).toBe(VERIFY_EXIT.ok);
    expect(out.join('\n')).toMatch(/OK {2}8 ballots/);
  }, STATE_TIMEOUT * 8);
});
