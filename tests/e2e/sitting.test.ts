/**
 * A sitting of HĐND tỉnh Bắc Ninh in Chromium: the chair's console, five delegate tablets, the hall wall and the
 * public page against one in-process server; the other delegates are bots on the real protocol (TestClient).
 * The tests run in order on the same session: [E2E-1] roll call and an electronic vote, [E2E-2] a speech, [E2E-4] a
 * secret confidence rating.
 */
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { SessionView } from '@hall/core';
import { screenshot } from '../support/browser.ts';
import {
  AckGate,
  ballotRecorded,
  ballotResending,
  chairGoToItem,
  chairLogin,
  chairOpenPoll,
  chairPickSession,
  chairPollCard,
  chairPress,
  chairTab,
  chairToolbar,
  checkInAll,
  countPercent,
  delegateCheckIn,
  delegateId,
  delegateLogin,
  escapeRe,
  gone,
  mapLimit,
  motionButton,
  newPage,
  normalize,
  openLive,
  percent,
  range,
  resultPanel,
  textMatches,
  timerSeconds,
  TOTAL_DELEGATES,
  visible,
  useSitting,
  wallLogin,
  STATE_TIMEOUT,
} from '../support/e2e.ts';

const TABLETS = range(1, 5);
/** Bots 6…80 check in: 80 present of 85; 81…85 stay away. */
const BOTS = range(6, 80);
const PRESENT = TABLETS.length + BOTS.length;

let chair: Page;
let wall: Page;
let live: Page;
const tablets = new Map<number, Page>();
const gates = new Map<number, AckGate>();
/** `s.observer` is the chair's view over the protocol, to read what the server holds. */
const s = useSitting(BOTS, () => ({ chair, wall, live, ...Object.fromEntries([...tablets].map(([n, p]) => [`tablet ${n}`, p])) }));

const nameOf = (n: number) => s.observer.view!.roll!.find((r) => r.delegateId === delegateId(n))!.name;
const pollOf = (v: SessionView | null) => v?.poll ?? null;

describe('a sitting in the browser', () => {
  it('[E2E-1] roll call on five tablets, an electronic vote recorded only on the ack, the result panel on the wall and the public page', async () => {
    // The chair signs in, picks the session and opens the roll call.
    chair = await newPage(s.browser, 'chair');
    await chairLogin(chair, s.h.baseUrl);
    await chairPickSession(chair);
    wall = await newPage(s.browser, 'wall');
    await wallLogin(wall, s.h.baseUrl);
    await visible(wall.getByRole('heading', { name: 'Kỳ họp chưa khai mạc' }));
    live = await newPage(s.browser, 'desktop');
    await openLive(live, s.h.baseUrl);

    await chairPress(chairToolbar(chair), 'Mở điểm danh');
    await visible(chair.getByText('Đang điểm danh. Khai mạc phiên họp khi đủ số đại biểu theo quy định.'));
    await visible(wall.getByRole('heading', { name: 'ĐIỂM DANH' }));

    // Five tablets, each in its own browser context, sign in with their codes and check in.
    await Promise.all(
      TABLETS.map(async (n) => {
        const page = await newPage(s.browser, 'tablet');
        gates.set(n, await AckGate.install(page.context()));
        await delegateLogin(page, s.h.baseUrl, n);
        await delegateCheckIn(page);
        tablets.set(n, page);
      }),
    );
    const summary = chair.getByRole('region', { name: 'Số đại biểu có mặt' });
    await visible(summary.getByText(`Có mặt ${TABLETS.length}/${TOTAL_DELEGATES} đại biểu (${percent(TABLETS.length, TOTAL_DELEGATES)})`));

    // The rest of the quorum checks in through the protocol.
    await checkInAll(s.bots.values());
    await visible(summary.getByText(`Có mặt ${PRESENT}/${TOTAL_DELEGATES} đại biểu (${percent(PRESENT, TOTAL_DELEGATES)})`));
    await visible(summary.getByText(/(^|\s)Đủ số đại biểu theo quy định$/));
    await visible(wall.getByText(`Có mặt ${PRESENT}/${TOTAL_DELEGATES}`, { exact: true }));
    await visible(wall.getByText(/^. Đủ túc số$/));

    await chairPress(chairToolbar(chair), 'Khai mạc phiên họp', { title: 'Khai mạc phiên họp?', submit: 'Khai mạc phiên họp' });
    await s.observer.until((v) => v.phase === 'inProgress', 'sitting opened');
    for (const page of tablets.values()) await visible(page.getByText('Phiên họp đang diễn ra.'));

    // An electronic motion on item 3.
    const subject = 'Nghị quyết về dự toán thu, chi ngân sách nhà nước năm 2029';
    await chairGoToItem(chair, 3);
    await chairOpenPoll(chair, { subject, durationSec: 600 });
    const poll = await s.observer.until((v) => pollOf(v)?.status === 'open', 'poll open');
    const pollId = poll.poll!.pollId;
    await visible(wall.getByText(subject, { exact: true }));

    // Each tablet votes; its ack is held back at the WebSocket: the server has the ballot, the tablet must not yet
    // say "ĐÃ GHI NHẬN". Released, the ack turns it to recorded.
    const plan: [number, 'Tán thành' | 'Không tán thành' | 'Không biểu quyết'][] = [
      [1, 'Tán thành'],
      [2, 'Tán thành'],
      [3, 'Tán thành'],
      [4, 'Không tán thành'],
      [5, 'Không biểu quyết'],
    ];
    for (const [i, [n, choice]] of plan.entries()) {
      const page = tablets.get(n)!;
      const gate = gates.get(n)!;
      await visible(page.getByRole('heading', { level: 2, name: subject }));
      await visible(page.getByText('Bạn chưa bỏ phiếu.'));
      gate.holding = true;
      await motionButton(page, choice).click();
      await expect.poll(() => gate.heldCount, { timeout: STATE_TIMEOUT }).toBeGreaterThan(0);
      // The server counted it (the chair sees the count move)…
      await s.observer.until((v) => pollOf(v)?.castCount === i + 1, `ballot ${i + 1} counted`);
      // …but without the ack the tablet says only that it is sending (or, past the kit's ack timeout, resending).
      await visible(page.getByText(`Đang gửi: ${choice}`, { exact: true }).or(ballotResending(page)));
      expect(await ballotRecorded(page).count()).toBe(0);
      if (i === 0) await screenshot(page, 'e2e-1-delegate-sending');
      gate.release();
      await visible(ballotRecorded(page));
      await visible(page.getByText(`Phiếu “${choice}” của bạn đã được hệ thống ghi nhận.`));
    }

    // The other delegates vote through the protocol: 62 yes, 8 no, 3 abstain, 2 present but not voting.
    const botChoice = (k: number) => (k < 62 ? 'yes' : k < 70 ? 'no' : k < 73 ? 'abstain' : null);
    const voters = [...s.bots.values()].map((b, k) => [b, botChoice(k)] as const).filter(([, c]) => c !== null);
    await mapLimit(voters, 10, ([b, choice]) => b.must('ballot.cast', { pollId, choice: choice! }));
    const yes = 3 + 62;
    const no = 1 + 8;
    const abstain = 1 + 3;
    const tookPart = yes + no + abstain;
    await s.observer.until((v) => pollOf(v)?.castCount === tookPart, 'all ballots');
    // While open the wall shows how many voted, never a choice.
    const spoken = `Đã biểu quyết ${tookPart} trên ${PRESENT} đại biểu có mặt`;
    await visible(wall.getByLabel(spoken).or(wall.getByText(spoken)));
    expect(normalize(await wall.locator('main').innerText())).not.toMatch(/Tán thành|THÔNG QUA/);

    // The chair closes and announces.
    await chairPress(chairPollCard(chair), 'Kết thúc biểu quyết', { title: 'Kết thúc biểu quyết', submit: 'Kết thúc biểu quyết' });
    await visible(wall.getByText('Chờ chủ tọa công bố kết quả'));
    expect(await resultPanel(wall, subject).count()).toBe(0);
    await chairPress(chairPollCard(chair), 'Công bố kết quả', { title: 'Công bố kết quả biểu quyết?', submit: 'Công bố kết quả' });

    // The National Assembly panel, every line "count (percent of the 85 delegates)", then the outcome.
    const expectPanel = async (panel: Locator) => {
      await visible(panel);
      const rows: [string, number][] = [
        ['Tham gia biểu quyết', tookPart],
        ['Tán thành', yes],
        ['Không tán thành', no],
        ['Không biểu quyết', abstain],
      ];
      for (const [label, count] of rows) {
        await visible(panel.getByRole('row', { name: `${label} ${countPercent(count, TOTAL_DELEGATES)}`, exact: true }));
      }
      await visible(panel.getByText(`Tổng số đại biểu: ${TOTAL_DELEGATES}`));
      // 65 of 85 is more than half of the total: adopted.
      await visible(panel.getByText('THÔNG QUA', { exact: true }));
      expect(await panel.getByText('KHÔNG THÔNG QUA', { exact: true }).count()).toBe(0);
    };
    expect(countPercent(tookPart, TOTAL_DELEGATES)).toBe('78 (91,76%)');
    await expectPanel(resultPanel(wall, subject));
    await screenshot(wall, 'e2e-1-wall-result');
    await expectPanel(resultPanel(live.getByRole('region', { name: 'Kết quả biểu quyết đã công bố' }), subject));
    await expectPanel(resultPanel(tablets.get(1)!, subject));

    const result = pollOf(s.observer.view)!.result!;
    expect(result).toMatchObject({ kind: 'motion', yes, no, abstain, tookPart, total: TOTAL_DELEGATES, adopted: true });
  });

  it('[E2E-2] a delegate asks for the floor, the chair grants it, the wall shows the speaker and a running countdown', async () => {
    const n = 2;
    const tablet = tablets.get(n)!;
    const name = nameOf(n);
    await tablet.getByRole('button', { name: /Đăng ký phát biểu/ }).click();
    await visible(tablet.getByText('Thứ tự của bạn: 1'));

    await chairTab(chair, 'Phát biểu');
    await chair.getByRole('button', { name: `Mời ${name} phát biểu`, exact: true }).click();
    await s.observer.until((v) => v.speaker?.id === delegateId(n), 'speaker on the floor');

    const speaker = wall.getByRole('region', { name: /^Đang phát biểu/ });
    await visible(speaker.getByText(name, { exact: true }));
    const timer = speaker.getByRole('timer');
    await visible(timer);
    const first = await timerSeconds(timer);
    const t0 = Date.now();
    expect(first).toBeGreaterThan(10);
    // Wait for the clock itself to move on (a state). A countdown shown in whole seconds can drop 2 in just over 1 s,
    // so how long that took is not asserted; that it never runs ahead of time is.
    await expect.poll(() => timerSeconds(timer), { timeout: 60_000, interval: 200 }).toBeLessThanOrEqual(first - 2);
    const second = await timerSeconds(timer);
    expect(second).toBeLessThan(first);
    // It runs at the speed of time, not faster.
    expect(first - second).toBeLessThanOrEqual(Math.ceil((Date.now() - t0) / 1000) + 1);
    await screenshot(wall, 'e2e-2-wall-speaker');

    // The tablet knows it has the floor; the public page overlays the name.
    await visible(tablet.getByRole('heading', { name: 'Bạn đang phát biểu' }));
    await visible(live.getByRole('region', { name: 'Thông tin đang diễn ra tại hội trường' }).getByText(name, { exact: true }));

    await chairPress(chair.getByRole('region', { name: 'Người đang phát biểu' }), 'Dừng phát biểu');
    await s.observer.until((v) => v.speaker === null, 'floor free');
    await gone(speaker);
    await gone(tablet.getByRole('heading', { name: 'Bạn đang phát biểu' }));
  });

  it('[E2E-4] a secret confidence rating: three tablets fill the grid, the wall shows the per-official table', async () => {
    const subject = 'Lấy phiếu tín nhiệm đối với người giữ chức vụ do HĐND tỉnh bầu';
    await chairGoToItem(chair, 6);
    await chairOpenPoll(chair, { subject, kind: 'Lấy phiếu tín nhiệm', durationSec: 600 });
    const opened = await s.observer.until((v) => pollOf(v)?.status === 'open' && pollOf(v)?.kind === 'confidenceRating', 'rating open');
    const { pollId, officials } = opened.poll!;
    expect(opened.poll!.mode).toBe('secret');
    // The dialog offers every ratable official by default.
    const ratable = (opened.snapshot as { context: { council: { officials: { id: string; ratable: boolean }[] } } }).context.council.officials.filter((o) => o.ratable);
    expect(officials.map((o) => o.id)).toEqual(ratable.map((o) => o.id));

    type Level = 'high' | 'confidence' | 'low';
    const LEVELS: Level[] = ['high', 'confidence', 'low'];
    const WORDS: Record<Level, string> = { high: 'Tín nhiệm cao', confidence: 'Tín nhiệm', low: 'Tín nhiệm thấp' };
    // Voter v (tablets 0–2, bots 3…77) rates official j: official 1 gets ≥ 2/3 low, official 2 between 1/2 and 2/3.
    const level = (v: number, j: number): Level => {
      if (j === 1) return v < 55 ? 'low' : 'confidence';
      if (j === 2) return v < 45 ? 'low' : 'high';
      return LEVELS[(v + j) % 3]!;
    };
    const ballot = (v: number) => Object.fromEntries(officials.map((o, j) => [o.id, level(v, j)]));

    const raters = TABLETS.slice(0, 3);
    for (const [v, n] of raters.entries()) {
      const page = tablets.get(n)!;
      await visible(page.getByRole('heading', { level: 2, name: subject }));
      const submit = page.getByRole('button', { name: 'Gửi phiếu', exact: true });
      for (const [j, o] of officials.entries()) {
        expect(await submit.isDisabled(), `submit disabled with ${j}/${officials.length} rows filled`).toBe(true);
        const row = page.getByRole('group', { name: new RegExp(`^${escapeRe(o.name)}`) });
        await row.getByRole('radio', { name: WORDS[level(v, j)], exact: true }).check();
      }
      await visible(page.getByText(`Đã chọn đủ cho tất cả ${officials.length} người`));
      expect(await submit.isEnabled()).toBe(true);
      if (v === 0) await screenshot(page, 'e2e-4-delegate-grid');
      await submit.click();
      const confirm = page.getByRole('dialog', { name: 'Xác nhận phiếu kín' });
      await visible(confirm);
      await confirm.getByRole('button', { name: 'Gửi phiếu', exact: true }).click();
      await visible(ballotRecorded(page));
      await visible(page.getByText('Phiếu của bạn đã được ghi nhận', { exact: true }));
      // Final once cast: the grid is gone.
      expect(await page.getByRole('radio').count()).toBe(0);
    }

    const botList = [...s.bots.values()].map((b, k) => [b, raters.length + k] as const);
    await mapLimit(botList, 10, ([b, v]) => b.must('ballot.cast', { pollId, choice: ballot(v) }));
    const collected = raters.length + botList.length;
    await s.observer.until((v) => pollOf(v)?.castCount === collected, 'all rating ballots');

    // A second wall with a controllable clock, to turn the pages of the table without waiting 12 s a page.
    const wall2 = await newPage(s.browser, 'wall');
    await wall2.clock.install();
    await wallLogin(wall2, s.h.baseUrl);

    await chairPress(chairPollCard(chair), 'Kết thúc biểu quyết', { title: 'Kết thúc biểu quyết', submit: 'Kết thúc biểu quyết' });
    await s.observer.until((v) => pollOf(v)?.status === 'counted', 'rating counted');
    await chairPress(chairPollCard(chair), 'Công bố kết quả', { title: 'Công bố kết quả biểu quyết?', submit: 'Công bố kết quả' });

    // Expected per official, from what was cast; percentages of the ballots collected (the council's base).
    const expected = officials.map((o, j) => {
      const c = { high: 0, confidence: 0, low: 0 };
      for (let v = 0; v < collected; v++) c[level(v, j)]++;
      const consequence = 3 * c.low >= 2 * collected ? 'Đề nghị miễn nhiệm' : 2 * c.low > collected ? 'Có thể xin từ chức, nếu không sẽ bị bỏ phiếu tín nhiệm' : 'Không có';
      // No consequence is a dash on screen and "Không có" for screen readers.
      const shown = consequence === 'Không có' ? '—\\s*Không có' : escapeRe(consequence);
      return { ...o, ...c, consequence, shown };
    });
    expect(expected[1]!.consequence).toBe('Đề nghị miễn nhiệm');
    expect(expected[2]!.consequence).toMatch(/^Có thể xin từ chức/);

    const board = wall2.getByRole('region', { name: 'KẾT QUẢ LẤY PHIẾU TÍN NHIỆM' });
    await visible(board);
    await visible(board.getByText(`Phiếu phát ra ${PRESENT} · Thu về ${collected} · Hợp lệ ${collected} · Không hợp lệ 0 · Tỷ lệ tính trên tổng số phiếu thu về`));
    const pages = Math.ceil(officials.length / 8);
    const seen = new Set<string>();
    for (let p = 1; p <= pages; p++) {
      await visible(board.getByText(`Trang ${p}/${pages}`, { exact: true }));
      const rows = board.getByRole('table').getByRole('row');
      const count = await rows.count();
      for (let r = 1; r < count; r++) {
        const row = rows.nth(r);
        const header = normalize(await row.getByRole('rowheader').innerText());
        const e = expected.find((x) => header.startsWith(x.name) && header.includes(x.post));
        expect(e, `official in row "${header}"`).toBeDefined();
        const cells = row.getByRole('cell');
        for (const [i, lv] of LEVELS.entries()) {
          await textMatches(cells.nth(i), new RegExp(`^${e![lv]}\\s*${escapeRe(percent(e![lv], collected))}$`));
        }
        await textMatches(cells.nth(3), new RegExp(`${e!.shown}$`));
        seen.add(e!.id);
      }
      if (p === 1) await screenshot(wall2, 'e2e-4-wall-rating');
      if (p < pages) await wall2.clock.fastForward(12_000);
    }
    expect([...seen].sort()).toEqual(officials.map((o) => o.id).sort());

    // The public page carries the whole table at once.
    const pub = resultPanelRating(live, subject);
    await visible(pub);
    for (const e of expected) {
      const row = pub.getByRole('row', { name: new RegExp(`^${escapeRe(e.name)} `) });
      await textMatches(
        row,
        new RegExp(`^${escapeRe(`${e.name} ${e.post} ${collected} ${countPercent(e.high, collected)} ${countPercent(e.confidence, collected)} ${countPercent(e.low, collected)}`)} ${e.shown}$`),
      );
    }
    await wall2.context().close();
  });
});

/** The kit's confidence-rating table on the public page: a region named "Kết quả lấy phiếu tín nhiệm <subject>". */
function resultPanelRating(page: Page, subject: string) {
  return page.getByRole('region', { name: 'Kết quả biểu quyết đã công bố' }).getByRole('region', { name: `Kết quả lấy phiếu tín nhiệm ${subject}` });
}
