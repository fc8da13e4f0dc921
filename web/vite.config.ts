import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Everything is bundled: the UI works offline, from the duban binary, with no CDN.
export default defineConfig({
  plugins: [vue()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' } },
  test: { environment: 'jsdom', include: ['src/**/*.test.ts'] },
})
