/**
 * [E2E-5] Every main screen of each app, in the state a sitting puts it in: a screenshot saved as
 * artifacts/screenshots/e2e-<app>-<screen>.png, and axe-core (WCAG 2 A and AA) with no serious or critical violation.
 * The session is driven through the protocol (TestClient) so each screen is reached quickly; the pages only watch,
 * except where the screen is the result of a press (check-in, a ballot).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  ballotRecorded,
  chairPickSession,
  chairPollCard,
  chairTab,
  checkInAll,
  delegateCheckIn,
  delegateCode,
  delegateId,
  mapLimit,
  motionButton,
  newPage,
  range,
  resultPanel,
  ScreenLog,
  SESSION,
  SESSION_TITLE,
  useSitting,
  visible,
  wallLogin,
} from '../support/e2e.ts';
import { DEMO_STAFF_PASSWORD } from '../../server/src/seed/demo.ts';

const BOTS = range(2, 61);
const MOTION = 'Nghị quyết về dự toán thu, chi ngân sách nhà nước năm 2029';
const RATING = 'Lấy phiếu tín nhiệm đối với người giữ chức vụ do HĐND tỉnh bầu';

let chair: Page;
let tablet: Page;
let wall: Page;
let liveDesktop: Page;
let livePhone: Page;
const s = useSitting(BOTS, () => ({ chair, tablet, wall, liveDesktop, livePhone }));

describe('screens', () => {
  it('[E2E-5] screenshots of every main screen, and no serious or critical axe violation on any of them', async () => {
    const log = new ScreenLog();
    const base = s.h.baseUrl;

    // Sign-in screens and the session picker.
    chair = await newPage(s.browser, 'chair');
    await chair.goto(`${base}/chair/`);
    await visible(chair.getByRole('heading', { name: 'Bàn điều hành chủ tọa' }));
    await log.capture(chair, 'chair-login');
    await chair.getByLabel('Tên đăng nhập').fill('chutoa.bn');
    await chair.getByLabel('Mật khẩu').fill(DEMO_STAFF_PASSWORD);
    await chair.getByRole('button', { name: 'Đăng nhập' }).click();
    await visible(chair.getByRole('heading', { name: 'Chọn kỳ họp' }));
    await visible(chair.getByRole('region', { name: 'Hội đồng của bạn' }).getByRole('button'));
    await log.capture(chair, 'chair-sessions');
    await chairPickSession(chair);

    tablet = await newPage(s.browser, 'tablet');
    await tablet.goto(`${base}/delegate/`);
    await visible(tablet.getByRole('form', { name: 'Đăng nhập' }));
    await log.capture(tablet, 'delegate-login');
    await tablet.getByLabel('Mã đại biểu').fill(delegateId(1));
    await tablet.getByLabel('Mã cá nhân').fill(delegateCode(1));
    await tablet.getByRole('button', { name: 'Đăng nhập' }).click();
    await visible(tablet.getByRole('heading', { level: 1, name: SESSION_TITLE }));

    wall = await newPage(s.browser, 'wall');
    await wall.goto(`${base}/wall/?session=${SESSION}`);
    await visible(wall.getByRole('heading', { name: 'Đăng nhập màn hình hội trường' }));
    await log.capture(wall, 'wall-login');
    await wallLogin(wall, base);

    liveDesktop = await newPage(s.browser, 'desktop');
    livePhone = await newPage(s.browser, 'phone');
    for (const p of [liveDesktop, livePhone]) await p.goto(`${base}/live/?session=${SESSION}`);

    // Roll call.
    await chair.getByRole('button', { name: 'Mở điểm danh', exact: true }).click();
    await visible(chair.getByText('Đang điểm danh. Khai mạc phiên họp khi đủ số đại biểu theo quy định.'));
    await visible(wall.getByRole('heading', { name: 'ĐIỂM DANH' }));
    await visible(tablet.getByRole('button', { name: /^Điểm danh — Có mặt/ }));
    await log.capture(tablet, 'delegate-home-checkin');
    await delegateCheckIn(tablet);
    await checkInAll(s.bots.values());
    const present = 1 + BOTS.length;
    await visible(chair.getByText(`Có mặt ${present}/85 đại biểu`, { exact: false }).first());
    await visible(wall.getByText(`Có mặt ${present}/85`, { exact: true }));
    await log.capture(chair, 'chair-checkin');
    await log.capture(wall, 'wall-checkin');

    // In progress: the sitting opened, item 3, a delegate speaking.
    await s.observer.must('session.start', {});
    const item3 = s.observer.view!.agenda[2]!.id;
    await s.observer.must('agenda.goTo', { itemId: item3 });
    await visible(chair.getByRole('banner').getByText(/Đang họp$/));
    await visible(tablet.getByText('Phiên họp đang diễn ra.'));
    const speakerBot = s.bots.get(10)!;
    await speakerBot.must('floor.request', { requestId: 'e2e5-rq-1', purpose: 'speech' });
    await s.bots.get(11)!.must('floor.request', { requestId: 'e2e5-rq-2', purpose: 'debate' });
    await s.observer.must('floor.grant', { requestId: 'e2e5-rq-1', speechId: 'e2e5-sp-1' });
    const speakerName = s.observer.view!.roll!.find((r) => r.delegateId === delegateId(10))!.name;
    await visible(chair.getByRole('region', { name: 'Người đang phát biểu' }).getByRole('heading', { name: speakerName }));
    await log.capture(chair, 'chair-in-progress');
    await visible(wall.getByRole('region', { name: /^Đang phát biểu/ }).getByText(speakerName, { exact: true }));
    await log.capture(wall, 'wall-speaker');
    await visible(tablet.getByRole('region', { name: 'Phát biểu', exact: true }).getByText(speakerName, { exact: true }));
    await log.capture(tablet, 'delegate-home');
    for (const [p, name] of [
      [liveDesktop, 'live-desktop'],
      [livePhone, 'live-phone'],
    ] as const) {
      await visible(p.getByRole('region', { name: 'Thông tin đang diễn ra tại hội trường' }).getByText(speakerName, { exact: true }));
      await log.capture(p, name);
    }
    await s.observer.must('floor.stop', {});

    // An electronic vote: open, a ballot recorded, the result announced.
    await s.observer.must('poll.open', { pollId: 'e2e5-motion', subject: MOTION, kind: 'motion', mode: 'electronic', durationSec: 600, itemId: item3 });
    await chairTab(chair, 'Biểu quyết');
    await visible(chairPollCard(chair).getByText('Đang biểu quyết', { exact: true }));
    await log.capture(chair, 'chair-poll-open');
    await visible(wall.getByText(MOTION, { exact: true }));
    await log.capture(wall, 'wall-poll');
    await visible(tablet.getByRole('heading', { level: 2, name: MOTION }));
    await log.capture(tablet, 'delegate-voting');
    await motionButton(tablet, 'Tán thành').click();
    await visible(ballotRecorded(tablet));
    await log.capture(tablet, 'delegate-recorded');
    const choices = ['yes', 'yes', 'no', 'yes', 'abstain'] as const;
    await mapLimit([...s.bots.values()].slice(0, 55), 10, (b) => b.must('ballot.cast', { pollId: 'e2e5-motion', choice: choices[Number(b.view!.me!.delegateId.slice(-3)) % 5]! }));
    await s.observer.must('poll.close', { pollId: 'e2e5-motion' });
    await s.observer.must('poll.announce', { pollId: 'e2e5-motion' });
    await visible(resultPanel(chair.getByRole('tabpanel'), MOTION));
    await log.capture(chair, 'chair-result');
    await visible(resultPanel(wall, MOTION));
    await log.capture(wall, 'wall-result');
    await visible(resultPanel(tablet, MOTION));
    await log.capture(tablet, 'delegate-result');
    for (const [p, name] of [
      [liveDesktop, 'live-desktop-result'],
      [livePhone, 'live-phone-result'],
    ] as const) {
      await visible(resultPanel(p.getByRole('region', { name: 'Kết quả biểu quyết đã công bố' }), MOTION));
      await log.capture(p, name);
    }

    // The confidence-rating grid on the tablet.
    const officials = (s.observer.view!.snapshot as { context: { council: { officials: { id: string; ratable: boolean }[] } } }).context.council.officials;
    const item6 = s.observer.view!.agenda[5]!.id;
    await s.observer.must('agenda.goTo', { itemId: item6 });
    await s.observer.must('poll.open', {
      pollId: 'e2e5-rating',
      subject: RATING,
      kind: 'confidenceRating',
      mode: 'secret',
      durationSec: 600,
      itemId: item6,
      officialIds: officials.filter((o) => o.ratable).map((o) => o.id),
    });
    await visible(tablet.getByRole('heading', { level: 2, name: RATING }));
    await visible(tablet.getByRole('radio').first());
    await log.capture(tablet, 'delegate-confidence-grid');
    await s.observer.must('poll.cancel', { pollId: 'e2e5-rating', reason: 'Chụp màn hình kiểm thử' });

    // A closed sitting: the wall keeps only the title.
    await s.observer.must('sitting.setClosed', { closed: true });
    await visible(wall.getByRole('heading', { name: 'PHIÊN HỌP KÍN' }));
    await log.capture(wall, 'wall-closed');
    await visible(liveDesktop.getByText('Phiên họp kín — không truyền hình'));
    await log.capture(liveDesktop, 'live-desktop-closed');

    console.log(`[E2E-5] ${log.files.length} screenshots:\n  ${log.files.join('\n  ')}`);
    if (log.findings.length) console.log(`[E2E-5] axe serious/critical violations:\n${log.report()}`);
    expect(log.files.length).toBeGreaterThanOrEqual(20);
    expect(log.findings, log.report()).toEqual([]);
  });
});
