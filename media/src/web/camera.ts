/**
 * /media/camera.html?session=<id>[&token=…][&source=camera|clock] — publishes the hall feed. `source=clock` sends a
 * painted clock barcode instead of the camera (latency measurements, a test card when no camera is attached).
 *
 * The page keeps publishing on its own, because nobody watches it during a sitting: it notices when it stopped
 * being the hall feed and says so (in Vietnamese first), then publishes again by itself —
 *  - the connection to the server dropped (socket reconnect), or the WebRTC connection failed or closed;
 *  - the server no longer has this page's ingest (`media:state` says no signal: the hub lost or dropped it);
 *  - the camera itself stopped (unplugged: the track ended) — it is opened again;
 *  - another device took this camera over (it published under the same source name; the newest publisher always
 *    wins, `media:ended` "replaced"): it says so, waits without fighting back, and publishes again by itself as soon
 *    as that source is gone (checked on every `media:state` and every few seconds) — or at once, taking the camera
 *    back, with the "Phát lại từ máy này" button.
 * Retries back off from 1 s to 15 s while they fail.
 */
import { MediaClient, type Publication } from './media-client.ts';
import { CODE_H, CODE_W, paintClock } from './barcode.ts';
import { connect, page, params, requireParam, setStatus } from './page-common.ts';

async function openSource(): Promise<MediaStream> {
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

type Why = 'connectionLost' | 'ingestLost' | 'cameraLost' | 'failed';

const LOST: Record<Why, string> = {
  connectionLost: 'Mất kết nối tới máy chủ — đang phát lại… (connection lost — publishing again)',
  ingestLost: 'Máy chủ không còn nhận hình từ máy này — đang phát lại… (the server lost this feed — publishing again)',
  cameraLost: 'Camera bị ngắt — đang mở lại camera… (the camera stopped — opening it again)',
  failed: 'Chưa phát được — đang thử lại… (publishing failed — retrying)',
};
const REPLACED =
  'Một máy khác đã nhận phát hình thay máy này — máy này sẽ tự phát lại khi máy kia dừng. (Another device took over this camera; this one publishes again when it stops.)';
/** How often a page another device took over checks whether the camera is free again. */
const FREE_CHECK_MS = 3000;

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

  // `label` names this camera in the chair's source list ("Máy quay 2 — ban công"); the source name survives a reload
  // of this tab, so the chair's choice of program follows this camera back.
  const label = params.get('label') ?? undefined;
  const sourceName = cameraSourceName();
  let stream = await openSource();
  let publication: Publication | null = null;
  /** Bumped per attempt: an older attempt's late result is thrown away. */
  let attempt = 0;
  let replaced = false;
  let freeCheck: ReturnType<typeof setInterval> | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  page.republished = 0;
  page.lost = null;

  const takeOverButton = document.getElementById('take-over') as HTMLButtonElement;
  /** Publishing again after another device had the camera: by the button (taking it back) or once it is free. */
  const takeOver = () => {
    if (!replaced) return;
    replaced = false;
    if (freeCheck) clearInterval(freeCheck);
    freeCheck = null;
    takeOverButton.hidden = true;
    republish('ingestLost', 0);
  };
  takeOverButton.addEventListener('click', takeOver);
  /** Other cameras and encoders keep the broadcast live, so only this source's own absence frees the camera. */
  const takeOverIfFree = () => {
    if (!replaced || !socket.connected) return;
    void client.getInfo(sourceName).then(
      (now) => now.sourceLive === false && takeOver(),
      () => undefined,
    );
  };

  const watchTrack = (s: MediaStream) => {
    for (const t of s.getTracks()) t.addEventListener('ended', () => s === stream && republish('cameraLost', 0));
  };
  watchTrack(stream);

  const publish = async () => {
    const mine = ++attempt;
    if (stream.getTracks().some((t) => t.readyState === 'ended')) {
      for (const t of stream.getTracks()) t.stop();
      stream = await openSource();
      watchTrack(stream);
    }
    const p = await client.publish(stream, { label, source: sourceName });
    if (mine !== attempt) return void (await p.close().catch(() => undefined));
    publication = p;
    p.pc?.addEventListener('connectionstatechange', () => {
      if (publication === p && (p.pc!.connectionState === 'failed' || p.pc!.connectionState === 'closed')) recover();
    });
    failures = 0;
    page.publishing = true;
    page.lost = null;
    setStatus(`Đang phát hình (${info.backend}) — publishing`);
  };

  /** Stops what is left of the old publication and publishes again after `delayMs` (backing off while it fails). */
  function republish(why: Why, delayMs: number) {
    if (replaced) return;
    page.publishing = false;
    page.lost = why;
    setStatus(LOST[why]);
    const old = publication;
    publication = null;
    attempt++;
    void old?.close().catch(() => undefined);
    if (retry) clearTimeout(retry);
    retry = setTimeout(() => {
      retry = null;
      if (!socket.connected) return; // the reconnect handler publishes
      publish().then(
        () => {
          page.republished = (page.republished as number) + 1;
        },
        (err: Error) => {
          page.errors.push(err.message);
          failures++;
          republish('failed', Math.min(15_000, 1000 * 2 ** Math.min(failures - 1, 4)));
        },
      );
    }, delayMs);
  }

  /** Another source has the feed: two sources must not take it from each other in turn, so this one waits. */
  function waitReplaced() {
    const old = publication;
    publication = null;
    attempt++;
    if (retry) clearTimeout(retry);
    retry = null;
    void old?.close().catch(() => undefined);
    replaced = true;
    page.publishing = false;
    page.lost = 'replaced';
    takeOverButton.hidden = false;
    setStatus(REPLACED);
    if (!freeCheck) freeCheck = setInterval(takeOverIfFree, FREE_CHECK_MS);
  }

  /**
   * The connection to the hub ended without a word: publish again. Other cameras and encoders are sources of their
   * own, so a live program says nothing about this page; publishing under the same source name replaces only our
   * own stale source (and keeps the chair's choice of program).
   */
  function recover() {
    page.publishing = false;
    page.lost = 'connectionLost';
    setStatus(LOST.connectionLost);
    const old = publication;
    publication = null;
    void old?.close().catch(() => undefined);
    republish('connectionLost', 0);
  }

  client.onEnded((e) => {
    if (e.role !== 'publisher') return;
    if (e.reason === 'replaced') return waitReplaced();
    republish('ingestLost', 1000);
  });

  client.onState((s) => {
    if (replaced) return takeOverIfFree();
    if (s.live || !publication) return;
    // The hub says no ingest while this page thinks it publishes: ask again (a state computed before our offer
    // may still be on its way), then publish anew.
    const p = publication;
    void client.getInfo().then(
      (now) => !now.live && publication === p && republish('ingestLost', 0),
      () => undefined,
    );
  });

  socket.on('disconnect', (reason: string) => {
    // A server-side disconnect (a restart's shutdown, an operator) is not retried by socket.io itself.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1000);
    if (replaced) return;
    page.publishing = false;
    page.lost = 'connectionLost';
    setStatus(LOST.connectionLost);
  });
  // Registered after the first connection: fires on every reconnection (the manager's own, or ours above). The
  // server dropped this page's peer and its media room with the old connection.
  socket.on('connect', () => {
    if (replaced) return takeOverIfFree();
    recover();
  });

  await publish();
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
