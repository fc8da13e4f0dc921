// duban's service worker: the application opens without a connection (its shell and
// scripts are kept), so that a clerk on a site with no signal can type a report; the
// report itself waits in the browser until it can be sent (see src/outbox.ts). Data
// (/api/) always comes from the server and is never kept here.
const SHELL = 'duban-shell-v1'

// On install: the page and the scripts and styles it names, so that the next start works
// offline even if the worker did not see the first one; views opened later are kept as
// they are fetched.
self.addEventListener('install', (e) => {
  e.waitUntil(
    (async () => {
      const c = await caches.open(SHELL)
      const page = await fetch('/', { cache: 'no-cache' })
      if (page.ok) {
        const html = await page.clone().text()
        await c.put('/index.html', page)
        const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])
        await c.addAll(assets)
      }
    })().then(() => self.skipWaiting()),
  )
})
self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (e) => {
  const req = e.request
  const url = new URL(req.url)
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return
  if (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/')) {
    // Named by their content: kept once fetched.
    e.respondWith(
      caches.open(SHELL).then(async (c) => {
        const hit = await c.match(req)
        if (hit) return hit
        const res = await fetch(req)
        if (res.ok) c.put(req, res.clone())
        return res
      }),
    )
  } else if (req.mode === 'navigate') {
    // The page from the server when it answers (a new release at once), else the last one.
    e.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) caches.open(SHELL).then((c) => c.put('/index.html', res.clone()))
          return res
        })
        .catch(() => caches.match('/index.html').then((r) => r ?? Response.error())),
    )
  }
})
