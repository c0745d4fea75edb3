/**
 * /media/hls.html?session=<id> (or ?src=<playlist>) — the HLS player (hls.js), the public page's fallback and the
 * test of the packager. `measure=1` collects glass-to-glass latency from the clock barcode.
 */
import Hls from 'hls.js';
import { measureVideo, median } from './barcode.ts';
import { page, params, setStatus } from './page-common.ts';

/** The packager writes the master playlist a second or two after going on air: wait for it rather than fail. */
async function whenAvailable(src: string) {
  for (;;) {
    const ok = await fetch(src, { cache: 'no-store' }).then((r) => r.ok, () => false);
    if (ok) return;
    setStatus('Đang chờ luồng HLS… (waiting for the stream)');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  const src = params.get('src') ?? `/hls/${encodeURIComponent(params.get('session') ?? '')}/master.m3u8`;
  const video = document.getElementById('video') as HTMLVideoElement;
  page.currentTime = () => video.currentTime;
  page.ended = false;
  video.addEventListener('playing', () => setStatus('Đang phát (HLS)'));
  if (params.get('measure') === '1') {
    measureVideo(video, (ms) => {
      page.samples.push(ms);
      page.median = median(page.samples);
    });
  }
  await whenAvailable(src);
  if (!Hls.isSupported()) {
    video.src = src;
    void video.play().catch(() => undefined);
    return;
  }
  const start = () => {
    // Short segments: stay two segments behind the live edge.
    const hls = new Hls({ liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 6 });
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (!data.fatal) return;
      page.errors.push(`${data.type}: ${data.details}`);
      // A restarted packager or a CDN hiccup: start over rather than leave a dead player.
      hls.destroy();
      setTimeout(() => void whenAvailable(src).then(start), 1000);
    });
    hls.on(Hls.Events.LEVEL_LOADED, (_e, data) => {
      if (!data.details.live) page.ended = true;
    });
    hls.loadSource(src);
    hls.attachMedia(video);
    page.hls = hls;
    void video.play().catch(() => undefined);
  };
  start();
}

main().catch((err: Error) => page.errors.push(err.message));
