/**
 * A WebRTC viewer in Node (werift) speaking the `sdp` flavor over a socket.io-client socket — for server tests that
 * need "does this audience get video?" without a browser. Counts the RTP packets it receives.
 */
import { RTCPeerConnection, type RtpPacket } from 'werift';
import type { Socket } from 'socket.io-client';
import { filterCandidates, isLoopback } from '../src/rtp-util.ts';
import type { MediaSignalAck } from '../src/wire.ts';

export class NodeViewer {
  packets = { video: 0, audio: 0 };
  ended: string | null = null;
  /** Every received packet, for tests that look at sequence numbers and keyframes. */
  onRtp: ((kind: 'video' | 'audio', rtp: RtpPacket) => void) | null = null;
  private constructor(
    readonly pc: RTCPeerConnection,
    private readonly socket: Socket,
  ) {}

  static async join(socket: Socket, sessionId: string, options: { source?: string } = {}): Promise<{ viewer: NodeViewer | null; ack: MediaSignalAck }> {
    return (await NodeViewer.prepare(socket, sessionId, options)).send();
  }

  /** Gathers the offer without sending it, so a test can send many offers at the same moment. */
  static async prepare(socket: Socket, sessionId: string, options: { source?: string } = {}): Promise<{ send(): Promise<{ viewer: NodeViewer | null; ack: MediaSignalAck }> }> {
    // max-bundle: werift as offerer otherwise keeps the unbundled audio transport's sockets open after close().
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceAdditionalHostAddresses: ['127.0.0.1'], iceInterfaceAddresses: { udp4: '127.0.0.1' }, iceUseIpv6: false });
    const viewer = new NodeViewer(pc, socket);
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => {
        viewer.packets[track.kind as 'video' | 'audio']++;
        viewer.onRtp?.(track.kind as 'video' | 'audio', rtp);
      }),
    );
    socket.on('media:ended', (e: { sessionId: string; reason: string }) => {
      if (e.sessionId === sessionId) viewer.ended = e.reason;
    });
    await pc.setLocalDescription(await pc.createOffer());
    if (pc.iceGatheringState !== 'complete') await new Promise<void>((r) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && r()));
    const sdp = filterCandidates(pc.localDescription!.sdp, isLoopback);
    return {
      async send() {
        const request = { sessionId, role: 'viewer', message: { type: 'offer', sdp }, ...(options.source ? { source: options.source } : {}) };
        const ack = (await socket.timeout(60_000).emitWithAck('media:signal', request)) as MediaSignalAck;
        if (!ack.ok || ack.reply.type !== 'answer') {
          await pc.close();
          return { viewer: null, ack };
        }
        await pc.setRemoteDescription({ type: 'answer', sdp: ack.reply.sdp });
        return { viewer, ack };
      },
    };
  }

  async close() {
    await this.pc.close();
  }
}
