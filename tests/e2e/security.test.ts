/**
 * [E2E-7] The Content-Security-Policy the server sends (issue 10 item 11) holds for every page in Chromium: no inline
 * or eval'd script anywhere, so the policy needs no 'unsafe-inline' for scripts. Each page is loaded and used with
 * the real headers while a `securitypolicyviolation` listener (installed before any page script) and the console
 * watch for refusals; a deliberate inline script proves the watch sees one.
 * [E2E-8] The delegate's tablet shows "Đã đăng nhập trên thiết bị khác" when a QR code issued by the secretary signs
 * the account in elsewhere; the delegate opens "Thiết bị đăng nhập", sees who issued it, and signs that device out —
 * which lands on the sign-in screen.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_DEVICE_TOKEN, DEMO_STAFF_PASSWORD } from '../../server/src/seed/demo.ts';
import { login, startHall, type RunningHall } from '../../server/test/support/hall.ts';
import { launch } from '../support/browser.ts';
import { chairLogin, chairPickSession, delegateId, delegateLogin, dumpPages, newPage, openLive, SESSION, SESSION_TITLE, visible, wallLogin } from '../support/e2e.ts';
import { ensureMediaPages } from '../support/media.ts';

let h: RunningHall;
let browser: Browser;
const pages: Record<string, Page> = {};

beforeAll(async () => {
  ensureMediaPages();
  h = await startHall();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** A page that records every CSP refusal: the DOM event (from the first byte of the page on) and console reports. */
async function watchedPage(kind: Parameters<typeof newPage>[1], name: string) {
  const page = await newPage(browser, kind);
  pages[name] = page;
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|create|frame)/i.test(m.text())) console.push(m.text());
  });
  // Init scripts run before the page's own and are not subject to its CSP (they come from the browser's tooling).
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const violations = async () => [...((await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])) as string[]), ...console];
  return { page, violations };
}

describe('[E2E-7] Content-Security-Policy', () => {
  it('sends a CSP without unsafe-inline scripts, no framing, no referrer, no HSTS on plain http', async () => {
    const res = await fetch(`${h.baseUrl}/delegate/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('script-src-attr')).toBe("script-src-attr 'none'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive('object-src')).toBe("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('the watch sees a violation when there is one (a deliberate inline script)', async () => {
    const { page, violations } = await watchedPage('desktop', 'control');
    await page.goto(`${h.baseUrl}/`);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.body.append(s);
    });
    await expect.poll(async () => (await violations()).length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran)).toBeUndefined();
    await page.context().close();
  });

  it('every app and page runs under it with no violation', async () => {
    const checks: { name: string; violations: () => Promise<string[]> }[] = [];

    const landing = await watchedPage('desktop', 'landing');
    await landing.page.goto(`${h.baseUrl}/`);
    await visible(landing.page.getByRole('heading', { level: 1 }));
    checks.push({ name: 'landing', violations: landing.violations });

    const chair = await watchedPage('chair', 'chair');
    await chairLogin(chair.page, h.baseUrl);
    await chairPickSession(chair.page);
    checks.push({ name: 'chair', violations: chair.violations });

    const tablet = await watchedPage('tablet', 'tablet');
    await delegateLogin(tablet.page, h.baseUrl, 3);
    await tablet.page.getByRole('button', { name: 'Thiết bị đăng nhập' }).click();
    await visible(tablet.page.getByRole('dialog', { name: 'Thiết bị đăng nhập' }).getByText('Thiết bị này'));
    await tablet.page.getByRole('dialog', { name: 'Thiết bị đăng nhập' }).getByRole('button', { name: 'Đóng' }).click();
    await tablet.page.getByRole('tab', { name: 'Tài liệu' }).click();
    checks.push({ name: 'delegate', violations: tablet.violations });

    const wall = await watchedPage('wall', 'wall');
    await wallLogin(wall.page, h.baseUrl);
    checks.push({ name: 'wall', violations: wall.violations });

    const live = await watchedPage('desktop', 'live');
    await openLive(live.page, h.baseUrl);
    checks.push({ name: 'live', violations: live.violations });

    const liveHls = await watchedPage('phone', 'liveHls');
    await liveHls.page.goto(`${h.baseUrl}/live/?session=${SESSION}&hls=1`);
    await visible(liveHls.page.getByRole('heading', { level: 1, name: SESSION_TITLE }));
    checks.push({ name: 'live (HLS)', violations: liveHls.violations });

    const device = await login(h.baseUrl, 'device', 'wall.bn', DEMO_DEVICE_TOKEN);
    const camera = await watchedPage('desktop', 'camera');
    await camera.page.goto(`${h.baseUrl}/camera?session=${SESSION}&token=${encodeURIComponent(device)}&w=320&h=180`);
    await expect.poll(() => camera.page.locator('#status').innerText(), { timeout: 20_000 }).not.toBe('…');
    checks.push({ name: 'camera', violations: camera.violations });

    for (const file of ['viewer.html', 'hls.html']) {
      const media = await watchedPage('desktop', file);
      await media.page.goto(`${h.baseUrl}/media/${file}?session=${SESSION}`);
      await expect.poll(() => media.page.locator('#status').innerText(), { timeout: 20_000 }).not.toBe('…');
      checks.push({ name: `media ${file}`, violations: media.violations });
    }

    const docs = await watchedPage('desktop', 'docs');
    await docs.page.goto(`${h.baseUrl}/docs`);
    await visible(docs.page.getByText('Hall API').first());
    checks.push({ name: 'OpenAPI /docs', violations: docs.violations });

    const found: Record<string, string[]> = {};
    for (const c of checks) found[c.name] = await c.violations();
    expect(found).toEqual(Object.fromEntries(checks.map((c) => [c.name, []])));
  });
});

describe('[E2E-8] signed in elsewhere', () => {
  it('the tablet is told, the delegate sees who issued the QR code and signs that device out', async () => {
    const tablet = await newPage(browser, 'tablet');
    pages.delegateTablet = tablet;
    await delegateLogin(tablet, h.baseUrl, 4);

    // The secretary issues a QR login for the delegate; another device redeems it.
    const secretary = await login(h.baseUrl, 'password', 'thuky.bn', DEMO_STAFF_PASSWORD);
    const qr = (await (await fetch(`${h.baseUrl}/api/auth/qr/${delegateId(4)}`, { method: 'POST', headers: { authorization: `Bearer ${secretary}` } })).json()) as { url: string };
    const other = await newPage(browser, 'tablet');
    pages.otherDevice = other;
    await other.goto(qr.url.replace(/^https?:\/\/[^/]+/, h.baseUrl));
    await visible(other.getByRole('heading', { level: 1, name: SESSION_TITLE }));

    const banner = tablet.getByRole('alert').filter({ hasText: 'Đã đăng nhập trên thiết bị khác' });
    await visible(banner);
    await banner.getByRole('button', { name: 'Xem thiết bị đăng nhập' }).click();
    const dialog = tablet.getByRole('dialog', { name: 'Thiết bị đăng nhập' });
    const issued = dialog.getByRole('listitem').filter({ hasText: 'mã QR do thuky.bn cấp' });
    await visible(issued);
    await expect.poll(() => dialog.getByRole('listitem').count()).toBe(2);
    await issued.getByRole('button', { name: 'Đăng xuất thiết bị này' }).click();
    await expect.poll(() => dialog.getByRole('listitem').count()).toBe(1);
    await visible(dialog.getByText('Thiết bị này'));

    // The other device is back at the sign-in screen, told why.
    await visible(other.getByText('Thiết bị này đã bị đăng xuất. Vui lòng đăng nhập lại.'));
    await visible(other.getByLabel('Mã cá nhân'));
    // And the delegate's own tablet goes on.
    await dialog.getByRole('button', { name: 'Đóng' }).click();
    await visible(tablet.getByRole('heading', { level: 1, name: SESSION_TITLE }));
    expect(await tablet.getByLabel('Mã cá nhân').count()).toBe(0);
  });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await dumpPages(pages);
});
