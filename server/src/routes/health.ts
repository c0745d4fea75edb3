/** Liveness, readiness and metrics: what a supervisor, a load balancer and Prometheus ask. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Store } from '../store/types.ts';
import type { Sessions } from '../runtime/sessions.ts';
import type { Metrics } from '../plugins/metrics.ts';

const startedAt = Date.now();

const routes: FastifyPluginAsyncZod<{ store: Store; sessions: Sessions; metrics: Metrics; info: Record<string, unknown> }> = async (
  app,
  { store, sessions, metrics, info },
) => {
  app.get('/healthz', { schema: { tags: ['health'], response: { 200: z.object({ status: z.literal('ok'), store: z.string(), liveSessions: z.number(), uptimeSec: z.number() }).passthrough() } } }, async () => ({
    status: 'ok' as const,
    store: store.kind,
    liveSessions: await sessions.localCount(),
    uptimeSec: Math.round((Date.now() - startedAt) / 1000),
    ...info,
  }));
  app.get('/readyz', { schema: { tags: ['health'] } }, async (_req, reply) => {
    const ready = await store.ping().catch(() => false);
    return reply.status(ready ? 200 : 503).send({ ready, store: store.kind });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
export default routes;
