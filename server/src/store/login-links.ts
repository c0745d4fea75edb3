/**
 * One-time login links kept in this process: the embedded store's (one process per data directory, so there is no
 * other node to share them with; a restart forgets them, and the secretary issues a new QR code).
 */
import type { LoginLink, LoginLinkStore } from './types.ts';

/** A bound so that a flood of unredeemed links cannot grow the heap without limit. */
export const MAX_PENDING_LINKS = 10_000;

export class ProcessLoginLinks implements LoginLinkStore {
  private readonly links = new Map<string, LoginLink>();

  async put(key: string, link: LoginLink, now: number): Promise<boolean> {
    for (const [k, l] of this.links) if (l.expiresAt <= now) this.links.delete(k);
    if (this.links.size >= MAX_PENDING_LINKS) return false;
    this.links.set(key, { ...link });
    return true;
  }

  async take(key: string): Promise<LoginLink | null> {
    const link = this.links.get(key) ?? null;
    // Deleted before anything can await, so two simultaneous scans of one QR code cannot both succeed.
    this.links.delete(key);
    return link;
  }
}
