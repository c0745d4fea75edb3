import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Council, SessionSetup } from '@hall/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/service.ts';
import { verifySecret } from '../../src/auth/secrets.ts';
import {
  demoAccounts,
  seedDemoDocuments,
  demoCouncils,
  demoDelegateCode,
  demoLogins,
  demoSessions,
  formatDemoLogins,
  seedDemo,
} from '../../src/seed/demo.ts';
import type { Account } from '../../src/store/types.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import { login, startHall } from '../support/hall.ts';

const byId = (id: string) => demoCouncils().find((c) => c.id === id)!;

describe('demo councils', () => {
  it('[SEED-1] Bắc Ninh: province, 85 sitting delegates in 16 non-empty groups', () => {
    const bn = byId('bac-ninh');
    expect(bn).toMatchObject({ level: 'province', term: '2026-2031', name: 'HĐND tỉnh Bắc Ninh' });
    expect(bn.delegates).toHaveLength(85);
    expect(bn.delegates.every((d) => d.status === 'sitting')).toBe(true);
    expect(bn.delegates.map((d) => d.id)).toEqual(Array.from({ length: 85 }, (_, i) => `bn-d${String(i + 1).padStart(3, '0')}`));
    const groups = new Map<string, number>();
    for (const d of bn.delegates) groups.set(d.group, (groups.get(d.group) ?? 0) + 1);
    expect(groups.size).toBe(16);
    expect(Math.min(...groups.values())).toBeGreaterThan(0);
    expect(bn.delegates[0]!.seat).toBe('A01');
  });

  it('[SEED-2] Tiên Du: commune, 25 delegates', () => {
    const td = byId('tien-du');
    expect(td).toMatchObject({ level: 'commune', name: 'HĐND xã Tiên Du' });
    expect(td.delegates).toHaveLength(25);
    expect(td.delegates[24]!.id).toBe('td-d025');
  });

  it('[SEED-3] ids, names and seats are unique; the data passes the core schemas with default profiles', () => {
    const councils = demoCouncils();
    const allIds = councils.flatMap((c) => [c.id, ...c.delegates.map((d) => d.id), ...c.officials.map((o) => o.id)]);
    expect(new Set(allIds).size).toBe(allIds.length);
    for (const c of councils) {
      expect(new Set(c.delegates.map((d) => d.fullName)).size).toBe(c.delegates.length);
      expect(new Set(c.delegates.map((d) => d.seat)).size).toBe(c.delegates.length);
      expect(Council.parse(c)).toEqual(c);
      expect(c.profile).toEqual(Council.parse({ id: 'x', name: 'x', level: c.level, delegates: [] }).profile);
      for (const d of c.delegates) expect(d.fullName.split(' ').length).toBeGreaterThanOrEqual(3);
    }
  });

  it('[SEED-4] is deterministic', () => {
    expect(demoCouncils()).toEqual(demoCouncils());
    expect(demoSessions()).toEqual(demoSessions());
  });

  it('[SEED-5] officials: Resolution 96/2023 posts are ratable, the executive and judiciary are respondents', () => {
    const bn = byId('bac-ninh');
    const post = (p: string) => bn.officials.filter((o) => o.post === p);
    expect(post('Chủ tịch HĐND tỉnh')).toHaveLength(1);
    expect(post('Phó Chủ tịch HĐND tỉnh')).toHaveLength(2);
    expect(post('Phó Chủ tịch UBND tỉnh')).toHaveLength(3);
    expect(post('Chủ tịch HĐND tỉnh')[0]).toMatchObject({ ratable: true, respondent: false });
    expect(post('Chủ tịch UBND tỉnh')[0]).toMatchObject({ ratable: true, respondent: true });
    expect(post('Giám đốc Sở Tài chính')[0]).toMatchObject({ ratable: true, respondent: true });
    for (const o of bn.officials.filter((o) => /Chánh án|Viện trưởng/.test(o.post))) expect(o).toMatchObject({ ratable: false, respondent: true });
    expect(bn.officials.every((o) => o.id.startsWith('bn-o'))).toBe(true);
    // The council Chair is one of the delegates, as in practice.
    expect(bn.delegates.map((d) => d.fullName)).toContain(post('Chủ tịch HĐND tỉnh')[0]!.fullName);
    const td = byId('tien-du');
    expect(td.officials.map((o) => o.post)).toEqual(expect.arrayContaining(['Chủ tịch HĐND xã', 'Phó Chủ tịch HĐND xã', 'Chủ tịch UBND xã', 'Phó Chủ tịch UBND xã', 'Trưởng Công an xã']));
    expect(td.officials.every((o) => o.id.startsWith('td-o'))).toBe(true);
  });
});

describe('demo sessions', () => {
  it('[SEED-6] one scheduled session per council, each a valid SessionSetup', () => {
    const councils = demoCouncils();
    const sessions = demoSessions();
    expect(sessions.map((s) => s.councilId).sort()).toEqual(councils.map((c) => c.id).sort());
    for (const s of sessions) {
      expect(s.status).toBe('scheduled');
      expect(s.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const council = councils.find((c) => c.id === s.councilId)!;
      expect(() => SessionSetup.parse({ sessionId: s.id, title: s.title, council, agenda: s.agenda })).not.toThrow();
      expect(new Set(s.agenda.map((i) => i.id)).size).toBe(s.agenda.length);
      expect(s.agenda[0]!.kind).toBe('ceremony');
      expect(s.agenda.at(-1)!.kind).toBe('ceremony');
    }
  });

  it('[SEED-7] the province agenda has reports, resolutions, questioning and a confidence rating; the commune has none', () => {
    const [bn, td] = [demoSessions().find((s) => s.councilId === 'bac-ninh')!, demoSessions().find((s) => s.councilId === 'tien-du')!];
    const kinds = bn.agenda.map((i) => i.kind);
    expect(kinds).toEqual(expect.arrayContaining(['ceremony', 'report', 'resolution', 'questioning', 'confidence']));
    expect(bn.agenda.find((i) => i.kind === 'report')!.documents.length).toBeGreaterThan(0);
    expect(td.agenda.map((i) => i.kind)).not.toContain('confidence');
    expect(td.agenda.length).toBeLessThan(bn.agenda.length);
  });
});

describe('demo accounts and logins', () => {
  let accounts: Account[];
  beforeAll(async () => {
    const t = performance.now();
    accounts = await demoAccounts();
    console.info(`demoAccounts: ${accounts.length} scrypt hashes in ${Math.round(performance.now() - t)} ms`);
  }, 300_000);

  it('[SEED-8] one account per delegate plus staff, walls and admin', () => {
    const ids = accounts.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(accounts).toHaveLength(110 + 7);
    for (const c of demoCouncils()) {
      for (const d of c.delegates) {
        expect(accounts.find((a) => a.id === d.id)).toMatchObject({ role: 'delegate', delegateId: d.id, councilIds: [c.id], displayName: d.fullName });
      }
    }
    expect(accounts.find((a) => a.id === 'admin')).toMatchObject({ role: 'admin', councilIds: [] });
    expect(accounts.every((a) => a.secretHash.startsWith('scrypt$16384$8$1$'))).toBe(true);
  });

  it('[SEED-9] delegate codes follow the documented rule', () => {
    expect(demoDelegateCode('bn-d001')).toBe('100001');
    expect(demoDelegateCode('bn-d085')).toBe('100085');
    expect(demoDelegateCode('td-d025')).toBe('200025');
    expect(demoDelegateCode('bn-d086')).toBeNull();
    expect(demoDelegateCode('admin')).toBeNull();
  });

  it('[SEED-10] every account verifies with its documented secret and not with another', async () => {
    const secretOf = (a: Account) =>
      a.role === 'delegate' ? demoDelegateCode(a.id)! : a.role === 'display' ? 'wall-demo' : a.id === 'admin' ? 'admin123' : 'demo123';
    const results = await Promise.all(accounts.map((a) => verifySecret(secretOf(a), a.secretHash)));
    expect(results.every(Boolean)).toBe(true);
    const bn2 = accounts.find((a) => a.id === 'bn-d002')!;
    expect(await verifySecret('100001', bn2.secretHash)).toBe(false);
    for (const l of demoLogins) {
      const a = accounts.find((x) => x.id === l.login)!;
      expect(a.role).toBe(l.role);
      expect(await verifySecret(l.secret, a.secretHash)).toBe(true);
    }
  }, 300_000);

  it('[SEED-11] the printable table lists every demo login', () => {
    const text = formatDemoLogins();
    for (const l of demoLogins) expect(text).toContain(l.login);
    expect(text.split('\n')).toHaveLength(demoLogins.length + 1);
  });
});

describe('seedDemo', () => {
  it('[SEED-12] seeds once, and the seeded logins work through AuthService', async () => {
    const store = createMemoryStore();
    expect(await seedDemo(store)).toEqual({ seeded: true });
    expect((await store.catalog.listCouncils()).map((c) => c.id).sort()).toEqual(['bac-ninh', 'tien-du']);
    expect(await store.catalog.listSessions('bac-ninh')).toHaveLength(1);
    expect(await store.catalog.listAccounts()).toHaveLength(117);

    const admin = await store.catalog.getAccount('admin');
    await store.catalog.putAccount({ ...admin!, displayName: 'changed' });
    expect(await seedDemo(store)).toEqual({ seeded: false });
    expect((await store.catalog.getAccount('admin'))!.displayName).toBe('changed');

    const auth = new AuthService(store.catalog, { tokenSecret: 'seed-test-secret-0123456789abcdef', tokenTtlSec: 3600 });
    for (const l of demoLogins) {
      const r = await auth.login(l.kind, l.login, l.secret, 'test');
      expect(r.ok, `${l.login}`).toBe(true);
    }
    expect((await auth.login('code', 'td-d025', '200025', 'test')).ok).toBe(true);
  }, 300_000);

  it('[SEED-13] keeps existing accounts when re-seeding after the council was removed', async () => {
    const store = createMemoryStore();
    await seedDemo(store);
    const before = (await store.catalog.getAccount('chutoa.bn'))!.secretHash;
    await store.catalog.deleteCouncil('bac-ninh');
    expect(await seedDemo(store)).toEqual({ seeded: true });
    expect((await store.catalog.getAccount('chutoa.bn'))!.secretHash).toBe(before);
    expect(await store.catalog.getCouncil('bac-ninh')).not.toBeNull();
  }, 300_000);
});

describe('demo documents', () => {
  const refs = () => demoSessions().flatMap((s) => s.agenda.flatMap((i) => i.documents.map((d) => ({ ...d, sessionId: s.id, itemId: i.id }))));
  /** Debian's poppler-utils must exist: a machine without them fails here, loudly. */
  const poppler = (tool: 'pdftotext' | 'pdffonts', bytes: Buffer) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-seed-pdf-'));
    try {
      const file = path.join(dir, 'doc.pdf');
      writeFileSync(file, bytes);
      return execFileSync(tool, tool === 'pdftotext' ? ['-enc', 'UTF-8', file, '-'] : [file], { encoding: 'utf8' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const dense = (s: string) => s.normalize('NFC').replace(/\s+/g, '');

  it('[SEED-14] every document the demo agendas name is a real PDF with Vietnamese text, served to the council\'s delegates', async () => {
    expect(refs().length).toBeGreaterThanOrEqual(9);
    const h = await startHall();
    try {
      const tokens: Record<string, string> = {
        'bn-kh12': await login(h.baseUrl, 'code', 'bn-d001', demoDelegateCode('bn-d001')!),
        'td-kh10': await login(h.baseUrl, 'code', 'td-d001', demoDelegateCode('td-d001')!),
      };
      for (const ref of refs()) {
        const res = await fetch(`${h.baseUrl}/api/documents/${ref.id}`, { headers: { authorization: `Bearer ${tokens[ref.sessionId]}` } });
        expect(res.status, ref.id).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/pdf');
        const bytes = Buffer.from(await res.arrayBuffer());
        expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(res.headers.get('etag')).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
        const text = dense(poppler('pdftotext', bytes));
        for (const line of [ref.title, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'số liệu và nội dung không có thật']) expect(text, `${ref.id}: ${line}`).toContain(dense(line));
        // The font travels inside the file: the text reads the same on a tablet without Vietnamese fonts.
        const fonts = poppler('pdffonts', bytes);
        expect(fonts, ref.id).toMatch(/Tinos/);
        expect(fonts, ref.id).not.toMatch(/ no +no /);
        // The other council's delegates do not get it.
        const other = ref.sessionId === 'bn-kh12' ? 'td-kh10' : 'bn-kh12';
        expect((await fetch(`${h.baseUrl}/api/documents/${ref.id}`, { headers: { authorization: `Bearer ${tokens[other]}` } })).status).toBe(403);
      }
      // The session's list carries them with their agenda item, as the tablet reads it.
      const list = (await (await fetch(`${h.baseUrl}/api/sessions/bn-kh12/documents`, { headers: { authorization: `Bearer ${tokens['bn-kh12']}` } })).json()) as { documents: { id: string; itemId: string }[] };
      expect(list.documents.map((d) => `${d.itemId}/${d.id}`).sort()).toEqual(refs().filter((r) => r.sessionId === 'bn-kh12').map((r) => `${r.itemId}/${r.id}`).sort());
    } finally {
      await h.close();
    }
  }, 300_000);

  it('[SEED-15] a data directory seeded without documents gets them on the next start; one taken off its agenda stays off', async () => {
    const store = createMemoryStore();
    await seedDemo(store);
    const [kept, dropped] = refs().filter((r) => r.sessionId === 'bn-kh12');
    await store.catalog.deleteDocument(kept!.id);
    await store.catalog.deleteDocument(dropped!.id);
    const session = (await store.catalog.getSession('bn-kh12'))!;
    await store.catalog.putSession({ ...session, agenda: session.agenda.map((i) => ({ ...i, documents: i.documents.filter((d) => d.id !== dropped!.id) })) });
    expect(await seedDemo(store)).toEqual({ seeded: false });
    expect((await store.catalog.getDocument(kept!.id))?.meta).toMatchObject({ id: kept!.id, title: kept!.title, sessionId: 'bn-kh12', itemId: kept!.itemId });
    expect(await store.catalog.getDocument(dropped!.id)).toBeNull();
    expect(await seedDemoDocuments(store.catalog)).toEqual([]);
  }, 300_000);
});
