/**
 * Overlays must never run ahead of the picture: a result announced in the hall reaches this page as data in a few
 * milliseconds, but the video shows the chair reading it seconds later. So views are kept with their arrival time
 * and the overlay shows the newest view that is at least `delayMs` old.
 */
import { useEffect, useRef, useState } from 'react';

export interface Arrived<T> {
  value: T;
  at: number;
}

/**
 * The newest entry that arrived at or before `now - delayMs`, or null if every entry is younger. Entries are in
 * arrival order.
 */
export function pickDelayed<T>(buffer: readonly Arrived<T>[], now: number, delayMs: number): Arrived<T> | null {
  const cutoff = now - delayMs;
  for (let i = buffer.length - 1; i >= 0; i--) if (buffer[i]!.at <= cutoff) return buffer[i]!;
  return null;
}

/** Drops entries older than the one on screen: they can never be shown again. */
export function prune<T>(buffer: Arrived<T>[], shown: Arrived<T> | null): Arrived<T>[] {
  if (!shown) return buffer;
  const i = buffer.indexOf(shown);
  return i > 0 ? buffer.slice(i) : buffer;
}

/** When the next buffered entry becomes old enough to show, or null if none is waiting. */
export function nextDue<T>(buffer: readonly Arrived<T>[], now: number, delayMs: number): number | null {
  const cutoff = now - delayMs;
  for (const e of buffer) if (e.at > cutoff) return e.at + delayMs;
  return null;
}

/**
 * `value` as it was `delayMs` ago (by arrival on this page). With `delayMs` 0 it is `value` itself. Until the first
 * value is old enough the result is null: better an empty overlay than one ahead of the picture.
 */
export function useDelayed<T>(value: T | null, delayMs: number, now: () => number = Date.now): T | null {
  const buffer = useRef<Arrived<T>[]>([]);
  const [, tick] = useState(0);
  const last = useRef<T | null>(null);
  const onScreen = useRef<Arrived<T> | null>(null);

  if (value !== null && value !== last.current) {
    // Recorded during render so the entry's time is the moment React first saw it; identity dedupes re-renders.
    last.current = value;
    buffer.current.push({ value, at: now() });
  }

  const delay = Math.max(0, delayMs);
  // When the delay grows (the player measured more latency) nothing may be old enough any more: keep what is on
  // screen rather than blank it — it is older than anything waiting, so it cannot spoil.
  const shown = delay === 0 ? (buffer.current.at(-1) ?? null) : (pickDelayed(buffer.current, now(), delay) ?? onScreen.current);
  onScreen.current = shown;
  buffer.current = prune(buffer.current, shown);

  const due = delay === 0 ? null : nextDue(buffer.current, now(), delay);
  useEffect(() => {
    if (due === null) return;
    const timer = setTimeout(() => tick((n) => n + 1), Math.max(0, due - now()) + 5);
    return () => clearTimeout(timer);
  });

  return shown ? shown.value : null;
}
