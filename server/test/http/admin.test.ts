import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifySecret } from '../../src/auth/secrets.ts';
import { agenda, bearer, council, makeHttp, type Http, type Persona } from './helpers.ts';

let h: Http;
beforeEach(async () => {
  h = await makeHttp();
});
afterEach(async () => {
  await h.app.close();
});

const call = (method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: Persona, payload?: unknown) =>
  h.app.inject({ method, url, ...(who ? { headers: bearer(who) } : {}), ...(payload !== undefined ? { payload: payload as object } : {}) });

const sessionBody = (id: string, councilId: string, extra: object = {}) => ({ id, councilId, title: `Kỳ họp ${id}`, date: '2029-01-15', agenda: agenda(), ...extra });

describe('councils', () => {
  it('[HTTP-1] an admin creates, reads, lists, replaces and deletes a council', async () => {
    const hy = council('hung-yen', 'HĐND tỉnh Hưng Yên', 'province', ['hy-d001', 'hy-d002']);
    const created = await call('PUT', '/api/admin/councils/hung-yen', 'admin', hy);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ ok: true, created: true, council: { id: 'hung-yen', delegates: [{ id: 'hy-d001' }, { id: 'hy-d002' }] } });

    const got = await call('GET', '/api/admin/councils/hung-yen', 'admin');
    expect(got.statusCode).toBe(200);
    expect(got.json().council).toEqual(hy);

    const list = await call('GET', '/api/admin/councils', 'admin');
    expect(list.json().councils.map((c: { id: string }) => c.id)).toEqual(['bac-ninh', 'hung-yen', 'tien-du']);

    const replaced = await call('PUT', '/api/admin/councils/hung-yen', 'admin', { ...hy, name: 'HĐND tỉnh Hưng Yên (khóa mới)' });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ created: false, council: { name: 'HĐND tỉnh Hưng Yên (khóa mới)' } });
    expect((await h.store.catalog.getCouncil('hung-yen'))?.name).toBe('HĐND tỉnh Hưng Yên (khóa mới)');

    expect((await call('DELETE', '/api/admin/councils/hung-yen', 'admin')).json()).toEqual({ ok: true });
    const gone = await call('GET', '/api/admin/councils/hung-yen', 'admin');
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ ok: false, code: 'NOT_FOUND', message: 'Không tìm thấy hội đồng' });
  });

  it('[HTTP-2] an admin adds a delegate and records a vacated seat; a duplicate delegate id is a CONFLICT', async () => {
    const added = await call('POST', '/api/admin/councils/tien-du/delegates', 'admin', { id: 'td-d003', fullName: 'Nguyễn Văn An', group: 'Tổ 2', seat: 'B01' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({ ok: true, delegate: { id: 'td-d003', fullName: 'Nguyễn Văn An', group: 'Tổ 2', seat: 'B01', status: 'sitting' } });

    const again = await call('POST', '/api/admin/councils/tien-du/delegates', 'admin', { id: 'td-d003', fullName: 'Người khác' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ ok: false, code: 'CONFLICT' });

    const vacated = await call('PATCH', '/api/admin/councils/tien-du/delegates/td-d002', 'admin', { status: 'vacant' });
    expect(vacated.statusCode).toBe(200);
    expect(vacated.json().delegate).toMatchObject({ id: 'td-d002', status: 'vacant', fullName: 'Đại biểu 2', seat: 'A02' });

    const renamed = await call('PATCH', '/api/admin/councils/tien-du/delegates/td-d003', 'admin', { fullName: 'Nguyễn Văn Ân', seat: 'B02' });
    expect(renamed.json().delegate).toMatchObject({ fullName: 'Nguyễn Văn Ân', seat: 'B02', group: 'Tổ 2' });

    const td = await h.store.catalog.getCouncil('tien-du');
    expect(td?.delegates.map((d) => `${d.id}:${d.status}`)).toEqual(['td-d001:sitting', 'td-d002:vacant', 'td-d003:sitting']);

    expect((await call('PATCH', '/api/admin/councils/tien-du/delegates/td-d404', 'admin', { status: 'vacant' })).statusCode).toBe(404);
    const empty = await call('PATCH', '/api/admin/councils/tien-du/delegates/td-d001', 'admin', {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('VALIDATION');
  });

  it('[HTTP-3] a bad council body is a VALIDATION error with issues, and nothing is stored', async () => {
    const bad = await call('PUT', '/api/admin/councils/x1', 'admin', { id: 'x1', name: '', level: 'district', delegates: [{ id: 'có dấu', fullName: 'A' }] });
    expect(bad.statusCode).toBe(400);
    const body = bad.json();
    expect(body).toMatchObject({ ok: false, code: 'VALIDATION', message: 'Dữ liệu gửi lên không hợp lệ' });
    expect(body.issues.length).toBeGreaterThanOrEqual(3);
    expect(body.issues.join('\n')).toMatch(/level/);
    expect(body.issues.join('\n')).toMatch(/delegates/);
    expect(await h.store.catalog.getCouncil('x1')).toBeNull();

    const mismatch = await call('PUT', '/api/admin/councils/x1', 'admin', council('x2', 'X', 'commune', []));
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json()).toMatchObject({ code: 'VALIDATION', message: 'Mã trong đường dẫn và mã trong nội dung không khớp' });

    const dup = await call('PUT', '/api/admin/councils/x1', 'admin', council('x1', 'X', 'commune', ['a', 'a']));
    expect(dup.statusCode).toBe(400);
    expect(dup.json().issues).toEqual(['delegates: mã đại biểu a bị lặp']);

    const extra = await call('POST', '/api/admin/councils/tien-du/delegates', 'admin', { id: 'td-d009' });
    expect(extra.statusCode).toBe(400);
  });

  it('[HTTP-4] council writes are for admins: public 401, delegate/chair 403; chair reads only their own council', async () => {
    const td = council('tien-du', 'Đổi tên', 'commune', []);
    const pub = await call('PUT', '/api/admin/councils/tien-du', undefined, td);
    expect(pub.statusCode).toBe(401);
    expect(pub.json()).toEqual({ ok: false, code: 'UNAUTHENTICATED', message: 'Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn' });
    for (const who of ['delegateTd', 'chairTd', 'wallBn'] as const) {
      const r = await call('PUT', '/api/admin/councils/tien-du', who, td);
      expect(r.statusCode, who).toBe(403);
      expect(r.json()).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
    expect((await call('POST', '/api/admin/councils/tien-du/delegates', 'chairTd', { id: 'z', fullName: 'Z' })).statusCode).toBe(403);
    expect((await call('DELETE', '/api/admin/councils/tien-du', 'chairTd')).statusCode).toBe(403);
    expect((await h.store.catalog.getCouncil('tien-du'))?.name).toBe('HĐND xã Tiên Du');

    const list = await call('GET', '/api/admin/councils', 'chairTd');
    expect(list.json().councils.map((c: { id: string }) => c.id)).toEqual(['tien-du']);
    expect((await call('GET', '/api/admin/councils/bac-ninh', 'chairTd')).statusCode).toBe(403);
    expect((await call('GET', '/api/admin/councils', 'delegateBn')).statusCode).toBe(403);
    expect((await call('GET', '/api/admin/councils', undefined)).statusCode).toBe(401);
  });

  it('[HTTP-5] a council with sessions cannot be deleted', async () => {
    const r = await call('DELETE', '/api/admin/councils/tien-du', 'admin');
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'CONFLICT', message: 'Hội đồng còn kỳ họp, hãy xóa các kỳ họp trước' });
    expect((await call('DELETE', '/api/admin/councils/nowhere', 'admin')).statusCode).toBe(404);
  });
});

describe('sessions', () => {
  it('[HTTP-6] the chair creates, edits and deletes a session of their own council', async () => {
    const created = await call('PUT', '/api/admin/sessions/td-k2', 'chairTd', sessionBody('td-k2', 'tien-du'));
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ ok: true, created: true, session: { id: 'td-k2', status: 'scheduled', date: '2029-01-15' } });
    expect(created.json().session.agenda).toHaveLength(2);

    const retitled = await call('PUT', '/api/admin/sessions/td-k2', 'chairTd', sessionBody('td-k2', 'tien-du', { title: 'Kỳ họp chuyên đề' }));
    expect(retitled.statusCode).toBe(200);
    expect(retitled.json().session.title).toBe('Kỳ họp chuyên đề');

    const newAgenda = [{ id: 'a1', title: 'Chất vấn', kind: 'questioning' }];
    const edited = await call('PUT', '/api/admin/sessions/td-k2/agenda', 'chairTd', { agenda: newAgenda });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().session.agenda).toEqual([{ id: 'a1', title: 'Chất vấn', kind: 'questioning', documents: [] }]);
    expect((await h.store.catalog.getSession('td-k2'))?.agenda).toHaveLength(1);

    const list = await call('GET', '/api/admin/sessions', 'chairTd');
    expect(list.json().sessions.map((s: { id: string }) => s.id)).toEqual(['td-k1', 'td-k2']);
    const all = await call('GET', '/api/admin/sessions?councilId=bac-ninh', 'admin');
    expect(all.json().sessions.map((s: { id: string }) => s.id)).toEqual(['bn-done', 'bn-k1', 'bn-live']);

    expect((await call('DELETE', '/api/admin/sessions/td-k2', 'chairTd')).json()).toEqual({ ok: true });
    expect(await h.store.catalog.getSession('td-k2')).toBeNull();
  });

  it('[HTTP-7] sessions of another council are out of reach: 403 for chair and secretary, 401 public, 403 delegate', async () => {
    expect((await call('PUT', '/api/admin/sessions/x', 'chairTd', sessionBody('x', 'bac-ninh'))).statusCode).toBe(403);
    expect((await call('GET', '/api/admin/sessions/bn-k1', 'chairTd')).statusCode).toBe(403);
    expect((await call('GET', '/api/admin/sessions?councilId=bac-ninh', 'chairTd')).statusCode).toBe(403);
    expect((await call('PUT', '/api/admin/sessions/bn-k1/agenda', 'chairTd', { agenda: [] })).statusCode).toBe(403);
    expect((await call('DELETE', '/api/admin/sessions/bn-k1', 'chairTd')).statusCode).toBe(403);
    // Moving a session of council A into council B needs rights in both.
    expect((await call('PUT', '/api/admin/sessions/td-k1', 'chairBn', sessionBody('td-k1', 'bac-ninh'))).statusCode).toBe(403);

    const pub = await call('PUT', '/api/admin/sessions/bn-k1/agenda', undefined, { agenda: [] });
    expect(pub.statusCode).toBe(401);
    expect(pub.json().code).toBe('UNAUTHENTICATED');
    const del = await call('PUT', '/api/admin/sessions/bn-k1/agenda', 'delegateBn', { agenda: [] });
    expect(del.statusCode).toBe(403);
    expect(del.json()).toEqual({ ok: false, code: 'FORBIDDEN', message: 'Bạn không có quyền thực hiện thao tác này' });

    const own = await call('PUT', '/api/admin/sessions/bn-k1/agenda', 'secretaryBn', { agenda: agenda().slice(0, 1) });
    expect(own.statusCode).toBe(200);
    expect((await h.store.catalog.getSession('td-k1'))?.councilId).toBe('tien-du');
    expect((await h.store.catalog.getSession('bn-k1'))?.agenda).toHaveLength(1);
  });

  it('[HTTP-8] session bodies are validated: unknown council, bad date, duplicate item ids, id mismatch', async () => {
    const noCouncil = await call('PUT', '/api/admin/sessions/z1', 'admin', sessionBody('z1', 'nowhere'));
    expect(noCouncil.statusCode).toBe(400);
    expect(noCouncil.json()).toMatchObject({ code: 'VALIDATION', message: 'Hội đồng nowhere không tồn tại' });

    const badDate = await call('PUT', '/api/admin/sessions/z1', 'admin', sessionBody('z1', 'tien-du', { date: '2029-02-30' }));
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().issues.join()).toMatch(/date/);

    const dupItems = await call('PUT', '/api/admin/sessions/z1', 'admin', sessionBody('z1', 'tien-du', { agenda: [agenda()[0], agenda()[0]] }));
    expect(dupItems.statusCode).toBe(400);
    expect(dupItems.json().issues).toEqual(['agenda: nội dung i1 bị lặp']);

    expect((await call('PUT', '/api/admin/sessions/z1', 'admin', sessionBody('z2', 'tien-du'))).statusCode).toBe(400);
    expect((await call('PUT', '/api/admin/sessions/z1', 'admin', { ...sessionBody('z1', 'tien-du'), status: 'live' })).statusCode).toBe(400);
    expect(await h.store.catalog.getSession('z1')).toBeNull();
  });

  it('[HTTP-9] a live or adjourned session refuses agenda edits (CONFLICT); its title may still be corrected', async () => {
    for (const id of ['bn-live', 'bn-done']) {
      const r = await call('PUT', `/api/admin/sessions/${id}/agenda`, 'admin', { agenda: [{ id: 'new', title: 'Nội dung mới' }] });
      expect(r.statusCode, id).toBe(409);
      expect(r.json()).toEqual({ ok: false, code: 'CONFLICT', message: 'Kỳ họp đã bắt đầu, không thể sửa chương trình' });
      const viaPut = await call('PUT', `/api/admin/sessions/${id}`, 'chairBn', sessionBody(id, 'bac-ninh', { agenda: [] }));
      expect(viaPut.statusCode, id).toBe(409);
      expect((await h.store.catalog.getSession(id))?.agenda).toEqual(agenda());
    }
    const retitle = await call('PUT', '/api/admin/sessions/bn-live', 'chairBn', sessionBody('bn-live', 'bac-ninh', { title: 'Kỳ họp thứ nhất' }));
    expect(retitle.statusCode).toBe(200);
    expect(retitle.json().session).toMatchObject({ title: 'Kỳ họp thứ nhất', status: 'live' });

    const live = await call('DELETE', '/api/admin/sessions/bn-live', 'admin');
    expect(live.statusCode).toBe(409);
    expect(live.json().message).toBe('Kỳ họp đang diễn ra, không thể xóa');
  });

  it('[HTTP-10] once a machine has frozen the agenda (snapshot in the journal) a scheduled session refuses edits too', async () => {
    await h.store.journal.saveSnapshot('bn-k1', { machineVersion: 1, seq: 0, snapshot: { frozen: true } });
    const r = await call('PUT', '/api/admin/sessions/bn-k1/agenda', 'admin', { agenda: [] });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('CONFLICT');
    // A new session may not reuse an id that still has a journal either.
    await h.store.journal.saveSnapshot('old-k9', { machineVersion: 1, seq: 0, snapshot: {} });
    const reuse = await call('PUT', '/api/admin/sessions/old-k9', 'admin', sessionBody('old-k9', 'bac-ninh'));
    expect(reuse.statusCode).toBe(409);
  });
});

describe('accounts', () => {
  const staff = { id: 'thuky.td', role: 'secretary', displayName: 'Thư ký Tiên Du', councilIds: ['tien-du'], secret: 'mật-khẩu-dài' };

  it('[HTTP-11] an admin creates, updates, disables and deletes an account; the secret is hashed and never returned', async () => {
    const created = await call('PUT', '/api/admin/accounts/thuky.td', 'admin', staff);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      ok: true,
      created: true,
      account: { id: 'thuky.td', role: 'secretary', displayName: 'Thư ký Tiên Du', councilIds: ['tien-du'], disabled: false },
    });
    const stored = await h.store.catalog.getAccount('thuky.td');
    expect(stored?.secretHash).toMatch(/^scrypt\$/);
    expect(await verifySecret('mật-khẩu-dài', stored!.secretHash)).toBe(true);

    const { secret: _drop, ...withoutSecret } = staff;
    const renamed = await call('PUT', '/api/admin/accounts/thuky.td', 'admin', { ...withoutSecret, displayName: 'Thư ký HĐND xã' });
    expect(renamed.statusCode).toBe(200);
    expect((await h.store.catalog.getAccount('thuky.td'))?.secretHash).toBe(stored!.secretHash);

    const disabled = await call('POST', '/api/admin/accounts/thuky.td/disable', 'admin');
    expect(disabled.json().account).toMatchObject({ disabled: true, displayName: 'Thư ký HĐND xã' });
    expect((await h.store.catalog.getAccount('thuky.td'))?.disabled).toBe(true);
    // An update that says nothing about `disabled` does not re-enable; `disabled: false` does.
    await call('PUT', '/api/admin/accounts/thuky.td', 'admin', withoutSecret);
    expect((await h.store.catalog.getAccount('thuky.td'))?.disabled).toBe(true);
    await call('PUT', '/api/admin/accounts/thuky.td', 'admin', { ...withoutSecret, disabled: false });
    expect((await h.store.catalog.getAccount('thuky.td'))?.disabled).toBeUndefined();

    const responses = [
      created,
      renamed,
      disabled,
      await call('GET', '/api/admin/accounts', 'admin'),
      await call('GET', '/api/admin/accounts/thuky.td', 'admin'),
      await call('GET', '/api/admin/accounts?councilId=bac-ninh', 'admin'),
    ];
    for (const r of responses) {
      expect(r.payload).not.toMatch(/secretHash|scrypt|mật-khẩu/);
    }
    expect(responses[3]!.json().accounts.map((a: { id: string }) => a.id)).toEqual(['admin', 'bn-d001', 'chutoa.bn', 'thuky.td']);
    expect(responses[5]!.json().accounts.map((a: { id: string }) => a.id)).toEqual(['bn-d001', 'chutoa.bn']);

    expect((await call('DELETE', '/api/admin/accounts/thuky.td', 'admin')).json()).toEqual({ ok: true });
    expect(await h.store.catalog.getAccount('thuky.td')).toBeNull();
    expect((await call('DELETE', '/api/admin/accounts/thuky.td', 'admin')).statusCode).toBe(404);
    expect((await call('POST', '/api/admin/accounts/thuky.td/disable', 'admin')).statusCode).toBe(404);
  });

  it('[HTTP-12] account rules: a new account needs a secret; a delegate account names a delegate of its councils', async () => {
    const { secret: _drop, ...noSecret } = staff;
    const r1 = await call('PUT', '/api/admin/accounts/thuky.td', 'admin', noSecret);
    expect(r1.statusCode).toBe(400);
    expect(r1.json()).toMatchObject({ code: 'VALIDATION', message: 'Tài khoản mới cần mật khẩu hoặc mã đăng nhập (secret)' });

    const delegate = { id: 'td-d002', role: 'delegate', displayName: 'Đại biểu 2', councilIds: ['tien-du'], secret: '200 002' };
    expect((await call('PUT', '/api/admin/accounts/td-d002', 'admin', { ...delegate, delegateId: 'bn-d001' })).statusCode).toBe(400);
    expect((await call('PUT', '/api/admin/accounts/td-d002', 'admin', delegate)).statusCode).toBe(400); // no delegateId
    expect((await call('PUT', '/api/admin/accounts/td-d002', 'admin', { ...delegate, delegateId: 'td-d002', councilIds: ['nowhere'] })).statusCode).toBe(400);
    const ok = await call('PUT', '/api/admin/accounts/td-d002', 'admin', { ...delegate, delegateId: 'td-d002' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().account).toMatchObject({ role: 'delegate', delegateId: 'td-d002' });
    // Spaces in a printed code are not part of it (login strips them too).
    expect(await verifySecret('200002', (await h.store.catalog.getAccount('td-d002'))!.secretHash)).toBe(true);

    const adminWithCouncil = await call('PUT', '/api/admin/accounts/root2', 'admin', { id: 'root2', role: 'admin', displayName: 'QT', councilIds: ['tien-du'], secret: 'abcdefgh' });
    expect(adminWithCouncil.statusCode).toBe(400);
    expect(adminWithCouncil.json().issues.join()).toMatch(/councilIds/);
    const shortSecret = await call('PUT', '/api/admin/accounts/x', 'admin', { ...staff, id: 'x', secret: '123' });
    expect(shortSecret.statusCode).toBe(400);
    const wall = await call('PUT', '/api/admin/accounts/wall.td', 'admin', { id: 'wall.td', role: 'display', displayName: 'Màn hình', councilIds: ['tien-du'], delegateId: 'td-d001', secret: 'wall-secret' });
    expect(wall.statusCode).toBe(400);
  });

  it('[HTTP-13] accounts are for admins only, and an admin cannot lock themself out', async () => {
    for (const who of ['chairBn', 'secretaryBn', 'delegateBn', 'wallBn'] as const) {
      expect((await call('GET', '/api/admin/accounts', who)).statusCode, who).toBe(403);
      expect((await call('PUT', '/api/admin/accounts/thuky.td', who, staff)).statusCode, who).toBe(403);
    }
    expect((await call('GET', '/api/admin/accounts', undefined)).statusCode).toBe(401);
    expect((await call('POST', '/api/admin/accounts/bn-d001/disable', 'chairBn')).statusCode).toBe(403);
    expect(await h.store.catalog.getAccount('thuky.td')).toBeNull();

    const self = [
      await call('DELETE', '/api/admin/accounts/admin', 'admin'),
      await call('POST', '/api/admin/accounts/admin/disable', 'admin'),
      await call('PUT', '/api/admin/accounts/admin', 'admin', { id: 'admin', role: 'chair', displayName: 'QT', councilIds: ['tien-du'] }),
    ];
    for (const r of self) {
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'CONFLICT', message: 'Không thể xóa, khóa hoặc hạ quyền tài khoản bạn đang dùng' });
    }
    expect(await h.store.catalog.getAccount('admin')).toMatchObject({ role: 'admin' });
  });
});

describe('failures', () => {
  it('[HTTP-27] an unexpected store failure reaches the app error handler as INTERNAL, without details', async () => {
    h.store.catalog.getCouncil = async () => {
      throw new Error('EIO: /data/councils/bac-ninh.json');
    };
    const r = await call('GET', '/api/admin/councils/bac-ninh', 'admin');
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ ok: false, code: 'INTERNAL', message: 'Lỗi hệ thống, thao tác chưa được ghi nhận' });
  });
});
