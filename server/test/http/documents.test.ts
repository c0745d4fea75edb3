import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { contentDisposition, matchesEtag } from '../../src/routes/documents.ts';
import { bearer, makeHttp, minimalPdf, multipart, pdfUpload, type Http, type Persona } from './helpers.ts';

let h: Http | undefined;
afterEach(async () => {
  await h?.app.close();
  h = undefined;
});

const open = async (options: { maxDocumentBytes?: number } = {}) => (h = await makeHttp(options));

const upload = (http: Http, who: Persona | undefined, body: { payload: Buffer; headers: Record<string, string> }, url = '/api/sessions/bn-k1/items/i2/documents') =>
  http.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...(who ? bearer(who) : {}) } });

const get = (http: Http, url: string, who?: Persona, headers: Record<string, string> = {}) =>
  http.app.inject({ method: 'GET', url, headers: { ...headers, ...(who ? bearer(who) : {}) } });

describe('documents', () => {
  it('[HTTP-14] the secretary uploads a PDF; it joins the scheduled agenda and downloads byte for byte with etag and 304', async () => {
    const http = await open();
    const pdf = minimalPdf('To trinh du toan 2029');
    const sha = createHash('sha256').update(pdf).digest('hex');

    const up = await upload(http, 'secretaryBn', pdfUpload(pdf, [{ name: 'title', data: 'Tờ trình dự toán ngân sách 2029' }]));
    expect(up.statusCode).toBe(201);
    const { document, inAgenda } = up.json();
    expect(inAgenda).toBe(true);
    expect(document).toMatchObject({ title: 'Tờ trình dự toán ngân sách 2029', mime: 'application/pdf', size: pdf.length, sha256: sha, sessionId: 'bn-k1', itemId: 'i2' });
    expect(document.id).toMatch(/^doc-[A-Za-z0-9_-]+$/);

    const session = await http.store.catalog.getSession('bn-k1');
    expect(session?.agenda.find((i) => i.id === 'i2')?.documents).toEqual([{ id: document.id, title: 'Tờ trình dự toán ngân sách 2029', mime: 'application/pdf' }]);

    const down = await get(http, `/api/documents/${document.id}`, 'delegateBn');
    expect(down.statusCode).toBe(200);
    expect(down.rawPayload.equals(pdf)).toBe(true);
    expect(down.headers['content-type']).toBe('application/pdf');
    expect(down.headers['content-length']).toBe(String(pdf.length));
    expect(down.headers['etag']).toBe(`"${sha}"`);
    expect(down.headers['cache-control']).toBe('private, max-age=3600');
    expect(down.headers['content-disposition']).toBe(`inline; filename*=UTF-8''${encodeURIComponent('Tờ trình dự toán ngân sách 2029.pdf')}`);

    const again = await get(http, `/api/documents/${document.id}`, 'wallBn', { 'if-none-match': down.headers['etag'] as string });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect(again.headers['etag']).toBe(`"${sha}"`);
    const stale = await get(http, `/api/documents/${document.id}`, 'wallBn', { 'if-none-match': '"something-else"' });
    expect(stale.statusCode).toBe(200);

    const list = await get(http, '/api/sessions/bn-k1/documents', 'delegateBn');
    expect(list.json()).toEqual({ ok: true, documents: [document] });
    expect((await get(http, '/api/sessions/bn-k1/documents?itemId=i1', 'delegateBn')).json().documents).toEqual([]);
  });

  it('[HTTP-15] without a title field the file name (minus .pdf) becomes the title', async () => {
    const http = await open();
    const up = await upload(http, 'chairBn', pdfUpload(minimalPdf(), [], 'Báo cáo thẩm tra.pdf'));
    expect(up.statusCode).toBe(201);
    expect(up.json().document.title).toBe('Báo cáo thẩm tra');
  });

  it('[HTTP-16] a file that is not a PDF is refused, whatever its declared type', async () => {
    const http = await open();
    const fake = await upload(http, 'admin', multipart([{ name: 'file', filename: 'virus.pdf', contentType: 'application/pdf', data: 'MZ\x90\x00 not a pdf' }]));
    expect(fake.statusCode).toBe(415);
    expect(fake.json()).toEqual({ ok: false, code: 'VALIDATION', message: 'Chỉ chấp nhận tệp PDF' });
    const declaredHtml = await upload(http, 'admin', multipart([{ name: 'file', filename: 'a.html', contentType: 'text/html', data: minimalPdf() }]));
    expect(declaredHtml.statusCode).toBe(415);
    const empty = await upload(http, 'admin', multipart([{ name: 'file', filename: 'a.pdf', contentType: 'application/pdf', data: '' }]));
    expect(empty.statusCode).toBe(415);
    const noFile = await upload(http, 'admin', multipart([{ name: 'title', data: 'Chỉ có tiêu đề' }]));
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().code).toBe('VALIDATION');
    const notMultipart = await http.app.inject({ method: 'POST', url: '/api/sessions/bn-k1/items/i2/documents', headers: bearer('admin'), payload: { file: 'x' } });
    expect(notMultipart.statusCode).toBe(415);
    expect(notMultipart.json().code).toBe('VALIDATION');
    expect(await http.store.catalog.listDocuments()).toEqual([]);
  });

  it('[HTTP-17] a file over the limit is refused with 413 (small injected limit)', async () => {
    const http = await open({ maxDocumentBytes: 2048 });
    const pdf = Buffer.concat([minimalPdf(), Buffer.alloc(4096, 0x20)]);
    const r = await upload(http, 'admin', pdfUpload(pdf));
    expect(r.statusCode).toBe(413);
    expect(r.json()).toEqual({ ok: false, code: 'VALIDATION', message: 'Tệp quá lớn (tối đa 2 kB)' });
    expect(await http.store.catalog.listDocuments()).toEqual([]);
    // Just under the limit is fine.
    const fits = Buffer.concat([minimalPdf(), Buffer.alloc(2048 - minimalPdf().length, 0x20)]);
    expect((await upload(http, 'admin', pdfUpload(fits))).statusCode).toBe(201);
  });

  it('[HTTP-18] the default limit is 50 MB, with the Vietnamese message', async () => {
    const http = await open();
    const pdf = Buffer.alloc(50 * 1024 * 1024 + 1, 0x20);
    minimalPdf().copy(pdf);
    const r = await upload(http, 'admin', pdfUpload(pdf));
    expect(r.statusCode).toBe(413);
    expect(r.json()).toEqual({ ok: false, code: 'VALIDATION', message: 'Tệp quá lớn (tối đa 50 MB)' });
  }, 30_000);

  it('[HTTP-19] a document uploaded during a live session is stored and listed, but the frozen agenda is left alone', async () => {
    const http = await open();
    const before = await http.store.catalog.getSession('bn-live');
    const up = await upload(http, 'chairBn', pdfUpload(), '/api/sessions/bn-live/items/i1/documents');
    expect(up.statusCode).toBe(201);
    expect(up.json().inAgenda).toBe(false);
    expect(await http.store.catalog.getSession('bn-live')).toEqual(before);
    const list = await get(http, '/api/sessions/bn-live/documents', 'delegateBn');
    expect(list.json().documents.map((d: { id: string }) => d.id)).toEqual([up.json().document.id]);
  });

  it('[HTTP-20] who may upload and read: staff of the council upload; its signed-in members read; others are refused', async () => {
    const http = await open();
    const up = await upload(http, 'admin', pdfUpload());
    const id = up.json().document.id as string;

    const pub = await upload(http, undefined, pdfUpload());
    expect(pub.statusCode).toBe(401);
    expect(pub.json().code).toBe('UNAUTHENTICATED');
    for (const who of ['delegateBn', 'wallBn'] as const) expect((await upload(http, who, pdfUpload())).statusCode, who).toBe(403);
    const otherChair = await upload(http, 'chairTd', pdfUpload());
    expect(otherChair.statusCode).toBe(403);
    expect(otherChair.json().code).toBe('FORBIDDEN');
    expect((await upload(http, 'admin', pdfUpload(), '/api/sessions/bn-k1/items/nope/documents')).statusCode).toBe(404);
    expect((await upload(http, 'admin', pdfUpload(), '/api/sessions/nope/items/i1/documents')).statusCode).toBe(404);

    expect((await get(http, `/api/documents/${id}`)).statusCode).toBe(401);
    expect((await get(http, `/api/documents/${id}`, 'delegateTd')).statusCode).toBe(403);
    expect((await get(http, `/api/documents/${id}`, 'chairTd')).statusCode).toBe(403);
    expect((await get(http, '/api/sessions/bn-k1/documents', 'delegateTd')).statusCode).toBe(403);
    expect((await get(http, '/api/sessions/bn-k1/documents')).statusCode).toBe(401);
    for (const who of ['delegateBn', 'wallBn', 'secretaryBn', 'chairBn', 'admin'] as const) {
      expect((await get(http, `/api/documents/${id}`, who)).statusCode, who).toBe(200);
    }
    const missing = await get(http, '/api/documents/doc-missing', 'admin');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ ok: false, code: 'NOT_FOUND', message: 'Không tìm thấy tài liệu' });
  });

  it('[HTTP-21] staff delete a document; it leaves the store and the scheduled agenda', async () => {
    const http = await open();
    const id = (await upload(http, 'secretaryBn', pdfUpload())).json().document.id as string;
    expect((await http.app.inject({ method: 'DELETE', url: `/api/documents/${id}`, headers: bearer('delegateBn') })).statusCode).toBe(403);
    expect((await http.app.inject({ method: 'DELETE', url: `/api/documents/${id}`, headers: bearer('chairTd') })).statusCode).toBe(403);
    const del = await http.app.inject({ method: 'DELETE', url: `/api/documents/${id}`, headers: bearer('chairBn') });
    expect(del.json()).toEqual({ ok: true });
    expect(await http.store.catalog.getDocument(id)).toBeNull();
    expect((await http.store.catalog.getSession('bn-k1'))?.agenda.find((i) => i.id === 'i2')?.documents).toEqual([]);
    expect((await get(http, `/api/documents/${id}`, 'chairBn')).statusCode).toBe(404);
  });

  it('[HTTP-22] concurrent uploads to one item all land in the agenda (no lost update)', async () => {
    const http = await open();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => upload(http, 'admin', pdfUpload(minimalPdf(`doc ${i}`), [], `doc-${i}.pdf`))));
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    const docs = (await http.store.catalog.getSession('bn-k1'))?.agenda.find((i) => i.id === 'i2')?.documents ?? [];
    expect(docs.map((d) => d.id).sort()).toEqual(results.map((r) => r.json().document.id as string).sort());
  });

  it('[HTTP-23] content-disposition and If-None-Match helpers', () => {
    expect(contentDisposition("Tờ trình số 1/TTr (dự thảo)")).toBe(`inline; filename*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh%20s%E1%BB%91%201%20TTr%20%28d%E1%BB%B1%20th%E1%BA%A3o%29.pdf`);
    expect(contentDisposition('a"b\r\nc.PDF')).toBe(`inline; filename*=UTF-8''a%20b%20c.PDF`);
    expect(matchesEtag('"abc"', '"abc"')).toBe(true);
    expect(matchesEtag('W/"abc", "def"', '"def"')).toBe(true);
    expect(matchesEtag('W/"abc"', '"abc"')).toBe(true);
    expect(matchesEtag('*', '"abc"')).toBe(true);
    expect(matchesEtag('"abd"', '"abc"')).toBe(false);
    expect(matchesEtag(undefined, '"abc"')).toBe(false);
  });
});
