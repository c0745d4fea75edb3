import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// One build is served under /wall/ (hall wall) and /live/ (public page), so asset URLs are relative ('./') and the
// app reads its mode from location.pathname, never from the base.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    rolldownOptions: {
      // core and client-kit are pure modules (core is pure by design, docs/architecture.md), but their packages do not say
      // so; without this the session machine and every schema ship to phones that only read views. CSS keeps its
      // side effects.
      treeshake: {
        moduleSideEffects: (id: string) => !/[\\/](core|client-kit)[\\/]src[\\/].*\.tsx?$/.test(id),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/socket.io': { target: 'http://localhost:8080', ws: true },
    },
  },
});
