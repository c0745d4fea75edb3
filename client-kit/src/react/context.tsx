/**
 * The client in React: one `HallClient` per app, read through `useSyncExternalStore`, so a view or a connection
 * change re-renders exactly the components that read it, and concurrent rendering never tears.
 */
import type { CommandPayload, CommandType, RefusalReason, SessionView } from '@hall/core';
import type { i18n } from 'i18next';
import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useState, useSyncExternalStore, type ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { can, type CanVerdict } from '../can.ts';
import type { CommandStatus, ConnectionState, HallClient, PendingCommand, ServerNotice } from '../client.ts';
import { remaining, type Remaining } from '../time.ts';
import { refusalText, useKitTranslation } from './i18n.ts';

const HallContext = createContext<HallClient | null>(null);

export interface HallProviderProps {
  client: HallClient;
  /** The app's i18next instance; without one, components use the registered instance or Vietnamese. */
  i18n?: i18n;
  children?: ReactNode;
}

export function HallProvider({ client, i18n, children }: HallProviderProps) {
  const inner = <HallContext.Provider value={client}>{children}</HallContext.Provider>;
  return i18n ? <I18nextProvider i18n={i18n}>{inner}</I18nextProvider> : inner;
}

export function useHall(): HallClient {
  const client = useContext(HallContext);
  if (!client) throw new Error('useHall: wrap the app in <HallProvider client={…}>');
  return client;
}

/** The client if there is a provider; for components that also work without one (banners, countdowns). */
export function useHallOptional(): HallClient | null {
  return useContext(HallContext);
}

const noop = () => () => undefined;

/** The latest view (null before the first join answer). */
export function useView(): SessionView | null {
  const client = useHall();
  const subscribe = useCallback((cb: () => void) => client.subscribe(cb), [client]);
  return useSyncExternalStore(subscribe, () => client.view, () => client.view);
}

/** The latest view when there is a provider, else null: for shared components that also render without one. */
export function useViewOptional(): SessionView | null {
  const client = useHallOptional();
  const subscribe = useCallback((cb: () => void) => (client ? client.subscribe(cb) : noop()), [client]);
  const get = () => client?.view ?? null;
  return useSyncExternalStore(subscribe, get, get);
}

export function useConnection(): ConnectionState {
  const client = useHall();
  const subscribe = useCallback((cb: () => void) => client.onConnection(cb), [client]);
  return useSyncExternalStore(subscribe, () => client.connection, () => client.connection);
}

export function useConnectionOptional(): ConnectionState | null {
  const client = useHallOptional();
  const subscribe = useCallback((cb: () => void) => (client ? client.onConnection(cb) : noop()), [client]);
  const get = () => client?.connection ?? null;
  return useSyncExternalStore(subscribe, get, get);
}

export interface CanResult {
  ok: boolean;
  code?: Extract<CanVerdict, { ok: false }>['code'];
  reason?: RefusalReason;
  /** Why not, in the current language — for a button's tooltip or the line under it. */
  message?: string;
}

/**
 * Whether this client may send `type` with `payload` now, by the machine's own rules (see `can`). Recomputed only
 * when the view (its seq), the command or the payload's content changes.
 */
export function useCan<T extends CommandType>(type: T, payload?: CommandPayload<T> | Record<string, unknown>): CanResult {
  const client = useHall();
  const view = useView();
  const { t } = useKitTranslation();
  const payloadKey = JSON.stringify(payload ?? {});
  return useMemo(() => {
    const verdict = can(view, client.actor, type, payload ?? {}, client.serverNow());
    if (verdict.ok) return { ok: true };
    return { ok: false, code: verdict.code, ...(verdict.reason ? { reason: verdict.reason } : {}), message: refusalText(t, verdict) };
    // `payload` is compared by content (payloadKey), not identity: callers pass a new object literal every render.
  }, [client, view, type, payloadKey, t]);
}

/** `send` and the commands still waiting for an answer; re-renders on every status change. */
export function useCommand(): {
  send: <T extends CommandType>(type: T, payload: CommandPayload<T>) => PendingCommand<T>;
  pending: PendingCommand[];
} {
  const client = useHall();
  const subscribe = useCallback((cb: () => void) => client.onCommand(cb), [client]);
  const pending = useSyncExternalStore(subscribe, () => client.pending(), () => client.pending());
  const send = useCallback(<T extends CommandType>(type: T, payload: CommandPayload<T>) => client.send(type, payload), [client]);
  return { send, pending };
}

/** The live status of one command (re-renders on each attempt and on the answer). */
export function useCommandStatus(command: PendingCommand | null | undefined): CommandStatus | null {
  const client = useHallOptional();
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!client || !command) return;
    return client.onCommand((c) => {
      if (c.commandId === command.commandId) bump();
    });
  }, [client, command]);
  return command ? command.status : null;
}

/** The latest server notice with one of `codes` (null until one arrives, and again after `dismiss`). */
export function useNotice(codes: readonly string[]): { notice: ServerNotice | null; dismiss: () => void } {
  const client = useHall();
  const [notice, setNotice] = useState<ServerNotice | null>(null);
  const key = codes.join('\u0000');
  useEffect(() => client.onNotice((n) => {
    if (key.split('\u0000').includes(n.code)) setNotice(n);
  }), [client, key]);
  const dismiss = useCallback(() => setNotice(null), []);
  return { notice, dismiss };
}

/** The server's clock, ticking every `intervalMs` (0: read once per render). Outside a provider: the local clock. */
export function useServerNow(intervalMs = 250): number {
  const client = useHallOptional();
  const read = useCallback(() => (client ? client.serverNow() : Date.now()), [client]);
  const [now, setNow] = useState(read);
  useEffect(() => {
    if (intervalMs <= 0) return;
    const id = setInterval(() => setNow(read()), intervalMs);
    return () => clearInterval(id);
  }, [read, intervalMs]);
  return intervalMs <= 0 ? read() : now;
}

/** Time left until `endsAt` (server clock); null when there is no deadline. */
export function useCountdown(endsAt: number | null | undefined, intervalMs = 250): Remaining | null {
  const now = useServerNow(intervalMs);
  return endsAt === null || endsAt === undefined ? null : remaining(endsAt, now);
}
