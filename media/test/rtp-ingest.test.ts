/**
 * RTP ingest is closed to injection (issue 12 §7): ports on the configured address (loopback by default), ffmpeg
 * strings that name a reachable address, and only the registered source address + SSRC reach viewers and taps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { io, type Socket } from 'socket.io-client';
import { WeriftHub } from '../src/werift-hub.ts';
import { RtpIngestGate, rtpIngestAddresses } from '../src/rtp-ingest.ts';
import { bindUdp, closeUdp } from '../src/rtp-util.ts';
import { NodeViewer } from './node-viewer.ts';
import { ffmpegTestSource, killTestProcesses, ownUdpSockets, startServer, tmpDir, waitUntil, type TestServer } from './support.ts';

const MARK = Buffer.from('INJECTED-BY-AN-ATTACKER');

/** A VP8-looking RTP packet (payload type, SSRC as given) whose payload carries MARK. */
function packet(payloadType: number, ssrc: number, seq: number) {
  const b = Buffer.alloc(12 + 1 + MARK.length);
  b[0] = 0x80;
  b[1] = payloadType;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 3000, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  b[12] = 0x10; // VP8 descriptor: start of partition
  MARK.copy(b, 13);
  return b;
}

describe('RTP ingest addresses and gate', () => {
  it('[RTP-1] loopback by default; listening on all interfaces announces a reachable address, never 0.0.0.0', () => {
    expect(rtpIngestAddresses({})).toEqual({ listenIp: '127.0.0.1', announcedIp: '127.0.0.1' });
    expect(rtpIngestAddresses({ rtpListenIp: '0.0.0.0', announcedAddresses: ['192.168.1.20'] })).toEqual({ listenIp: '0.0.0.0', announcedIp: '192.168.1.20' });
    expect(rtpIngestAddresses({ rtpListenIp: '0.0.0.0', rtpAnnouncedIp: 'encoder-lan.hall.vn' }).announcedIp).toBe('encoder-lan.hall.vn');
    expect(rtpIngestAddresses({ rtpListenIp: '0.0.0.0' }).announcedIp).toBe('127.0.0.1');
    expect(rtpIngestAddresses({ rtpListenIp: '10.0.0.5' })).toEqual({ listenIp: '10.0.0.5', announcedIp: '10.0.0.5' });
  });

  it('[RTP-2] the gate takes the registered address and SSRC only; without a registration the first sender is kept', () => {
    const expected = { video: { ssrc: 1234, payloadType: 96 } };
    const registered = new RtpIngestGate(expected, '10.0.0.9');
    expect(registered.accept('video', packet(96, 1234, 1), '10.0.0.8')).toBe(false);
    expect(registered.accept('video', packet(96, 99, 1), '10.0.0.9')).toBe(false);
    expect(registered.accept('video', packet(97, 1234, 1), '10.0.0.9')).toBe(false);
    expect(registered.accept('audio', packet(96, 1234, 1), '10.0.0.9')).toBe(false);
    expect(registered.accept('video', packet(96, 1234, 1).subarray(0, 8), '10.0.0.9')).toBe(false);
    expect(registered.accept('video', packet(96, 1234, 1), '::ffff:10.0.0.9')).toBe(true);
    expect(registered.counters.video).toEqual({ accepted: 1, rejected: 4 });
    const first = new RtpIngestGate(expected);
    expect(first.accept('video', packet(96, 1234, 1), '10.0.0.7')).toBe(true);
    expect(first.sourceAddress).toBe('10.0.0.7');
    expect(first.accept('video', packet(96, 1234, 2), '10.0.0.8')).toBe(false);
  });
});

describe('RTP injection never reaches viewers', () => {
  let hub: WeriftHub;
  let server: TestServer;
  let udpBefore: Set<string>;
  const sockets: Socket[] = [];
  const udp: UdpSocket[] = [];

  beforeAll(async () => {
    udpBefore = new Set(ownUdpSockets().map((s) => s.inode));
    hub = await WeriftHub.create({});
    server = await startServer(hub, await tmpDir('rtp-inject'));
  });

  afterAll(async () => {
    await killTestProcesses();
    for (const s of sockets) s.disconnect();
    for (const s of udp) await closeUdp(s);
    await server.close();
    await hub.close();
    await waitUntil('UDP sockets released', () => ownUdpSockets().filter((s) => !udpBefore.has(s.inode)), (left) => left.length === 0, 10_000);
  });

  it('[RTP-3] packets from another address or with another SSRC reach neither a WebRTC viewer nor a tap; the encoder does', async () => {
    await hub.createBroadcast('inj');
    const ingest = await hub.ingestRtp('inj', { source: '127.0.0.1' });
    const video = ingest.endpoints.find((e) => e.kind === 'video')!;
    expect(video.ip).toBe('127.0.0.1');
    expect(ingest.ffmpegOutput('video').join(' ')).not.toContain('0.0.0.0');

    const socket = io(server.url, { transports: ['websocket'], auth: { token: 'chair' } });
    sockets.push(socket);
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const { viewer } = await NodeViewer.join(socket, 'inj');
    expect(viewer).not.toBeNull();
    await waitUntil('viewer connected', () => viewer!.pc.connectionState, (s) => s === 'connected', 30_000);

    // A tap, as the packager has: read what it forwards and look for the attacker's mark.
    const tap = await hub.tap('inj', { audio: false });
    const tapPort = Number(/m=video (\d+)/.exec(tap.sdp)![1]);
    const tapSocket = await bindUdp('127.0.0.1', tapPort);
    udp.push(tapSocket);
    let tapPackets = 0;
    let tapMarked = 0;
    tapSocket.on('message', (m) => {
      tapPackets++;
      if (m.includes(MARK)) tapMarked++;
    });

    // The attacker: the right SSRC and payload type from another address, and the wrong SSRC from this one.
    const elsewhere = await bindUdp('127.0.0.2');
    const here = await bindUdp('127.0.0.1');
    udp.push(elsewhere, here);
    for (let i = 0; i < 200; i++) {
      elsewhere.send(packet(video.payloadType, video.ssrc, i), video.port, '127.0.0.1');
      here.send(packet(video.payloadType, video.ssrc ^ 0x5a5a, i), video.port, '127.0.0.1');
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await waitUntil('all injected packets refused', () => hub.stats('inj')!.ingest!.rejectedPackets ?? 0, (n) => n >= 400, 15_000);
    expect(hub.stats('inj')!.ingest!.video.packets).toBe(0);
    expect(viewer!.packets.video).toBe(0);
    expect(tapPackets).toBe(0);

    // The registered encoder gets through to the same viewer and tap.
    const source = ffmpegTestSource({ video: ingest.ffmpegOutput('video') });
    try {
      await waitUntil('viewer receives the encoder', () => viewer!.packets.video, (n) => n > 50, 30_000);
      await waitUntil('tap receives the encoder', () => tapPackets, (n) => n > 50, 10_000);
      // Injection while the encoder runs is still refused.
      const rejected = hub.stats('inj')!.ingest!.rejectedPackets ?? 0;
      for (let i = 0; i < 100; i++) elsewhere.send(packet(video.payloadType, video.ssrc, 40_000 + i), video.port, '127.0.0.1');
      await waitUntil('injection refused while live', () => hub.stats('inj')!.ingest!.rejectedPackets ?? 0, (n) => n >= rejected + 100, 15_000);
      expect(tapMarked).toBe(0);
    } finally {
      source.kill('SIGKILL');
      await tap.close();
      await viewer!.close();
    }
  }, 120_000);
});
