/**
 * THE authorization table (issue 10, "authorization matrix"): for every command type and every HTTP route, which
 * principals may act. It is written by hand — it is the policy, not a copy of the code's role lists — and
 * matrix.test.ts runs every cell against a real server: over Socket.IO for commands, over HTTP for routes.
 *
 * "Allowed" means not refused for authorization (the machine may still refuse for the state of the sitting, a
 * route may answer 404 for a missing thing): never UNAUTHENTICATED or FORBIDDEN. "Denied" means exactly that:
 * UNAUTHENTICATED or FORBIDDEN (a socket whose token is expired or revoked is refused at the handshake), or
 * NOT_FOUND on the few routes that hide other councils' accounts and other accounts' devices on purpose.
 *
 * The principals, all in the council of HĐND xã Tiên Du unless said otherwise:
 */
import type { CommandPayload, CommandType } from '@hall/core';

export const PRINCIPALS = [
  'chair', // chutoa.td
  'secretary', // thuky.td
  'delegateSelf', // td-d001 (A) acting on A's own things
  'delegateOther', // td-d002 (B) sending the very same command as A: acting on A's things, for A
  'wall', // wall.td, the hall display device
  'public', // no token
  'admin', // admin
  'otherChair', // chutoa.bn: a chair, of another council
  'expired', // A's token, expired
  'revoked', // a chair token of chutoa.td, signed out (revoked device)
  'oversight', // giamsat: the province Standing Committee, reads every council, acts in none
] as const;
export type Principal = (typeof PRINCIPALS)[number];

/** What a command payload may refer to in the prepared session (see matrix.test.ts `prepare`). */
export interface CommandContext {
  /** td-d001 (delegateSelf) and td-d002 (delegateOther). */
  A: string;
  B: string;
  /** An official of the council (respondent of questions). */
  official: string;
  /** The second agenda item. */
  item: string;
}

export interface CommandRule<T extends CommandType = CommandType> {
  allow: readonly Principal[];
  payload: (c: CommandContext) => CommandPayload<T>;
}

const chair = ['chair'] as const;
const HEX = '0'.repeat(64);
const staff = ['chair', 'secretary'] as const;
/** B sending A's command acts for A: refused. For commands that name nobody (B acts for B), B is allowed. */
const delegates = ['delegateSelf', 'delegateOther'] as const;

/**
 * In the prepared session: the sitting is in progress with A, B and 16 others present; A and B each asked for the
 * floor (rA, rB) and registered a question (qA, qB) in question group g1; A has the floor (speech sA); a show-of-hands
 * poll p1 is open.
 */
export const COMMAND_POLICY: { [T in CommandType]: CommandRule<T> } = {
  'session.openCheckIn': { allow: chair, payload: () => ({}) },
  'session.start': { allow: chair, payload: () => ({}) },
  'session.recess': { allow: chair, payload: () => ({}) },
  'session.resume': { allow: chair, payload: () => ({}) },
  'session.adjourn': { allow: chair, payload: () => ({}) },
  'sitting.begin': { allow: chair, payload: () => ({ title: 'Phiên chiều' }) },
  'sitting.setClosed': { allow: chair, payload: () => ({ closed: true }) },
  'attendance.checkIn': { allow: ['chair', 'secretary', 'delegateSelf'], payload: (c) => ({ delegateId: c.A, channel: 'hall' }) },
  'attendance.set': { allow: staff, payload: (c) => ({ delegateId: c.A, status: 'absentExcused' }) },
  'agenda.goTo': { allow: chair, payload: (c) => ({ itemId: c.item }) },
  'floor.request': { allow: delegates, payload: () => ({ requestId: 'r-new', purpose: 'debate' }) },
  'floor.withdraw': { allow: ['delegateSelf', 'chair'], payload: () => ({ requestId: 'rA' }) },
  'floor.deny': { allow: chair, payload: () => ({ requestId: 'rA' }) },
  'floor.reorder': { allow: chair, payload: () => ({ requestIds: ['rB', 'rA'] }) },
  'floor.grant': { allow: chair, payload: () => ({ requestId: 'rA', speechId: 's-grant' }) },
  'floor.give': { allow: chair, payload: (c) => ({ speechId: 's-give', speaker: { kind: 'delegate', id: c.B }, purpose: 'speech' }) },
  'floor.extend': { allow: chair, payload: () => ({ addSec: 60 }) },
  'floor.stop': { allow: chair, payload: () => ({}) },
  'floor.yield': { allow: ['delegateSelf'], payload: () => ({}) },
  'questioning.addGroup': { allow: staff, payload: (c) => ({ groupId: 'g-new', topic: 'Đất đai', respondentIds: [c.official] }) },
  'questioning.openGroup': { allow: chair, payload: () => ({ groupId: 'g1' }) },
  'questioning.closeGroup': { allow: chair, payload: () => ({}) },
  'question.submit': { allow: delegates, payload: (c) => ({ questionId: 'q-new', respondentId: c.official, text: 'Câu hỏi' }) },
  'question.withdraw': { allow: ['delegateSelf'], payload: () => ({ questionId: 'qA' }) },
  'questioning.call': { allow: chair, payload: () => ({ questionId: 'qA', speechId: 's-call' }) },
  'questioning.answer': { allow: chair, payload: (c) => ({ respondentId: c.official, speechId: 's-answer' }) },
  'questioning.debate': { allow: chair, payload: (c) => ({ questionId: 'qA', speechId: 's-debate', speaker: { kind: 'delegate', id: c.A } }) },
  'questioning.opening': { allow: chair, payload: (c) => ({ respondentId: c.official, speechId: 's-opening' }) },
  'question.markWritten': { allow: staff, payload: () => ({ questionId: 'qA' }) },
  'question.writtenAnswered': { allow: staff, payload: () => ({ questionId: 'qA' }) },
  'commitment.record': { allow: staff, payload: (c) => ({ commitmentId: 'c1', respondentId: c.official, content: 'Trả lời bằng văn bản trước ngày 30' }) },
  'commitment.update': { allow: staff, payload: () => ({ commitmentId: 'c1', updateId: 'u1', status: 'inProgress', note: 'Đang triển khai' }) },
  'counting.setCommittee': { allow: staff, payload: (c) => ({ members: [{ delegateId: c.A, role: 'head' }] }) },
  // Only the records API journals an approval, after storing the text whose hash it names: never a socket.
  'minutes.approve': { allow: [], payload: () => ({ minutesKey: 'session', version: 1, sha256: 'a'.repeat(64), publicSha256: 'b'.repeat(64), throughSeq: 0 }) },
  'poll.open': { allow: chair, payload: () => ({ pollId: 'p-new', subject: 'Biểu quyết', kind: 'motion', mode: 'electronic' }) },
  'ballot.cast': { allow: delegates, payload: () => ({ pollId: 'p1', choice: 'yes' }) },
  // Committee poll commands name no one but their sender; on p1 (a show of hands) the machine refuses them, after
  // authorization: NOT_COMMITTEE_POLL.
  'ballot.castEncrypted': {
    allow: delegates,
    payload: () => ({ pollId: 'p1', ballot: { questions: [{ options: [0, 1].map(() => ({ a: HEX, b: HEX, proof: { c0: HEX, c1: HEX, s0: HEX, s1: HEX } })), sumProof: { c: HEX, s: HEX } }] } }),
  },
  'committee.commit': { allow: delegates, payload: () => ({ pollId: 'p1', commitment: { index: 1, commitments: [HEX], proof: { c: HEX, s: HEX }, transportKey: HEX } }) },
  'committee.deal': { allow: delegates, payload: () => ({ pollId: 'p1', shares: [] }) },
  'committee.complain': { allow: delegates, payload: () => ({ pollId: 'p1', complaint: { dealer: 2, shared: HEX, proof: { c: HEX, s: HEX } } }) },
  'committee.decrypt': { allow: delegates, payload: () => ({ pollId: 'p1', partial: { member: 1, shares: [] } }) },
  // p1 is a show of hands: the secretary enters the counts (an electronic or secret poll is the chair's alone).
  'poll.close': { allow: staff, payload: () => ({ pollId: 'p1', counts: { kind: 'motion', yes: 12, no: 3, abstain: 1 } }) },
  'poll.cancel': { allow: chair, payload: () => ({ pollId: 'p1', reason: 'Nhầm nội dung' }) },
  'poll.announce': { allow: chair, payload: () => ({ pollId: 'p1' }) },
  'poll.revote': { allow: chair, payload: () => ({ pollId: 'p1', newPollId: 'p-revote', reason: 'Biểu quyết lại' }) },
  'broadcast.start': { allow: chair, payload: () => ({}) },
  'broadcast.stop': { allow: chair, payload: () => ({}) },
};

// ---------------------------------------------------------------------------------------------------------------
// HTTP routes

/** Everyone who can reach a public route: any valid token or none. An expired or revoked token is refused (401). */
export const EVERYONE: readonly Principal[] = ['chair', 'secretary', 'delegateSelf', 'delegateOther', 'wall', 'public', 'admin', 'otherChair', 'oversight'];
/** Signed-in members of the council (and the admin, who belongs to every council). */
const MEMBERS: readonly Principal[] = ['chair', 'secretary', 'delegateSelf', 'delegateOther', 'wall', 'admin'];
const SIGNED_IN: readonly Principal[] = [...MEMBERS, 'otherChair', 'oversight'];
/** The oversight dashboard: oversight and admins every council, staff their own (another council's chair is refused). */
const WATCHERS: readonly Principal[] = ['chair', 'secretary', 'admin', 'oversight'];
const STAFF: readonly Principal[] = ['chair', 'secretary', 'admin'];

const ADMIN: readonly Principal[] = ['admin'];

export interface HttpRequest {
  url: string;
  body?: unknown;
  /** A raw body with its content type (multipart uploads). */
  raw?: { payload: Buffer; contentType: string };
}

/** What the route builders may use; `fresh*` make a new target per call, for routes that destroy theirs. */
export interface RouteContext {
  session: string;
  item: string;
  council: string;
  documentId: string;
  A: string;
  freshCouncil(): Promise<string>;
  freshSession(): Promise<string>;
  freshAccount(): Promise<string>;
  freshDocument(): Promise<string>;
  /** A delegate sheet (CSV, base64) that imports cleanly. */
  delegateCsv(): string;
  /** A new device (token) of A, for the routes that revoke one. */
  freshDeviceOfA(): Promise<string>;
  councilBody(id: string): unknown;
  pdfUpload(): { payload: Buffer; contentType: string };
}

export interface RouteRule {
  allow: readonly Principal[];
  /**
   * The route exists only in one state of the apps' build: a built app is served under `<prefix>*`, an unbuilt one
   * answers `<prefix>` with a page saying so. The server suite runs before the apps are built on a fresh clone.
   */
  buildDependent?: true;
  /** Denied principals may be told NOT_FOUND instead (the route does not confirm that the thing exists). */
  hides?: true;
  request: (c: RouteContext, p: Principal) => Promise<HttpRequest> | HttpRequest;
}

const get = (url: string) => () => ({ url });

export const ROUTE_POLICY: Record<string, RouteRule> = {
  // Apps, pages and documentation: public.
  'GET /': { allow: EVERYONE, request: get('/') },
  ...Object.fromEntries(
    ['/chair/', '/delegate/', '/wall/', '/live/', '/public/', '/admin/'].flatMap((prefix) => [
      [`GET ${prefix}*`, { allow: EVERYONE, buildDependent: true, request: get(prefix) } satisfies RouteRule],
      [`GET ${prefix}`, { allow: EVERYONE, buildDependent: true, request: get(prefix) } satisfies RouteRule],
    ]),
  ),
  'GET /live': { allow: EVERYONE, request: get('/live') },
  'GET /public': { allow: EVERYONE, request: get('/public') },
  'GET /admin': { allow: EVERYONE, request: get('/admin') },
  'GET /media/*': { allow: EVERYONE, request: get('/media/camera.html') },
  'GET /camera': { allow: EVERYONE, request: get('/camera') },
  'GET /camera/': { allow: EVERYONE, request: get('/camera/') },
  'GET /docs': { allow: EVERYONE, request: get('/docs') },
  'GET /docs/static/index.html': { allow: EVERYONE, request: get('/docs/static/index.html') },
  'GET /docs/static/swagger-initializer.js': { allow: EVERYONE, request: get('/docs/static/swagger-initializer.js') },
  'GET /docs/json': { allow: EVERYONE, request: get('/docs/json') },
  'GET /docs/yaml': { allow: EVERYONE, request: get('/docs/yaml') },
  'GET /docs/static/*': { allow: EVERYONE, request: get('/docs/static/swagger-ui.css') },
  'GET /healthz': { allow: EVERYONE, request: get('/healthz') },
  'GET /readyz': { allow: EVERYONE, request: get('/readyz') },
  'GET /metrics': { allow: EVERYONE, request: get('/metrics') },
  'GET /api/media/status': { allow: EVERYONE, request: get('/api/media/status') },
  // HLS is public by design (a CDN serves it); a closed sitting is never written (media/README.md).
  'GET /hls/*': { allow: EVERYONE, request: get('/hls/td-kh10/master.m3u8') },

  // Sign-in.
  'POST /api/auth/login': { allow: EVERYONE, request: () => ({ url: '/api/auth/login', body: { kind: 'code', id: 'td-d999', secret: 'wrong-code' } }) },
  'POST /api/auth/link': { allow: EVERYONE, request: () => ({ url: '/api/auth/link', body: { token: 'not-a-real-link-token' } }) },
  'GET /api/auth/me': { allow: EVERYONE, request: get('/api/auth/me') },
  // Staff of the delegate's council only; another council's staff are told the account does not exist.
  'POST /api/auth/qr/:accountId': { allow: STAFF, hides: true, request: (c) => ({ url: `/api/auth/qr/${c.A}` }) },
  'GET /api/auth/devices': { allow: SIGNED_IN, request: get('/api/auth/devices') },
  // Only the device's own account; anyone else is told it does not exist.
  'DELETE /api/auth/devices/:jti': { allow: ['delegateSelf'], hides: true, request: async (c) => ({ url: `/api/auth/devices/${await c.freshDeviceOfA()}` }) },

  // Sessions as everyone sees them.
  'GET /api/sessions': { allow: EVERYONE, request: get('/api/sessions') },
  'GET /api/sessions/:id/view': { allow: EVERYONE.filter((p) => p !== 'otherChair'), request: (c) => ({ url: `/api/sessions/${c.session}/view` }) },
  // A committee poll's bulletin board is public by design (anyone may verify the count); p1 is not one: 404.
  'GET /api/sessions/:id/polls/:pollId/board': { allow: EVERYONE, request: (c) => ({ url: `/api/sessions/${c.session}/polls/p1/board` }) },

  // Administration.
  'GET /api/admin/councils': { allow: [...STAFF, 'otherChair'], request: get('/api/admin/councils') },
  'GET /api/admin/councils/:id': { allow: STAFF, request: (c) => ({ url: `/api/admin/councils/${c.council}` }) },
  'PUT /api/admin/councils/:id': { allow: ADMIN, request: async (c) => ({ url: `/api/admin/councils/mx-put`, body: c.councilBody('mx-put') }) },
  'DELETE /api/admin/councils/:id': { allow: ADMIN, request: async (c) => ({ url: `/api/admin/councils/${await c.freshCouncil()}` }) },
  'POST /api/admin/councils/:id/delegates': {
    allow: ADMIN,
    request: async (c) => ({ url: `/api/admin/councils/${await c.freshCouncil()}/delegates`, body: { id: 'mx-new-d', fullName: 'Đại biểu mới', group: 'Tổ 1', seat: 'B01' } }),
  },
  'PATCH /api/admin/councils/:id/delegates/:delegateId': {
    allow: ADMIN,
    request: async (c) => ({ url: `/api/admin/councils/${await c.freshCouncil()}/delegates/mx-d1`, body: { seat: 'C09' } }),
  },
  'GET /api/admin/sessions': { allow: STAFF, request: (c) => ({ url: `/api/admin/sessions?councilId=${c.council}` }) },
  'GET /api/admin/sessions/:id': { allow: STAFF, request: (c) => ({ url: `/api/admin/sessions/${c.session}` }) },
  'PUT /api/admin/sessions/:id': {
    allow: STAFF,
    request: async (c) => {
      const id = await c.freshSession();
      return { url: `/api/admin/sessions/${id}`, body: { id, councilId: c.council, title: 'Kỳ họp bất thường', date: '2029-01-15', agenda: [] } };
    },
  },
  'PUT /api/admin/sessions/:id/agenda': {
    allow: STAFF,
    request: async (c) => ({ url: `/api/admin/sessions/${await c.freshSession()}/agenda`, body: { agenda: [{ id: 'i1', title: 'Khai mạc', kind: 'ceremony', documents: [] }] } }),
  },
  'DELETE /api/admin/sessions/:id': { allow: STAFF, request: async (c) => ({ url: `/api/admin/sessions/${await c.freshSession()}` }) },
  'GET /api/admin/accounts': { allow: ADMIN, request: get('/api/admin/accounts') },
  'GET /api/admin/accounts/:id': { allow: ADMIN, request: (c) => ({ url: `/api/admin/accounts/${c.A}` }) },
  'PUT /api/admin/accounts/:id': {
    allow: ADMIN,
    request: async (c) => {
      const id = await c.freshAccount();
      return { url: `/api/admin/accounts/${id}`, body: { id, role: 'secretary', displayName: 'Thư ký mới', councilIds: [c.council] } };
    },
  },
  'DELETE /api/admin/accounts/:id': { allow: ADMIN, request: async (c) => ({ url: `/api/admin/accounts/${await c.freshAccount()}` }) },
  'POST /api/admin/accounts/:id/disable': { allow: ADMIN, request: async (c) => ({ url: `/api/admin/accounts/${await c.freshAccount()}/disable` }) },
  'GET /api/admin/accounts/:id/devices': { allow: ADMIN, request: (c) => ({ url: `/api/admin/accounts/${c.A}/devices` }) },
  'DELETE /api/admin/devices/:jti': { allow: ADMIN, request: async (c) => ({ url: `/api/admin/devices/${await c.freshDeviceOfA()}` }) },
  'GET /api/admin/audit': { allow: ADMIN, request: get('/api/admin/audit') },
  // Setting a council up (admin app): import, export, QR login cards, resets.
  'POST /api/admin/councils/:id/delegates/import': {
    allow: ADMIN,
    request: async (c) => ({ url: `/api/admin/councils/${await c.freshCouncil()}/delegates/import`, body: { format: 'csv', data: c.delegateCsv(), apply: true } }),
  },
  'GET /api/admin/councils/:id/delegates/export': { allow: ADMIN, request: (c) => ({ url: `/api/admin/councils/${c.council}/delegates/export?format=csv` }) },
  'POST /api/admin/councils/:id/cards': { allow: ADMIN, request: async (c) => ({ url: `/api/admin/councils/${await c.freshCouncil()}/cards`, body: {} }) },
  'POST /api/admin/accounts/:id/reset': { allow: ADMIN, request: async (c) => ({ url: `/api/admin/accounts/${await c.freshAccount()}/reset` }) },

  // The oversight dashboard: read-only; another council's chair sees only their own councils and is refused this one's session.
  'GET /api/oversight/councils': { allow: [...WATCHERS, 'otherChair'], request: get('/api/oversight/councils') },
  'GET /api/oversight/sessions/:id': { allow: WATCHERS, request: (c) => ({ url: `/api/oversight/sessions/${c.session}` }) },
  'GET /api/oversight/commitments': { allow: [...WATCHERS, 'otherChair'], request: get('/api/oversight/commitments') },

  // Documents: staff of the council write, its members read.
  'POST /api/sessions/:sessionId/items/:itemId/documents': { allow: STAFF, request: (c) => ({ url: `/api/sessions/${c.session}/items/${c.item}/documents`, raw: c.pdfUpload() }) },
  'GET /api/sessions/:sessionId/documents': { allow: MEMBERS, request: (c) => ({ url: `/api/sessions/${c.session}/documents` }) },
  'GET /api/documents/:id': { allow: MEMBERS, request: (c) => ({ url: `/api/documents/${c.documentId}` }) },
  'DELETE /api/documents/:id': { allow: STAFF, request: async (c) => ({ url: `/api/documents/${await c.freshDocument()}` }) },

  // Records: staff of the council read; the chair and the secretary write; only the chair approves minutes.
  'GET /api/records/sessions/:id': { allow: STAFF, request: (c) => ({ url: `/api/records/sessions/${c.session}` }) },
  'GET /api/records/sessions/:id/minutes/:key': { allow: STAFF, request: (c) => ({ url: `/api/records/sessions/${c.session}/minutes/session` }) },
  'PUT /api/records/sessions/:id/minutes/:key/draft': {
    allow: ['chair', 'secretary'],
    request: (c) => ({ url: `/api/records/sessions/${c.session}/minutes/session/draft`, body: { number: '01/BB-HĐND', place: 'Tiên Du' } }),
  },
  'POST /api/records/sessions/:id/minutes/:key/approve': { allow: chair, request: (c) => ({ url: `/api/records/sessions/${c.session}/minutes/session/approve` }) },
  'GET /api/records/sessions/:id/minutes/:key/file': { allow: STAFF, request: (c) => ({ url: `/api/records/sessions/${c.session}/minutes/session/file?format=pdf` }) },
  'GET /api/records/sessions/:id/export': { allow: STAFF, request: (c) => ({ url: `/api/records/sessions/${c.session}/export?format=json` }) },
  'POST /api/records/sessions/:id/commitments/:commitmentId/updates': {
    allow: ['chair', 'secretary'],
    request: (c) => ({ url: `/api/records/sessions/${c.session}/commitments/c-none/updates`, body: { status: 'inProgress', note: 'Đang thực hiện' } }),
  },
  'POST /api/records/sessions/:id/questions/:questionId/written-answer': {
    allow: ['chair', 'secretary'],
    request: (c) => ({ url: `/api/records/sessions/${c.session}/questions/q-none/written-answer`, body: { note: 'Đã trả lời bằng văn bản' } }),
  },
  'GET /api/records/councils/:id/commitments': { allow: STAFF, request: (c) => ({ url: `/api/records/councils/${c.council}/commitments` }) },
  'PUT /api/records/documents/:id/public': { allow: STAFF, request: (c) => ({ url: `/api/records/documents/${c.documentId}/public`, body: { public: true } }) },
  // The public record: no sign-in; closed sittings never reach it.
  'GET /api/public/councils': { allow: EVERYONE, request: get('/api/public/councils') },
  'GET /api/public/councils/:id': { allow: EVERYONE, request: (c) => ({ url: `/api/public/councils/${c.council}` }) },
  'GET /api/public/sessions/:id': { allow: EVERYONE, request: (c) => ({ url: `/api/public/sessions/${c.session}` }) },
  'GET /api/public/sessions/:id/minutes/:key/file': { allow: EVERYONE, request: (c) => ({ url: `/api/public/sessions/${c.session}/minutes/session/file` }) },
  'GET /api/public/sessions/:id/export': { allow: EVERYONE, request: (c) => ({ url: `/api/public/sessions/${c.session}/export?format=json` }) },
  'GET /api/public/commitments': { allow: EVERYONE, request: get('/api/public/commitments') },
  'GET /api/public/search': { allow: EVERYONE, request: get('/api/public/search?q=ng%C3%A2n%20s%C3%A1ch') },
  'GET /api/public/documents/:id': { allow: EVERYONE, request: (c) => ({ url: `/api/public/documents/${c.documentId}` }) },

  // Broadcast ingest: staff of the council.
  'POST /api/media/sessions/:sessionId/rtp-ingest': { allow: STAFF, request: (c) => ({ url: `/api/media/sessions/${c.session}/rtp-ingest`, body: { audio: false } }) },
  'DELETE /api/media/sessions/:sessionId/rtp-ingest': { allow: STAFF, request: (c) => ({ url: `/api/media/sessions/${c.session}/rtp-ingest` }) },
  'POST /api/media/sessions/:sessionId/program': { allow: STAFF, request: (c) => ({ url: `/api/media/sessions/${c.session}/program`, body: { sourceId: 'camera-1' } }) },
  'DELETE /api/media/sessions/:sessionId/sources/:sourceId': { allow: STAFF, request: (c) => ({ url: `/api/media/sessions/${c.session}/sources/encoder-1` }) },
  // The archive answers everyone: the public gets only recordings no closed part overlaps (404 otherwise), staff and
  // the council's members everything — a visibility rule, not an authorization refusal.
  'GET /api/media/recordings': { allow: EVERYONE, request: (c) => ({ url: `/api/media/recordings?sessionId=${c.session}` }) },
  'GET /api/media/recordings/:sessionId/:file': { allow: EVERYONE, request: (c) => ({ url: `/api/media/recordings/${c.session}/${c.session}-1.mkv` }) },
  'GET /api/media/recordings/:sessionId/:file/chapters.vtt': { allow: EVERYONE, request: (c) => ({ url: `/api/media/recordings/${c.session}/${c.session}-1.mkv/chapters.vtt` }) },
  // The chair's program override (a source, or back to the automatic rules).
  'PUT /api/media/sessions/:sessionId/program': { allow: STAFF, request: (c) => ({ url: `/api/media/sessions/${c.session}/program`, body: { source: 'auto' } }) },
};
