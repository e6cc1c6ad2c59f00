// The dashboard's web app (web/): built by `npm run build` / `prepare` into dist/web, which
// `toymodels serve` serves. Relative asset URLs (base './') so the app works under any path.
// For work on the app itself, `npm run dev:web` serves it with live reload and passes /api to a
// running `toymodels serve` (TOYMODELS_API, default http://127.0.0.1:8137).
// `vite build --mode playground` (`npm run build:playground`) builds the playground alone
// (web/playground/) into dist/playground: a static folder that needs no server.
import { defineConfig } from 'vite';

export default defineConfig(({ mode }) => ({
  root: mode === 'playground' ? 'web/playground' : 'web',
  base: './',
  logLevel: 'warn',
  build: {
    outDir: mode === 'playground' ? '../../dist/playground' : '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // vega + vega-lite are one large chunk by nature; the app itself is small.
    chunkSizeWarningLimit: 2500,
    reportCompressedSize: false,
    rollupOptions: {
      // onnxruntime-web in a chunk of its own: its WebAssembly threads are workers that load the
      // module they came from, which must not be the app (workers have no document).
      output: { manualChunks: (id: string) => (id.includes('/onnxruntime-web/') ? 'ort' : undefined) },
    },
  },
  server: {
    // The app imports the shared figure definitions from ../src/figures.
    fs: { allow: ['..'] },
    proxy: { '/api': { target: process.env.TOYMODELS_API ?? 'http://127.0.0.1:8137', changeOrigin: true } },
  },
}));
