/**
 * Where the security state lives: login throttle counters, signed-in devices and revoked tokens, the audit log.
 * Chosen like the store: the embedded adapter (no REDIS_URL) keeps devices and the audit log in append-only files
 * of the data directory and the throttle in this process; the Redis adapter (cluster) keeps all three in Redis
 * under REDIS_PREFIX, so every node throttles, revokes and audits alike.
 *
 *   <DATA_DIR>/security/devices.jsonl   {"op":"add","device":…} | {"op":"revoke","jti":…,"until":…} per line;
 *                                       fdatasync'd before the call returns; compacted at open
 *   <DATA_DIR>/security/audit.jsonl     one audit entry per line, fdatasync'd before the call returns
 *
 * A torn last line (a crash mid-write) is skipped on reading: it was never acknowledged.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { atomicWrite, isErrno, writeAll } from '../store/fsutil.ts';
import { MemoryAudit, RedisAudit, type AuditEntry, type AuditLog } from './audit.ts';
import { MemoryDevices, RedisDevices, type Device, type DeviceOp, type DeviceStore } from './devices.ts';
import { ProcessThrottle, RedisThrottle, type LoginThrottle } from './throttle.ts';

export interface AuthState {
  throttle: LoginThrottle;
  devices: DeviceStore;
  audit: AuditLog;
  close(): Promise<void>;
}

export function memoryAuthState(): AuthState {
  return { throttle: new ProcessThrottle(), devices: new MemoryDevices(), audit: new MemoryAudit(), close: async () => undefined };
}

export function redisAuthState(redis: Redis, prefix: string): AuthState {
  return { throttle: new RedisThrottle(redis, prefix), devices: new RedisDevices(redis, prefix), audit: new RedisAudit(redis, prefix), close: async () => undefined };
}

export const SECURITY_DIR = 'security';
const DEVICES_FILE = 'devices.jsonl';
const AUDIT_FILE = 'audit.jsonl';

function* jsonLines(text: string): Generator<unknown> {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line);
    } catch {
      // A torn line: never acknowledged, so never counted.
    }
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return '';
    throw err;
  }
}

/** One append-only file: each line is written whole and synced before the append resolves; appends are serialized. */
class LineFile {
  private tail: Promise<unknown> = Promise.resolve();
  private constructor(private readonly fh: FileHandle) {}

  /** Opens for appending; a torn last line (no newline) is cut off first, so the next line does not run into it. */
  static async open(file: string): Promise<LineFile> {
    const fh = await open(file, 'a+', 0o600);
    const { size } = await fh.stat();
    if (size > 0) {
      const text = await readFile(file);
      const whole = text.lastIndexOf(0x0a) + 1;
      if (whole < size) {
        await fh.truncate(whole);
        await fh.datasync();
      }
    }
    return new LineFile(fh);
  }

  append(value: unknown): Promise<void> {
    const run = this.tail.then(async () => {
      await writeAll(this.fh, Buffer.from(`${JSON.stringify(value)}\n`, 'utf8'));
      await this.fh.datasync();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close() {
    await this.tail;
    await this.fh.close();
  }
}

const isDeviceOp = (v: unknown): v is DeviceOp => {
  const o = v as DeviceOp | null;
  if (!o || typeof o !== 'object') return false;
  if (o.op === 'add') return typeof o.device?.jti === 'string' && typeof o.device.accountId === 'string' && typeof o.device.exp === 'number';
  return o.op === 'revoke' && typeof o.jti === 'string' && typeof o.until === 'number';
};

class FileDevices extends MemoryDevices {
  constructor(private readonly file: LineFile) {
    super();
  }
  override async add(device: Device): Promise<void> {
    await this.file.append({ op: 'add', device } satisfies DeviceOp);
    this.apply({ op: 'add', device }, device.at);
  }
  override async revoke(jti: string, until: number, now: number): Promise<void> {
    // Durable before it answers: a revocation that a restart forgot would bring the token back.
    await this.file.append({ op: 'revoke', jti, until } satisfies DeviceOp);
    this.apply({ op: 'revoke', jti, until }, now);
  }
}

class FileAudit extends MemoryAudit {
  constructor(private readonly file: LineFile) {
    super();
  }
  override async append(entry: AuditEntry): Promise<void> {
    await this.file.append(entry);
    this.load(entry);
  }
}

export async function openEmbeddedAuthState(dataDir: string, now: () => number = Date.now): Promise<AuthState> {
  const dir = path.join(dataDir, SECURITY_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });

  // Devices: replay, then rewrite the file with only what is still live (expired tokens need no revocation entry).
  const replayed = new MemoryDevices();
  let lines = 0;
  for (const op of jsonLines(await readText(path.join(dir, DEVICES_FILE)))) {
    lines++;
    if (isDeviceOp(op)) replayed.apply(op, now());
  }
  const live = replayed.live(now());
  if (lines > live.length) {
    await atomicWrite(dir, DEVICES_FILE, live.map((op) => `${JSON.stringify(op)}\n`).join(''), { mode: 0o600 });
  }
  const devicesFile = await LineFile.open(path.join(dir, DEVICES_FILE));
  const devices = new FileDevices(devicesFile);
  for (const op of live) devices.apply(op, now());

  const auditFile = await LineFile.open(path.join(dir, AUDIT_FILE));
  const audit = new FileAudit(auditFile);
  for (const entry of jsonLines(await readText(path.join(dir, AUDIT_FILE)))) {
    if (entry && typeof entry === 'object' && typeof (entry as AuditEntry).action === 'string') audit.load(entry as AuditEntry);
  }

  return {
    throttle: new ProcessThrottle(),
    devices,
    audit,
    async close() {
      await devicesFile.close();
      await auditFile.close();
    },
  };
}
