import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by the Hall server under /chair/ (server/src/routes/static.ts); in dev, Vite proxies the API and the socket.
export default defineConfig({
  base: '/chair/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    // The libraries (React, XState, zod, Socket.IO, i18next) change less often than the console: their own chunk stays
    // cached in the hall's browsers across console releases.
    rolldownOptions: {
      output: {
        advancedChunks: {
          groups: [
            {
              name: 'vendor',
              // mediasoup-client (and what only it uses) is loaded lazily, only where the server runs mediasoup.
              test: (id: string) =>
                /node_modules|[\\/]core[\\/]src|[\\/]client-kit[\\/]src/.test(id) &&
                !/[\\/]\.pnpm[\\/](mediasoup-client|awaitqueue|fake-mediastreamtrack|h264-profile-level-id|sdp-transform|events|debug|ms|supports-color)@/.test(id) &&
                // Chart.js only draws the records area's statistics, which is loaded when that tab is first opened.
                !/[\\/]\.pnpm[\\/](chart\.js|react-chartjs-2|@kurkle\+color)@/.test(id),
            },
          ],
        },
      },
    },
    chunkSizeWarningLimit: 700,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://localhost:8080',
      '/socket.io': { target: 'http://localhost:8080', ws: true },
    },
  },
});
