/**
 * The same build runs as the hall wall (/wall/) and the public live page (/live/). The mode comes from the path the
 * page was opened at, not from Vite's base (which is './' so one build serves both paths).
 */
export type AppMode = 'wall' | 'public';

export function modeOf(pathname: string): AppMode {
  return /^\/live(\/|$)/.test(pathname) ? 'public' : 'wall';
}

/** `?session=<id>` picks the session; a wall is usually configured this way once and left running. */
export function sessionFromUrl(search: string = location.search): string | null {
  const id = new URLSearchParams(search).get('session');
  return id && /^[A-Za-z0-9_.:-]{1,64}$/.test(id) ? id : null;
}

/**
 * `?overlayDelay=<ms>` delays the public page's overlays by hand, until the player reports its own latency (the
 * broadcast work sets `LiveOverlay`'s `delayMs` from it). Capped at a minute.
 */
export function overlayDelayFromUrl(search: string = location.search): number {
  const ms = Number(new URLSearchParams(search).get('overlayDelay'));
  return Number.isFinite(ms) && ms > 0 ? Math.min(60_000, Math.floor(ms)) : 0;
}

/** Writes the chosen session into the address, so a reload (or a power cut) comes back to the same session. */
export function setSessionInUrl(id: string | null): void {
  const url = new URL(location.href);
  if (id) url.searchParams.set('session', id);
  else url.searchParams.delete('session');
  history.replaceState(null, '', url);
}

/** `?hls=1` never uses WebRTC on the public page: for networks that block UDP, and to test the HLS path. */
export function forceHlsFromUrl(search: string = location.search): boolean {
  const v = new URLSearchParams(search).get('hls');
  return v === '1' || v === 'true';
}

/** `?video=1` on a wall shows the program feed too (the hall usually has its own screens for it). */
export function wallVideoFromUrl(search: string = location.search): boolean {
  const v = new URLSearchParams(search).get('video');
  return v === '1' || v === 'true';
}
