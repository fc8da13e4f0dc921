import { defineConfig, type Plugin } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { gzipSync } from 'node:zlib'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// Beside each text asset, its gzip: the server sends it to browsers that accept gzip,
// so a slow office line carries a third of the bytes and the server compresses nothing.
function precompress(dir: string): Plugin {
  return {
    name: 'duban-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]))
      for (const f of walk(dir)) {
        if (!/\.(js|css|html|svg|json)$/.test(f)) continue
        const raw = readFileSync(f)
        if (raw.length < 1024) continue
        writeFileSync(`${f}.gz`, gzipSync(raw, { level: 9 }))
      }
    },
  }
}

// Everything is bundled: the UI works offline, from the duban binary, with no CDN.
export default defineConfig({
  plugins: [vue(), precompress('dist')],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' } },
  test: { environment: 'jsdom', include: ['src/**/*.test.ts'] },
})
