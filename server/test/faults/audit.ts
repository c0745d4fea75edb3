/**
 * Reads Redis's MONITOR feed and checks every write to a session's legal record: journal entries and tail, snapshots,
 * the sealed ballot boxes. Each must happen inside one of the store's fenced scripts, after the script read the
 * session's lease key, with a non-empty token — never as a plain command, never with an empty token. The scripts
 * compare that token with the lease in the same atomic step, so a write seen here was made under the current lease.
 * Besides, the epochs of the tokens that appended to one journal never go back (a node from an older acquisition
 * never appends after a newer one did), and every journal seq is accounted for by exactly one XADD.
 *
 * Redis runs the commands of a script right after the script's own line, so the feed tells which script made which
 * write. MONITOR is attached before Redis's TCP port opens (support/redis-process.ts), so nothing escapes it after a
 * restart. What Redis wrote in its last instant before being stopped or killed can escape it, though: Redis makes a
 * write durable (AOF) before it sends anything to any client, MONITOR included, and whatever it had not sent yet
 * dies with it. The rounds account for those records (RoundReport.unmonitored) and accept them only there.
 */
import type { Redis } from 'ioredis';

interface Script {
  kind: 'append' | 'fencedWrite' | 'other';
  token: string;
  readLease: boolean;
  wrote: boolean;
  at: number;
}

const WRITES = new Set(['xadd', 'xdel', 'xtrim', 'hset', 'hmset', 'hdel', 'set', 'setex', 'psetex', 'getset', 'getdel', 'del', 'unlink', 'rename', 'renamenx', 'copy', 'restore', 'expire', 'pexpire', 'append']);
const epochOf = (token: string) => Number(token.slice(token.lastIndexOf(':') + 1));

export class AppendAudit {
  /** Journal entries written under a checked, non-empty token, by seq. */
  readonly appendedSeqs = new Map<number, number>();
  /** The token each journal seq was appended under (which node, which acquisition). */
  readonly appendedBy = new Map<number, string>();
  /** Fenced writes of snapshots and ballot boxes. */
  fencedWrites = 0;
  /** Append scripts that wrote nothing: refused by the fence (or a tail conflict). */
  refusedAppends = 0;
  /** Writes to the legal record that were not fenced, described. Must stay empty. */
  readonly violations: string[] = [];
  private script: Script | null = null;
  private lastEpoch = 0;
  private monitor: Redis | null = null;
  /**
   * What Redis did for the session, with Redis's own clock (ms since the epoch): leases set, journal reads (a room
   * opening reads its journal), appends. Where a failover's seconds go, measured outside the nodes.
   */
  readonly timeline: { at: number; what: 'lease' | 'read' | 'append' | 'refused'; token?: string }[] = [];

  constructor(
    private readonly prefix: string,
    private readonly sessionId: string,
  ) {}

  private guarded(key: string | undefined): boolean {
    if (!key) return false;
    const p = this.prefix;
    return [`${p}j:`, `${p}jm:`, `${p}snap:`, `${p}snap0:`, `${p}ballot:`].some((start) => key.startsWith(start));
  }

  /** Starts reading the feed of `client` (a fresh connection, not connected yet, that never reconnects). */
  async attach(client: Redis): Promise<void> {
    this.monitor = await client.monitor();
    this.monitor.on('error', () => undefined);
    this.monitor.on('monitor', (time: string, args: string[], source: string) => this.line(args, source, Number(time) * 1000));
  }

  /** The highest journal seq seen appended. */
  get lastSeenSeq(): number {
    return Math.max(0, ...this.appendedSeqs.keys());
  }

  detach() {
    this.endScript();
    this.monitor?.disconnect();
    this.monitor = null;
  }

  private endScript() {
    if (this.script?.kind === 'append' && !this.script.wrote) {
      this.refusedAppends++;
      this.timeline.push({ at: this.script.at, what: 'refused', token: this.script.token });
    }
    this.script = null;
  }

  private line(args: string[], source: string, at: number) {
    const command = (args[0] ?? '').toLowerCase();
    if (source !== 'lua') {
      this.endScript();
      if (command === 'set' && args[1] === `${this.prefix}lease:${this.sessionId}`) this.timeline.push({ at, what: 'lease', token: args[2] ?? '' });
      if (command === 'xrange' && args[1] === `${this.prefix}j:${this.sessionId}` && args[2] === '-') this.timeline.push({ at, what: 'read' });
      if (command === 'eval' || command === 'evalsha') {
        const keyCount = Number(args[2]);
        const keys = args.slice(3, 3 + keyCount);
        const argv = args.slice(3 + keyCount);
        const kind = keys[0]?.startsWith(`${this.prefix}j:`) ? 'append' : keys[0]?.startsWith(`${this.prefix}lease:`) && keys.length >= 2 ? 'fencedWrite' : 'other';
        this.script = { kind, token: argv[0] ?? '', readLease: false, wrote: false, at };
        return;
      }
      if (WRITES.has(command) && this.guarded(args[1])) this.violations.push(`a plain ${command} of ${args[1]} (no fence)`);
      if (command === 'flushall' || command === 'flushdb') this.violations.push(command);
      return;
    }
    const script = this.script;
    if (command === 'get' && args[1] === `${this.prefix}lease:${this.sessionId}` && script) {
      script.readLease = true;
      return;
    }
    if (!WRITES.has(command) || !this.guarded(args[1])) return;
    if (!script || script.kind === 'other' || script.token === '' || !script.readLease) {
      this.violations.push(`${command} of ${args[1]} in a script without a checked token (${script ? `kind ${script.kind}, token '${script.token}'` : 'no script'})`);
      return;
    }
    script.wrote = true;
    if (command !== 'xadd') {
      if (script.kind === 'fencedWrite') this.fencedWrites++;
      return;
    }
    if (args[1] !== `${this.prefix}j:${this.sessionId}`) return;
    const epoch = epochOf(script.token);
    if (epoch < this.lastEpoch) this.violations.push(`an append under epoch ${epoch} after one under epoch ${this.lastEpoch}`);
    this.lastEpoch = Math.max(this.lastEpoch, epoch);
    const seq = Number((args[2] ?? '').split('-')[0]);
    this.appendedSeqs.set(seq, (this.appendedSeqs.get(seq) ?? 0) + 1);
    this.appendedBy.set(seq, script.token);
    this.timeline.push({ at: script.at, what: 'append', token: script.token });
  }
}
