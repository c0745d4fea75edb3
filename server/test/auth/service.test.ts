import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthService, can, LOGIN_LINK_TTL_MS } from '../../src/auth/service.ts';
import { ACCOUNT_RULE } from '../../src/auth/throttle.ts';
import { hashSecret } from '../../src/auth/secrets.ts';
import { issueToken } from '../../src/auth/tokens.ts';
import type { Account, Catalog } from '../../src/store/types.ts';
import { createMemoryStore } from '../../src/store/memory.ts';

const SECRET = 'service-test-secret-0123456789abcdef';
const TTL = 12 * 3600;
const T0 = Date.UTC(2028, 11, 8, 7, 30, 0);
const IP = '10.0.0.21';

let hashes: Record<string, string>;
beforeAll(async () => {
  const [pw, code, device] = await Promise.all([hashSecret('demo123'), hashSecret('100001'), hashSecret('wall-demo')]);
  hashes = { pw: pw!, code: code!, device: device! };
});

function accounts(): Account[] {
  return [
    { id: 'admin', role: 'admin', displayName: 'Quản trị', councilIds: [], secretHash: hashes.pw! },
    { id: 'chutoa.bn', role: 'chair', displayName: 'Chủ tọa', councilIds: ['bac-ninh'], secretHash: hashes.pw! },
    { id: 'thuky.bn', role: 'secretary', displayName: 'Thư ký', councilIds: ['bac-ninh'], secretHash: hashes.pw! },
    { id: 'bn-d001', role: 'delegate', displayName: 'Phạm Văn Long', councilIds: ['bac-ninh'], delegateId: 'bn-d001', secretHash: hashes.code! },
    { id: 'bn-d002', role: 'delegate', displayName: 'Đỗ Thúy Trang', councilIds: ['bac-ninh'], delegateId: 'bn-d002', secretHash: hashes.code!, disabled: true },
    { id: 'wall.bn', role: 'display', displayName: 'Màn hình', councilIds: ['bac-ninh'], secretHash: hashes.device! },
  ];
}

let clock: number;
let catalog: Catalog;
let auth: AuthService;

beforeEach(async () => {
  clock = T0;
  catalog = createMemoryStore().catalog;
  for (const a of accounts()) await catalog.putAccount(a);
  auth = new AuthService(catalog, { tokenSecret: SECRET, tokenTtlSec: TTL, now: () => clock });
});

describe('AuthService.login', () => {
  it('[AUTH-1] staff log in with a password and get claims from their account', async () => {
    const r = await auth.login('password', 'chutoa.bn', 'demo123', IP);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.claims).toMatchObject({ sub: 'chutoa.bn', role: 'chair', councilIds: ['bac-ninh'], name: 'Chủ tọa', exp: T0 / 1000 + TTL });
    expect(r.claims.jti).toBeTruthy();
    expect(auth.verify(r.token)).toEqual(r.claims);
    for (const id of ['admin', 'thuky.bn']) expect((await auth.login('password', id, 'demo123', IP)).ok).toBe(true);
  });

  it('[AUTH-2] delegates log in with their delegate id and personal code', async () => {
    const r = await auth.login('code', 'bn-d001', '100001', IP);
    expect(r.ok && r.claims).toMatchObject({ sub: 'bn-d001', role: 'delegate', delegateId: 'bn-d001', councilIds: ['bac-ninh'] });
    expect((await auth.login('code', 'bn-d001', ' 100 001 ', IP)).ok).toBe(true);
  });

  it('[AUTH-3] walls log in with a device token', async () => {
    const r = await auth.login('device', 'wall.bn', 'wall-demo', IP);
    expect(r.ok && r.claims.role).toBe('display');
  });

  it('[AUTH-4] a kind never reaches an account of another role, even with the right secret', async () => {
    const cases: Array<[Parameters<AuthService['login']>[0], string, string]> = [
      ['password', 'bn-d001', '100001'],
      ['code', 'chutoa.bn', 'demo123'],
      ['code', 'admin', 'demo123'],
      ['device', 'admin', 'demo123'],
      ['password', 'wall.bn', 'wall-demo'],
      ['device', 'bn-d001', '100001'],
    ];
    for (const [kind, id, secret] of cases) {
      const r = await auth.login(kind, id, secret, `${IP}-${kind}-${id}`);
      expect(r).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    }
  });

  it('[AUTH-5] wrong secrets and unknown ids fail the same way, with a Vietnamese message', async () => {
    const wrong = await auth.login('password', 'admin', 'sai', IP);
    const unknown = await auth.login('password', 'khong-ton-tai', 'demo123', IP);
    expect(wrong).toEqual({ ok: false, code: 'AUTH_FAILED', message: 'Sai tên đăng nhập hoặc mật khẩu' });
    expect(unknown).toEqual(wrong);
    expect(await auth.login('code', 'bn-d001', '', IP)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    expect(await auth.login('code', '', '100001', IP)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    for (const id of ['..', '../etc/passwd', 'a/b', 'x'.repeat(200)]) expect(await auth.login('code', id, '100001', IP)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    expect(await auth.login('password', 'admin', 'x'.repeat(5000), IP)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
  });

  it('[AUTH-6] a disabled account is reported only after the right secret', async () => {
    expect(await auth.login('code', 'bn-d002', '999999', IP)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    const r = await auth.login('code', 'bn-d002', '100001', IP);
    expect(r).toMatchObject({ ok: false, code: 'DISABLED' });
    expect(!r.ok && r.message).toMatch(/khóa/);
  });

  it('[AUTH-7] five failures on an account throttle the sixth attempt from any address, even with the right secret, and the wait doubles', async () => {
    for (let i = 0; i < 5; i++) expect((await auth.login('code', 'bn-d001', `00000${i}`, `10.0.1.${i}`)).ok).toBe(false);
    clock += 10_000;
    const r = await auth.login('code', 'bn-d001', '100001', IP);
    expect(r).toMatchObject({ ok: false, code: 'THROTTLED', retryAfterSec: 20 });
    expect(!r.ok && r.message).toBe('Đăng nhập sai quá nhiều lần, thử lại sau 20 giây');
    // Another address does not help: the account is what is counted (rotating X-Forwarded-For gains nothing).
    expect(await auth.login('code', 'bn-d001', '100001', '10.0.0.99')).toMatchObject({ code: 'THROTTLED' });
    // Other accounts are unaffected.
    expect((await auth.login('password', 'admin', 'demo123', IP)).ok).toBe(true);
    // After the wait one more try; another failure doubles the wait (60 s), then 120 s.
    clock = T0 + ACCOUNT_RULE.baseMs;
    expect(await auth.login('code', 'bn-d001', '999999', IP)).toMatchObject({ code: 'AUTH_FAILED' });
    expect(await auth.login('code', 'bn-d001', '100001', IP)).toMatchObject({ code: 'THROTTLED', retryAfterSec: 60 });
    clock += 60_000;
    expect(await auth.login('code', 'bn-d001', '999999', IP)).toMatchObject({ code: 'AUTH_FAILED' });
    expect(await auth.login('code', 'bn-d001', '100001', IP)).toMatchObject({ code: 'THROTTLED', retryAfterSec: 120 });
    // Once the wait has passed the right code gets in, and the account starts afresh.
    clock += 120_000;
    expect((await auth.login('code', 'bn-d001', '100001', IP)).ok).toBe(true);
    expect(await auth.login('code', 'bn-d001', '999999', IP)).toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('[AUTH-8] a success resets the failure count', async () => {
    for (let i = 0; i < 4; i++) await auth.login('password', 'admin', 'sai', IP);
    expect((await auth.login('password', 'admin', 'demo123', IP)).ok).toBe(true);
    for (let i = 0; i < 4; i++) expect(await auth.login('password', 'admin', 'sai', IP)).toMatchObject({ code: 'AUTH_FAILED' });
    expect(await auth.login('password', 'admin', 'sai', IP)).toMatchObject({ code: 'AUTH_FAILED' });
    expect(await auth.login('password', 'admin', 'sai', IP)).toMatchObject({ code: 'THROTTLED' });
  });

  it('[AUTH-9] attempts fired at once cannot slip past the limit', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => auth.login('code', 'bn-d001', `9${i}`, IP)));
    expect(results.filter((r) => !r.ok && r.code === 'AUTH_FAILED')).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.code === 'THROTTLED')).toHaveLength(15);
  });

  it('[AUTH-10] unknown ids are throttled too, so guessing cannot tell which ids exist', async () => {
    for (let i = 0; i < 5; i++) await auth.login('code', 'bn-d999', '1', IP);
    expect(await auth.login('code', 'bn-d999', '1', IP)).toMatchObject({ code: 'THROTTLED' });
  });
});

describe('AuthService login links', () => {
  it('[LINK-1] a QR link logs its account in once', async () => {
    const link = await auth.issueLoginLink('bn-d001');
    expect(link).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const r = await auth.redeemLoginLink(link);
    expect(r.ok && r.claims).toMatchObject({ sub: 'bn-d001', role: 'delegate', delegateId: 'bn-d001' });
    expect(await auth.redeemLoginLink(link)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
  });

  it('[LINK-2] two scans at the same moment: only one wins', async () => {
    const link = await auth.issueLoginLink('bn-d001');
    const results = await Promise.all([auth.redeemLoginLink(link), auth.redeemLoginLink(link)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('[LINK-3] a link expires after ten minutes', async () => {
    const a = await auth.issueLoginLink('bn-d001');
    const b = await auth.issueLoginLink('bn-d001');
    clock += LOGIN_LINK_TTL_MS - 1;
    expect((await auth.redeemLoginLink(a)).ok).toBe(true);
    clock += 1;
    expect(await auth.redeemLoginLink(b)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
  });

  it('[LINK-4] unknown, garbage and disabled-account links fail', async () => {
    await expect(auth.issueLoginLink('nobody')).rejects.toThrow();
    await expect(auth.issueLoginLink('bn-d002')).rejects.toThrow();
    const link = await auth.issueLoginLink('bn-d001');
    await catalog.putAccount({ ...(await catalog.getAccount('bn-d001'))!, disabled: true });
    expect(await auth.redeemLoginLink(link)).toMatchObject({ ok: false, code: 'DISABLED' });
    for (const bad of ['', 'x', 'A'.repeat(43), 'A'.repeat(1000), undefined as unknown as string]) {
      expect(await auth.redeemLoginLink(bad)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    }
  });
});

describe('AuthService tokens and access', () => {
  it('[ACC-1] verify accepts own tokens until they expire and rejects foreign ones', async () => {
    const r = await auth.login('password', 'admin', 'demo123', IP);
    if (!r.ok) throw new Error('login failed');
    clock += TTL * 1000 - 1;
    expect(auth.verify(r.token)).not.toBeNull();
    clock += 1;
    expect(auth.verify(r.token)).toBeNull();
    const foreign = issueToken({ sub: 'admin', role: 'admin', councilIds: [], name: 'x' }, 'other-secret-other-secret-other-s', TTL, clock);
    expect(auth.verify(foreign)).toBeNull();
    expect(auth.verify('garbage')).toBeNull();
  });

  it('[ACC-2] anonymous viewers get public claims with no councils', () => {
    expect(auth.publicClaims()).toMatchObject({ role: 'public', councilIds: [], sub: 'public' });
  });

  it('[ACC-3] admins reach every council, others only their own', () => {
    expect(can({ role: 'admin', councilIds: [] }, 'tien-du')).toBe(true);
    expect(can({ role: 'chair', councilIds: ['bac-ninh'] }, 'bac-ninh')).toBe(true);
    expect(can({ role: 'chair', councilIds: ['bac-ninh'] }, 'tien-du')).toBe(false);
    expect(auth.can({ role: 'delegate', councilIds: ['tien-du'] }, 'tien-du')).toBe(true);
    expect(auth.can(auth.publicClaims(), 'bac-ninh')).toBe(false);
  });
});
