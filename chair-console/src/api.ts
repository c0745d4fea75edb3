/** The two HTTP calls the console makes besides the socket: the session directory and document downloads. */
import { fetchFile, HallError, listSessions as listAllSessions, type SessionSummary } from '@hall/client-kit';

export type { SessionSummary } from '@hall/client-kit';

/** The chair's own council first: a province chair rarely needs another council's sessions. */
export async function listSessions(token: string): Promise<SessionSummary[]> {
  const sessions = await listAllSessions(token);
  return [...sessions].sort((a, b) => Number(b.mine) - Number(a.mine) || a.date.localeCompare(b.date));
}

/**
 * Opens a document in a new tab. The download needs the bearer token, which a plain link cannot send, so the PDF is
 * fetched as a blob and shown from an object URL. The tab is opened before the fetch, while the click still counts
 * as a user gesture, so a popup blocker lets it through.
 */
export async function openDocument(token: string, id: string): Promise<void> {
  const tab = window.open('', '_blank');
  try {
    const { blob } = await fetchFile(token, `/api/documents/${encodeURIComponent(id)}`);
    const url = URL.createObjectURL(blob);
    if (tab) tab.location.href = url;
    else window.location.assign(url);
    // The tab has loaded it by then; revoking frees the memory of a 50 MB PDF.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    tab?.close();
    throw err instanceof HallError ? err : new HallError('NETWORK');
  }
}
