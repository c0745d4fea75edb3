/**
 * [HUB-10] WeriftHub's program source (hybrid sittings): two RTP ingests of different sizes — the hall (320×180) into
 * the session's broadcast, a remote speaker (480×270) into `<session>.remote`. `setProgramSource` puts the remote one
 * on the program viewers while a `feed: 'hall'` viewer keeps the hall; null puts the hall back. Which source a viewer
 * gets is read from the VP8 keyframes it receives (their size), with Node werift viewers; no browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import { WeriftHub } from '../src/werift-hub.ts';
import { filterCandidates, frameInfo, isLoopback } from '../src/rtp-util.ts';
import type { PeerRef } from '../src/hub.ts';
import { ffmpegTestSource, killTestProcesses, ownUdpSockets, waitUntil } from './support.ts';

class SizeViewer {
  /** Width of the last keyframe received. */
  width = 0;
  private constructor(readonly pc: RTCPeerConnection) {}

  static async join(hub: WeriftHub, broadcastId: string, peer: PeerRef) {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceAdditionalHostAddresses: ['127.0.0.1'], iceInterfaceAddresses: { udp4: '127.0.0.1' }, iceUseIpv6: false });
    const viewer = new SizeViewer(pc);
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => {
        const info = frameInfo('VP8', rtp.serialize());
        if (info.width) viewer.width = info.width;
      }),
    );
    await pc.setLocalDescription(await pc.createOffer());
    if (pc.iceGatheringState !== 'complete') await new Promise<void>((r) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && r()));
    const reply = await hub.signal(broadcastId, peer, { type: 'offer', sdp: filterCandidates(pc.localDescription!.sdp, isLoopback) });
    if (reply.type !== 'answer') throw new Error(`unexpected ${reply.type}`);
    await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
    return viewer;
  }
}

let hub: WeriftHub;
let udpBefore: Set<string>;

beforeAll(() => {
  udpBefore = new Set(ownUdpSockets().map((s) => s.inode));
});

afterAll(async () => {
  await killTestProcesses();
  await hub?.close();
  await waitUntil('UDP sockets released', () => ownUdpSockets().filter((s) => !udpBefore.has(s.inode)), (left) => left.length === 0, 15_000);
}, 60_000);

describe('program source', () => {
  it('[HUB-10] a remote source goes on the program viewers, a hall viewer keeps the hall, and the hall comes back', { timeout: 180_000 }, async () => {
    hub = await WeriftHub.create({ announcedAddresses: ['127.0.0.1'], acceptRemoteAddress: isLoopback });
    await hub.createBroadcast('s');
    await hub.createBroadcast('s.remote');
    await expect(hub.setProgramSource('s', 's')).rejects.toThrow(/own program source/);
    const hall = await hub.ingestRtp('s', { audio: false });
    const remote = await hub.ingestRtp('s.remote', { audio: false });
    // A keyframe every second (-g = fps): each switch shows within a second of packets.
    ffmpegTestSource({ video: hall.ffmpegOutput('video') }, '320x180', 20);
    ffmpegTestSource({ video: remote.ffmpegOutput('video') }, '480x270', 20);

    const program = await SizeViewer.join(hub, 's', { peerId: 'program', role: 'viewer', audience: 'public' });
    const hallOnly = await SizeViewer.join(hub, 's', { peerId: 'speaker-view', role: 'viewer', audience: 'delegate', feed: 'hall' });
    await waitUntil('both see the hall', () => [program.width, hallOnly.width], ([a, b]) => a === 320 && b === 320, 60_000);

    await hub.setProgramSource('s', 's.remote');
    expect(hub.stats('s')!.programSource).toBe('s.remote');
    await waitUntil('the program shows the remote source', () => program.width, (w) => w === 480, 60_000);
    // The hall viewer still gets only the hall while the program shows the remote speaker.
    await new Promise((r) => setTimeout(r, 1500));
    expect(hallOnly.width).toBe(320);

    await hub.setProgramSource('s', null);
    expect(hub.stats('s')!.programSource).toBeNull();
    await waitUntil('the program shows the hall again', () => program.width, (w) => w === 320, 60_000);

    // Closing the source's broadcast returns the program to the hall's own ingest.
    await hub.setProgramSource('s', 's.remote');
    await waitUntil('the remote source again', () => program.width, (w) => w === 480, 60_000);
    await hub.closeBroadcast('s.remote');
    expect(hub.stats('s')!.programSource).toBeNull();
    await waitUntil('the hall after the source closed', () => program.width, (w) => w === 320, 60_000);
    await program.pc.close();
    await hallOnly.pc.close();
  });
});
