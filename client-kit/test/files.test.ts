/** [KIT-FILE] Files behind a bearer token (files.ts): one fetch path for every app's downloads. */
import { describe, expect, it } from 'vitest';
import { fetchFile, fileNameOf } from '../src/files.ts';
import { HallError } from '../src/errors.ts';

const answer = (status: number, body: BodyInit, headers: Record<string, string> = {}) => async () => new Response(body, { status, headers });

describe('[KIT-FILE] authenticated file downloads', () => {
  it('[KIT-FILE-1] sends the token and the JSON body, and names the file from Content-Disposition', async () => {
    let seen: RequestInit | undefined;
    const file = await fetchFile('tok', '/api/admin/councils/c/cards', {
      method: 'POST',
      body: { mode: 'lost' },
      fetch: async (_url, init) => {
        seen = init;
        return new Response('%PDF', { status: 200, headers: { 'content-disposition': 'attachment; filename="the-dang-nhap-c.pdf"', 'x-signed-out': '2' } });
      },
    });
    expect(seen).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer tok', 'content-type': 'application/json' }, body: '{"mode":"lost"}' });
    expect(file.fileName).toBe('the-dang-nhap-c.pdf');
    expect(file.headers.get('x-signed-out')).toBe('2');
    expect(await file.blob.text()).toBe('%PDF');
    expect(fileNameOf(new Headers({ 'content-disposition': "attachment; filename*=UTF-8''bi%C3%AAn-b%E1%BA%A3n.pdf" }), 'x')).toBe('biên-bản.pdf');
    expect(fileNameOf(new Headers(), 'fallback.csv')).toBe('fallback.csv');
  });

  it('[KIT-FILE-3] a malformed filename*= never throws: the plain filename serves, else the fallback', () => {
    const bad = "attachment; filename*=UTF-8''bi%E1%BA.pdf; filename=\"bien-ban.pdf\"";
    expect(fileNameOf(new Headers({ 'content-disposition': bad }), 'x.pdf')).toBe('bien-ban.pdf');
    expect(fileNameOf(new Headers({ 'content-disposition': "attachment; filename*=UTF-8''100%.pdf" }), 'x.pdf')).toBe('x.pdf');
  });

  it('[KIT-FILE-2] a refusal carries the server message and status; no answer is NETWORK', async () => {
    const refused = fetchFile('tok', '/x', { fetch: answer(404, JSON.stringify({ ok: false, code: 'NOT_FOUND', message: 'Không tìm thấy tài liệu' }), { 'content-type': 'application/json' }) });
    await expect(refused).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Không tìm thấy tài liệu', status: 404 });
    await expect(fetchFile('tok', '/x', { fetch: answer(401, 'no') })).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    const down = fetchFile('tok', '/x', {
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(down).rejects.toBeInstanceOf(HallError);
    await expect(down).rejects.toMatchObject({ code: 'NETWORK' });
  });
});
