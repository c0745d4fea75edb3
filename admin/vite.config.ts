import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by the Hall server under /admin/ (server/src/routes/static.ts, with deep links falling back to index.html).
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    rolldownOptions: {
      // core and client-kit are pure modules: without this the session machine and every schema ship to phones.
      treeshake: {
        moduleSideEffects: (id: string) => !/[\\/](core|client-kit)[\\/]src[\\/].*\.tsx?$/.test(id),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://localhost:8080', '/socket.io': { target: 'http://localhost:8080', ws: true } },
  },
});
