/**
 * Single-key shortcuts for the chair (`1..4`, `g`, `s`, `o`, `c`, `+`, `/`, `?`). Components register the handler for
 * a key while they are mounted; the newest registration wins. Keys never fire while the chair is typing or while a
 * dialog is open, so a name with a "g" in it never grants the floor.
 */
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';

type Handler = () => void;
type Registry = Map<string, Handler[]>;

const ShortcutContext = createContext<Registry | null>(null);

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['button', 'submit', 'reset', 'checkbox', 'radio'].includes(type);
}

export function ShortcutProvider({ children }: { children: ReactNode }) {
  const registry = useRef<Registry>(new Map()).current;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const handlers = registry.get(key);
      const handler = handlers?.[handlers.length - 1];
      if (!handler) return;
      e.preventDefault();
      handler();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [registry]);
  return <ShortcutContext.Provider value={registry}>{children}</ShortcutContext.Provider>;
}

/** Binds `key` to `handler` while the component is mounted (and `active`). The latest handler is always called. */
export function useShortcut(key: string, handler: Handler, active = true): void {
  const registry = useContext(ShortcutContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!registry || !active) return;
    const fn: Handler = () => latest.current();
    registry.set(key, [...(registry.get(key) ?? []), fn]);
    return () => {
      const rest = (registry.get(key) ?? []).filter((h) => h !== fn);
      if (rest.length) registry.set(key, rest);
      else registry.delete(key);
    };
  }, [registry, key, active]);
}
