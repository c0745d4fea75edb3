/**
 * How the nodes of one installation talk to each other through Redis: requests to one named node (a forwarded command,
 * "what is your state of session S") and broadcasts to all (a session's new state, for read-only replicas).
 *
 * - Redis pub/sub, on channels named from REDIS_PREFIX and the installation id: `<prefix>rpc:<installation>:<node>`
 *   for one node, `<prefix>rpc:<installation>` for all. Two installations sharing a Redis (a rehearsal copy beside
 *   production) never hear each other: different names, a different installation id in every message (checked), and
 *   a different key (messages of the other fail to decrypt).
 * - Every message body is encrypted (AES-256-GCM, key derived from the installation's token and ballot secrets,
 *   which every node shares): a forwarded secret ballot, a delegate's identity next to it, a snapshot with the
 *   pre-announcement counts — none of it is readable by someone watching Redis (MONITOR, SUBSCRIBE).
 * - Pub/sub is at-most-once: a message to a node that is down is simply lost. PUBLISH says how many nodes listened,
 *   so a request to a dead node fails at once ('nobody'); one to a frozen node waits until `timeoutMs` or until the
 *   caller's `until` says the answer no longer matters (the lease moved). Callers retry with the same commandId,
 *   which the owner dedupes, so a lost or late message never applies a command twice. A lost broadcast is replaced
 *   by the next one, and joins ask the owner directly rather than trust a replica.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { neverSent } from '../store/redis.ts';

type Log = { warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void };

interface Envelope {
  v: 1;
  inst: string;
  from: string;
  id: string;
  kind: 'req' | 'res' | 'all';
  method: string;
  /** base64(nonce ‖ ciphertext ‖ tag) of the JSON body. */
  body: string;
}

/**
 * `nobody`: no node listens on that channel, so nobody got it. `lost`: PUBLISH failed after it was sent (a timeout, a
 * dropped connection) — Redis may have delivered it all the same, e.g. once a CLIENT PAUSE ends. `timeout`,
 * `abandoned`: delivered, no answer (yet).
 */
export type RequestOutcome<T> = { ok: true; reply: T } | { ok: false; why: 'nobody' | 'lost' | 'timeout' | 'abandoned' };

/** Derives the installation id and the message key. Nodes of one installation share both secrets. */
export function clusterIdentity(prefix: string, tokenSecret: string, ballotSecret: string): { installationId: string; key: Buffer } {
  const installationId = createHash('sha256').update(`hall-installation\u0000${prefix}\u0000${tokenSecret}`).digest('hex').slice(0, 16);
  const key = Buffer.from(hkdfSync('sha256', `${tokenSecret}\u0000${ballotSecret}`, `hall-cluster\u0000${prefix}`, 'hall-rpc-v1', 32));
  return { installationId, key };
}

export const newRequestId = () => randomBytes(12).toString('base64url');

const NONCE = 12;
const TAG = 16;

export class ClusterRpc {
  private readonly handlers = new Map<string, (body: unknown, from: string) => Promise<unknown>>();
  private readonly broadcastHandlers = new Map<string, (body: unknown, from: string) => void>();
  private readonly pending = new Map<string, (reply: unknown) => void>();
  private readonly own: string;
  private readonly all: string;
  private closed = false;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
    private readonly installationId: string,
    readonly nodeId: string,
    private readonly key: Buffer,
    private readonly log: Log,
  ) {
    this.own = this.channelOf(nodeId);
    this.all = `${prefix}rpc:${installationId}`;
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel.toString(), message));
  }

  channelOf(nodeId: string): string {
    return `${this.prefix}rpc:${this.installationId}:${nodeId}`;
  }

  async start(): Promise<void> {
    await this.sub.subscribe(this.own, this.all);
  }

  handle(method: string, handler: (body: unknown, from: string) => Promise<unknown>): void {
    this.handlers.set(method, handler);
  }

  onBroadcast(method: string, handler: (body: unknown, from: string) => void): void {
    this.broadcastHandlers.set(method, handler);
  }

  /**
   * Sends `body` to `node` and waits for its reply. Rejects only when the message certainly never left this node
   * (Redis unreachable, nothing sent): then the caller knows the other node never saw it. `until` resolving ends the
   * wait early ('abandoned'). A caller sending the same request again passes the same `id` (newRequestId()): a reply
   * to an earlier copy, one that waited its turn behind a backlog longer than `timeoutMs`, then answers this one.
   */
  async request<T>(node: string, method: string, body: unknown, timeoutMs: number, until?: Promise<unknown>, id = newRequestId()): Promise<RequestOutcome<T>> {
    const answered = new Promise<RequestOutcome<T>>((resolve) => {
      this.pending.set(id, (reply) => resolve({ ok: true, reply: reply as T }));
    });
    try {
      let listeners: number;
      try {
        listeners = await this.pub.publish(this.channelOf(node), this.encode('req', method, id, body));
      } catch (err) {
        if (neverSent(err)) throw err;
        return { ok: false, why: 'lost' };
      }
      if (listeners === 0) return { ok: false, why: 'nobody' };
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<RequestOutcome<T>>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, why: 'timeout' }), timeoutMs);
      });
      const abandoned = until ? until.then((): RequestOutcome<T> => ({ ok: false, why: 'abandoned' })) : new Promise<never>(() => undefined);
      try {
        return await Promise.race([answered, timedOut, abandoned]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      this.pending.delete(id);
    }
  }

  /** To every node of the installation, this one included (handlers skip their own). Best effort. */
  async broadcast(method: string, body: unknown): Promise<void> {
    await this.pub.publish(this.all, this.encode('all', method, newRequestId(), body));
  }

  close(): void {
    this.closed = true;
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
  }

  private encode(kind: Envelope['kind'], method: string, id: string, body: unknown): string {
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG });
    const envelope: Omit<Envelope, 'body'> = { v: 1, inst: this.installationId, from: this.nodeId, id, kind, method };
    cipher.setAAD(Buffer.from(aadOf(envelope)));
    const sealed = Buffer.concat([nonce, cipher.update(JSON.stringify(body ?? null), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return JSON.stringify({ ...envelope, body: sealed.toString('base64') } satisfies Envelope);
  }

  private decode(raw: Buffer): { envelope: Envelope; body: unknown } | null {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw.toString('utf8')) as Envelope;
    } catch {
      return null;
    }
    // Another installation on the same Redis (or garbage): ignored before any decryption is attempted.
    if (envelope?.v !== 1 || envelope.inst !== this.installationId || typeof envelope.body !== 'string') return null;
    // Our own broadcast, back from the channel every node listens on: nothing to do with it, so nothing to decrypt (the
    // owner of a busy session sends several a second). A forged sender can only get its message ignored.
    if (envelope.kind === 'all' && envelope.from === this.nodeId) return { envelope, body: null };
    try {
      const sealed = Buffer.from(envelope.body, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, NONCE), { authTagLength: TAG });
      decipher.setAAD(Buffer.from(aadOf(envelope)));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
      const text = Buffer.concat([decipher.update(sealed.subarray(NONCE, sealed.length - TAG)), decipher.final()]).toString('utf8');
      return { envelope, body: JSON.parse(text) as unknown };
    } catch {
      return null;
    }
  }

  private onMessage(channel: string, raw: Buffer): void {
    if (this.closed || (channel !== this.own && channel !== this.all)) return;
    const decoded = this.decode(raw);
    if (!decoded) {
      this.log.warn({ channel }, 'cluster message ignored: not from this installation, or damaged');
      return;
    }
    const { envelope, body } = decoded;
    if (envelope.kind === 'res') {
      this.pending.get(envelope.id)?.(body);
      return;
    }
    if (envelope.kind === 'all') {
      if (envelope.from === this.nodeId) return;
      try {
        this.broadcastHandlers.get(envelope.method)?.(body, envelope.from);
      } catch (err) {
        this.log.error({ err, method: envelope.method }, 'cluster broadcast handler failed');
      }
      return;
    }
    const handler = this.handlers.get(envelope.method);
    if (!handler) return;
    void handler(body, envelope.from)
      .catch((err: unknown) => {
        this.log.error({ err, method: envelope.method }, 'cluster request handler failed');
        return null;
      })
      .then((reply) => this.pub.publish(this.channelOf(envelope.from), this.encode('res', envelope.method, envelope.id, reply)))
      .catch(() => undefined);
  }
}

const aadOf = (e: Omit<Envelope, 'body'>) => `hall-rpc|${e.v}|${e.inst}|${e.from}|${e.id}|${e.kind}|${e.method}`;
