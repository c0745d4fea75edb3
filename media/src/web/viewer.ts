/**
 * /media/viewer.html?session=<id>[&token=…][&source=<id>][&measure=1] — plays the WebRTC program feed (or previews one
 * source). With `measure=1` it reads
 * the clock barcode of a `source=clock` camera page and collects glass-to-glass latency samples.
 */
import { MediaClient, MediaError, type Viewing } from './media-client.ts';
import { measureVideo, median } from './barcode.ts';
import { connect, page, params, requireParam, setStatus } from './page-common.ts';

async function main() {
  const sessionId = requireParam('session');
  const socket = connect();
  const client = new MediaClient(socket, sessionId, { loadMediasoupClient: () => import('mediasoup-client') });
  const video = document.getElementById('video') as HTMLVideoElement;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e: Error) => reject(e));
  });
  const info = await client.getInfo();
  page.backend = info.backend;
  let viewing: Viewing | null = null;
  const start = async () => {
    try {
      // `source=<id>`: a staff preview of one source instead of the program.
      const source = params.get('source');
      viewing = await client.view(source ? { source } : {});
      video.srcObject = viewing.stream;
      page.viewing = true;
      setStatus(`Đang xem (${info.backend}) — watching`);
    } catch (err) {
      page.viewing = false;
      if (err instanceof MediaError) {
        page.refusal = { code: err.code, hls: err.hls };
        setStatus(err.hls ? `${err.message} → ${err.hls}` : err.message);
      } else throw err;
    }
  };
  page.stats = async () => (viewing ? viewing.videoStats() : null);
  client.onEnded(() => {
    page.viewing = false;
    page.ended = true;
    video.srcObject = null;
    setStatus('Đã ngừng phát (ended)');
  });
  if (params.get('measure') === '1') {
    measureVideo(video, (ms) => {
      page.samples.push(ms);
      page.median = median(page.samples);
    });
  }
  await start();
}

main().catch((err: Error) => {
  page.errors.push(err.message);
  setStatus(`Lỗi: ${err.message}`);
});
