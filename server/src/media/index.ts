/**
 * Broadcast wiring for buildApp: picks the hub (MEDIA_BACKEND), attaches the `media:*` Socket.IO handlers to the
 * existing io, follows the sessions' on-air flags and serves HLS, the media pages and /api/media/status.
 *
 *   const media = await attachMedia({ app, io, registry, config, log: app.log, journal: store.journal });
 *
 * Call it after the gateway is attached (it relies on the gateway's handshake middleware for `socket.data.claims`)
 * and before `listen`. It registers its own onClose hook that stops every ffmpeg and closes the hub.
 */
import type { FastifyInstance } from 'fastify';
import type { Server } from 'socket.io';
import type { Config } from '../config.ts';
import type { SessionRegistry } from '../runtime/registry.ts';
import type { Journal } from '../store/types.ts';
import { attachMediaSignaling, isLoopback, selectHub, stopAllFfmpeg, type HubLogger, type MediaHub } from './lib.ts';
import { loadMediaConfig, type MediaConfig } from './config.ts';
import { mediaPolicy } from './signaling.ts';
import { BroadcastFollower } from './broadcast-follower.ts';
import mediaRoutes from './media-routes.ts';
import recordingRoutes from './recording-routes.ts';
import { mkdirSync } from 'node:fs';
import type { Catalog } from '../store/types.ts';
import type { RecordsService } from '../records/service.ts';

export interface AttachMediaOptions {
  app: FastifyInstance;
  io: Server<any, any, any, any>;
  registry: SessionRegistry;
  config: Pick<Config, 'dataDir' | 'mediaBackend' | 'host'>;
  log: HubLogger;
  /** For WebVTT chapters next to recordings; without it recordings get no chapters. */
  journal?: Pick<Journal, 'read'>;
  /** For the archive routes (/api/media/recordings): sessions, councils and record models (closed parts). */
  archive?: { catalog: Pick<Catalog, 'getSession' | 'getCouncil'>; records: Pick<RecordsService, 'model'> };
  /** A session-change hook from the runtime; without it the follower polls the open rooms' seq. */
  watch?: (listener: (sessionId: string) => void) => () => void;
  /** Tests and embedders may supply a hub (and its config) instead of MEDIA_BACKEND selection. */
  hub?: MediaHub;
  media?: Partial<MediaConfig>;
  env?: NodeJS.ProcessEnv;
}

export interface AttachedMedia {
  hub: MediaHub;
  follower: BroadcastFollower;
  config: MediaConfig;
  reason: string;
  close(): Promise<void>;
}

/** Absolute paths in a message, cut to their last segment (`/opt/hall/…/mediasoup-worker` → `mediasoup-worker`). */
export const withoutPaths = (message: string) => message.replace(/(?<=^|[\s(='"])(?:[A-Za-z]:)?[\\/][^\s()'"]*[\\/]([^\s()'"\\/]+)/g, '$1');

export async function attachMedia(options: AttachMediaOptions): Promise<AttachedMedia> {
  const { app, io, registry, log } = options;
  const config: MediaConfig = { ...loadMediaConfig(options.config, options.env), ...options.media };
  let hub = options.hub;
  let reason = 'supplied by the caller';
  if (!hub) {
    const selected = await selectHub({
      backend: config.backend,
      ...(options.env ? { env: options.env } : {}),
      maxViewers: config.maxViewers,
      listenIp: config.listenIp,
      rtpListenIp: config.rtpListenIp,
      ...(config.rtpAnnouncedIp ? { rtpAnnouncedIp: config.rtpAnnouncedIp } : {}),
      ...(config.announcedAddresses ? { announcedAddresses: config.announcedAddresses } : {}),
      ...(config.loopbackOnly ? { acceptRemoteAddress: isLoopback } : {}),
      ...(config.rtcPortRange ? { rtcPortRange: config.rtcPortRange } : {}),
      mediasoup: { webRtcServerPort: config.webRtcServerPort },
      log,
    });
    hub = selected.hub;
    reason = selected.reason;
  }
  log.info({ backend: hub.backend, reason, maxViewers: hub.maxViewers }, 'media hub ready');
  // /healthz and /api/media/status are public: they say why, not where this installation keeps its files.
  reason = withoutPaths(reason);

  let follower!: BroadcastFollower;
  const policy = mediaPolicy({
    registry,
    ensureBroadcast: (sessionId) => hub.createBroadcast(sessionId, { videoCodec: config.videoCodec }),
    stateFor: (sessionId, audience, flags) => follower.stateFor(sessionId, audience, flags),
    hlsUrl: (sessionId) => follower.hlsUrl(sessionId) ?? `${config.hlsBaseUrl}/${sessionId}/master.m3u8`,
  });
  const signaling = attachMediaSignaling(io as Server, { hub, policy, log });
  follower = new BroadcastFollower({
    hub,
    registry,
    config,
    signaling,
    log,
    ...(options.watch ? { watch: options.watch } : {}),
  });
  follower.start();
  await app.register(mediaRoutes, { hub, follower, hlsRoot: config.hlsRoot, backendReason: reason, registry, videoCodec: config.videoCodec });
  if (options.archive && options.journal) {
    mkdirSync(config.recordingsRoot, { recursive: true });
    await app.register(recordingRoutes, { recordingsRoot: config.recordingsRoot, journal: options.journal, ...options.archive });
  }

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await follower.close();
    signaling.detach();
    await hub.close();
    await stopAllFfmpeg();
  };
  // Before the registry closes its rooms: outputs are stopped with the session state still readable.
  app.addHook('preClose', close);
  return { hub, follower, config, reason, close };
}
