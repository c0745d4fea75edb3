import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_LIMITS, demoSecretFile, loadConfig, redactConfig } from '../../src/config.ts';

let root: string;
let dataDir: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hall-config-'));
  dataDir = path.join(root, 'data');
});
afterEach(async () => rm(root, { recursive: true, force: true }));

const STRONG = 'k'.repeat(40);
const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe('loadConfig', () => {
  it('[CFG-1] demo defaults outside production', async () => {
    const c = await loadConfig({ DATA_DIR: dataDir });
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir,
      redisUrl: undefined,
      tokenTtlSec: 43200,
      demo: true,
      seed: true,
      snapshotEvery: 100,
      logLevel: 'info',
      publicUrl: undefined,
      mediaBackend: 'auto',
      tokenSecretSource: 'demo-file',
      ballotSecretSource: 'demo-file',
    });
    expect(c.tokenSecret.length).toBeGreaterThanOrEqual(32);
    expect(c.ballotSecret).not.toBe(c.tokenSecret);
  });

  it('[CFG-2] keeps the generated demo token secret across restarts beside DATA_DIR (never inside), mode 0600', async () => {
    const a = await loadConfig({ DATA_DIR: dataDir });
    const b = await loadConfig({ DATA_DIR: dataDir });
    expect(b.tokenSecret).toBe(a.tokenSecret);
    expect(a.tokenSecretSource).toBe('demo-file');
    const file = demoSecretFile(dataDir, 'token');
    expect(path.dirname(file)).toBe(root);
    expect((await readFile(file, 'utf8')).trim()).toBe(a.tokenSecret);
    if (process.platform !== 'win32') expect(await mode(file)).toBe(0o600);
    await expect(stat(path.join(dataDir, 'token-secret'))).rejects.toThrow(/ENOENT/);
  });

  it('[CFG-3] two processes starting together agree on one generated secret', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => loadConfig({ DATA_DIR: dataDir })));
    expect(new Set(all.map((c) => c.tokenSecret)).size).toBe(1);
    expect(new Set(all.map((c) => c.ballotSecret)).size).toBe(1);
  });

  it('[CFG-4] demo ballot secret lives outside DATA_DIR, one per data directory, with a warning', async () => {
    const c = await loadConfig({ DATA_DIR: dataDir });
    const file = demoSecretFile(dataDir, 'ballot');
    expect(path.dirname(file)).toBe(root);
    expect((await readFile(file, 'utf8')).trim()).toBe(c.ballotSecret);
    if (process.platform !== 'win32') expect(await mode(file)).toBe(0o600);
    expect(c.warnings.join('\n')).toMatch(/HALL_BALLOT_SECRET is unset/);
    // Another installation whose data directory shares the parent gets a secret of its own.
    const other = await loadConfig({ DATA_DIR: path.join(root, 'rehearsal-data') });
    expect(other.ballotSecret).not.toBe(c.ballotSecret);
    expect((await loadConfig({ DATA_DIR: dataDir })).ballotSecret).toBe(c.ballotSecret);
  });

  it('[CFG-5] production requires a ballot secret and says which variable', async () => {
    const err = await loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).toMatch(/HALL_BALLOT_SECRET or HALL_BALLOT_SECRET_FILE/);
    const c = await loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, HALL_BALLOT_SECRET: STRONG, HALL_TOKEN_SECRET: STRONG.toUpperCase() });
    expect(c).toMatchObject({ demo: false, seed: false, ballotSecret: STRONG, ballotSecretSource: 'env', tokenSecretSource: 'env' });
    expect(c.warnings).toEqual([]);
  });

  it('[CFG-6] reads the ballot secret from a file, refusing one inside DATA_DIR, and in production one beside it', async () => {
    await mkdir(path.join(root, 'secrets'));
    const file = path.join(root, 'secrets', 'ballot.key');
    await writeFile(file, `${STRONG}\n`, { mode: 0o600 });
    const beside = path.join(root, 'ballot.key');
    await writeFile(beside, `${STRONG}\n`, { mode: 0o600 });
    await expect(loadConfig({ HALL_DEMO: '0', DATA_DIR: dataDir, HALL_BALLOT_SECRET_FILE: beside, HALL_TOKEN_SECRET: STRONG })).rejects.toThrow(/must not sit beside DATA_DIR/);
    expect((await loadConfig({ DATA_DIR: dataDir, HALL_BALLOT_SECRET_FILE: beside })).warnings.join('\n')).toMatch(/must not sit beside DATA_DIR/);
    const c = await loadConfig({ HALL_DEMO: '0', DATA_DIR: dataDir, HALL_BALLOT_SECRET_FILE: file, HALL_TOKEN_SECRET: STRONG });
    expect(c).toMatchObject({ ballotSecret: STRONG, ballotSecretSource: 'file' });
    await expect(loadConfig({ HALL_DEMO: '0', DATA_DIR: dataDir, HALL_BALLOT_SECRET_FILE: path.join(dataDir, 'k'), HALL_TOKEN_SECRET: STRONG })).rejects.toThrow(/must not be inside DATA_DIR/);
    await expect(loadConfig({ HALL_DEMO: '0', DATA_DIR: dataDir, HALL_BALLOT_SECRET_FILE: path.join(root, 'secrets', 'missing'), HALL_TOKEN_SECRET: STRONG })).rejects.toThrow(/does not exist/);
    await expect(loadConfig({ DATA_DIR: dataDir, HALL_BALLOT_SECRET_FILE: file, HALL_BALLOT_SECRET: STRONG })).rejects.toThrow(/only one/);
  });

  it('[CFG-7] short secrets: refused in production, warned about in demo', async () => {
    await expect(loadConfig({ HALL_DEMO: 'false', DATA_DIR: dataDir, HALL_BALLOT_SECRET: 'short', HALL_TOKEN_SECRET: STRONG })).rejects.toThrow(/HALL_BALLOT_SECRET: shorter than 32/);
    const c = await loadConfig({ DATA_DIR: dataDir, HALL_BALLOT_SECRET: 'short', HALL_TOKEN_SECRET: 'tiny' });
    expect(c.warnings.filter((w) => /shorter than/.test(w))).toHaveLength(2);
  });

  it('[CFG-8] parses every variable', async () => {
    const c = await loadConfig({
      PORT: '3000',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      REDIS_URL: 'redis://127.0.0.1:6379',
      HALL_TOKEN_SECRET: STRONG,
      HALL_BALLOT_SECRET: STRONG,
      HALL_TOKEN_TTL: '8h',
      HALL_DEMO: 'yes',
      HALL_SEED: '0',
      HALL_SNAPSHOT_EVERY: '250',
      LOG_LEVEL: 'debug',
      PUBLIC_URL: 'https://hall.bacninh.example/',
      MEDIA_BACKEND: 'werift',
    });
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      tokenTtlSec: 8 * 3600,
      demo: true,
      seed: false,
      snapshotEvery: 250,
      logLevel: 'debug',
      publicUrl: 'https://hall.bacninh.example',
      mediaBackend: 'werift',
    });
    expect((await loadConfig({ DATA_DIR: dataDir, HALL_TOKEN_TTL: '3600' })).tokenTtlSec).toBe(3600);
  });

  it('[CFG-9] lists every bad variable at once; blank values count as unset', async () => {
    const err = (await loadConfig({
      PORT: 'eighty',
      HALL_TOKEN_TTL: '12 hours',
      HALL_DEMO: 'maybe',
      LOG_LEVEL: 'loud',
      MEDIA_BACKEND: 'vlc',
      PUBLIC_URL: 'ftp://x',
      REDIS_URL: 'localhost:6379',
      HALL_SNAPSHOT_EVERY: '0',
    }).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    const vars = err.problems.map((p) => p.split(':')[0]);
    expect(vars.sort()).toEqual(['HALL_DEMO', 'HALL_SNAPSHOT_EVERY', 'HALL_TOKEN_TTL', 'LOG_LEVEL', 'MEDIA_BACKEND', 'PORT', 'PUBLIC_URL', 'REDIS_URL']);
    expect(err.message).toMatch(/^Invalid configuration:\n {2}- /);
    const c = await loadConfig({ DATA_DIR: dataDir, PORT: '', REDIS_URL: ' ' });
    expect(c).toMatchObject({ port: 8080, redisUrl: undefined });
  });

  it('[CFG-10] warns when several nodes would each generate their own token secret', async () => {
    const c = await loadConfig({ DATA_DIR: dataDir, REDIS_URL: 'redis://r:6379' });
    expect(c.warnings.join('\n')).toMatch(/every node must share one secret/);
  });

  it('[CFG-11] redactConfig hides secrets and Redis passwords', async () => {
    const c = await loadConfig({ DATA_DIR: dataDir, REDIS_URL: 'redis://user:pa55@r:6379', HALL_TOKEN_SECRET: STRONG });
    const text = JSON.stringify(redactConfig(c));
    expect(text).not.toContain(STRONG);
    expect(text).not.toContain(c.ballotSecret);
    expect(text).not.toContain('pa55');
  });

  it('[CFG-12] production refuses to start without a token secret outside DATA_DIR, and says which variable', async () => {
    for (const env of [{ HALL_DEMO: '0' }, { NODE_ENV: 'production' }, { NODE_ENV: 'production', HALL_DEMO: '1' }]) {
      const err = (await loadConfig({ ...env, DATA_DIR: dataDir, HALL_BALLOT_SECRET: STRONG }).catch((e: unknown) => e)) as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.problems.join('\n')).toMatch(/HALL_TOKEN_SECRET or HALL_TOKEN_SECRET_FILE: required in production/);
    }
    await expect(loadConfig({ HALL_DEMO: '0', DATA_DIR: dataDir, HALL_BALLOT_SECRET: STRONG, HALL_TOKEN_SECRET_FILE: path.join(dataDir, 'token.key') })).rejects.toThrow(
      /HALL_TOKEN_SECRET_FILE: must not be inside DATA_DIR/,
    );
    const file = path.join(root, 'token.key');
    await writeFile(file, `${STRONG}\n`, { mode: 0o600 });
    const c = await loadConfig({ HALL_DEMO: '0', DATA_DIR: dataDir, HALL_BALLOT_SECRET: STRONG.toUpperCase(), HALL_TOKEN_SECRET_FILE: file });
    expect(c).toMatchObject({ tokenSecret: STRONG, tokenSecretSource: 'file' });
    await expect(loadConfig({ DATA_DIR: dataDir, HALL_TOKEN_SECRET_FILE: file, HALL_TOKEN_SECRET: STRONG })).rejects.toThrow(/only one/);
    // Nothing was generated into the data directory along the way.
    await expect(stat(path.join(dataDir, 'token-secret'))).rejects.toThrow(/ENOENT/);
  });

  it('[CFG-13] demo token secrets are per data directory: two directories sharing a parent never share one', async () => {
    const a = await loadConfig({ DATA_DIR: path.join(root, 'hall-a') });
    const b = await loadConfig({ DATA_DIR: path.join(root, 'hall-b') });
    expect(a.tokenSecret).not.toBe(b.tokenSecret);
    expect(demoSecretFile(path.join(root, 'hall-a'), 'token')).not.toBe(demoSecretFile(path.join(root, 'hall-b'), 'token'));
    // The same directory spelled differently is the same directory.
    expect(demoSecretFile(path.join(root, 'x', '..', 'hall-a'), 'token')).toBe(demoSecretFile(path.join(root, 'hall-a'), 'token'));
  });

  it('[CFG-14] a token-secret left inside DATA_DIR by an older version is no longer used, and reported', async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'token-secret'), 'old-secret-from-the-data-directory-000000\n', { mode: 0o600 });
    const c = await loadConfig({ DATA_DIR: dataDir });
    expect(c.tokenSecret).not.toBe('old-secret-from-the-data-directory-000000');
    expect(c.warnings.join('\n')).toMatch(/token-secret is no longer used/);
  });

  it('[CFG-15] TRUST_PROXY is off by default and takes addresses, CIDR blocks and proxy-addr names; anything else is refused', async () => {
    expect((await loadConfig({ DATA_DIR: dataDir })).trustProxy).toEqual([]);
    const c = await loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8, loopback' });
    expect(c.trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8', 'loopback']);
    for (const bad of ['true', '*', '10.0.0.0/33', '::1/129', 'proxy.example', '10.0.0.1/8/2']) {
      const err = (await loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: bad }).catch((e: unknown) => e)) as ConfigError;
      expect(err, bad).toBeInstanceOf(ConfigError);
      expect(err.problems.join('\n')).toMatch(/^TRUST_PROXY: /);
    }
  });

  it('[CFG-16] abuse limits have defaults for a hall behind one NAT and can be raised', async () => {
    expect((await loadConfig({ DATA_DIR: dataDir })).limits).toEqual(DEFAULT_LIMITS);
    const c = await loadConfig({ DATA_DIR: dataDir, HALL_MAX_SOCKETS_PER_TOKEN: '3', HALL_MAX_SOCKETS_PER_IP: '1000', HALL_COMMAND_RATE: '50', HALL_HTTP_RATE: '600' });
    expect(c.limits).toEqual({ socketsPerToken: 3, socketsPerIp: 1000, commandRate: 50, httpPerMinute: 600 });
    await expect(loadConfig({ DATA_DIR: dataDir, HALL_MAX_SOCKETS_PER_TOKEN: '0' })).rejects.toThrow(/HALL_MAX_SOCKETS_PER_TOKEN/);
  });

  it('[CFG-17] the tablets\' vote-progress pace: 1 s and 5,000 pushes a second by default, settable, nonsense refused with the variable named', async () => {
    expect(await loadConfig({ DATA_DIR: dataDir })).toMatchObject({ tabletProgressMs: 1000, progressPushesPerSec: 5000 });
    expect(await loadConfig({ DATA_DIR: dataDir, HALL_TABLET_PROGRESS_MS: '2500', HALL_PROGRESS_PUSHES: '1500' })).toMatchObject({ tabletProgressMs: 2500, progressPushesPerSec: 1500 });
    const err = (await loadConfig({ DATA_DIR: dataDir, HALL_TABLET_PROGRESS_MS: '-1', HALL_PROGRESS_PUSHES: 'many' }).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems.map((p) => p.split(':')[0]).sort()).toEqual(['HALL_PROGRESS_PUSHES', 'HALL_TABLET_PROGRESS_MS']);
  });

  it('[CFG-18] an adjourned sitting leaves memory after 10 minutes unused by default; settable from 1 s to 7 days, nonsense refused', async () => {
    expect(await loadConfig({ DATA_DIR: dataDir })).toMatchObject({ roomIdleMs: 600_000 });
    expect(await loadConfig({ DATA_DIR: dataDir, HALL_ROOM_IDLE_MS: '3600000' })).toMatchObject({ roomIdleMs: 3_600_000 });
    for (const bad of ['0', '999', String(8 * 24 * 3600 * 1000), 'soon']) {
      const err = (await loadConfig({ DATA_DIR: dataDir, HALL_ROOM_IDLE_MS: bad }).catch((e: unknown) => e)) as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.problems.map((p) => p.split(':')[0])).toEqual(['HALL_ROOM_IDLE_MS']);
    }
  });
});
