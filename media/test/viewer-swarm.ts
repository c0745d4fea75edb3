/**
 * N Node WebRTC viewers in their own process (so the hub's process CPU is measured alone):
 *   tsx viewer-swarm.ts <serverUrl> <sessionId> <count>
 * Prints one JSON line per second: {"viewers":n,"videoPackets":total}.
 */
import { io } from 'socket.io-client';
import { NodeViewer } from './node-viewer.ts';

const [url, sessionId, countArg] = process.argv.slice(2);
const viewers: NodeViewer[] = [];
for (let i = 0; i < Number(countArg); i++) {
  const socket = io(url!, { transports: ['websocket'], auth: { token: 'chair' } });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const { viewer, ack } = await NodeViewer.join(socket, sessionId!);
  if (!viewer) throw new Error(JSON.stringify(ack));
  viewers.push(viewer);
}
setInterval(() => console.log(JSON.stringify({ viewers: viewers.length, videoPackets: viewers.reduce((a, v) => a + v.packets.video, 0) })), 1000);
process.on('SIGTERM', async () => {
  for (const v of viewers) await v.close().catch(() => undefined);
  process.exit(0);
});
