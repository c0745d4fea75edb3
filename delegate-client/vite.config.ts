import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by the Hall server under /delegate/; in development Vite proxies the API and the socket to it.
const target = 'http://localhost:8080';

export default defineConfig({
  base: '/delegate/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    // pdf.js is loaded on demand (documents/pdf.ts); its worker is emitted as a separate file.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/socket.io': { target, ws: true, changeOrigin: false },
    },
  },
});
