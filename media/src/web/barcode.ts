/**
 * A clock painted as a barcode into the picture, for glass-to-glass latency without OCR: the source paints
 * Date.now() (low 32 bits, plus an 8-bit checksum) as 40 black/white cells; a viewer samples the cells from the
 * decoded frame and compares with its own clock (same machine, same clock). Cells are large so VP8/H.264 at any
 * sensible bitrate keeps them readable.
 */
export const CODE_W = 640;
export const CODE_H = 360;
const BITS = 40;
const CELL_W = 14;
const CELL_H = 36;
const X0 = 20;
const Y0 = 12;

function bitsOf(ms: number): number[] {
  const v = ms >>> 0;
  const bytes = [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  const sum = bytes.reduce((a, b) => (a + b) & 0xff, 0) ^ 0x5a;
  const out: number[] = [];
  for (const byte of [...bytes, sum]) for (let i = 7; i >= 0; i--) out.push((byte >> i) & 1);
  return out;
}

/** Paints one frame: the barcode band, a moving bar (so the encoder has motion) and the time as text for people. */
export function paintClock(ctx: CanvasRenderingContext2D, now: number) {
  ctx.fillStyle = '#203040';
  ctx.fillRect(0, 0, CODE_W, CODE_H);
  ctx.fillStyle = '#808080';
  ctx.fillRect(X0 - 8, Y0 - 6, BITS * CELL_W + 16, CELL_H + 12);
  bitsOf(now).forEach((bit, i) => {
    ctx.fillStyle = bit ? '#ffffff' : '#000000';
    ctx.fillRect(X0 + i * CELL_W, Y0, CELL_W, CELL_H);
  });
  const x = (now / 5) % CODE_W;
  ctx.fillStyle = '#c0302a';
  ctx.fillRect(x, 120, 40, 200);
  ctx.fillStyle = '#ffffff';
  ctx.font = '28px monospace';
  ctx.fillText(new Date(now).toISOString().slice(11, 23), 20, 100);
}

/** Reads the barcode from a frame drawn at any size; null when the checksum fails (a frame mid-update, a smear). */
export function readClock(ctx: CanvasRenderingContext2D, width: number, height: number): number | null {
  const sx = width / CODE_W;
  const sy = height / CODE_H;
  const img = ctx.getImageData(0, 0, width, Math.min(height, Math.ceil((Y0 + CELL_H + 4) * sy))).data;
  const bits: number[] = [];
  for (let i = 0; i < BITS; i++) {
    const cx = Math.round((X0 + i * CELL_W + CELL_W / 2) * sx);
    const cy = Math.round((Y0 + CELL_H / 2) * sy);
    let sum = 0;
    let n = 0;
    for (let dy = -2; dy <= 2; dy++)
      for (let dx = -2; dx <= 2; dx++) {
        const o = ((cy + dy) * width + (cx + dx)) * 4;
        sum += 0.299 * img[o]! + 0.587 * img[o + 1]! + 0.114 * img[o + 2]!;
        n++;
      }
    bits.push(sum / n > 128 ? 1 : 0);
  }
  const bytes: number[] = [];
  for (let b = 0; b < 5; b++) bytes.push(bits.slice(b * 8, b * 8 + 8).reduce((a, bit) => (a << 1) | bit, 0));
  const sum = bytes.slice(0, 4).reduce((a, x) => (a + x) & 0xff, 0) ^ 0x5a;
  if (sum !== bytes[4]) return null;
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

/** Latency of a decoded clock value against the local clock, handling the 32-bit wrap. */
export function latencyOf(decoded: number, nowMs: number): number {
  return ((nowMs >>> 0) - decoded + 0x1_0000_0000) % 0x1_0000_0000;
}

/** Calls `onSample(latencyMs)` for each new frame of `video` whose barcode reads. */
export function measureVideo(video: HTMLVideoElement, onSample: (ms: number) => void): () => void {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  let last: number | null = null;
  let stopped = false;
  const sample = (at: number) => {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) return;
    if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
    ctx.drawImage(video, 0, 0, w, h);
    const v = readClock(ctx, w, h);
    if (v === null || v === last) return;
    last = v;
    onSample(latencyOf(v, at));
  };
  // requestVideoFrameCallback fires per presented frame with its display time: no polling error in the figure.
  const rvfc = (video as HTMLVideoElement & { requestVideoFrameCallback?: (cb: (now: number, meta: { expectedDisplayTime: number }) => void) => number }).requestVideoFrameCallback;
  if (rvfc) {
    const loop = (_now: number, meta: { expectedDisplayTime: number }) => {
      if (stopped) return;
      sample(Math.round(performance.timeOrigin + meta.expectedDisplayTime));
      rvfc.call(video, loop);
    };
    rvfc.call(video, loop);
  } else {
    const t = setInterval(() => sample(Date.now()), 20);
    return () => clearInterval(t);
  }
  return () => {
    stopped = true;
  };
}

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
}
