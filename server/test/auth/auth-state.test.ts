/**
 * [STATE] The security state's adapters — this process's memory, embedded files, Redis — pass one contract:
 * devices are listed per account until they expire or are revoked; a revocation lasts until the token's expiry and
 * survives a restart; the audit log pages newest first.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryAuthState, openEmbeddedAuthState, redisAuthState, SECURITY_DIR, type AuthState } from '../../src/auth/state.ts';
import type { Device } from '../../src/auth/devices.ts';
import type { AuditEntry } from '../../src/auth/audit.ts';
import { useRedis } from '../support/app.ts';

const T0 = Date.UTC(2028, 11, 8, 7, 30, 0);
const HOUR = 3600_000;

const device = (jti: string, accountId: string, at = T0, exp = T0 + HOUR, extra: Partial<Device> = {}): Device => ({
  jti,
  accountId,
  role: 'delegate',
  via: 'code',
  at,
  exp,
  ...extra,
});
const entry = (n: number): AuditEntry => ({ at: T0 + n, action: 'login.issued', actor: { sub: 'thuky.bn', role: 'secretary' }, target: `bn-d00${n}`, councilIds: ['bac-ninh'] });

const shared = useRedis();
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

interface Adapter {
  open(): Promise<AuthState>;
  /** Opens the same storage again (a restart), or null when the adapter keeps nothing across one. */
  reopen: ((now: number) => Promise<AuthState>) | null;
}

const adapters: Record<string, () => Promise<Adapter>> = {
  memory: async () => ({ open: async () => memoryAuthState(), reopen: null }),
  embedded: async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hall-state-'));
    dirs.push(dir);
    return { open: () => openEmbeddedAuthState(dir, () => T0), reopen: (now) => openEmbeddedAuthState(dir, () => now) };
  },
  redis: async () => {
    const prefix = shared.prefix();
    return { open: async () => redisAuthState(shared.redis(), prefix), reopen: async () => redisAuthState(shared.redis(), prefix) };
  },
};

for (const [name, make] of Object.entries(adapters)) {
  describe(`auth state: ${name}`, () => {
    it(`[STATE-1 ${name}] lists an account's live devices, oldest first; forgets expired ones`, async () => {
      const { open } = await make();
      const s = await open();
      await s.devices.add(device('j2', 'bn-d001', T0 + 10));
      await s.devices.add(device('j1', 'bn-d001', T0));
      await s.devices.add(device('j3', 'bn-d002'));
      await s.devices.add(device('old', 'bn-d001', T0 - 2 * HOUR, T0 - HOUR));
      expect((await s.devices.list('bn-d001', T0 + 100)).map((d) => d.jti)).toEqual(['j1', 'j2']);
      expect(await s.devices.get('j3', T0)).toMatchObject({ accountId: 'bn-d002' });
      expect(await s.devices.list('bn-d001', T0 + 2 * HOUR)).toEqual([]);
      await s.close();
    });

    it(`[STATE-2 ${name}] a revoked token stays revoked until its expiry, and survives a restart`, async () => {
      const { open, reopen } = await make();
      const s = await open();
      await s.devices.add(device('r1', 'bn-d001'));
      await s.devices.add(device('r2', 'bn-d001'));
      await s.devices.revoke('r1', T0 + HOUR, T0 + 5);
      await s.devices.revoke('r1', T0 + HOUR, T0 + 6); // idempotent
      await s.devices.revoke('never-listed', T0 + HOUR, T0 + 5);
      expect(await s.devices.isRevoked('r1', T0 + 10)).toBe(true);
      expect(await s.devices.isRevoked('never-listed', T0 + 10)).toBe(true);
      expect(await s.devices.isRevoked('r2', T0 + 10)).toBe(false);
      expect((await s.devices.list('bn-d001', T0 + 10)).map((d) => d.jti)).toEqual(['r2']);
      expect(await s.devices.get('r1', T0 + 10)).toBeNull();
      await s.close();
      if (!reopen) return;
      const again = await reopen(T0 + 20);
      expect(await again.devices.isRevoked('r1', T0 + 20)).toBe(true);
      expect((await again.devices.list('bn-d001', T0 + 20)).map((d) => d.jti)).toEqual(['r2']);
      await again.close();
    });

    it(`[STATE-3 ${name}] the audit log pages newest first`, async () => {
      const { open, reopen } = await make();
      const s = await open();
      for (let n = 1; n <= 5; n++) await s.audit.append(entry(n));
      const first = await s.audit.list({ limit: 2 });
      expect(first.map((e) => e.target)).toEqual(['bn-d005', 'bn-d004']);
      const next = await s.audit.list({ limit: 10, before: first[1]!.id });
      expect(next.map((e) => e.target)).toEqual(['bn-d003', 'bn-d002', 'bn-d001']);
      expect(next[0]).toMatchObject({ action: 'login.issued', actor: { sub: 'thuky.bn', role: 'secretary' }, councilIds: ['bac-ninh'] });
      expect(await s.audit.list({ limit: 10, before: 'not-an-id' })).toBeInstanceOf(Array);
      await s.close();
      if (!reopen) return;
      const again = await reopen(T0);
      expect((await again.audit.list({ limit: 1 }))[0]!.target).toBe('bn-d005');
      await again.close();
    });
  });
}

describe('embedded auth state files', () => {
  it('[STATE-4] a torn last line is skipped; expired entries are compacted away at open', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hall-state-'));
    dirs.push(dir);
    const s = await openEmbeddedAuthState(dir, () => T0);
    await s.devices.add(device('keep', 'bn-d001'));
    await s.devices.add(device('gone', 'bn-d001', T0, T0 + 1000));
    await s.devices.revoke('gone', T0 + 1000, T0 + 1);
    await s.audit.append(entry(1));
    await s.close();
    const devicesFile = path.join(dir, SECURITY_DIR, 'devices.jsonl');
    await writeFile(devicesFile, `${await readFile(devicesFile, 'utf8')}{"op":"revoke","jti":"keep","unt`);
    await writeFile(path.join(dir, SECURITY_DIR, 'audit.jsonl'), `${await readFile(path.join(dir, SECURITY_DIR, 'audit.jsonl'), 'utf8')}{"at":1,"act`);

    const again = await openEmbeddedAuthState(dir, () => T0 + 2000);
    expect(await again.devices.isRevoked('keep', T0 + 2000)).toBe(false);
    expect((await again.devices.list('bn-d001', T0 + 2000)).map((d) => d.jti)).toEqual(['keep']);
    expect(await again.audit.list({ limit: 10 })).toHaveLength(1);
    // The torn tail was cut off, so the next entry is a line of its own and reads back after a restart.
    await again.audit.append(entry(2));
    await again.close();
    const third = await openEmbeddedAuthState(dir, () => T0 + 3000);
    expect((await third.audit.list({ limit: 10 })).map((e) => e.target)).toEqual(['bn-d002', 'bn-d001']);
    await third.close();
    // Only the live device is left in the file: the expired one and its revocation were compacted away.
    const lines = (await readFile(devicesFile, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ op: 'add', device: { jti: 'keep' } });
  });
});
