/**
 * Helpers of the Chromium end-to-end tests: pages of the three apps driven by their accessible names (the Vietnamese
 * labels of each app's strings.ts and client-kit's catalog), bot delegates through the real protocol (TestClient),
 * an ack gate on a page's WebSocket, waits on states (never on time), expected result lines computed independently
 * of core, and axe-core checks.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page, WebSocketRoute } from 'playwright-core';
import { DEMO_DEVICE_TOKEN, DEMO_STAFF_PASSWORD, demoDelegateCode } from '../../server/src/seed/demo.ts';
import { login, startHall, TestClient, type RunningHall } from '../../server/test/support/hall.ts';
import { launch, screenshot } from './browser.ts';

export const SESSION = 'bn-kh12';
export const SESSION_TITLE = 'Kỳ họp thứ Mười hai, HĐND tỉnh Bắc Ninh khóa XX, nhiệm kỳ 2026-2031';
export const TOTAL_DELEGATES = 85;
/** Waits on a state: generous for a 2-core machine running a browser, a server and bots at once. */
export const STATE_TIMEOUT = 60_000;

export const VIEWPORTS = {
  chair: { width: 1440, height: 900 },
  tablet: { width: 820, height: 1180 },
  /** The smallest portrait tablet the halls use (issue 13's walk-through). */
  portrait: { width: 768, height: 1024 },
  wall: { width: 1920, height: 1080 },
  desktop: { width: 1366, height: 900 },
  phone: { width: 390, height: 844 },
  // The public page on a laptop and a small phone (the walked sitting and docs/screens).
  laptop: { width: 1280, height: 720 },
  phoneSmall: { width: 360, height: 800 },
} as const;

export const delegateId = (n: number) => `bn-d${String(n).padStart(3, '0')}`;
export const delegateCode = (n: number) => demoDelegateCode(delegateId(n))!;
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// ---------------------------------------------------------------------------------------------------------------
// Pages

/** `where` overrides the browser's locale and time zone (a tablet set up abroad, say). */
export async function newPage(browser: Browser, kind: keyof typeof VIEWPORTS, where: { locale?: string; timezoneId?: string } = {}): Promise<Page> {
  const touch = kind === 'tablet' || kind === 'portrait' || kind === 'phone' || kind === 'phoneSmall';
  const context = await browser.newContext({
    viewport: VIEWPORTS[kind],
    locale: where.locale ?? 'vi-VN',
    timezoneId: where.timezoneId ?? 'Asia/Ho_Chi_Minh',
    hasTouch: touch,
    isMobile: kind === 'phone' || kind === 'phoneSmall',
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(STATE_TIMEOUT);
  const page = await context.newPage();
  const log: string[] = [];
  pageLogs.set(page, log);
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log.push(`console.${m.type()}: ${m.text()}`);
  });
  return page;
}

/** Errors and warnings each page logged, for the failure dump. */
const pageLogs = new WeakMap<Page, string[]>();

export const visible = (l: Locator, timeout = STATE_TIMEOUT) => l.waitFor({ state: 'visible', timeout });
export const gone = (l: Locator, timeout = STATE_TIMEOUT) => l.waitFor({ state: 'hidden', timeout });

/** Polls the locator's text until it matches (a state, not a sleep). */
export async function textMatches(l: Locator, want: string | RegExp, timeout = STATE_TIMEOUT) {
  await expect
    .poll(async () => ((await l.count()) > 0 ? normalize(await l.first().innerText()) : ''), { timeout, interval: 100 })
    .toMatch(typeof want === 'string' ? new RegExp(escapeRe(normalize(want))) : want);
}

export const normalize = (s: string) => s.replace(/\s+/g, ' ').trim();
export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---------------------------------------------------------------------------------------------------------------
// Chair console

export async function chairLogin(page: Page, baseUrl: string, user = 'chutoa.bn') {
  await page.goto(`${baseUrl}/chair/`);
  await page.getByLabel('Tên đăng nhập').fill(user);
  await page.getByLabel('Mật khẩu').fill(DEMO_STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await visible(page.getByRole('heading', { name: 'Chọn kỳ họp' }));
}

export async function chairPickSession(page: Page) {
  await page.getByRole('region', { name: 'Hội đồng của bạn' }).getByRole('button', { name: new RegExp(`^${escapeRe(SESSION_TITLE)}`) }).click();
  await visible(page.getByRole('tablist', { name: 'Khu vực điều hành' }));
}

/** The lifecycle toolbar ("Điều hành kỳ họp"). */
export const chairToolbar = (page: Page) => page.getByRole('navigation', { name: 'Điều hành kỳ họp' });
/** The right-hand poll card of the console. */
export const chairPollCard = (page: Page) => page.getByRole('region', { name: 'Biểu quyết', exact: true });

/**
 * Presses a command button of the console (waiting until the machine enables it) and, when it asks first,
 * confirms in its dialog with the dialog's confirm button.
 */
export async function chairPress(scope: Locator, name: string, confirm?: { title: string | RegExp; submit: string }) {
  const page = scope.page();
  await scope.getByRole('button', { name, exact: true }).click();
  if (!confirm) return;
  const dialog = page.getByRole('dialog', { name: confirm.title });
  await visible(dialog);
  await dialog.getByRole('button', { name: confirm.submit, exact: true }).click();
  await gone(dialog);
}

export async function chairTab(page: Page, name: 'Phát biểu' | 'Chất vấn' | 'Biểu quyết' | 'Điểm danh') {
  const tab = page.getByRole('tablist', { name: 'Khu vực điều hành' }).getByRole('tab', { name: new RegExp(`^${name}`) });
  await tab.click();
  await expect.poll(() => tab.getAttribute('aria-selected')).toBe('true');
}

export async function chairGoToItem(page: Page, n: number) {
  await page.getByRole('button', { name: new RegExp(`^Chuyển sang nội dung ${n}:`) }).click();
  // The current item loses its "Chuyển sang" button.
  await gone(page.getByRole('button', { name: new RegExp(`^Chuyển sang nội dung ${n}:`) }));
}

export interface PollSetup {
  subject: string;
  kind?: 'Biểu quyết' | 'Lấy phiếu tín nhiệm';
  durationSec?: number;
}

/** "Tạo biểu quyết" on the Biểu quyết tab, the setup dialog, "Bắt đầu biểu quyết"; resolves once the poll is open. */
export async function chairOpenPoll(page: Page, setup: PollSetup) {
  await chairTab(page, 'Biểu quyết');
  await page.getByRole('button', { name: /Tạo biểu quyết/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Thiết lập biểu quyết' });
  await visible(dialog);
  await dialog.getByLabel('Nội dung biểu quyết').fill(setup.subject);
  if (setup.kind) await dialog.getByLabel('Loại').selectOption({ label: setup.kind });
  if (setup.durationSec) await dialog.getByLabel('Thời gian biểu quyết (giây)').fill(String(setup.durationSec));
  await dialog.getByRole('button', { name: 'Bắt đầu biểu quyết' }).click();
  await gone(dialog);
  await visible(chairPollCard(page).getByText('Đang biểu quyết', { exact: true }));
}

// ---------------------------------------------------------------------------------------------------------------
// Delegate tablet

export async function delegateLogin(page: Page, baseUrl: string, n: number) {
  await page.goto(`${baseUrl}/delegate/`);
  await page.getByLabel('Mã đại biểu').fill(delegateId(n));
  await page.getByLabel('Mã cá nhân').fill(delegateCode(n));
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  // The council has one session: the tablet goes straight in.
  await visible(page.getByRole('heading', { level: 1, name: SESSION_TITLE }));
}

export async function delegateCheckIn(page: Page) {
  await page.getByRole('button', { name: /^Điểm danh — Có mặt/ }).click();
  await visible(page.getByText('Bạn đã điểm danh: Có mặt'));
}

/** The big "ĐÃ GHI NHẬN" line of the ballot status (BallotStatus), and its other states. */
export const ballotRecorded = (page: Page) => page.getByText('ĐÃ GHI NHẬN', { exact: true });
export const ballotResending = (page: Page) => page.getByText('CHƯA GHI NHẬN — đang gửi lại', { exact: true });
export const motionButton = (page: Page, label: 'Tán thành' | 'Không tán thành' | 'Không biểu quyết') =>
  page.getByRole('group', { name: 'Biểu quyết' }).getByRole('button', { name: new RegExp(`^${label}`) });

// ---------------------------------------------------------------------------------------------------------------
// Wall and public page

export async function wallLogin(page: Page, baseUrl: string) {
  await page.goto(`${baseUrl}/wall/?session=${SESSION}`);
  await page.getByLabel('Tên thiết bị').fill('wall.bn');
  await page.getByLabel('Mã thiết bị').fill(DEMO_DEVICE_TOKEN);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await visible(page.locator('main.wall:not(.wall--loading)'));
}

export async function openLive(page: Page, baseUrl: string) {
  await page.goto(`${baseUrl}/live/?session=${SESSION}`);
  await visible(page.getByRole('heading', { level: 1, name: SESSION_TITLE }));
}

/** The motion result panel (client-kit ResultPanel): a region named "Kết quả biểu quyết <subject>". */
export const resultPanel = (scope: Page | Locator, subject: string) => scope.getByRole('region', { name: `Kết quả biểu quyết ${subject}` });

/** Seconds shown by a countdown (role="timer", label "… mm:ss"); negative in overtime. */
export async function timerSeconds(timer: Locator): Promise<number> {
  const label = (await timer.getAttribute('aria-label')) ?? '';
  const m = /(\+?)(\d+):(\d{2})\s*$/.exec(label);
  if (!m) throw new Error(`no mm:ss in timer label "${label}"`);
  const s = Number(m[2]) * 60 + Number(m[3]);
  return m[1] ? -s : s;
}

// ---------------------------------------------------------------------------------------------------------------
// Bots: delegates through the real protocol

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export async function connectDelegates(baseUrl: string, numbers: readonly number[]): Promise<Map<number, TestClient>> {
  const connected = new Map<number, TestClient>();
  try {
    await mapLimit(numbers, 8, async (n) => void connected.set(n, await TestClient.connect(baseUrl, await login(baseUrl, 'code', delegateId(n), delegateCode(n)), SESSION)));
  } catch (e) {
    // The caller gets no map to close: the bots connected before the failure are closed here.
    for (const b of connected.values()) b.close();
    throw e;
  }
  return new Map(numbers.map((n) => [n, connected.get(n)!]));
}

export async function connectChair(baseUrl: string): Promise<TestClient> {
  return TestClient.connect(baseUrl, await login(baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), SESSION);
}

/** A demo Hall, Chromium, the chair's protocol client and delegate bots: what a sitting test starts before its steps. */
export interface Sitting {
  h: RunningHall;
  browser: Browser;
  observer: TestClient;
  bots: Map<number, TestClient>;
}

export async function startSitting(botNumbers: readonly number[]): Promise<Sitting> {
  const s: Partial<Sitting> = {};
  try {
    s.h = await startHall();
    s.browser = await launch();
    s.observer = await connectChair(s.h.baseUrl);
    s.bots = await connectDelegates(s.h.baseUrl, botNumbers);
    return s as Sitting;
  } catch (e) {
    await closeSitting(s);
    throw e;
  }
}

/** Closes whatever part of a `Sitting` was opened (a failed start leaves some of it undefined). */
export async function closeSitting(s: Partial<Sitting> | undefined) {
  for (const b of s?.bots?.values() ?? []) b.close();
  s?.observer?.close();
  await s?.browser?.close();
  await s?.h?.close();
}

/**
 * A test file's sitting, started before its tests and closed after them; when a test fails, the pages `pages()`
 * names are dumped. The object returned is filled in before the file's own beforeAll hooks run.
 */
export function useSitting(botNumbers: readonly number[], pages: () => Record<string, Page | undefined>): Sitting {
  const s = {} as Sitting;
  beforeAll(async () => {
    Object.assign(s, await startSitting(botNumbers));
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await dumpPages(pages());
  });
  afterAll(async () => {
    await closeSitting(s);
  });
  return s;
}

/** Delegate `n`'s tablet, 768×1024 portrait as the councils hand them out, signed in with the delegate's code. */
export async function delegateTablet(s: Sitting, n: number, where: { locale?: string; timezoneId?: string } = {}): Promise<Page> {
  const page = await newPage(s.browser, 'portrait', where);
  await delegateLogin(page, s.h.baseUrl, n);
  return page;
}

export async function checkInAll(bots: Iterable<TestClient>) {
  await mapLimit([...bots], 10, (b) => b.must('attendance.checkIn', { delegateId: b.view!.me!.delegateId, channel: 'hall' }));
}

// ---------------------------------------------------------------------------------------------------------------
// Expected result lines, computed here and not by core: "count (percent of base)", two decimals rounded half up,
// decimal comma (docs/rules.md-§4).

export function percent(count: number, base: number): string {
  if (base === 0) return '0,00%';
  const h = Math.floor((20000 * count + base) / (2 * base));
  return `${Math.floor(h / 100)},${String(h % 100).padStart(2, '0')}%`;
}
export const countPercent = (count: number, base: number) => `${count} (${percent(count, base)})`;

// ---------------------------------------------------------------------------------------------------------------
// An ack gate: holds the server's acks of this page's `ballot.cast` commands (Socket.IO ack packets "43<id>[…]" on
// the WebSocket) until released, so a test can look at the page between "sent" and "acknowledged".

export class AckGate {
  holding = false;
  private readonly ballotIds = new Set<string>();
  private held: (() => void)[] = [];

  get heldCount() {
    return this.held.length;
  }

  static async install(context: BrowserContext): Promise<AckGate> {
    const gate = new AckGate();
    await context.routeWebSocket(/\/socket\.io\//, (ws: WebSocketRoute) => gate.route(ws));
    return gate;
  }

  private route(ws: WebSocketRoute) {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      if (typeof m === 'string') {
        const cmd = /^42(\d+)\["session:command",/.exec(m);
        if (cmd && m.includes('"type":"ballot.cast"')) this.ballotIds.add(cmd[1]!);
      }
      server.send(m);
    });
    server.onMessage((m) => {
      if (this.holding && typeof m === 'string') {
        const ack = /^43(\d+)\[/.exec(m);
        if (ack && this.ballotIds.has(ack[1]!)) {
          this.held.push(() => ws.send(m));
          return;
        }
      }
      ws.send(m);
    });
  }

  release() {
    this.holding = false;
    for (const send of this.held.splice(0)) send();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Screens: a screenshot and an axe-core check (WCAG 2 A/AA) per main screen

export interface AxeFinding {
  screen: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

export async function axeSerious(page: Page, screen: string): Promise<AxeFinding[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ screen, rule: v.id, impact: v.impact!, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

export class ScreenLog {
  readonly files: string[] = [];
  readonly findings: AxeFinding[] = [];

  /** Saves artifacts/screenshots/e2e-<name>.png and, unless `axe` is false, records serious/critical axe violations. */
  async capture(page: Page, name: string, opts: { axe?: boolean } = {}) {
    // Fonts and layout settle before the picture and the audit.
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    this.files.push(await screenshot(page, `e2e-${name}`));
    if (opts.axe !== false) this.findings.push(...(await axeSerious(page, name)));
  }

  report(): string {
    return this.findings.map((f) => `${f.screen}: [${f.impact}] ${f.rule} — ${f.help}\n    ${f.targets.slice(0, 6).join('\n    ')}`).join('\n');
  }
}

/** On a failure: what each page showed (its accessibility tree), to read in the test output. */
export async function dumpPages(pages: Record<string, Page | undefined>) {
  for (const [name, page] of Object.entries(pages)) {
    if (!page || page.isClosed()) continue;
    const tree = await page.locator('body').ariaSnapshot({ timeout: 5000 }).catch((e: Error) => `(no snapshot: ${e.message})`);
    const logged = (pageLogs.get(page) ?? []).slice(-15).join('\n');
    console.log(`--- ${name} (${page.url()})\n${tree.slice(0, 6000)}${logged ? `\n[console]\n${logged}` : ''}`);
  }
}
