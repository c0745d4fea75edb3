/**
 * [HUB-10] WeriftHub with a remote speaker as one more source of the session's program (hybrid sittings): two RTP
 * ingests of different sizes in one broadcast — the hall (320×180) and the remote speaker (480×270, source
 * `REMOTE_SPEAKER_SOURCE`). The remote speaker goes on the program viewers at once while a `feed: 'hall'` viewer keeps
 * the hall; a pin puts the hall back, `null` the automatic rules, and the hall returns when the speaker's source ends.
 * Which source a viewer gets is read from the VP8 keyframes it receives (their size), with Node werift viewers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import { WeriftHub } from '../src/werift-hub.ts';
import { filterCandidates, frameInfo, isLoopback } from '../src/rtp-util.ts';
import type { PeerRef } from '../src/hub.ts';
import { REMOTE_SPEAKER_SOURCE } from '../src/wire.ts';
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
  it('[HUB-10] the remote speaker goes on the program viewers, a hall viewer keeps the hall, a pin and its end bring the hall back', { timeout: 180_000 }, async () => {
    hub = await WeriftHub.create({ announcedAddresses: ['127.0.0.1'], acceptRemoteAddress: isLoopback });
    await hub.createBroadcast('s');
    const hall = await hub.ingestRtp('s', { audio: false });
    // A keyframe every second (-g = fps): each switch shows within a second of packets.
    ffmpegTestSource({ video: hall.ffmpegOutput('video') }, '320x180', 20);

    const program = await SizeViewer.join(hub, 's', { peerId: 'program', role: 'viewer', audience: 'public' });
    const hallOnly = await SizeViewer.join(hub, 's', { peerId: 'speaker-view', role: 'viewer', audience: 'delegate', feed: 'hall' });
    await waitUntil('both see the hall', () => [program.width, hallOnly.width], ([a, b]) => a === 320 && b === 320, 60_000);

    const remote = await hub.ingestRtp('s', { audio: false, sourceId: REMOTE_SPEAKER_SOURCE });
    ffmpegTestSource({ video: remote.ffmpegOutput('video') }, '480x270', 20);
    await waitUntil('the program shows the remote speaker', () => program.width, (w) => w === 480, 60_000);
    expect(hub.stats('s')!.programSourceId).toBe(REMOTE_SPEAKER_SOURCE);
    // The hall viewer still gets only the hall while the program shows the remote speaker.
    await new Promise((r) => setTimeout(r, 1500));
    expect(hallOnly.width).toBe(320);

    await expect(hub.pinProgram('s', 'rtp-nope')).rejects.toThrow(/no source/);
    await hub.pinProgram('s', hall.sourceId);
    expect(hub.stats('s')!.pinnedProgramSourceId).toBe(hall.sourceId);
    await waitUntil('the pinned hall on the program', () => program.width, (w) => w === 320, 60_000);

    await hub.pinProgram('s', null);
    await waitUntil('automatic: the remote speaker again', () => program.width, (w) => w === 480, 60_000);
    expect(hallOnly.width).toBe(320);

    // The floor moves on: the speaker's source ends and the hall is straight back.
    await hub.stopIngest('s', REMOTE_SPEAKER_SOURCE);
    expect(hub.stats('s')!.programSourceId).toBe(hall.sourceId);
    await waitUntil('the hall after the source ended', () => program.width, (w) => w === 320, 60_000);
    await program.pc.close();
    await hallOnly.pc.close();
  });
});
