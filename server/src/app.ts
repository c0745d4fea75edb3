/**
 * buildApp(config) → the whole server on one port: Fastify HTTP (auth, admin, documents, health, metrics, OpenAPI,
 * static apps) and the Socket.IO gateway on the same http.Server. `main.ts` only reads config, calls this and
 * listens; tests call it with a temporary data directory and port 0.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { Server } from 'socket.io';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider, jsonSchemaTransform } from 'fastify-type-provider-zod';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import { PROTOCOL_VERSION, MACHINE_VERSION } from '@hall/core';
import type { Config } from './config.ts';
import type { Catalog, SessionRecord, Store } from './store/types.ts';
import { openStore } from './store/open.ts';
import { AuthService } from './auth/service.ts';
import { memoryAuthState, openEmbeddedAuthState, redisAuthState, type AuthState } from './auth/state.ts';
import { SecretBallots } from './ballots/secret-ballots.ts';
import { SessionRegistry } from './runtime/registry.ts';
import { LocalSessions, type Sessions } from './runtime/sessions.ts';
import { ClusterSessions, LeaseManager, NodeDirectory } from './runtime/cluster.ts';
import { ClusterRpc, clusterIdentity } from './runtime/cluster-rpc.ts';
import type { RedisStore } from './store/redis.ts';
import { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { attachMedia, type AttachedMedia } from './media/index.ts';
import { ViewPublisher } from './realtime/publisher.ts';
import {
  accountRoom,
  attachGateway,
  DEVICE_REVOKED,
  DEVICE_REVOKED_MESSAGE,
  SIGNED_IN_ELSEWHERE,
  signedInElsewhereMessage,
  tokenRoom,
  type HallServer,
} from './realtime/gateway.ts';
import { createMetrics } from './plugins/metrics.ts';
import authPlugin from './plugins/auth.ts';
import healthRoutes from './routes/health.ts';
import authRoutes from './routes/auth.ts';
import sessionRoutes from './routes/sessions.ts';
import adminRoutes, { codeOfStatus, errorBody, validationBody } from './routes/admin.ts';
import documentRoutes from './routes/documents.ts';
import oversightRoutes from './routes/oversight.ts';
import adminSetupRoutes from './routes/admin-setup.ts';
import staticRoutes from './routes/static.ts';
import securityRoutes from './routes/security.ts';
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

/** One HTTP route as registered (for the authorization matrix and the fuzzer: every route, none forgotten). */
export interface RouteInfo {
  method: string;
  url: string;
  /** The route validates a body. */
  body: boolean;
}

export interface Hall {
  app: FastifyInstance;
  routes: RouteInfo[];
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
  /** Throttle, devices and audit log (tests); by default they follow the store (embedded files or Redis). */
  authState?: AuthState;
  /** In a cluster: told when this node takes a session's lease or stops holding it (a HALL_CORES worker tells its primary). */
  onLeaseHeld?: (sessionId: string, held: boolean) => void;
}

/** Fastify's rule for the client address (`request.ip`), for Socket.IO handshakes too: TRUST_PROXY or the TCP peer. */
function clientAddress(trusted: string[]): (req: IncomingMessage) => string {
  if (!trusted.length) return (req) => req.socket.remoteAddress ?? 'unknown';
  const trust = proxyAddr.compile(trusted);
  return (req) => proxyAddr(req, trust);
}

/**
 * Helmet's headers with a CSP the built apps pass: no inline or eval'd script (scripts are Vite's files), inline
 * styles only (React style attributes), no framing, no referrer, HSTS only when the public URL is https (HSTS on a
 * plain-http hall LAN would lock browsers out of it).
 */
export function securityHeaders(publicUrl: string | undefined) {
  const https = publicUrl?.startsWith('https://') ?? false;
  // 'self' covers same-origin WebSockets in current browsers; the public URL's ws(s) origin is added for those that
  // predate CSP3's rule (Safari < 15.4 on old hall tablets).
  const wsOrigin = publicUrl ? publicUrl.replace(/^http/, 'ws').replace(/^(wss?:\/\/[^/]+).*$/, '$1') : null;
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        mediaSrc: ["'self'", 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", ...(wsOrigin ? [wsOrigin] : [])],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 180 * 86400, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' as const },
    // The media pages embed nothing cross-origin, but COEP would also block the HLS player's CDN segments.
    crossOriginEmbedderPolicy: false,
  };
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<Hall> {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    // A URL that does not decode (`%E0%A4%A`) or a path parameter past the router's length limit.
    frameworkErrors: (err, _request, reply) => {
      const status = err.statusCode && err.statusCode < 500 ? 400 : 500;
      void (reply as FastifyReply).status(status).send(errorBody(codeOfStatus(status)));
    },
    // X-Forwarded-For is believed only from the proxies in TRUST_PROXY: otherwise anyone could pick the address that
    // login throttling and rate limits count against.
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, body: route.schema?.body !== undefined });
  });
  let storeRef: Store | null = null;
  app.setErrorHandler(async (err, request, reply) => {
    const validation = validationBody(err);
    if (validation) return reply.status(400).send(validation);
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    // A store outage is not a bug: say "try again" (503) rather than "internal error".
    if (status === 500 && storeRef && !(await storeRef.ping().catch(() => false))) {
      return reply.status(503).send(errorBody('UNAVAILABLE'));
    }
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.status(status).send(errorBody(codeOfStatus(status)));
  });
  // Fastify's own 404 and bad-URL answers are English and shaped otherwise: every answer of ours has the same body.
  app.setNotFoundHandler((_request, reply) => reply.status(404).send(errorBody('NOT_FOUND')));

  const metrics = createMetrics();
  // Cluster mode (REDIS_URL): every write of a session must carry its lease token, or the store refuses it.
  const cluster = Boolean(config.redisUrl && !options.store);
  const store = options.store ?? (await openStore(config, cluster ? { requireFence: true, onFenced: () => metrics.hooks.fenced() } : {}));
  storeRef = store;
  const now = options.now ?? Date.now;
  // Throttle counters, devices and the audit log live where the store lives (embedded files or Redis).
  let securityRedis: Redis | null = null;
  let authState: AuthState;
  if (options.authState) authState = options.authState;
  else if (options.store) authState = memoryAuthState();
  else if (config.redisUrl) {
    securityRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    securityRedis.on('error', () => undefined); // fails the request (503), reported through /readyz
    authState = redisAuthState(securityRedis, config.redisPrefix);
  } else authState = await openEmbeddedAuthState(config.dataDir, now);
  let ioRef: HallServer | null = null;
  const auth = new AuthService(store.catalog, {
    tokenSecret: config.tokenSecret,
    tokenTtlSec: config.tokenTtlSec,
    now,
    links: store.links,
    throttle: authState.throttle,
    devices: authState.devices,
    audit: authState.audit,
    // Through the adapter, so the account's sockets on every node hear it.
    onSignedIn: (claims) =>
      ioRef?.to(accountRoom(claims.sub)).emit('server:notice', { code: SIGNED_IN_ELSEWHERE, message: signedInElsewhereMessage(claims.issuedBy) }),
    onRevoked: (jti) => {
      ioRef?.to(tokenRoom(jti)).emit('server:notice', { code: DEVICE_REVOKED, message: DEVICE_REVOKED_MESSAGE });
      ioRef?.in(tokenRoom(jti)).disconnectSockets(true);
    },
  });
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
  let nodes: NodeDirectory | null = null;
  let rpcSubscriber: Redis | null = null;
  let adapterRedis: Redis | null = null;
  let registryRef: SessionRegistry | null = null;
  if (cluster && config.redisUrl) {
    // The leases and the node-to-node messages use the store's own connection, so that all of them fail and come
    // back together after a Redis restart; subscribing needs a connection of its own.
    const client = (store as RedisStore).client;
    lease = new LeaseManager(client, config.redisPrefix, config.nodeId, config.leaseMs, (id, token) => void registryRef?.drop(id, token), app.log, () => (store as RedisStore).assertIntact());
    lease.onHeld = options.onLeaseHeld ?? null;
    rpcSubscriber = client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false });
    rpcSubscriber.on('error', () => undefined); // reported through /readyz and failed commands, not as a crash
    const { installationId, key } = clusterIdentity(config.redisPrefix, config.tokenSecret, config.ballotSecret);
    rpc = new ClusterRpc(client, rpcSubscriber, config.redisPrefix, installationId, config.nodeId, key, app.log);
    await rpc.start();
    nodes = new NodeDirectory(client, config.redisPrefix, config.nodeId, config.leaseMs);
    // Before anything is placed (the boot's restore, the sweep, the first command): the sibling workers of this
    // machine must be in the directory, or this node would place their sessions on itself.
    const waitMs = 2 * config.leaseMs;
    if (!(await nodes.awaitPeers(config.cores, waitMs))) {
      app.log.warn({ expected: config.cores, seen: nodes.nodes().length, waitedMs: waitMs }, 'not every sibling worker appeared in the node directory in time; placing sessions over the nodes seen so far');
    }
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
  ioRef = io;
  const publisher = new ViewPublisher(io, { progressGapMs: config.tabletProgressMs, progressPushesPerSec: config.progressPushesPerSec });
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
    lease && rpc && nodes ? new ClusterSessions(rpc, registry, store.catalog, lease, publisher, app.log, nodes) : new LocalSessions(registry);
  attachGateway({
    io,
    auth,
    catalog: store.catalog,
    sessions,
    log: app.log,
    metrics: metrics.hooks,
    storeAvailable: () => store.ping(),
    limits: config.limits,
    clientIp: clientAddress(config.trustProxy),
    onDelegateJoined: (sessionId, delegateId) => publisher.rejoined(sessionId, delegateId),
    onPersonalDelivered: (sessionId, delegateId, part, socketId) => publisher.personalDelivered(sessionId, delegateId, part, socketId),
    onJoinedRoom: (room, socketId) => publisher.joinedRoom(room, socketId),
    onCommand: () => publisher.commandArrived(),
  });
  metrics.liveSessions(() => sessions.localCount());
  await app.register(helmet, securityHeaders(config.publicUrl));
  // A flood limit on the API per client address, shared by every node through Redis in a cluster. Static files,
  // HLS, /healthz and Socket.IO (not a Fastify route) are not counted: a hall loading its apps never meets it.
  await app.register(rateLimit, {
    global: true,
    max: config.limits.httpPerMinute,
    timeWindow: 60_000,
    allowList: (request) => !request.url.startsWith('/api/'),
    ...(securityRedis ? { redis: securityRedis, nameSpace: `${config.redisPrefix}ratelimit:` } : {}),
    // Redis unreachable: serve (the store answers 503 where it matters) rather than refuse everyone.
    skipOnError: true,
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
  const records = new RecordsService({ catalog: store.catalog, journal: store.journal, sessions, now });
  // Registered after swagger (its routes, /api/media/*, are in the OpenAPI document) and the auth plugin.
  // Broadcast follows the session machine's on-air flag and closed sittings (runs on the node that owns the session).
  const media = await attachMedia({
    app,
    io,
    registry,
    config,
    log: app.log,
    journal: store.journal,
    archive: { catalog: store.catalog, records },
    ...(options.mediaEnv ? { env: options.mediaEnv } : {}),
    watch: (listener) => {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
  });

  // Adjourned sittings leave memory once nobody here uses or follows them (nor streams them: an ingest still running).
  const retireEvery = Math.max(1000, Math.min(60_000, Math.floor(config.roomIdleMs / 2)));
  let retiring = false;
  const retirer = setInterval(() => {
    if (retiring) return;
    retiring = true;
    const watched = (sessionId: string) => publisher.watching(sessionId) || !!media.hub.stats(sessionId)?.ingest;
    registry
      .retireIdle(config.roomIdleMs, watched)
      .then((retired) => {
        const replicas = sessions.retireReplicas?.(watched) ?? [];
        for (const sessionId of [...retired, ...replicas]) publisher.forgetSession(sessionId);
        if (retired.length || replicas.length) app.log.info({ retired: retired.length, replicas: replicas.length }, 'adjourned sittings left memory');
      })
      .catch((err: unknown) => app.log.warn({ err }, 'retiring idle sessions failed'))
      .finally(() => (retiring = false));
  }, retireEvery);
  retirer.unref();

  const info = { version: VERSION, protocolVersion: PROTOCOL_VERSION, machineVersion: MACHINE_VERSION };
  await app.register(healthRoutes, { store, sessions, metrics, info: { ...info, node: config.nodeId, cluster: lease !== null, media: { backend: media.hub.backend, reason: media.reason } } });
  await app.register(authRoutes, { auth, catalog: store.catalog, publicUrl: config.publicUrl });
  await app.register(sessionRoutes, { catalog: store.catalog, sessions });
  // Edits to a session that has not started must reach its (not yet frozen) room.
  const catalog = watchSessions(store.catalog, (id) => registry.invalidate(id));
  await app.register(adminRoutes, { store: { ...pick(store), catalog }, auth, audit: authState.audit });
  await app.register(securityRoutes, { auth, audit: authState.audit });
  await app.register(documentRoutes, { catalog, audit: authState.audit });
  await app.register(recordRoutes, { records, catalog, now, audit: authState.audit });
  await app.register(publicRecordRoutes, { records, catalog: store.catalog, now });
  await app.register(adminSetupRoutes, { catalog, auth, audit: authState.audit, ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}) });
  await app.register(oversightRoutes, { catalog: store.catalog, sessions, records });
  await app.register(staticRoutes, {});

  // Open WebSockets would keep http.Server.close() waiting; drop them first (clients reconnect to the next process).
  app.addHook('preClose', async () => {
    publisher.close();
    io.local.disconnectSockets(true);
    io.engine.close();
  });
  app.addHook('onClose', async () => {
    clearInterval(retirer);
    sessions.close?.();
    await registry.closeAll();
    await lease?.close().catch(() => undefined);
    rpcSubscriber?.disconnect();
    adapterRedis?.disconnect();
    await authState.close();
    securityRedis?.disconnect();
    if (!options.store) await store.close();
  });

  return { app, routes, io, store, registry, auth, publisher, sessions, media };
}
