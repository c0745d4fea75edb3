/**
 * Test harness for the admin and document routes: a bare Fastify with the real auth plugin, the two route plugins
 * and an in-memory store, plus tokens for every persona and builders for multipart bodies and minimal PDFs.
 * The error handler mirrors app.ts so bodies match what the whole app sends.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, hasZodFastifySchemaValidationErrors, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Council, errorMessages } from '@hall/core';
import { AuthService } from '../../src/auth/service.ts';
import { issueToken, type Claims } from '../../src/auth/tokens.ts';
import { hashSecret } from '../../src/auth/secrets.ts';
import authPlugin from '../../src/plugins/auth.ts';
import adminRoutes from '../../src/routes/admin.ts';
import documentRoutes from '../../src/routes/documents.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import type { Account, SessionRecord, Store } from '../../src/store/types.ts';

export const SECRET = 'http-test-token-secret-0123456789abcdef';
export const T0 = Date.UTC(2028, 11, 8, 7, 30, 0);
const TTL = 12 * 3600;

export type Persona = 'admin' | 'chairBn' | 'secretaryBn' | 'chairTd' | 'delegateBn' | 'delegateTd' | 'wallBn';

const PERSONAS: Record<Persona, Omit<Claims, 'exp'>> = {
  admin: { sub: 'admin', role: 'admin', councilIds: [], name: 'Quản trị' },
  chairBn: { sub: 'chutoa.bn', role: 'chair', councilIds: ['bac-ninh'], name: 'Chủ tọa BN' },
  secretaryBn: { sub: 'thuky.bn', role: 'secretary', councilIds: ['bac-ninh'], name: 'Thư ký BN' },
  chairTd: { sub: 'chutoa.td', role: 'chair', councilIds: ['tien-du'], name: 'Chủ tọa TD' },
  delegateBn: { sub: 'bn-d001', role: 'delegate', councilIds: ['bac-ninh'], delegateId: 'bn-d001', name: 'Phạm Văn Long' },
  delegateTd: { sub: 'td-d001', role: 'delegate', councilIds: ['tien-du'], delegateId: 'td-d001', name: 'Lê Thị Hoa' },
  wallBn: { sub: 'wall.bn', role: 'display', councilIds: ['bac-ninh'], name: 'Màn hình BN' },
};

export const bearer = (who: Persona) => ({ authorization: `Bearer ${issueToken(PERSONAS[who], SECRET, TTL, T0)}` });

export const council = (id: string, name: string, level: 'province' | 'commune', delegateIds: string[]): Council =>
  Council.parse({
    id,
    name,
    level,
    delegates: delegateIds.map((d, i) => ({ id: d, fullName: `Đại biểu ${i + 1}`, group: 'Tổ 1', seat: `A0${i + 1}` })),
  });

export const agenda = () => [
  { id: 'i1', title: 'Khai mạc kỳ họp', kind: 'ceremony' as const, documents: [] },
  { id: 'i2', title: 'Nghị quyết về dự toán ngân sách', kind: 'resolution' as const, documents: [] },
];

export const session = (id: string, councilId: string, status: SessionRecord['status'] = 'scheduled'): SessionRecord => ({
  id,
  councilId,
  title: `Kỳ họp ${id}`,
  date: '2028-12-08',
  agenda: agenda(),
  status,
});

let staffHash: Promise<string> | undefined;

export interface Http {
  app: FastifyInstance;
  store: Store;
}

export async function makeHttp(options: { maxDocumentBytes?: number } = {}): Promise<Http> {
  const store = createMemoryStore();
  const { catalog } = store;
  await catalog.putCouncil(council('bac-ninh', 'HĐND tỉnh Bắc Ninh', 'province', ['bn-d001', 'bn-d002', 'bn-d003']));
  await catalog.putCouncil(council('tien-du', 'HĐND xã Tiên Du', 'commune', ['td-d001', 'td-d002']));
  await catalog.putSession(session('bn-k1', 'bac-ninh'));
  await catalog.putSession(session('bn-live', 'bac-ninh', 'live'));
  await catalog.putSession(session('bn-done', 'bac-ninh', 'adjourned'));
  await catalog.putSession(session('td-k1', 'tien-du'));
  staffHash ??= hashSecret('demo1234');
  const hash = await staffHash;
  const accounts: Account[] = [
    { id: 'admin', role: 'admin', displayName: 'Quản trị', councilIds: [], secretHash: hash },
    { id: 'chutoa.bn', role: 'chair', displayName: 'Chủ tọa BN', councilIds: ['bac-ninh'], secretHash: hash },
    { id: 'bn-d001', role: 'delegate', displayName: 'Phạm Văn Long', councilIds: ['bac-ninh'], delegateId: 'bn-d001', secretHash: hash },
  ];
  for (const a of accounts) await catalog.putAccount(a);

  const auth = new AuthService(catalog, { tokenSecret: SECRET, tokenTtlSec: TTL, now: () => T0 });
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Same shape as app.ts's handler.
  app.setErrorHandler((err, _request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.status(400).send({
        ok: false,
        code: 'VALIDATION',
        message: errorMessages.VALIDATION.vi,
        issues: err.validation.map((v) => `${v.instancePath || '(root)'}: ${v.message}`),
      });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    const code = status === 404 ? 'NOT_FOUND' : status === 413 || status === 415 || status === 400 ? 'VALIDATION' : 'INTERNAL';
    return reply.status(status).send({ ok: false, code, message: errorMessages[code].vi });
  });
  await app.register(authPlugin, { auth });
  await app.register(adminRoutes, { store });
  await app.register(documentRoutes, { catalog, ...(options.maxDocumentBytes !== undefined ? { maxDocumentBytes: options.maxDocumentBytes } : {}) });
  await app.ready();
  return { app, store };
}

/** A small but well-formed PDF (one page, one line of text) with a correct xref table. */
export function minimalPdf(text = 'Hall test'): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    (() => {
      const stream = `BT /F1 18 Tf 72 770 Td (${text}) Tj ET`;
      return `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
    })(),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

export interface Part {
  name: string;
  data: Buffer | string;
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body as a browser would send it. */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----hall${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export const pdfUpload = (pdf: Buffer = minimalPdf(), extra: Part[] = [], filename = 'to-trinh.pdf') =>
  multipart([...extra, { name: 'file', filename, contentType: 'application/pdf', data: pdf }]);
