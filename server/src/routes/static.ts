/**
 * The apps, built by Vite into <app>/dist and served under /chair/, /delegate/, /wall/, /live/ and /public/. Until an app is
 * built, its path serves a plain page saying so, so the run line always answers.
 */
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const apps = [
  { prefix: '/chair/', dir: 'chair-console', title: 'Bàn điều hành chủ tọa', en: 'Chair console' },
  { prefix: '/delegate/', dir: 'delegate-client', title: 'Ứng dụng đại biểu', en: 'Delegate client' },
  { prefix: '/wall/', dir: 'display-wall', title: 'Màn hình hội trường', en: 'Display wall' },
  // The public live page is the wall app in public mode (it reads its path), built once with relative asset URLs.
  { prefix: '/live/', dir: 'display-wall', title: 'Truyền hình trực tiếp', en: 'Public live page' },
  // The public record: every page has its own address (/public/sessions/…), answered with the app's index.html.
  { prefix: '/public/', dir: 'public-record', title: 'Hồ sơ công khai kỳ họp', en: 'Public record', spa: true },
  // Administration and the province oversight dashboard (/admin/oversight/…): deep links like the public record.
  { prefix: '/admin/', dir: 'admin', title: 'Quản trị và giám sát', en: 'Administration and oversight', spa: true },
] as const;

const page = (title: string, body: string) => `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}a{color:#a50e0e}h1{color:#a50e0e}</style></head><body>${body}</body></html>`;

const routes: FastifyPluginAsync = async (app) => {
  let decorated = false;
  // Apps are listed once on the landing page; /live/ is the public face of the wall app.
  for (const a of apps) {
    const dist = path.join(root, a.dir, 'dist');
    if (existsSync(path.join(dist, 'index.html'))) {
      // Files are looked up per request (wildcard), so a rebuild while the server runs is served at once.
      if ('spa' in a && a.spa) {
        // Deep links of a single-page app: a path without a file extension gets the app; a missing asset stays a 404.
        const inheritsSendFile = decorated;
        await app.register(
          async (scope) => {
            await scope.register(fastifyStatic, { root: dist, prefix: '/', decorateReply: !inheritsSendFile, index: 'index.html' });
            scope.setNotFoundHandler((req, reply) => {
              const pathname = req.url.split('?')[0]!;
              if (req.method !== 'GET' || /\.[a-z0-9]+$/i.test(pathname)) return reply.status(404).send({ ok: false, code: 'NOT_FOUND', message: 'Không tìm thấy' });
              return reply.type('text/html; charset=utf-8').sendFile('index.html', dist);
            });
          },
          { prefix: a.prefix.slice(0, -1) },
        );
      } else {
        await app.register(fastifyStatic, { root: dist, prefix: a.prefix, decorateReply: !decorated, index: 'index.html' });
        decorated = true;
      }
    } else {
      app.get(a.prefix, async (_req, reply) =>
        reply.type('text/html').send(page(a.title, `<h1>${a.title}</h1><p>${a.en}: ứng dụng chưa được dựng (build). API và Socket.IO đã sẵn sàng.</p><p><a href="/">← Trang chủ</a></p>`)),
      );
    }
  }
  app.get('/live', async (_req, reply) => reply.redirect('/live/'));
  app.get('/public', async (_req, reply) => reply.redirect('/public/'));
  app.get('/admin', async (_req, reply) => reply.redirect('/admin/'));
  app.get('/', async (_req, reply) =>
    reply.type('text/html').send(
      page(
        'Hall — Điều hành kỳ họp HĐND',
        `<h1>Hall — Điều hành kỳ họp Hội đồng nhân dân</h1><ul>${apps.map((a) => `<li><a href="${a.prefix}">${a.title}</a> (${a.en})</li>`).join('')}<li><a href="/docs">API (OpenAPI)</a></li><li><a href="/healthz">Tình trạng hệ thống</a> (health)</li></ul>`,
      ),
    ),
  );
};
export default routes;
