/**
 * buildApp(config) → the whole server on one port: Fastify HTTP (auth, admin, documents, health, metrics, OpenAPI,
 * static apps) and the Socket.IO gateway on the same http.Server. `main.ts` only reads config, calls this and
 * listens; tests call it with a temporary data directory and port 0.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider, jsonSchemaTransform, hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import helmet from '@fastify/helmet';
import { errorMessages, PROTOCOL_VERSION, MACHINE_VERSION } from '@hall/core';
import type { Config } from './config.ts';
import type { Catalog, SessionRecord, Store } from './store/types.ts';
import { openStore } from './store/open.ts';
import { AuthService } from './auth/service.ts';
import { SecretBallots } from './ballots/secret-ballots.ts';
import { SessionRegistry } from './runtime/registry.ts';
import { LocalSessions, type Sessions } from './runtime/sessions.ts';
import { ClusterSessions, LeaseManager } from './runtime/cluster.ts';
import { ClusterRpc, clusterIdentity } from './runtime/cluster-rpc.ts';
import type { RedisStore } from './store/redis.ts';
import { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { attachMedia, type AttachedMedia } from './media/index.ts';
import { ViewPublisher } from './realtime/publisher.ts';
import { attachGateway, type HallServer } from './realtime/gateway.ts';
import { createMetrics } from './plugins/metrics.ts';
import authPlugin from './plugins/auth.ts';
import healthRoutes from './routes/health.ts';
import authRoutes from './routes/auth.ts';
import sessionRoutes from './routes/sessions.ts';
import adminRoutes from './routes/admin.ts';
import documentRoutes from './routes/documents.ts';
import staticRoutes from './routes/static.ts';
import recordRoutes from './routes/records.ts';
import publicRecordRoutes from './routes/public-record.ts';
import { RecordsService } from './records/service.ts';

export const VERSION = '0.1.0';

/** A catalog that reports every session write, so rooms that have not frozen their setup can be rebuilt. */
function watchSessions(catalog: Catalog, changed: (sessionId: string) => Promise<void>): Catalog {
  return new Proxy(catalog, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'putSession') return async (s: SessionRecord) => (await value.call(target, s), await changed(s.id));
      if (prop === 'deleteSession') return async (id: string) => { const r = await value.call(target, id); await changed(id); return r; };
      return value.bind(target);
    },
  });
}

const pick = (store: Store): Store => ({
  kind: store.kind,
  journal: store.journal,
  catalog: store.catalog,
  ballots: store.ballots,
  links: store.links,
  ping: () => store.ping(),
  close: () => store.close(),
});

export interface Hall {
  app: FastifyInstance;
  io: HallServer;
  store: Store;
  registry: SessionRegistry;
  auth: AuthService;
  publisher: ViewPublisher;
  sessions: Sessions;
  media: AttachedMedia;
}

export interface BuildOptions {
  /** Use this store instead of opening one from config (tests). */
  store?: Store;
  now?: () => number;
  logger?: boolean | object;
  /** Media configuration (MEDIA_*), instead of process.env (tests). */
  mediaEnv?: NodeJS.ProcessEnv;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<Hall> {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    // Behind a load balancer the client address comes from X-Forwarded-For (login throttling keys on it).
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  let storeRef: Store | null = null;
  app.setErrorHandler(async (err, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.status(400).send({
        ok: false,
        code: 'VALIDATION',
        message: errorMessages.VALIDATION.vi,
        issues: err.validation.map((v) => `${v.instancePath || '(root)'}: ${v.message}`),
      });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    // A store outage is not a bug: say "try again" (503) rather than "internal error".
    if (status === 500 && storeRef && !(await storeRef.ping().catch(() => false))) {
      return reply.status(503).send({ ok: false, code: 'UNAVAILABLE', message: errorMessages.UNAVAILABLE.vi });
    }
    if (status >= 500) request.log.error({ err }, 'request failed');
    const code = status === 429 ? 'RATE_LIMITED' : status === 404 ? 'NOT_FOUND' : status === 413 || status === 415 || status === 400 ? 'VALIDATION' : 'INTERNAL';
    return reply.status(status).send({ ok: false, code, message: errorMessages[code].vi });
  });

  const metrics = createMetrics();
  // Cluster mode (REDIS_URL): every write of a session must carry its lease token, or the store refuses it.
  const cluster = Boolean(config.redisUrl && !options.store);
  const store = options.store ?? (await openStore(config, cluster ? { requireFence: true, onFenced: () => metrics.hooks.fenced() } : {}));
  storeRef = store;
  const now = options.now ?? Date.now;
  const auth = new AuthService(store.catalog, { tokenSecret: config.tokenSecret, tokenTtlSec: config.tokenTtlSec, now, links: store.links });
  const ballots = new SecretBallots(store.ballots, config.ballotSecret);

  const io: HallServer = new Server(app.server, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: 256 * 1024,
    // No connectionStateRecovery: it would keep every emitted view for replay (GBs in a province-wide vote storm),
    // while views are full state — a reconnecting client re-joins and gets the current one (resync by seq).
    pingInterval: 10_000,
    pingTimeout: 8_000,
  });
  let lease: LeaseManager | null = null;
  let rpc: ClusterRpc | null = null;
  let rpcSubscriber: Redis | null = null;
  let adapterRedis: Redis | null = null;
  let registryRef: SessionRegistry | null = null;
  if (cluster && config.redisUrl) {
    // The leases and the node-to-node messages use the store's own connection, so that all of them fail and come
    // back together after a Redis restart; subscribing needs a connection of its own.
    const client = (store as RedisStore).client;
    lease = new LeaseManager(client, config.redisPrefix, config.nodeId, config.leaseMs, (id, token) => void registryRef?.drop(id, token), app.log);
    rpcSubscriber = client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false });
    rpcSubscriber.on('error', () => undefined); // reported through /readyz and failed commands, not as a crash
    const { installationId, key } = clusterIdentity(config.redisPrefix, config.tokenSecret, config.ballotSecret);
    rpc = new ClusterRpc(client, rpcSubscriber, config.redisPrefix, installationId, config.nodeId, key, app.log);
    await rpc.start();
    // Socket.IO's own cross-node broadcasts (media state to a session's viewers on every node). Every name it uses in
    // Redis is derived from REDIS_PREFIX, so two installations on one Redis never see each other's messages.
    adapterRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    adapterRedis.on('error', () => undefined);
    io.adapter(
      createAdapter(adapterRedis, {
        streamName: `${config.redisPrefix}socket.io`,
        channelPrefix: `${config.redisPrefix}socket.io`,
        sessionKeyPrefix: `${config.redisPrefix}sio:session:`,
        maxLen: 10_000,
        heartbeatInterval: 1000,
        heartbeatTimeout: 3000,
      }) as never,
    );
  }
  const publisher = new ViewPublisher(io);
  const changeListeners = new Set<(sessionId: string) => void>();
  const registry = new SessionRegistry(store.catalog, {
    journal: store.journal,
    ballots,
    now,
    snapshotEvery: config.snapshotEvery,
    onChange: (room) => {
      publisher.changed(room);
      for (const listener of changeListeners) listener(room.sessionId);
    },
    log: app.log,
  }, lease);
  registryRef = registry;
  const sessions: Sessions & { close?: () => void } =
    lease && rpc ? new ClusterSessions(rpc, registry, store.catalog, lease, publisher, app.log) : new LocalSessions(registry);
  attachGateway({
    io,
    auth,
    catalog: store.catalog,
    sessions,
    log: app.log,
    metrics: metrics.hooks,
    storeAvailable: () => store.ping(),
    onDelegateJoined: (sessionId, delegateId) => publisher.rejoined(sessionId, delegateId),
    onCommand: () => publisher.commandArrived(),
  });
  metrics.liveSessions(() => sessions.localCount());
  // Broadcast follows the session machine's on-air flag and closed sittings (runs on the node that owns the session).
  const media = await attachMedia({
    app,
    io,
    registry,
    config,
    log: app.log,
    journal: store.journal,
    ...(options.mediaEnv ? { env: options.mediaEnv } : {}),
    watch: (listener) => {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
  });

  await app.register(helmet, {
    // The apps are served from this origin and talk to it over WebSocket; media may come from blob: URLs.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        workerSrc: ["'self'", 'blob:'],
        scriptSrc: ["'self'"],
      },
    },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Hall API', description: 'Điều hành kỳ họp HĐND — HTTP API (realtime commands go over Socket.IO)', version: VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin, { auth });

  const info = { version: VERSION, protocolVersion: PROTOCOL_VERSION, machineVersion: MACHINE_VERSION };
  await app.register(healthRoutes, { store, sessions, metrics, info: { ...info, node: config.nodeId, cluster: lease !== null, media: { backend: media.hub.backend, reason: media.reason } } });
  await app.register(authRoutes, { auth, catalog: store.catalog, publicUrl: config.publicUrl });
  await app.register(sessionRoutes, { catalog: store.catalog, sessions });
  // Edits to a session that has not started must reach its (not yet frozen) room.
  const catalog = watchSessions(store.catalog, (id) => registry.invalidate(id));
  await app.register(adminRoutes, { store: { ...pick(store), catalog } });
  await app.register(documentRoutes, { catalog });
  const records = new RecordsService({ catalog: store.catalog, journal: store.journal, sessions, now });
  await app.register(recordRoutes, { records, catalog, now });
  await app.register(publicRecordRoutes, { records, catalog: store.catalog, now });
  await app.register(staticRoutes, {});

  // Open WebSockets would keep http.Server.close() waiting; drop them first (clients reconnect to the next process).
  app.addHook('preClose', async () => {
    publisher.close();
    io.local.disconnectSockets(true);
    io.engine.close();
  });
  app.addHook('onClose', async () => {
    sessions.close?.();
    await registry.closeAll();
    await lease?.close().catch(() => undefined);
    rpcSubscriber?.disconnect();
    adapterRedis?.disconnect();
    if (!options.store) await store.close();
  });

  return { app, io, store, registry, auth, publisher, sessions, media };
}
