/** [SEED-P] HALL_SEED=province: the province at its real scale, generated deterministically. */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory.ts';
import { PROVINCE_COMMUNE_DELEGATES, PROVINCE_COMMUNES, communeSizes, provinceCommunes, provinceDelegateCode, seedProvince } from '../../src/seed/province.ts';
import { loadConfig } from '../../src/config.ts';
import { TEST_SECRETS } from '../support/hall.ts';

/** Secrets given, so reading the configuration writes nothing beside the working directory. */
const env = (seed: string) => ({ HALL_SEED: seed, HALL_DEMO: '1', DATA_DIR: '/tmp/hall-province-config-test/data', ...TEST_SECRETS });

describe('province seed', () => {
  it('[SEED-P1] 99 communes of 20–30 delegates, 2,235 in all, distinct names and ids, the same on every run', () => {
    const sizes = communeSizes();
    expect(sizes.reduce((a, b) => a + b, 0) + 25).toBe(PROVINCE_COMMUNE_DELEGATES);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(30);
    const communes = provinceCommunes();
    expect(communes).toHaveLength(PROVINCE_COMMUNES - 1);
    expect(new Set(communes.map((c) => c.council.name)).size).toBe(98);
    expect(new Set(communes.flatMap((c) => c.council.delegates.map((d) => d.id))).size).toBe(2210);
    expect(JSON.stringify(provinceCommunes())).toBe(JSON.stringify(communes));
    expect(communes.every((c) => /^HĐND xã \p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+$/u.test(c.council.name))).toBe(true);
    expect(provinceDelegateCode('x07-d012')).toBe('307012');
    expect(provinceDelegateCode('bn-d001')).toBeNull();
  });

  it('[SEED-P2] seeds 1 province + 99 commune councils with a session each, once', async () => {
    const store = createMemoryStore();
    expect(await seedProvince(store, { delegateAccounts: false })).toEqual({ seeded: 98 });
    const councils = await store.catalog.listCouncils();
    expect(councils).toHaveLength(100);
    const province = councils.filter((c) => c.level === 'province');
    expect(province.map((c) => [c.delegates.length, new Set(c.delegates.map((d) => d.group)).size])).toEqual([[85, 16]]);
    expect(councils.filter((c) => c.level === 'commune').reduce((n, c) => n + c.delegates.length, 0)).toBe(2235);
    const sessions = await store.catalog.listSessions();
    expect(new Set(sessions.map((s) => s.councilId)).size).toBe(100);
    expect(await store.catalog.getAccount('chutoa.x01')).toMatchObject({ role: 'chair', councilIds: [provinceCommunes()[0]!.council.id] });
    expect(await store.catalog.getAccount('giamsat')).toMatchObject({ role: 'oversight' });
    expect(await seedProvince(store, { delegateAccounts: false })).toEqual({ seeded: 0 });
  }, 300_000);

  it('[SEED-P3] HALL_SEED=province is read as the province seed; on/off as before', async () => {
    expect((await loadConfig(env('province'))).seed).toBe('province');
    expect((await loadConfig(env('0'))).seed).toBe(false);
    await expect(loadConfig(env('county'))).rejects.toThrow();
  });
});
