/** What the three pages share: URL parameters, the Socket.IO connection, a status line, a test hook on window. */
import { io, type Socket } from 'socket.io-client';

export const params = new URLSearchParams(location.search);

export function requireParam(name: string): string {
  const v = params.get(name);
  if (!v) {
    setStatus(`Thiếu tham số ?${name}= (missing ?${name}=)`);
    throw new Error(`missing ?${name}=`);
  }
  return v;
}

/** The app's login token: ?token= (kiosks, tests) or what the Hall apps keep in localStorage. */
export const token = () => params.get('token') ?? localStorage.getItem('hall.token') ?? '';

export function connect(): Socket {
  const server = params.get('server') ?? location.origin;
  const t = token();
  return io(server, { path: '/socket.io', transports: ['websocket'], auth: t ? { token: t } : {} });
}

export function setStatus(text: string) {
  const el = document.getElementById('status');
  if (el) el.textContent = text;
  page.status = text;
}

/** Read by tests and by operators' browser consoles. */
export const page: { status: string; samples: number[]; errors: string[]; [k: string]: unknown } = { status: '', samples: [], errors: [] };
(window as unknown as { hallMedia: typeof page }).hallMedia = page;
