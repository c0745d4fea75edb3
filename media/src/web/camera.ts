/**
 * /media/camera.html?session=<id>[&token=…][&source=camera|clock] — publishes the hall feed. `source=clock` sends a
 * painted clock barcode instead of the camera (latency measurements, a test card when no camera is attached).
 */
import { MediaClient } from './media-client.ts';
import { CODE_H, CODE_W, paintClock } from './barcode.ts';
import { connect, page, params, requireParam, setStatus } from './page-common.ts';

async function source(): Promise<MediaStream> {
  if (params.get('source') === 'clock') {
    const canvas = document.getElementById('preview-canvas') as HTMLCanvasElement;
    // `w`/`h` scale the card (measurements at 720p); the barcode reader scales with the displayed size.
    const width = Number(params.get('w') ?? CODE_W);
    const height = Number(params.get('h') ?? CODE_H);
    Object.assign(canvas, { width, height, hidden: false });
    const ctx = canvas.getContext('2d')!;
    ctx.scale(width / CODE_W, height / CODE_H);
    const fps = Number(params.get('fps') ?? 30);
    setInterval(() => paintClock(ctx, Date.now()), 1000 / fps);
    paintClock(ctx, Date.now());
    return canvas.captureStream(fps);
  }
  const width = Number(params.get('w') ?? 1280);
  const height = Number(params.get('h') ?? 720);
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width, height }, audio: params.get('audio') !== '0' });
  const video = document.getElementById('preview') as HTMLVideoElement;
  video.srcObject = stream;
  video.hidden = false;
  return stream;
}

async function main() {
  const sessionId = requireParam('session');
  const socket = connect();
  const client = new MediaClient(socket, sessionId, { loadMediasoupClient: () => import('mediasoup-client') });
  setStatus('Đang kết nối… (connecting)');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e: Error) => reject(e));
  });
  const info = await client.getInfo();
  page.backend = info.backend;
  if (!info.canPublish) throw new Error('Tài khoản này không được phát hình (this account may not publish)');
  const stream = await source();
  // `label` names this camera in the chair's source list ("Máy quay 2 — ban công"); the source name survives a reload
  // of this tab, so the chair's choice of program follows this camera back.
  const label = params.get('label') ?? undefined;
  const sourceName = cameraSourceName();
  let publication = await client.publish(stream, { label, source: sourceName });
  page.publishing = true;
  setStatus(`Đang phát hình (${info.backend}) — publishing`);
  client.onEnded(async (e) => {
    if (e.role !== 'publisher') return;
    setStatus(`Đã dừng: ${e.reason}`);
    page.publishing = false;
  });
  socket.io.on('reconnect', async () => {
    // The server dropped our peer with the old socket; publish again on the new one.
    await publication.close().catch(() => undefined);
    publication = await client.publish(stream, { label, source: sourceName });
    page.publishing = true;
    setStatus(`Đang phát hình (${info.backend}) — publishing`);
  });
}

main().catch((err: Error) => {
  page.errors.push(err.message);
  setStatus(`Lỗi: ${err.message}`);
});

function cameraSourceName(): string {
  const key = 'hall.cameraSource';
  try {
    const known = sessionStorage.getItem(key);
    if (known && /^[A-Za-z0-9_-]{1,40}$/.test(known)) return known;
    const fresh = crypto.randomUUID().slice(0, 8);
    sessionStorage.setItem(key, fresh);
    return fresh;
  } catch {
    return crypto.randomUUID().slice(0, 8);
  }
}
