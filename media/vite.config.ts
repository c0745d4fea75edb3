/** The media pages (camera, WebRTC viewer, HLS player) as a small multi-page build served by the server at /media/. */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('./src/web/', import.meta.url));

export default defineConfig({
  root: web,
  // Relative asset URLs: the pages work under /media/ on the server and from any static server in tests.
  base: './',
  build: {
    outDir: fileURLToPath(new URL('./dist-web/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // hls.js is one big chunk; it is only loaded by the HLS page.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: { camera: `${web}camera.html`, viewer: `${web}viewer.html`, hls: `${web}hls.html` },
    },
  },
});
