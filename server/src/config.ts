/**
 * Process configuration from the environment, validated once at start-up. Every bad variable is reported together so
 * an operator fixes the .env file in one go instead of one restart per mistake.
 *
 * Secrets:
 *  - HALL_TOKEN_SECRET / HALL_TOKEN_SECRET_FILE signs login tokens. Whoever holds it can mint an admin token, so it
 *    never lives inside the data directory (a copy of the data must not be a key to the hall). Required outside demo
 *    mode; in demo mode it is generated once into `<parent of DATA_DIR>/.hall-token-secret-<hash of DATA_DIR>` (mode
 *    0600) so restarts do not log everyone out, and two data directories side by side never share one. With several
 *    nodes (REDIS_URL) set it explicitly: each node would otherwise generate its own and reject the others' tokens.
 *  - HALL_BALLOT_SECRET / HALL_BALLOT_SECRET_FILE wraps per-poll secret-ballot keys. docs/architecture.md forbids keeping it in
 *    the data directory or Redis (a copy of the data must not be enough to unseal ballots). Required outside demo
 *    mode; in demo mode a file named after the data directory is created next to, not inside, it, with a warning.
 *    Production refuses a secret file inside DATA_DIR or directly beside it (a backup of the parent folder would hold
 *    the sealed boxes and their key together).
 */
import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export type MediaBackend = 'mediasoup' | 'werift' | 'auto';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  /** Absolute path of the embedded store's data directory. */
  dataDir: string;
  /** Redis URL; undefined means the embedded file store. */
  redisUrl: string | undefined;
  tokenSecret: string;
  tokenSecretSource: 'env' | 'file' | 'demo-file';
  ballotSecret: string;
  ballotSecretSource: 'env' | 'file' | 'demo-file';
  tokenTtlSec: number;
  demo: boolean;
  /** false, the small demo (true) or the whole province (`HALL_SEED=province`: 1 province + 99 commune councils). */
  seed: boolean | 'province';
  /** Journal events between session snapshots. */
  snapshotEvery: number;
  /** Least time between two vote-progress pushes to one hall's tablets, ms (HALL_TABLET_PROGRESS_MS). */
  tabletProgressMs: number;
  /** Vote-progress pushes to tablets per second this process makes at most, over all its halls (HALL_PROGRESS_PUSHES). */
  progressPushesPerSec: number;
  /** An adjourned sitting's room closes after this long unused and unwatched on this node, ms (HALL_ROOM_IDLE_MS). */
  roomIdleMs: number;
  logLevel: LogLevel;
  /** Base URL people reach the server at, without a trailing slash (printed URLs, QR login links). */
  publicUrl: string | undefined;
  mediaBackend: MediaBackend;
  /** This node's name in a cluster (leases, logs); random per process unless NODE_ID is set. */
  nodeId: string;
  /** Session lease lifetime in a cluster: how long a dead node's sessions wait before another node takes them. */
  leaseMs: number;
  /**
   * Server processes on this machine (HALL_CORES: a number, or `auto` for one per core). More than one runs the
   * cluster mode on REDIS_URL with every process a node; 1 is the single process of `pnpm start`.
   */
  cores: number;
  /** Prefix of every Redis key (several Hall installations may share one Redis). */
  redisPrefix: string;
  /** HALL_REDIS_NEW_STORE: start on a Redis whose store is not the one this data directory knew (its loss is accepted). */
  redisNewStore: boolean;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses, CIDRs or proxy-addr's names loopback, linklocal,
   * uniquelocal). Empty: the client address is the TCP peer's, whatever headers say.
   */
  trustProxy: string[];
  /** Abuse limits (README "Configuration"); the defaults fit a hall of tablets behind one NAT. */
  limits: Limits;
  /** Things the operator should see in the start-up log; loading succeeded anyway. */
  warnings: string[];
}

export interface Limits {
  /** Socket.IO connections one sign-in token may hold at once (a tablet reconnecting, a console in two tabs). */
  socketsPerToken: number;
  /** Socket.IO connections from one client address (per node). */
  socketsPerIp: number;
  /** Session commands per second one token may send, with a burst of twice that, shared by all its sockets. */
  commandRate: number;
  /** HTTP API requests per minute from one client address (static files, HLS and /healthz are not counted). */
  httpPerMinute: number;
}

export const DEFAULT_LIMITS: Limits = { socketsPerToken: 8, socketsPerIp: 500, commandRate: 20, httpPerMinute: 3000 };

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A secret shorter than this is refused in production and warned about in demo mode (32 chars ≈ 24 random bytes in base64). */
export const MIN_SECRET_LENGTH = 32;
/** Where token secrets were generated before they moved out of the data directory; still reported if found. */
export const LEGACY_TOKEN_SECRET_FILE = 'token-secret';

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => TRUE.includes(v) || FALSE.includes(v), { message: `expected one of ${[...TRUE, ...FALSE].join(', ')}` })
  .transform((v) => TRUE.includes(v))
  .optional();

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** Seconds as a plain integer, or with a unit: `3600`, `90m`, `12h`, `1d`. */
const duration = z
  .string()
  .trim()
  .regex(/^\d+\s*[smhd]?$/i, 'expected seconds, or a number with s/m/h/d (e.g. 43200 or 12h)')
  .transform((v) => {
    const m = /^(\d+)\s*([smhd]?)$/i.exec(v)!;
    return Number(m[1]) * (UNIT_SECONDS[(m[2] || 's').toLowerCase()] ?? 1);
  })
  .refine((s) => s >= 60 && s <= 30 * 86400, 'must be between 1 minute and 30 days');

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
/** One trusted proxy: an address, a CIDR block, or one of proxy-addr's names. */
function proxyProblem(entry: string): string | null {
  if (PROXY_NAMES.includes(entry)) return null;
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return `"${entry}" is not an address, a CIDR block or one of ${PROXY_NAMES.join(', ')}`;
  if (bits === undefined) return null;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? null : `"${entry}": the prefix length must be 0–${max}`;
}
const proxyList = z
  .string()
  .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean))
  .superRefine((list, ctx) => {
    for (const entry of list) {
      const problem = proxyProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (e.g. TRUST_PROXY=10.0.0.5,10.1.0.0/16)` });
    }
  });

// Keys are the variable names, so each zod issue path is exactly the variable the operator must fix.
const EnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: int(0, 65535).optional(),
  HOST: nonEmpty.optional(),
  DATA_DIR: nonEmpty.optional(),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\/\S+$/, 'expected redis://… or rediss://…')
    .optional(),
  HALL_TOKEN_SECRET: nonEmpty.optional(),
  HALL_TOKEN_SECRET_FILE: nonEmpty.optional(),
  HALL_BALLOT_SECRET: nonEmpty.optional(),
  HALL_BALLOT_SECRET_FILE: nonEmpty.optional(),
  HALL_TOKEN_TTL: duration.optional(),
  HALL_DEMO: flag,
  HALL_SEED: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => v === 'province' || TRUE.includes(v) || FALSE.includes(v), { message: `expected province or one of ${[...TRUE, ...FALSE].join(', ')}` })
    .transform((v): boolean | 'province' => (v === 'province' ? 'province' : TRUE.includes(v)))
    .optional(),
  HALL_SNAPSHOT_EVERY: int(1, 1_000_000).optional(),
  HALL_TABLET_PROGRESS_MS: int(0, 60_000).optional(),
  HALL_PROGRESS_PUSHES: int(100, 1_000_000).optional(),
  HALL_ROOM_IDLE_MS: int(1000, 7 * 24 * 3600 * 1000).optional(),
  NODE_ID: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, _ . - (at most 40)').optional(),
  HALL_LEASE_MS: int(1000, 60_000).optional(),
  HALL_CORES: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => v === 'auto' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 256), { message: 'expected auto or a whole number 1–256' })
    .transform((v) => (v === 'auto' ? availableParallelism() : Number(v)))
    .optional(),
  HALL_REDIS_NEW_STORE: flag,
  REDIS_PREFIX: z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,40}$/, 'letters, digits, _ . : - (at most 40)').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. https://hall.example.vn' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  MEDIA_BACKEND: z.enum(['mediasoup', 'werift', 'auto']).optional(),
  TRUST_PROXY: proxyList.optional(),
  HALL_MAX_SOCKETS_PER_TOKEN: int(1, 100_000).optional(),
  HALL_MAX_SOCKETS_PER_IP: int(1, 1_000_000).optional(),
  HALL_COMMAND_RATE: int(1, 1_000_000).optional(),
  HALL_HTTP_RATE: int(10, 100_000_000).optional(),
});

/** Empty strings in .env files (`REDIS_URL=`) mean "unset", not "invalid". */
function blankToUndefined(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const v = env[key];
    out[key] = v === undefined || v.trim() === '' ? undefined : v;
  }
  return out;
}

/** Directly in the folder that holds DATA_DIR: the place a backup of "the Hall folder" takes together with the data. */
const besideDataDir = (file: string, dataDir: string) => path.dirname(file) === path.dirname(dataDir);

/**
 * A secret demo mode generates for one data directory: beside it (so copies and backups of the directory do not carry
 * it), named after the directory's resolved path so that two data directories sharing a parent never share a key.
 */
export function demoSecretFile(dataDir: string, kind: 'token' | 'ballot'): string {
  const resolved = path.resolve(dataDir);
  const tag = createHash('sha256').update(resolved).digest('hex').slice(0, 16);
  return path.join(path.dirname(resolved), `.hall-${kind}-secret-${tag}`);
}

const isInside = (child: string, parent: string) => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * Reads the secret in `file`, creating it with fresh random bytes (mode 0600) if it does not exist. Creation writes a
 * temporary file and hard-links it into place, which fails if another process got there first — so two nodes starting
 * together on one disk agree on one secret and nobody ever reads a half-written file.
 */
async function readOrCreateSecret(file: string, warnings: string[]): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const existing = await readSecretFile(file, warnings);
  if (existing !== null) return existing;
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      await fs.link(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  const created = await readSecretFile(file, warnings);
  if (created === null) throw new ConfigError([`${file}: could not create the secret file`]);
  return created;
}

async function readSecretFile(file: string, warnings: string[]): Promise<string | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError([`${file}: cannot read (${(err as Error).message})`]);
  }
  const secret = text.trim();
  if (!secret) throw new ConfigError([`${file}: the secret file is empty; delete it to generate a new one or write a secret into it`]);
  if (process.platform !== 'win32') {
    const { mode } = await fs.stat(file);
    if (mode & 0o077) warnings.push(`${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  return secret;
}

/**
 * Where the data is (DATA_DIR, REDIS_URL, REDIS_PREFIX), checked as loadConfig checks them, and nothing else: for
 * `pnpm verify`, which needs no secret and must not create a secret file as loading the whole configuration may.
 */
export function loadStorageSettings(env: NodeJS.ProcessEnv = process.env): Pick<Config, 'dataDir' | 'redisUrl' | 'redisPrefix'> {
  const parsed = EnvSchema.pick({ DATA_DIR: true, REDIS_URL: true, REDIS_PREFIX: true }).safeParse(blankToUndefined(env));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  const e = parsed.data;
  return { dataDir: path.resolve(e.DATA_DIR ?? './data'), redisUrl: e.REDIS_URL, redisPrefix: e.REDIS_PREFIX ?? 'hall:' };
}

export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const parsed = EnvSchema.safeParse(blankToUndefined(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  }
  const e = parsed.data;
  const warnings: string[] = [];
  const problems: string[] = [];

  const demo = e.HALL_DEMO ?? e.NODE_ENV !== 'production';
  const dataDir = path.resolve(e.DATA_DIR ?? './data');
  const redisUrl = e.REDIS_URL;

  if (e.HALL_TOKEN_SECRET && e.HALL_TOKEN_SECRET_FILE) {
    problems.push('HALL_TOKEN_SECRET, HALL_TOKEN_SECRET_FILE: set only one of them');
  }
  if (e.HALL_TOKEN_SECRET_FILE && isInside(path.resolve(e.HALL_TOKEN_SECRET_FILE), dataDir)) {
    problems.push(`HALL_TOKEN_SECRET_FILE: must not be inside DATA_DIR (${dataDir}); whoever copies the data directory could sign in as anyone`);
  }
  // NODE_ENV=production counts even with HALL_DEMO on: a generated signing key has no place on a production host.
  if ((!demo || e.NODE_ENV === 'production') && !e.HALL_TOKEN_SECRET && !e.HALL_TOKEN_SECRET_FILE) {
    problems.push('HALL_TOKEN_SECRET or HALL_TOKEN_SECRET_FILE: required in production (HALL_DEMO=0 or NODE_ENV=production); it signs every login, keep it outside DATA_DIR');
  }
  if (e.HALL_BALLOT_SECRET && e.HALL_BALLOT_SECRET_FILE) {
    problems.push('HALL_BALLOT_SECRET, HALL_BALLOT_SECRET_FILE: set only one of them');
  }
  if (e.HALL_BALLOT_SECRET_FILE && isInside(path.resolve(e.HALL_BALLOT_SECRET_FILE), dataDir)) {
    problems.push(`HALL_BALLOT_SECRET_FILE: must not be inside DATA_DIR (${dataDir}); a copy of the data must not be enough to unseal ballots`);
  } else if (e.HALL_BALLOT_SECRET_FILE && besideDataDir(path.resolve(e.HALL_BALLOT_SECRET_FILE), dataDir)) {
    // Beside the data directory, one backup of its parent folder holds both the sealed boxes and their key.
    const msg = `HALL_BALLOT_SECRET_FILE: must not sit beside DATA_DIR (in ${path.dirname(dataDir)}); a backup of that folder would hold the sealed ballots and their key together — keep it elsewhere, e.g. /etc/hall/ballot-secret`;
    if (demo) warnings.push(msg);
    else problems.push(msg);
  }
  if (!demo && !e.HALL_BALLOT_SECRET && !e.HALL_BALLOT_SECRET_FILE) {
    problems.push('HALL_BALLOT_SECRET or HALL_BALLOT_SECRET_FILE: required when HALL_DEMO is off (it protects secret ballots; keep it outside DATA_DIR)');
  }
  const checkLength = (name: string, value: string | undefined) => {
    if (value === undefined || value.length >= MIN_SECRET_LENGTH) return;
    const msg = `${name}: shorter than ${MIN_SECRET_LENGTH} characters; use e.g. \`openssl rand -base64 32\``;
    if (demo) warnings.push(msg);
    else problems.push(msg);
  };
  checkLength('HALL_TOKEN_SECRET', e.HALL_TOKEN_SECRET);
  checkLength('HALL_BALLOT_SECRET', e.HALL_BALLOT_SECRET);
  if ((e.HALL_CORES ?? 1) > 1 && !redisUrl) {
    problems.push('HALL_CORES: several processes share their sessions through Redis; set REDIS_URL too (or leave HALL_CORES unset for the single-process embedded store)');
  }
  if (problems.length) throw new ConfigError(problems);
  /** The secret in the file a *_FILE variable names: it must exist, and be long enough outside demo mode. */
  const fromFile = async (name: string, value: string) => {
    const file = path.resolve(value);
    const secret = await readSecretFile(file, warnings);
    if (secret === null) throw new ConfigError([`${name}: ${file} does not exist`]);
    checkLength(name, secret);
    if (problems.length) throw new ConfigError(problems);
    return secret;
  };

  let tokenSecret: string;
  let tokenSecretSource: Config['tokenSecretSource'];
  if (e.HALL_TOKEN_SECRET) {
    tokenSecret = e.HALL_TOKEN_SECRET;
    tokenSecretSource = 'env';
  } else if (e.HALL_TOKEN_SECRET_FILE) {
    tokenSecret = await fromFile('HALL_TOKEN_SECRET_FILE', e.HALL_TOKEN_SECRET_FILE);
    tokenSecretSource = 'file';
  } else {
    // Only reachable in demo mode (checked above).
    const file = demoSecretFile(dataDir, 'token');
    if (isInside(file, dataDir)) throw new ConfigError([`DATA_DIR: ${dataDir} has no parent directory to hold the demo token secret; set HALL_TOKEN_SECRET_FILE`]);
    tokenSecret = await readOrCreateSecret(file, warnings);
    tokenSecretSource = 'demo-file';
    if (redisUrl) warnings.push(`HALL_TOKEN_SECRET is unset with REDIS_URL: this node signs with ${file}; every node must share one secret, so set HALL_TOKEN_SECRET`);
  }
  const legacy = path.join(dataDir, LEGACY_TOKEN_SECRET_FILE);
  if (await fs.stat(legacy).then(() => true, () => false)) {
    warnings.push(`${legacy} is no longer used (token secrets live outside the data directory); delete it, and every copy of the data directory that holds it`);
  }

  let ballotSecret: string;
  let ballotSecretSource: Config['ballotSecretSource'];
  if (e.HALL_BALLOT_SECRET) {
    ballotSecret = e.HALL_BALLOT_SECRET;
    ballotSecretSource = 'env';
  } else if (e.HALL_BALLOT_SECRET_FILE) {
    ballotSecret = await fromFile('HALL_BALLOT_SECRET_FILE', e.HALL_BALLOT_SECRET_FILE);
    ballotSecretSource = 'file';
  } else {
    // Only reachable in demo mode (checked above). The parent of DATA_DIR keeps it out of copies of the data directory.
    const file = demoSecretFile(dataDir, 'ballot');
    if (isInside(file, dataDir)) throw new ConfigError([`DATA_DIR: ${dataDir} has no parent directory to hold the demo ballot secret; set HALL_BALLOT_SECRET_FILE`]);
    ballotSecret = await readOrCreateSecret(file, warnings);
    ballotSecretSource = 'demo-file';
    warnings.push(`HALL_BALLOT_SECRET is unset: demo mode uses ${file} (outside DATA_DIR). For real sittings set HALL_BALLOT_SECRET or HALL_BALLOT_SECRET_FILE.`);
  }

  if (demo && e.NODE_ENV === 'production') warnings.push('HALL_DEMO is on with NODE_ENV=production: demo logins may exist; set HALL_DEMO=0 for real sittings');

  return {
    port: e.PORT ?? 8080,
    host: e.HOST ?? '0.0.0.0',
    dataDir,
    redisUrl,
    tokenSecret,
    tokenSecretSource,
    ballotSecret,
    ballotSecretSource,
    tokenTtlSec: e.HALL_TOKEN_TTL ?? 12 * 3600,
    demo,
    seed: e.HALL_SEED ?? demo,
    snapshotEvery: e.HALL_SNAPSHOT_EVERY ?? 100,
    tabletProgressMs: e.HALL_TABLET_PROGRESS_MS ?? 1000,
    progressPushesPerSec: e.HALL_PROGRESS_PUSHES ?? 5000,
    roomIdleMs: e.HALL_ROOM_IDLE_MS ?? 10 * 60_000,
    logLevel: e.LOG_LEVEL ?? 'info',
    publicUrl: e.PUBLIC_URL,
    mediaBackend: e.MEDIA_BACKEND ?? 'auto',
    nodeId: e.NODE_ID ?? `node-${randomBytes(4).toString('hex')}`,
    leaseMs: e.HALL_LEASE_MS ?? 5000,
    cores: e.HALL_CORES ?? 1,
    redisPrefix: e.REDIS_PREFIX ?? 'hall:',
    redisNewStore: e.HALL_REDIS_NEW_STORE ?? false,
    trustProxy: e.TRUST_PROXY ?? [],
    limits: {
      socketsPerToken: e.HALL_MAX_SOCKETS_PER_TOKEN ?? DEFAULT_LIMITS.socketsPerToken,
      socketsPerIp: e.HALL_MAX_SOCKETS_PER_IP ?? DEFAULT_LIMITS.socketsPerIp,
      commandRate: e.HALL_COMMAND_RATE ?? DEFAULT_LIMITS.commandRate,
      httpPerMinute: e.HALL_HTTP_RATE ?? DEFAULT_LIMITS.httpPerMinute,
    },
    warnings,
  };
}

/** The config with secrets replaced, for logging and /admin diagnostics. */
export function redactConfig(config: Config): Record<string, unknown> {
  return { ...config, tokenSecret: '[redacted]', ballotSecret: '[redacted]', redisUrl: config.redisUrl?.replace(/\/\/([^@/]*)@/, '//[redacted]@') };
}
