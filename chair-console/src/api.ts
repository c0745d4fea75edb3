/** The two HTTP calls the console makes besides the socket: the session directory and document downloads. */
import { HallError, messageFor } from '@hall/client-kit';

export interface SessionSummary {
  id: string;
  title: string;
  date: string;
  status: string;
  councilId: string;
  councilName: string;
  mine: boolean;
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

export async function listSessions(token: string): Promise<SessionSummary[]> {
  let res: Response;
  try {
    res = await fetch('/api/sessions', { headers: auth(token) });
  } catch {
    throw new HallError('NETWORK');
  }
  if (res.status === 401) throw new HallError('UNAUTHENTICATED', messageFor('UNAUTHENTICATED'), 401);
  if (!res.ok) throw new HallError('INTERNAL', messageFor('INTERNAL'), res.status);
  const body = (await res.json()) as { sessions?: SessionSummary[] };
  // The chair's own council first: a province chair rarely needs another council's sessions.
  return [...(body.sessions ?? [])].sort((a, b) => Number(b.mine) - Number(a.mine) || a.date.localeCompare(b.date));
}

/**
 * Opens a document in a new tab. The download needs the bearer token, which a plain link cannot send, so the PDF is
 * fetched as a blob and shown from an object URL. The tab is opened before the fetch, while the click still counts
 * as a user gesture, so a popup blocker lets it through.
 */
export async function openDocument(token: string, id: string): Promise<void> {
  const tab = window.open('', '_blank');
  try {
    const res = await fetch(`/api/documents/${encodeURIComponent(id)}`, { headers: auth(token) });
    if (!res.ok) throw new HallError(res.status === 404 ? 'NOT_FOUND' : res.status === 403 ? 'FORBIDDEN' : 'INTERNAL', undefined, res.status);
    const url = URL.createObjectURL(await res.blob());
    if (tab) tab.location.href = url;
    else window.location.assign(url);
    // The tab has loaded it by then; revoking frees the memory of a 50 MB PDF.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    tab?.close();
    throw err instanceof HallError ? err : new HallError('NETWORK');
  }
}
