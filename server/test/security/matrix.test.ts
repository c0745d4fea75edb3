/**
 * [MX] The authorization matrix, generated from the one table in policy.ts and run against a real server: every
 * command type × every principal over real Socket.IO connections, every HTTP route × every principal over HTTP.
 * A cell passes when an allowed principal is not refused for authorization and a denied one is; refusals change
 * nothing (the journal's last seq is compared around the denied attempts). The matrix is printed and written to
 * artifacts/security/authorization-matrix.md.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTypes, type ClientToServerEvents, type CommandAck, type CommandType, type ServerToClientEvents } from '@hall/core';
import { DEMO_ADMIN_PASSWORD, DEMO_DEVICE_TOKEN, DEMO_STAFF_PASSWORD, demoCouncils, demoDelegateCode } from '../../src/seed/demo.ts';
import { issueToken, newJti } from '../../src/auth/tokens.ts';
import { hashSecret } from '../../src/auth/secrets.ts';
import { newCommandId } from '../../src/bots/bot.ts';
import { council, minimalPdf, pdfUpload } from '../http/helpers.ts';
import { startHall, TEST_SECRETS, type RunningHall } from '../support/hall.ts';
import { COMMAND_POLICY, PRINCIPALS, ROUTE_POLICY, type CommandContext, type HttpRequest, type Principal, type RouteContext } from './policy.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const COUNCIL = 'tien-du';
const SESSION = 'td-kh10';
const A = 'td-d001';
const B = 'td-d002';
const ARTIFACT = fileURLToPath(new URL('../../../artifacts/security/authorization-matrix.md', import.meta.url));

let h: RunningHall;
const tokens = {} as Record<Principal, string | null>;
const sockets = {} as Record<Principal, Client | null>;
let official: string;
let agendaItem: string;

async function loginToken(kind: 'password' | 'code' | 'device', id: string, secret: string): Promise<{ token: string; jti: string }> {
  const res = await fetch(`${h.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind, id, secret }) });
  const body = (await res.json()) as { token?: string; claims?: { jti: string } };
  if (!body.token) throw new Error(`login ${id}: ${res.status}`);
  return { token: body.token, jti: body.claims!.jti };
}

/** A socket, or null when the handshake refuses it (expired or revoked tokens) — recorded as UNAUTHENTICATED. */
function connect(token: string | null): Promise<Client | null> {
  const socket: Client = io(h.baseUrl, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (code === 'UNAUTHENTICATED') resolve(null);
      else reject(err);
    });
  });
}

async function send(p: Principal, sessionId: string, type: CommandType, payload: unknown): Promise<string> {
  const socket = sockets[p];
  if (!socket) return 'UNAUTHENTICATED';
  const ack = (await socket.timeout(30_000).emitWithAck('session:command', { sessionId, commandId: newCommandId(), type, payload })) as CommandAck;
  return ack.ok ? 'ok' : ack.reason ? `${ack.code}:${ack.reason}` : ack.code;
}

async function must(p: Principal, sessionId: string, type: CommandType, payload: unknown) {
  const result = await send(p, sessionId, type, payload);
  if (result !== 'ok') throw new Error(`preparing ${sessionId}: ${p} ${type} → ${result}`);
}

/** The state COMMAND_POLICY's payloads refer to (see the comment above it). */
async function prepare(sessionId: string) {
  await must('chair', sessionId, 'session.openCheckIn', {});
  for (let n = 1; n <= 18; n++) await must('chair', sessionId, 'attendance.set', { delegateId: `td-d${String(n).padStart(3, '0')}`, status: 'present' });
  await must('chair', sessionId, 'session.start', {});
  await must('delegateSelf', sessionId, 'floor.request', { requestId: 'rA', purpose: 'speech' });
  await must('delegateOther', sessionId, 'floor.request', { requestId: 'rB', purpose: 'speech' });
  await must('chair', sessionId, 'questioning.addGroup', { groupId: 'g1', topic: 'Ngân sách', respondentIds: [official] });
  await must('delegateSelf', sessionId, 'question.submit', { questionId: 'qA', respondentId: official, groupId: 'g1', text: 'Câu hỏi của A' });
  await must('delegateOther', sessionId, 'question.submit', { questionId: 'qB', respondentId: official, groupId: 'g1', text: 'Câu hỏi của B' });
  await must('chair', sessionId, 'poll.open', { pollId: 'p1', subject: 'Giơ tay', kind: 'motion', mode: 'hands' });
  await must('chair', sessionId, 'floor.give', { speechId: 'sA', speaker: { kind: 'delegate', id: A }, purpose: 'speech' });
}

const isDenial = (code: string) => code.startsWith('UNAUTHENTICATED') || code.startsWith('FORBIDDEN');
/** Codes that mean the request never reached an authorization decision the table can judge. */
const isBroken = (code: string) => /^(VALIDATION|RATE_LIMITED|INTERNAL|UNAVAILABLE|TOO_MANY_CONNECTIONS)/.test(code) || /^5\d\d/.test(code);

const report: string[] = [];

beforeAll(async () => {
  // The matrix sends well over a thousand commands from one chair token in a few seconds.
  h = await startHall({ HALL_COMMAND_RATE: '100000' });
  const td = demoCouncils().find((c) => c.id === COUNCIL)!;
  official = td.officials[0]!.id;
  const record = (await h.hall.store.catalog.getSession(SESSION))!;
  agendaItem = record.agenda[1]!.id;

  tokens.chair = (await loginToken('password', 'chutoa.td', DEMO_STAFF_PASSWORD)).token;
  tokens.secretary = (await loginToken('password', 'thuky.td', DEMO_STAFF_PASSWORD)).token;
  tokens.delegateSelf = (await loginToken('code', A, demoDelegateCode(A)!)).token;
  tokens.delegateOther = (await loginToken('code', B, demoDelegateCode(B)!)).token;
  tokens.wall = (await loginToken('device', 'wall.td', DEMO_DEVICE_TOKEN)).token;
  tokens.public = null;
  tokens.admin = (await loginToken('password', 'admin', DEMO_ADMIN_PASSWORD)).token;
  tokens.otherChair = (await loginToken('password', 'chutoa.bn', DEMO_STAFF_PASSWORD)).token;
  tokens.oversight = (await loginToken('password', 'giamsat', DEMO_STAFF_PASSWORD)).token;
  tokens.expired = issueToken(
    { sub: A, role: 'delegate', councilIds: [COUNCIL], delegateId: A, name: 'Đại biểu A', jti: newJti() },
    TEST_SECRETS.HALL_TOKEN_SECRET,
    12 * 3600,
    Date.now() - 2 * 86_400_000,
  );
  const revoked = await loginToken('password', 'chutoa.td', DEMO_STAFF_PASSWORD);
  const signOut = await fetch(`${h.baseUrl}/api/auth/devices/${revoked.jti}`, { method: 'DELETE', headers: { authorization: `Bearer ${revoked.token}` } });
  expect(signOut.status).toBe(200);
  tokens.revoked = revoked.token;
  for (const p of PRINCIPALS) sockets[p] = await connect(tokens[p]);
  expect(sockets.expired).toBeNull();
  expect(sockets.revoked).toBeNull();
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(sockets)) s?.disconnect();
  await h?.close();
  if (report.length) {
    await mkdir(path.dirname(ARTIFACT), { recursive: true });
    await writeFile(ARTIFACT, `${report.join('\n\n')}\n`);
  }
});

const cell = (allowed: boolean, code: string) => `${allowed ? '✓' : '✗'} ${code}`;

describe('[MX-1] every command × every principal, over Socket.IO', () => {
  it('matches the table: allowed principals are never refused for authorization, denied ones always are, and refusals change nothing', async () => {
    expect(Object.keys(COMMAND_POLICY).sort()).toEqual([...commandTypes].sort());
    const base = (await h.hall.store.catalog.getSession(SESSION))!;
    const ctx: CommandContext = { A, B, official, item: agendaItem };
    const rows: string[] = [];
    const wrong: string[] = [];
    let cells = 0;
    for (const [i, type] of commandTypes.entries()) {
      const rule = COMMAND_POLICY[type];
      const sessionId = `mx-${i}`;
      await h.hall.store.catalog.putSession({ ...base, id: sessionId, title: `Ma trận ${type}`, status: 'scheduled' });
      await prepare(sessionId);
      const results = {} as Record<Principal, string>;
      const denied = PRINCIPALS.filter((p) => !rule.allow.includes(p));
      const seqBefore = await h.hall.store.journal.lastSeq(sessionId);
      for (const p of denied) results[p] = await send(p, sessionId, type, rule.payload(ctx));
      const seqAfter = await h.hall.store.journal.lastSeq(sessionId);
      if (seqAfter !== seqBefore) wrong.push(`${type}: a refused attempt moved the journal from seq ${seqBefore} to ${seqAfter}`);
      for (const p of rule.allow) results[p] = await send(p, sessionId, type, rule.payload(ctx));
      for (const p of PRINCIPALS) {
        cells++;
        const allowed = rule.allow.includes(p);
        const code = results[p];
        if (isBroken(code)) wrong.push(`${type} × ${p}: ${code} (the command never reached a decision)`);
        else if (allowed === isDenial(code)) wrong.push(`${type} × ${p}: expected ${allowed ? 'allowed' : 'denied'}, got ${code}`);
      }
      rows.push(`| ${type} | ${PRINCIPALS.map((p) => cell(rule.allow.includes(p), results[p])).join(' | ')} |`);
    }
    const table = [
      `## Commands × principals over Socket.IO: ${commandTypes.length} × ${PRINCIPALS.length} = ${cells} cells`,
      '',
      `| command | ${PRINCIPALS.join(' | ')} |`,
      `|---|${PRINCIPALS.map(() => '---').join('|')}|`,
      ...rows,
    ].join('\n');
    report.push(table);
    console.log(`[MX-1] authorization matrix: ${commandTypes.length} commands × ${PRINCIPALS.length} principals = ${cells} cells, ${wrong.length} wrong`);
    expect(cells).toBe(commandTypes.length * PRINCIPALS.length);
    expect(wrong).toEqual([]);
  }, 600_000);
});

describe('[MX-2] every HTTP route × every principal', () => {
  it('matches the table, and no route is missing from it', async () => {
    const catalog = h.hall.store.catalog;
    const staffHash = await hashSecret('matrix-secret-1');
    let n = 0;
    const td = demoCouncils().find((c) => c.id === COUNCIL)!;
    const base = (await catalog.getSession(SESSION))!;
    const pdf = minimalPdf('Ma tran');
    const addDocument = async () => {
      const id = `mx-doc-${++n}`;
      await catalog.putDocument({ id, title: 'Tờ trình', mime: 'application/pdf', size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex'), sessionId: SESSION, itemId: agendaItem }, pdf);
      return id;
    };
    const upload = pdfUpload(pdf);
    const ctx: RouteContext = {
      session: SESSION,
      item: agendaItem,
      council: COUNCIL,
      A,
      documentId: await addDocument(),
      async freshCouncil() {
        const id = `mx-c-${++n}`;
        await catalog.putCouncil(council(id, `Hội đồng ${id}`, 'commune', ['mx-d1', 'mx-d2']));
        return id;
      },
      async freshSession() {
        const id = `mx-s-${++n}`;
        await catalog.putSession({ ...base, id, agenda: [], status: 'scheduled' });
        return id;
      },
      async freshAccount() {
        const id = `mx-a-${++n}`;
        await catalog.putAccount({ id, role: 'secretary', displayName: 'Thư ký', councilIds: [COUNCIL], secretHash: staffHash });
        return id;
      },
      freshDocument: addDocument,
      delegateCsv: () => Buffer.from(`Mã đại biểu,Họ và tên,Tổ đại biểu,Ghế\nmx-imp-${++n},Nguyễn Văn Nhập,Tổ 1,A01\n`).toString('base64'),
      async freshDeviceOfA() {
        return (await loginToken('code', A, demoDelegateCode(A)!)).jti;
      },
      councilBody: (id) => ({ ...council(id, `Hội đồng ${id}`, 'commune', ['mx-d1']), officials: td.officials.slice(0, 1) }),
      pdfUpload: () => ({ payload: upload.payload, contentType: upload.headers['content-type']! }),
    };

    const routes = h.hall.routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    const missing = routes.filter((k) => !ROUTE_POLICY[k]);
    const stale = Object.keys(ROUTE_POLICY).filter((k) => !routes.includes(k) && !ROUTE_POLICY[k]!.buildDependent);
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });

    const call = async (method: string, req: HttpRequest, token: string | null) => {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      let body: string | Uint8Array | undefined;
      if (req.raw) {
        headers['content-type'] = req.raw.contentType;
        body = new Uint8Array(req.raw.payload);
      } else if (req.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(req.body);
      }
      const res = await fetch(`${h.baseUrl}${req.url}`, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
      const text = await res.text();
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { code?: string }).code;
      } catch {
        code = undefined;
      }
      return { status: res.status, code };
    };

    const rows: string[] = [];
    const wrong: string[] = [];
    let cells = 0;
    for (const key of routes) {
      const rule = ROUTE_POLICY[key]!;
      const method = key.slice(0, key.indexOf(' '));
      const results = {} as Record<Principal, { status: number; code: string | undefined }>;
      // Denied principals first: what they attempt must not have consumed what the allowed ones act on.
      const order = [...PRINCIPALS.filter((p) => !rule.allow.includes(p)), ...rule.allow];
      for (const p of order) results[p] = await call(method, await rule.request(ctx, p), tokens[p]);
      for (const p of PRINCIPALS) {
        cells++;
        const { status, code } = results[p];
        const allowed = rule.allow.includes(p);
        // A wrong password or link is 401 AUTH_FAILED: the request was judged, not refused for who sent it.
        const refused = code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' || (!allowed && rule.hides === true && status === 404);
        if (status >= 500) wrong.push(`${key} × ${p}: ${status} ${code ?? ''}`);
        else if (allowed === refused) wrong.push(`${key} × ${p}: expected ${allowed ? 'allowed' : 'denied'}, got ${status} ${code ?? ''}`);
        else if ((code === 'UNAUTHENTICATED' && status !== 401) || (code === 'FORBIDDEN' && status !== 403)) wrong.push(`${key} × ${p}: ${code} with status ${status}`);
        else if ((status === 401 || status === 403) && code === undefined) wrong.push(`${key} × ${p}: ${status} without a code`);
      }
      rows.push(`| ${key} | ${PRINCIPALS.map((p) => cell(rule.allow.includes(p), `${results[p].status}${results[p].code ? ` ${results[p].code}` : ''}`)).join(' | ')} |`);
    }
    report.push(
      [
        `## HTTP routes × principals: ${routes.length} × ${PRINCIPALS.length} = ${cells} cells`,
        '',
        `| route | ${PRINCIPALS.join(' | ')} |`,
        `|---|${PRINCIPALS.map(() => '---').join('|')}|`,
        ...rows,
      ].join('\n'),
    );
    console.log(`[MX-2] authorization matrix: ${routes.length} routes × ${PRINCIPALS.length} principals = ${cells} cells, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
  }, 600_000);
});

describe('[MX-3] tokens that lapse while connected', () => {
  it('a socket opened before its token expired can watch on but not act after the expiry', async () => {
    const short = issueToken({ sub: 'chutoa.td', role: 'chair', councilIds: [COUNCIL], name: 'Chủ tọa', jti: newJti() }, TEST_SECRETS.HALL_TOKEN_SECRET, 2, Date.now());
    const socket = await connect(short);
    expect(socket).not.toBeNull();
    const exp = JSON.parse(Buffer.from(short.split('.')[0]!, 'base64url').toString()).exp as number;
    // Earlier cells (the records API's approval, say) may have journaled in this session: compare with now.
    const before = await h.hall.store.journal.lastSeq(SESSION);
    while (Date.now() <= exp * 1000) await new Promise((r) => setTimeout(r, 100));
    const ack = (await socket!.timeout(30_000).emitWithAck('session:command', { sessionId: SESSION, commandId: newCommandId(), type: 'session.openCheckIn', payload: {} })) as CommandAck;
    expect(ack).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    expect(await h.hall.store.journal.lastSeq(SESSION)).toBe(before);
    socket!.disconnect();
  }, 60_000);
});
