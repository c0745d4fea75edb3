/**
 * [ROUTE] HALL_CORES routing by session (issue 16): a connection that names its session (`?session=<id>` in the
 * handshake) is handed by the primary to the worker that runs that session, so its commands and views stay in one
 * process. Hostile first chunks never bring the primary down. After a worker is killed, its session's new owner
 * (by lease) gets the connections, even once the killed worker is back under the name placement prefers.
 */
import { connect as tcpConnect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_STAFF_PASSWORD } from '../../src/seed/demo.ts';
import { sessionOfRequest, stopReading } from '../../src/balancer.ts';
import { preferredNode } from '../../src/runtime/cluster.ts';
import { isAlive, login, TestClient } from '../support/hall.ts';
import { CORES_WORKERS, startCoresHall, workerPids, type CoresHall } from '../support/cores.ts';

const PREFIX = 'route:';

let hall: CoresHall | null = null;
afterAll(() => hall?.stop());

/** Which worker (node id) answered: /healthz names its node; each request is a new connection the primary hands over. */
async function nodeFor(url: string, query = ''): Promise<string> {
  const res = await fetch(`${url}/healthz${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { node: string }).node;
}

/** Socket.IO connections open on the worker that answers `query`, read from its own metrics. */
async function connectionsOn(url: string, query: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics${query}`)).text();
  return Number(/^hall_socket_connections (\d+)/m.exec(text)?.[1] ?? NaN);
}

/** Raw bytes to the port; resolves with whatever came back once the connection closed (or after `waitMs`). */
function rawExchange(port: number, chunks: (string | Buffer)[], waitMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (b) => (got += b.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

describe('HALL_CORES: connections routed to their session', () => {
  it('[ROUTE-1] the session named in a request line is read only when it is a valid id', () => {
    expect(sessionOfRequest('GET /socket.io/?EIO=4&transport=websocket&session=bn-kh12 HTTP/1.1\r\nHost: x')).toBe('bn-kh12');
    expect(sessionOfRequest('GET /socket.io/?session=a%3Ab HTTP/1.1')).toBe('a:b');
    for (const bad of [
      'GET /socket.io/?EIO=4 HTTP/1.1',
      'GET /socket.io/?session= HTTP/1.1',
      'GET /socket.io/?session=%E0%A4%A HTTP/1.1',
      'GET /socket.io/?session=..%2F..%2Fetc HTTP/1.1',
      'GET /socket.io/?session=phi%C3%AAn HTTP/1.1',
      `GET /socket.io/?session=${'x'.repeat(65)} HTTP/1.1`,
      `GET /socket.io/?${'a=b&'.repeat(1000)}session=ok HTTP/1.1`,
      '\u0000\u0001\u0002',
      '',
    ]) {
      expect(sessionOfRequest(bad), bad.slice(0, 60)).toBeNull();
    }
  });

  it('[ROUTE-3] a connection the primary hands over is no longer read by it: what the client sends next waits for the worker', async () => {
    const server = createTcpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<{ socket: Socket; first: string }>((resolve) =>
      server.once('connection', (socket) => socket.once('data', (chunk) => (stopReading(socket), resolve({ socket, first: chunk.toString() })))),
    );
    const client = tcpConnect((server.address() as AddressInfo).port, '127.0.0.1');
    let serverSide: Socket | null = null;
    try {
      client.write('GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n\r\n');
      const { socket, first } = await accepted;
      serverSide = socket;
      expect(first).toContain('GET /socket.io/');
      const late: string[] = [];
      socket.on('data', (chunk) => late.push(chunk.toString()));
      // The client's first packet after the upgrade, in the server's kernel before the primary's next turns.
      await new Promise<void>((resolve) => client.write('40{"token":"t"}', () => resolve()));
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(socket.readableLength).toBe(0);
      expect(late).toEqual([]);
      // It is still there for whoever reads the descriptor next (the worker, in the cluster).
      (socket as unknown as { _handle: { readStart: () => number } })._handle.readStart();
      socket.resume();
      await expect.poll(() => late.join(''), { timeout: 30_000 }).toBe('40{"token":"t"}');
    } finally {
      serverSide?.destroy();
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('[ROUTE-2] a connection for a session lands on its worker; hostile first chunks leave the primary serving; a moved session is found after a restart', async () => {
    hall = await startCoresHall(PREFIX, { LOG_LEVEL: 'warn' });
    const { server, holderOf, admin } = hall;
    const port = server.port;
    const url = server.baseUrl;
    const placed = (s: string) => preferredNode(CORES_WORKERS, s)!;
    expect(placed('bn-kh12')).not.toBe(placed('td-kh10'));

    // Plain requests that name a session reach its worker, every time (each is a connection of its own).
    for (let i = 0; i < 4; i++) {
      expect(await nodeFor(url, '?session=bn-kh12')).toBe(placed('bn-kh12'));
      expect(await nodeFor(url, '?session=td-kh10')).toBe(placed('td-kh10'));
    }

    // A Socket.IO connection naming its session: held by that worker, which opens the session and runs its commands.
    const chair = await TestClient.connect(url, await login(url, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), 'bn-kh12', { nameSession: true });
    expect(await connectionsOn(url, '?session=bn-kh12')).toBe(1);
    expect(await connectionsOn(url, '?session=td-kh10')).toBe(0);
    await chair.must('session.openCheckIn', {});
    expect(await holderOf('bn-kh12')).toBe(placed('bn-kh12'));

    // Hostile first chunks: each connection is closed or answered by a worker; the primary goes on serving.
    const hostile: (string | Buffer)[][] = [
      ['\r\n\r\n'],
      [Buffer.from([0, 1, 2, 3, 255, 254])],
      ['GET /healthz?session=%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n'],
      [`GET /healthz?session=${'a'.repeat(70_000)} HTTP/1.1\r\n\r\n`],
      [`GET /socket.io/?EIO=4&transport=polling&sid=${'A'.repeat(20)}&session=bn-kh12 HTTP/1.1\r\nHost: x\r\n\r\n`],
      ['GET /healthz?session=bn-kh12'], // a request line cut short, the rest never sent
      ['POST /healthz?session=td-kh10 HTTP/1.1\r\nContent-Length: 100\r\n\r\n', 'partial body'],
      ['GET /healthz?session=../../x&session=bn-kh12 HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['G', 'ET /healthz?session=td-kh10 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ];
    const answers = await Promise.all(hostile.map((chunks) => rawExchange(port, chunks, 3000)));
    // A well-formed request with a bad session value is served all the same (by load).
    expect(answers[2]).toMatch(/^HTTP\/1\.1 200/);
    expect(answers[7]).toMatch(/^HTTP\/1\.1 200/);
    expect(answers[8]).toMatch(/^HTTP\/1\.1 200/);
    const primaryPid = Number(/\[hall primary (\d+)\]/.exec(server.output)![1]);
    expect(isAlive(primaryPid)).toBe(true);
    expect(await nodeFor(url, '?session=td-kh10')).toBe(placed('td-kh10'));
    expect(await chair.send('attendance.checkIn', { delegateId: 'bn-d001', channel: 'hall' })).toMatchObject({ ok: true });

    // The owning worker killed: its session moves to the other worker by the lease, and stays there when the killed
    // worker is back. Connections naming the session follow the lease (as the workers told the primary), not placement.
    const owner = placed('bn-kh12');
    const other = CORES_WORKERS.find((w) => w !== owner)!;
    const ownerPid = workerPids(server.output).get(owner)!;
    process.kill(ownerPid, 'SIGKILL');
    await expect.poll(() => holderOf('bn-kh12'), { timeout: 90_000, interval: 100 }).toBe(other);
    await expect.poll(() => workerPids(server.output).get(owner), { timeout: 90_000, interval: 200 }).not.toBe(ownerPid);
    // Back and ready: a request naming no session goes to the least-loaded worker, the restarted one (no sockets).
    await expect.poll(() => nodeFor(url).catch(() => null), { timeout: 120_000, interval: 200 }).toBe(owner);
    for (let i = 0; i < 4; i++) expect(await nodeFor(url, '?session=bn-kh12')).toBe(other);
    const chair2 = await TestClient.connect(url, await login(url, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), 'bn-kh12', { nameSession: true });
    expect(await chair2.send('attendance.checkIn', { delegateId: 'bn-d002', channel: 'hall' })).toMatchObject({ ok: true });
    await chair2.until((v) => v.attendance?.present === 2, 'two present');
    expect(await holderOf('bn-kh12')).toBe(other);
    chair.close();
    chair2.close();
    admin.disconnect();
  }, 600_000);
});
