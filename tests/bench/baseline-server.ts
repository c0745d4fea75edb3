/**
 * The baseline the bench compares the app with, in the same run: a bare Socket.IO server with the app's Socket.IO
 * options and nothing of the app (no auth, no validation, no machine, no projection).
 *
 *  - `session:command` (any payload) → one raw journal append with the same adapter and fsync policy as the app's
 *    store, serialized per session like the app's journal, then the ack `{ok, seq}`:
 *      embedded: one write of a JSON line to `<dir>/<sessionId>.jsonl` + fdatasync;
 *      redis:    one XADD to `<prefix>j:<sessionId>`.
 *  - `session:join {sessionId}` → joins the room `s:<sessionId>:public`, acks `{ok:true}`.
 *  - `bench:view view` → keeps a real public view (captured from the app) as the fan-out payload.
 *  - `bench:emit {sessionId, seq}` → acks, then `io.to(room).emit('session:view', {...view, seq})`: the same bytes
 *    the app sends its public room for that seq.
 *
 * Env: PORT, BASELINE_STORE=embedded|redis, BASELINE_DIR (embedded), REDIS_URL + BASELINE_PREFIX (redis).
 */
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { loadIoRedis, loadSocketIoServer } from './lib/deps.ts';

const port = Number(process.env.PORT);
const kind = process.env.BASELINE_STORE === 'redis' ? 'redis' : 'embedded';
const dir = process.env.BASELINE_DIR ?? '';
const prefix = process.env.BASELINE_PREFIX ?? 'hallbench:baseline:';

type Append = (sessionId: string, line: string) => Promise<void>;

function embeddedAppend(): Append {
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, Promise<FileHandle>>();
  return async (sessionId, line) => {
    let fh = files.get(sessionId);
    if (!fh) {
      fh = open(path.join(dir, `${sessionId.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`), 'a');
      files.set(sessionId, fh);
    }
    const h = await fh;
    const buf = Buffer.from(`${line}\n`, 'utf8');
    let off = 0;
    while (off < buf.length) off += (await h.write(buf, off, buf.length - off, null)).bytesWritten;
    await h.datasync();
  };
}

function redisAppend(): Append {
  const Redis = loadIoRedis();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  return async (sessionId, line) => {
    await redis.xadd(`${prefix}j:${sessionId}`, '*', 'r', line);
  };
}

const append = kind === 'redis' ? redisAppend() : embeddedAppend();

/** Per-session queue and seq, like the app's journal (appends of one session never overlap). */
const sessions = new Map<string, { seq: number; queue: Promise<unknown> }>();

const http = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  res.writeHead(404).end();
});

const Server = loadSocketIoServer();
// The app's Socket.IO options (server/src/app.ts), so the transport does the same work in both.
const io = new Server(http, {
  path: '/socket.io',
  serveClient: false,
  maxHttpBufferSize: 256 * 1024,
  pingInterval: 10_000,
  pingTimeout: 8_000,
});

let view: Record<string, unknown> = { audience: 'public', seq: 0 };

type Ack = (v: unknown) => void;
const ackOf = (ack: unknown): Ack => (typeof ack === 'function' ? (ack as Ack) : () => undefined);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
io.on('connection', (socket: any) => {
  socket.on('session:command', (raw: { sessionId?: unknown; commandId?: unknown; type?: unknown; payload?: unknown }, ack: unknown) => {
    const reply = ackOf(ack);
    const sessionId = typeof raw?.sessionId === 'string' ? raw.sessionId : '-';
    let s = sessions.get(sessionId);
    if (!s) sessions.set(sessionId, (s = { seq: 0, queue: Promise.resolve() }));
    const state = s;
    const run = state.queue.then(async () => {
      const seq = state.seq + 1;
      const at = Date.now();
      const record = { seq, at, commandId: raw.commandId, event: { ...(raw.payload as object), type: raw.type, at, by: { role: 'delegate', id: 'baseline' } } };
      await append(sessionId, JSON.stringify(record));
      state.seq = seq;
      reply({ ok: true, seq });
    });
    state.queue = run.catch((err: unknown) => reply({ ok: false, code: 'UNAVAILABLE', message: String(err) }));
  });

  socket.on('session:join', async (raw: { sessionId?: string }, ack: unknown) => {
    await socket.join(`s:${raw?.sessionId}:public`);
    ackOf(ack)({ ok: true });
  });

  socket.on('bench:view', (v: Record<string, unknown>, ack: unknown) => {
    view = v;
    ackOf(ack)({ ok: true });
  });

  socket.on('bench:emit', (raw: { sessionId: string; seq: number }, ack: unknown) => {
    ackOf(ack)({ ok: true, seq: raw.seq });
    io.to(`s:${raw.sessionId}:public`).emit('session:view', { ...view, seq: raw.seq });
  });
});

http.listen(port, '127.0.0.1');
