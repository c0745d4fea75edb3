/**
 * [FUZZ] Random and mutated input against a real server (issue 10, "fuzzing"): socket commands sent as the chair and
 * as a delegate of a sitting in progress — valid commands with fields replaced by wrong types, huge strings, nulls,
 * prototype keys (`__proto__`, `constructor`), deep nesting, removed or extra fields, unknown types and sessions —
 * and HTTP bodies, parameters, queries and content types for every route, signed in as the admin or as nobody.
 *
 * Invariants, for every input: the server stays up and answers; no 5xx and no INTERNAL; no stack trace or internal
 * path in any answer; Object.prototype is never polluted; and every REFUSED input leaves the journals (their last
 * seq and their bytes on disk) and the views of every audience exactly as they were. Accepted socket commands move
 * the journal by exactly one record.
 *
 * Bounded by runs, never by time: HALL_FUZZ_RUNS inputs in all (default 4000: half socket, half HTTP); `pnpm fuzz`
 * runs 100 000.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTypes, ErrorCode, type Audience, type ClientToServerEvents, type CommandAck, type CommandType, type ServerToClientEvents } from '@hall/core';
import { DEMO_ADMIN_PASSWORD, DEMO_STAFF_PASSWORD, demoCouncils, demoDelegateCode } from '../../src/seed/demo.ts';
import { newCommandId } from '../../src/bots/bot.ts';
import { minimalPdf } from '../http/helpers.ts';
import { startHall, type RunningHall } from '../support/hall.ts';
import { COMMAND_POLICY, type CommandContext } from './policy.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const RUNS = Math.max(2, Number(process.env.HALL_FUZZ_RUNS ?? 4000));
const SOCKET_RUNS = Math.ceil(RUNS / 2);
const HTTP_RUNS = RUNS - SOCKET_RUNS;
/** Generous: a 2-core machine under load; the bound is the number of runs, not this. */
const timeoutFor = (runs: number) => Math.max(180_000, runs * 40);

const COUNCIL = 'tien-du';
const SESSION = 'fz-1';
const A = 'td-d001';

let h: RunningHall;
let journalDir: string;
let chair: Client;
let delegate: Client;
const tokens: Record<'admin' | 'chair' | 'delegate', string> = { admin: '', chair: '', delegate: '' };
let ctx: CommandContext;

/** What must not move when an input is refused. */
async function fingerprint() {
  const hash = createHash('sha256');
  for (const name of (await readdir(journalDir)).sort()) hash.update(name).update(await readFile(path.join(journalDir, name)));
  const seqs = await Promise.all(['td-kh10', SESSION].map((id) => h.hall.store.journal.lastSeq(id)));
  const views = await Promise.all(
    (['chair', 'secretary', 'delegate', 'wall', 'public'] as Audience[]).map(async (a) => JSON.stringify(await h.hall.sessions.view(SESSION, a, a === 'delegate' ? A : null))),
  );
  return { journal: hash.digest('hex'), seqs, views: createHash('sha256').update(views.join('\n')).digest('hex') };
}

type Print = Awaited<ReturnType<typeof fingerprint>>;
/**
 * Unchanged — unless the server's own clock moved the sitting meanwhile (a speech or a poll that an accepted command
 * started reached its deadline): records written by the `system` actor are not the input's doing.
 */
async function expectUnchanged(before: Print) {
  const after = await fingerprint();
  if (JSON.stringify(after) === JSON.stringify(before)) return;
  const ids = ['td-kh10', SESSION];
  for (const [i, id] of ids.entries()) {
    if (after.seqs[i] === before.seqs[i]) continue;
    const records = await h.hall.store.journal.read(id, before.seqs[i]! + 1);
    expect(records.map((r) => (r.event as { by?: { role?: string } }).by?.role)).toEqual(records.map(() => 'system'));
  }
  expect(after.seqs).not.toEqual(before.seqs);
}

/** No stack traces, source paths or module names in anything a client is told. */
const LEAK = /\bat [\w.<>]+ \(|\/work\/|node_modules|\.ts:\d|\.js:\d|Error: |TypeError|RangeError|SyntaxError/;

function assertPrototypeClean() {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
}

const CODES = new Set<string>(Object.values(ErrorCode));

function connect(token: string): Promise<Client> {
  const socket: Client = io(h.baseUrl, { auth: { token }, transports: ['websocket'], reconnection: true, reconnectionDelay: 50, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function loginToken(kind: 'password' | 'code', id: string, secret: string) {
  const res = await fetch(`${h.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind, id, secret }) });
  return ((await res.json()) as { token: string }).token;
}

beforeAll(async () => {
  h = await startHall({ HALL_COMMAND_RATE: '1000000', HALL_HTTP_RATE: '100000000' });
  journalDir = path.join(h.dir, 'data', 'journal');
  const record = (await h.hall.store.catalog.getSession('td-kh10'))!;
  await h.hall.store.catalog.putSession({ ...record, id: SESSION, status: 'scheduled' });
  tokens.admin = await loginToken('password', 'admin', DEMO_ADMIN_PASSWORD);
  tokens.chair = await loginToken('password', 'chutoa.td', DEMO_STAFF_PASSWORD);
  tokens.delegate = await loginToken('code', A, demoDelegateCode(A)!);
  chair = await connect(tokens.chair);
  delegate = await connect(tokens.delegate);
  const official = demoCouncils().find((c) => c.id === COUNCIL)!.officials[0]!.id;
  ctx = { A, B: 'td-d002', official, item: record.agenda[1]!.id };
  // A sitting in progress with a queue, a question group and an open electronic poll: most commands can matter.
  const must = async (s: Client, type: CommandType, payload: unknown) => {
    const ack = (await s.timeout(30_000).emitWithAck('session:command', { sessionId: SESSION, commandId: newCommandId(), type, payload })) as CommandAck;
    if (!ack.ok) throw new Error(`${type}: ${ack.code} ${ack.reason ?? ''}`);
  };
  await must(chair, 'session.openCheckIn', {});
  for (let n = 1; n <= 18; n++) await must(chair, 'attendance.set', { delegateId: `td-d${String(n).padStart(3, '0')}`, status: 'present' });
  await must(chair, 'session.start', {});
  await must(delegate, 'floor.request', { requestId: 'rA', purpose: 'speech' });
  await must(chair, 'questioning.addGroup', { groupId: 'g1', topic: 'Ngân sách', respondentIds: [official] });
  await must(chair, 'poll.open', { pollId: 'p1', subject: 'Biểu quyết', kind: 'motion', mode: 'electronic' });
}, 120_000);

afterAll(async () => {
  chair?.disconnect();
  delegate?.disconnect();
  await h?.close();
});

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
/** An object whose own keys include `__proto__` etc. as data — what JSON.parse makes of `{"__proto__": …}`. */
const protoObject = fc
  .tuple(fc.constantFrom(...PROTO_KEYS), fc.oneof(fc.constant({ polluted: true, isAdmin: true }), fc.constant({ prototype: { polluted: true } }), fc.jsonValue()))
  .map(([key, value]) => JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value) ?? 'null'}}`) as Record<string, unknown>);
// At most 30 000 characters: even escaped (\u0000 is 6 bytes of JSON) a command stays under Socket.IO's 256 kB limit,
// past which the server rightly closes the connection (HTTP bodies get bigger ones below).
const hugeString = fc.integer({ min: 10_000, max: 30_000 }).chain((n) => fc.constantFrom('a', 'đ', '\u0000', '😀', '<script>').map((c) => c.repeat(Math.ceil(n / c.length)).slice(0, n)));
const deep = fc.integer({ min: 50, max: 3000 }).chain((depth) =>
  fc.constantFrom('array', 'object').map((kind) => {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
    return v;
  }),
);
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 31), 1e308),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '../../etc/passwd', 'x'.repeat(65), '%00', '\u202e', 'bn-d001', 'td-d002', 'p1', 'rA'),
  hugeString,
  protoObject,
  deep,
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 4 }),
);

/** A valid command of each type for this sitting (COMMAND_POLICY's payloads), then changed in one of many ways. */
const commandId = fc.stringMatching(/^[A-Za-z0-9_-]{8,24}$/);
const validCommand = fc
  .tuple(fc.constantFrom(...commandTypes), commandId)
  .map(([type, id]) => ({ sessionId: SESSION, commandId: id, type: type as string, payload: COMMAND_POLICY[type].payload(ctx) as Record<string, unknown> }));

type Raw = Record<string, unknown>;
const mutate = (cmd: Raw): fc.Arbitrary<unknown> => {
  const payloadKeys = Object.keys((cmd.payload as Raw) ?? {});
  const fields = ['sessionId', 'commandId', 'type', 'payload', 'v'];
  return fc.oneof(
    fc.constant(cmd),
    fc.tuple(fc.constantFrom(...fields), weird).map(([k, v]) => ({ ...cmd, [k]: v })),
    payloadKeys.length ? fc.tuple(fc.constantFrom(...payloadKeys), weird).map(([k, v]) => ({ ...cmd, payload: { ...(cmd.payload as Raw), [k]: v } })) : fc.constant(cmd),
    fc.tuple(fc.string({ maxLength: 12 }), weird).map(([k, v]) => ({ ...cmd, payload: { ...(cmd.payload as Raw), [k]: v } })),
    protoObject.map((p) => ({ ...cmd, payload: Object.assign(JSON.parse(JSON.stringify(cmd.payload)), p) })),
    protoObject.map((p) => Object.assign(JSON.parse(JSON.stringify(cmd)), p)),
    fc.constantFrom(...fields).map((k) => {
      const copy = { ...cmd };
      delete copy[k];
      return copy;
    }),
    payloadKeys.length
      ? fc.constantFrom(...payloadKeys).map((k) => {
          const p = { ...(cmd.payload as Raw) };
          delete p[k];
          return { ...cmd, payload: p };
        })
      : fc.constant(cmd),
    fc.constantFrom('other-session', 'bn-kh12', 'td-kh10', '', '../x').map((sessionId) => ({ ...cmd, sessionId })),
    fc.constantFrom('floor.timeUp', 'poll.deadline', 'SESSION.START', 'toString', '__proto__', 'constructor').map((type) => ({ ...cmd, type })),
    fc.constant({ ...cmd, commandId: 'fixed-id-0001' }),
    weird,
  );
};
const socketInput = fc.record({ who: fc.constantFrom<'chair' | 'delegate'>('chair', 'delegate'), input: fc.oneof({ weight: 4, arbitrary: validCommand.chain(mutate) }, { weight: 1, arbitrary: fc.anything() }) });

// ---------------------------------------------------------------------------------------------------------------

describe('[FUZZ-1] socket commands', () => {
  it(`${SOCKET_RUNS} random and mutated commands: no crash, no INTERNAL, no leak, refusals change nothing`, async () => {
    let accepted = 0;
    let refused = 0;
    const codes = new Map<string, number>();
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(socketInput, async ({ who, input }) => {
        const socket = who === 'chair' ? chair : delegate;
        if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        const before = await fingerprint();
        const ack = (await socket.timeout(60_000).emitWithAck('session:command', input)) as CommandAck;
        const text = JSON.stringify(ack);
        expect(text).not.toMatch(LEAK);
        assertPrototypeClean();
        expect(typeof ack).toBe('object');
        if (ack.ok) {
          accepted++;
          const after = await fingerprint();
          // Exactly one record more (a retried commandId: none), in one session.
          const moved = after.seqs.reduce((a, b) => a + b, 0) - before.seqs.reduce((a, b) => a + b, 0);
          // (A deadline the clock reached meanwhile may add a system record.)
          expect(moved - (ack.duplicate ? 0 : 1)).toBeGreaterThanOrEqual(0);
          expect(moved - (ack.duplicate ? 0 : 1)).toBeLessThanOrEqual(1);
          return;
        }
        refused++;
        codes.set(ack.code, (codes.get(ack.code) ?? 0) + 1);
        expect(CODES.has(ack.code)).toBe(true);
        expect(ack.code).not.toBe('INTERNAL');
        expect(ack.code).not.toBe('UNAVAILABLE');
        expect(typeof ack.message).toBe('string');
        await expectUnchanged(before);
      }),
      { numRuns: SOCKET_RUNS },
    );
    const seconds = (performance.now() - started) / 1000;
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
    console.log(`[FUZZ-1] ${SOCKET_RUNS} socket inputs in ${seconds.toFixed(1)} s: ${accepted} accepted, ${refused} refused (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')})`);
    expect(accepted + refused).toBe(SOCKET_RUNS);
  }, timeoutFor(SOCKET_RUNS));
});

// ---------------------------------------------------------------------------------------------------------------
// HTTP

/** A plausible body per route that takes one (mutated from there), and parameter values that name real things. */
const validBodies: Record<string, unknown> = {
  'POST /api/auth/login': { kind: 'code', id: 'td-d003', secret: '200003' },
  'POST /api/auth/link': { token: 'x'.repeat(43) },
  'PUT /api/admin/councils/:id': { id: 'fz-c', name: 'Hội đồng', level: 'commune', delegates: [] },
  'POST /api/admin/councils/:id/delegates': { id: 'fz-d', fullName: 'Đại biểu', group: 'Tổ 1', seat: 'A1' },
  'PATCH /api/admin/councils/:id/delegates/:delegateId': { seat: 'B2' },
  'PUT /api/admin/sessions/:id': { id: 'fz-s', councilId: COUNCIL, title: 'Kỳ họp', date: '2029-01-01', agenda: [] },
  'PUT /api/admin/sessions/:id/agenda': { agenda: [] },
  'PUT /api/admin/accounts/:id': { id: 'fz-a', role: 'secretary', displayName: 'Thư ký', councilIds: [COUNCIL], secret: 'fuzz-secret-1' },
  'POST /api/media/sessions/:sessionId/rtp-ingest': { audio: false },
  'PUT /api/media/sessions/:sessionId/program': { source: 'auto' },
};
// Never the fuzz sitting's own accounts or the admin: deleting or disabling them would end the socket run's sessions.
const paramValue = fc.oneof(
  fc.constantFrom('fz-c', 'fz-s', 'fz-a', 'td-kh10', 'tien-du', 'td-d003', 'i1', 'nope', '..', '.', '%2e%2e%2f', '%00', 'a'.repeat(300), '😀', 'x y'),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=xyz', 'application/x-www-form-urlencoded', 'application/octet-stream', undefined);

/** JSON text: valid bodies mutated, random values, and text that is not JSON at all. */
const bodyFor = (key: string): fc.Arbitrary<string | Uint8Array | undefined> => {
  const valid = (validBodies[key] ?? {}) as Raw;
  const asJson = (v: unknown) => JSON.stringify(v) ?? 'null';
  return fc.oneof(
    fc.constant(undefined),
    mutate({ ...valid, payload: valid }).map((m) => asJson((m as Raw)?.payload ?? m)),
    fc.tuple(fc.constantFrom(...(Object.keys(valid).length ? Object.keys(valid) : ['x'])), weird).map(([k, v]) => asJson({ ...valid, [k]: v })),
    protoObject.map((p) => asJson(Object.assign({ ...valid }, p))),
    weird.map(asJson),
    fc.constantFrom('null', '{', '[]', '"', '{"a":1,"a":2}', '\u0000', 'true', '1e999', '{"__proto__":{"polluted":true}}'),
    fc.integer({ min: 900_000, max: 2_000_000 }).map((n) => `"${'z'.repeat(n)}"`),
    fc.constant(minimalPdf('fuzz')),
  );
};

describe('[FUZZ-2] HTTP routes', () => {
  it(`${HTTP_RUNS} random bodies, parameters, queries and content types over every route: no 5xx, no leak, refusals change nothing`, async () => {
    const routes = h.hall.routes.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !/^\/(chair|delegate|wall|live|docs|media|camera)/.test(r.url));
    const byStatus = new Map<number, number>();
    const started = performance.now();
    const input = fc
      .constantFrom(...routes)
      .chain((r) =>
        fc.record({
          route: fc.constant(r),
          params: fc.array(paramValue, { minLength: 4, maxLength: 4 }),
          query: fc.oneof(fc.constant(''), fc.dictionary(fc.constantFrom('limit', 'before', 'councilId', 'itemId', '__proto__', 'x'), fc.string({ maxLength: 20 }), { maxKeys: 3 }).map((q) => `?${new URLSearchParams(q as Record<string, string>)}`)),
          body: bodyFor(`${r.method} ${r.url}`),
          type: contentType,
          as: fc.constantFrom<'admin' | 'chair' | 'none' | 'garbage'>('admin', 'admin', 'chair', 'none', 'garbage'),
        }),
      );
    await fc.assert(
      fc.asyncProperty(input, async ({ route, params, query, body, type, as }) => {
        let i = 0;
        const url = route.url.replace(/:[A-Za-z]+|\*/g, () => params[i++ % params.length]!) + query;
        const headers: Record<string, string> = {};
        if (as === 'admin' || as === 'chair') headers.authorization = `Bearer ${tokens[as]}`;
        if (as === 'garbage') headers.authorization = 'Bearer x.y';
        if (type && body !== undefined) headers['content-type'] = type;
        const before = await fingerprint();
        const send = body !== undefined && route.method !== 'GET';
        const res = await fetch(`${h.baseUrl}${url}`, { method: route.method, headers, redirect: 'manual', ...(send ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}) });
        const text = await res.text();
        byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
        expect(res.status, `${route.method} ${url}`.slice(0, 200)).toBeLessThan(500);
        expect(text.slice(0, 100_000)).not.toMatch(LEAK);
        assertPrototypeClean();
        if (res.status >= 400) await expectUnchanged(before);
      }),
      { numRuns: HTTP_RUNS },
    );
    const seconds = (performance.now() - started) / 1000;
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
    console.log(`[FUZZ-2] ${HTTP_RUNS} HTTP inputs over ${routes.length} routes in ${seconds.toFixed(1)} s (${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ')})`);
  }, timeoutFor(HTTP_RUNS));
});
