/**
 * A committee ballot in Chromium (docs/committee-ballots.md): three counting-committee members on tablets (browser
 * pages) whose devices run the key ceremony by themselves, voters encrypting on their tablets (two members in the
 * browser, the others bots encrypting with client-kit's same code), the chair console showing the sealing and who has
 * confirmed, two members confirming decryption at close, the counts, the announcement, a voter finding their receipt
 * on the public board, and the board passing `pnpm verify --poll`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PollView } from '@hall/core';
import { verifyBoard, type BulletinBoard } from '@hall/core/ballot-crypto';
import { encryptChoice, fetchBoard } from '../../client-kit/src/committee.ts';
import { runPollVerify, VERIFY_EXIT } from '../../server/src/cli/verify-run.ts';
import { screenshot } from '../support/browser.ts';
import {
  axeSerious,
  ballotRecorded,
  chairLogin,
  chairPickSession,
  chairPollCard,
  chairTab,
  checkInAll,
  delegateCheckIn,
  delegateId,
  delegateTablet,
  escapeRe,
  gone,
  motionButton,
  newPage,
  range,
  SESSION,
  STATE_TIMEOUT,
  textMatches,
  useSitting,
  visible,
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

const tablets = new Map<number, Page>();
let chairPage: Page;
const s = useSitting(BOTS, () => ({ chair: chairPage, ...Object.fromEntries([...tablets].map(([n, p]) => [`member-${n}`, p])) }));

const panel = (page: Page) => page.getByRole('region', { name: 'Ban kiểm phiếu' });
const pollOf2 = (v: { polls: PollView[] } | null, pollId: string) => v?.polls.find((p) => p.pollId === pollId);
const pollOf = (v: { polls: PollView[] } | null) => pollOf2(v, POLL);

beforeAll(async () => {
  await s.observer.must('session.openCheckIn', {});
  await checkInAll(s.bots.values());
  for (const n of MEMBERS) {
    const page = await delegateTablet(s, n);
    await delegateCheckIn(page);
    tablets.set(n, page);
  }
  await s.observer.must('session.start', {});
  await s.observer.must('counting.setCommittee', { members: MEMBERS.map((n, i) => ({ delegateId: delegateId(n), role: i === 0 ? 'head' : 'member' })) });
  chairPage = await newPage(s.browser, 'chair');
  await chairLogin(chairPage, s.h.baseUrl);
  await chairPickSession(chairPage);
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
    expect(await axeSerious(tablets.get(1)!, 'committee panel, key ready')).toEqual([]);
    await panel(tablets.get(1)!).scrollIntoViewIfNeeded();
    await screenshot(tablets.get(1)!, 'tablet-committee-member-768x1024');

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
      if (n === 1) expect(await axeSerious(page, 'receipt after the cast')).toEqual([]);
      if (n === 1) {
        await card.scrollIntoViewIfNeeded();
        await screenshot(page, 'tablet-committee-receipt-768x1024');
      }
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
      if (n === 1) await screenshot(tablets.get(3)!, 'tablet-committee-confirm-768x1024');
      if (n === 1) await screenshot(chairPage, 'chair-committee-decrypting-1440x900');
    }
    const counted = await s.observer.until((v) => pollOf(v)?.status === 'counted', 'counted by the committee', 120_000);
    expect(pollOf(counted)).toMatchObject({ status: 'counted', committee: { phase: 'done' } });
    await s.observer.must('poll.announce', { pollId: POLL });
    const announced = await s.observer.until((v) => pollOf(v)?.status === 'announced', 'announced');
    expect(pollOf(announced)!.result).toMatchObject({ kind: 'motion', yes: 5, no: 2, abstain: 1 });
    expect(pollOf(announced)!.committee!.members.filter((m) => m.decrypted).map((m) => m.index)).toEqual([1, 3]);
    // The count is done: no member's tablet keeps its key share of this poll any more.
    for (const page of tablets.values()) {
      await expect.poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hall.committee:') && k.includes('/cmte-1:')))).toEqual([]);
    }

    // A voter checks their receipt on the public board from the tablet.
    const voter = tablets.get(1)!;
    await voter.getByRole('button', { name: 'Kiểm tra phiếu trên bảng công khai' }).click();
    await visible(voter.getByText('Phiếu của bạn có trên bảng công khai và được tính.'));
    expect(await axeSerious(chairPage, 'chair console, committee poll announced')).toEqual([]);

    // The board: both browser receipts listed, every proof and the counts hold — by core and by `pnpm verify --poll`.
    const final = await fetchBoard(SESSION, POLL, { baseUrl: s.h.baseUrl });
    expect(final!.ballots).toHaveLength(8);
    for (const r of receipts.values()) expect(final!.ballots.map((b) => b.receipt)).toContain(r);
    expect(verifyBoard(final as unknown as BulletinBoard)).toMatchObject({ ok: true, counts: [[5, 2, 1]] });
    const out: string[] = [];
    expect(await runPollVerify(`${SESSION}/${POLL}`, s.h.baseUrl, (l) => out.push(l), (l) => out.push(l))).toBe(VERIFY_EXIT.ok);
    expect(out.join('\n')).toMatch(/OK {2}8 ballots/);
  }, STATE_TIMEOUT * 8);

  it('[E2E-CMTE-2] a 15-official confidence rating encrypted on a tablet; at close only one member confirms: below the threshold the poll cannot be counted and is cancelled with the reason', async () => {
    type Officials = { id: string; fullName: string; ratable: boolean }[];
    const rated = (s.observer.view!.snapshot as { context: { council: { officials: Officials } } }).context.council.officials.filter((o) => o.ratable);
    expect(rated).toHaveLength(15);
    const subject = 'Lấy phiếu tín nhiệm đối với người giữ chức vụ do HĐND tỉnh bầu';
    await s.observer.must('agenda.goTo', { itemId: 'bn-kh12-06' });
    // The chair opens it from the console, ticking the committee's sealing (offered: the committee is present).
    await chairTab(chairPage, 'Biểu quyết');
    await chairPage.getByRole('button', { name: /Tạo biểu quyết/ }).click();
    const dialog = chairPage.getByRole('dialog', { name: 'Thiết lập biểu quyết' });
    await visible(dialog);
    await dialog.getByLabel('Nội dung biểu quyết').fill(subject);
    await dialog.getByLabel('Loại').selectOption({ label: 'Lấy phiếu tín nhiệm' });
    await dialog.getByRole('checkbox', { name: /^Ban kiểm phiếu giải mã/ }).check();
    await dialog.getByRole('radio', { name: /Chủ tọa bấm kết thúc/ }).check();
    await dialog.getByRole('button', { name: 'Bắt đầu biểu quyết' }).click();
    await gone(dialog);
    const opened = await s.observer.until((v) => v.poll?.status === 'open' && v.poll.subject === subject, 'the rating open');
    const pollId = opened.poll!.pollId;
    expect(opened.poll).toMatchObject({ sealing: 'committee', kind: 'confidenceRating', officials: expect.arrayContaining([expect.objectContaining({ id: rated[0]!.id })]) });
    expect(opened.poll!.officials).toHaveLength(15);
    await s.observer.until((v) => v.polls.find((p) => p.pollId === pollId)?.committee?.phase === 'voting', 'the second ceremony done', 120_000);

    // Member 1 fills the 15 rows on the tablet and sends: encrypted there (45 ciphertexts, 45 bit proofs, 15 sums).
    const page = tablets.get(1)!;
    await visible(page.getByRole('heading', { level: 2, name: subject }));
    for (const o of rated) {
      const row = page.getByRole('group', { name: new RegExp(`^${escapeRe(o.fullName)}`) });
      await row.scrollIntoViewIfNeeded();
      await row.getByRole('radio', { name: 'Tín nhiệm cao', exact: true }).check();
    }
    await page.getByRole('button', { name: 'Gửi phiếu', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Xác nhận phiếu kín' });
    await visible(confirm);
    await confirm.getByRole('button', { name: 'Gửi phiếu' }).click();
    await visible(ballotRecorded(page));
    const ms = await page.evaluate(() => performance.getEntriesByName('hall:encrypt').map((e) => e.duration));
    console.log(`[E2E-CMTE-2] member 1's tablet: encrypt + prove one 15-official rating ballot in the browser: ${ms.at(-1)!.toFixed(0)} ms`);

    const board = await fetchBoard(SESSION, pollId, { baseUrl: s.h.baseUrl });
    for (const n of [4, 5]) {
      const bot = s.bots.get(n)!;
      const { ballot } = encryptChoice(pollOf2(bot.view, pollId)!, board!.commitments, Object.fromEntries(rated.map((o) => [o.id, 'confidence'])));
      await bot.must('ballot.castEncrypted', { pollId, ballot });
    }
    await s.observer.until((v) => v.polls.find((p) => p.pollId === pollId)?.castCount === 3, 'three ballots in');
    await s.observer.must('poll.close', { pollId });

    // Member 2 confirms; members 1 and 3 do not. The count waits, and the tablets and the console say why.
    const member2 = tablets.get(2)!;
    await panel(member2).getByRole('button', { name: 'Xác nhận giải mã' }).click();
    await textMatches(chairPollCard(chairPage), /Đã xác nhận giải mã: 1\/2 thành viên cần thiết/);
    await textMatches(panel(tablets.get(3)!), /Nếu không đủ 2 thành viên xác nhận, biểu quyết không thể kiểm phiếu/);
    expect(await s.observer.send('poll.announce', { pollId })).toMatchObject({ ok: false });
    const reason = 'Không đủ thành viên Ban kiểm phiếu giải mã (1/2): bỏ phiếu lại';
    await s.observer.must('poll.cancel', { pollId, reason });
    const cancelled = await s.observer.until((v) => v.polls.find((p) => p.pollId === pollId)?.status === 'cancelled', 'cancelled');
    expect(cancelled.polls.find((p) => p.pollId === pollId)).toMatchObject({ status: 'cancelled', result: null });
  }, STATE_TIMEOUT * 8);
});
