/**
 * "May I press this button?" answered by the same machine and the same guards the server runs (docs/architecture.md): the
 * view carries the server's (redacted) snapshot, the kit restores it into core's machine and asks `explain`. No rule
 * is written here, so a button can never disagree with the server about the law.
 */
import {
  errorMessages,
  explainCommand,
  parseCommand,
  restoreSession,
  SnapshotVersionError,
  type Actor,
  type CommandPayload,
  type CommandType,
  type SessionSnapshot,
  type SessionView,
  type Verdict,
} from '@hall/core';

/**
 * Core's verdict, or the kit's answer when there is nothing to ask the machine: no snapshot or no actor (a wall or
 * the public can never act: FORBIDDEN), a payload the server would refuse to parse (VALIDATION), or a snapshot from
 * another machine version (PROTOCOL_VERSION: the app is older or newer than the server and must reload).
 */
export type CanVerdict =
  | Verdict
  | { ok: false; code: 'FORBIDDEN' | 'VALIDATION' | 'PROTOCOL_VERSION'; reason?: undefined; message: string; issues?: string[] };

const refuse = (code: 'FORBIDDEN' | 'VALIDATION' | 'PROTOCOL_VERSION', issues?: string[]): CanVerdict => ({
  ok: false,
  code,
  message: errorMessages[code].vi,
  ...(issues ? { issues } : {}),
});

// Restoring a machine costs a few milliseconds; a screen asks about a dozen buttons per view, so one restore per seq.
// The entry also remembers which snapshot object it came from: the same (session, seq) from another source (a test's
// second session, a server restored from an older backup) is restored afresh rather than answered from the cache.
const CACHE_SIZE = 8;
const cache = new Map<string, { source: unknown; value: SessionSnapshot | 'version' | 'broken' }>();

function restored(view: SessionView): SessionSnapshot | 'version' | 'broken' {
  const key = `${view.sessionId}\u0000${view.audience}\u0000${view.machineVersion}\u0000${view.seq}`;
  const hit = cache.get(key);
  if (hit && hit.source === view.snapshot) return hit.value;
  let value: SessionSnapshot | 'version' | 'broken';
  try {
    const actor = restoreSession({ machineVersion: view.machineVersion, seq: view.seq, snapshot: view.snapshot });
    value = actor.getSnapshot();
    // The snapshot is all we need; a stopped actor leaves nothing running or registered behind.
    actor.stop();
  } catch (err) {
    value = err instanceof SnapshotVersionError ? 'version' : 'broken';
  }
  cache.delete(key);
  cache.set(key, { source: view.snapshot, value });
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return value;
}

/**
 * The machine's verdict on `type` with `payload` by `actor`, at server time `at` (pass `client.serverNow()`).
 * The payload goes through the server's own parse and core's `explainCommand`, so defaults and the secret-ballot split
 * are applied exactly as on the server.
 */
export function can<T extends CommandType>(
  view: SessionView | null | undefined,
  actor: Actor | null | undefined,
  type: T,
  payload: CommandPayload<T> | Record<string, unknown> = {},
  at: number = Date.now(),
): CanVerdict {
  if (!view || view.snapshot === undefined || view.snapshot === null || !actor) return refuse('FORBIDDEN');
  const parsed = parseCommand({ sessionId: view.sessionId, commandId: 'client-can-check', type, payload });
  if (!parsed.ok) return refuse('VALIDATION', parsed.issues);
  const snapshot = restored(view);
  if (snapshot === 'version' || snapshot === 'broken') return refuse('PROTOCOL_VERSION');
  // explainCommand judges a secret-ballot close as the server will: with the counts it takes from the sealed box.
  return explainCommand(snapshot, parsed.command, actor, at);
}
