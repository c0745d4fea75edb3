/**
 * Packages the bench needs that the tests package does not declare (it may not add dependencies): the `ws` client
 * that socket.io-client itself uses, and the server's own socket.io and ioredis (for the baseline server and for
 * cleaning Redis keys). Resolved from the packages that do depend on them, so the versions are the ones in use.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const fromTests = createRequire(new URL('../../package.json', import.meta.url));
const fromServer = createRequire(new URL('../../../server/package.json', import.meta.url));
const fromEngineClient = createRequire(createRequire(fromTests.resolve('socket.io-client')).resolve('engine.io-client'));

/** The parts of `ws`'s client we use. */
export interface WsClient {
  readonly readyState: number;
  send(data: string, cb?: (err?: Error) => void): void;
  close(): void;
  terminate(): void;
  on(event: 'open', fn: () => void): this;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'close', fn: (code: number) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
}
export type WsClientCtor = new (url: string, opts?: { perMessageDeflate?: boolean; handshakeTimeout?: number }) => WsClient;

export const WebSocketClient = fromEngineClient('ws') as WsClientCtor;

/** socket.io's Server, loosely typed (its types live in the server package). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const loadSocketIoServer = (): any => fromServer('socket.io').Server;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const loadIoRedis = (): any => fromServer('ioredis').Redis;
