// The end-to-end harness: one real duban server with a generated data set on a random
// loopback port, one headless Chromium, and the helpers every spec uses (sign-in, the
// tests' own API session, layout checks). Specs in specs/ import what they need from
// here; run.mjs runs them in the order of their names.
// Screenshots of every page visited go to web/test-results/screenshots/.
import { chromium } from 'playwright-core'
import { spawn, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServer } from 'node:net'
import { createHmac } from 'node:crypto'

export const root = resolve(import.meta.dirname, '../..')
export const bin = process.env.DUBAN_BIN ?? join(root, 'target/debug/duban')
export const shots = join(root, 'web/test-results/screenshots')
rmSync(shots, { recursive: true, force: true })
mkdirSync(shots, { recursive: true })

const freePort = () => new Promise((ok) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)) }) })

export const dir = mkdtempSync(join(tmpdir(), 'duban-e2e-'))
export const db = `sqlite://${dir}/e2e.sqlite`
execFileSync(bin, ['--log', 'warn', 'gen', '--projects', '500', '--seed', '5', '--as-of', '2025-10', '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] })
// The first supervisor, created on the console; the UI makes them change the password.
const added = execFileSync(bin, ['--log', 'warn', 'user', 'add', 'e2e-sup', '--role', 'supervisor', '--unit', 'XJBT', '--scope', 'all', '--name', '督办处张三', '--db', db]).toString()
export const initialPassword = added.match(/initial password[^:]*: (\S+)/)[1]
export const password = 'Kx7-harbor-lamp'
const port = await freePort()
const server = spawn(bin, ['--log', 'warn', 'serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
export const base = `http://127.0.0.1:${port}`
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/healthz`)).ok) break } catch {}
  if (i > 100) throw new Error('server did not start')
  await new Promise((r) => setTimeout(r, 100))
}

export const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
let passed = 0, failed = 0
export async function test(name, fn) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  // What the server refused or never answered, said when the test fails.
  const refused = []
  page.on('response', (r) => { if (r.status() >= 400 && r.url().includes('/api/')) refused.push(`${r.status()} ${r.request().method()} ${r.url().replace(base, '')}`) })
  page.on('requestfailed', (r) => { if (r.url().includes('/api/')) refused.push(`failed (${r.failure()?.errorText}) ${r.method()} ${r.url().replace(base, '')}`) })
  try {
    await fn(page)
    if (errors.length) throw new Error('page errors: ' + errors.join('; '))
    passed++
    console.log(`ok - ${name}`)
  } catch (e) {
    failed++
    console.log(`FAILED - ${name}: ${e.stack ?? e}`)
    console.log(`  at ${page.url()}; the API's refusals: ${refused.slice(-10).join(' | ') || 'none'}`)
    const text = await page.locator('body').innerText({ timeout: 2000 }).catch(() => '')
    console.log(`  the page says: ${text.replace(/\s+/g, ' ').slice(0, 400)}`)
    await page.screenshot({ path: join(shots, `FAILED-${name.replace(/\W+/g, '_')}.png`) }).catch(() => {})
  } finally {
    await page.close()
  }
}
export const expectEq = (a, b, what) => { if (a !== b) throw new Error(`${what}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`) }

// The tests' own view of the API, signed in on the Node side.
let cookie = ''
let csrf = ''
export async function api(path) {
  const r = await fetch(base + path, { headers: { Cookie: cookie }, signal: AbortSignal.timeout(60000) })
  if (!r.ok) throw new Error(`${path}: ${r.status}`)
  return r.json()
}
export async function apiSend(method, path, body, type = 'application/json') {
  const r = await fetch(base + path, { method, headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': type }, body: type === 'application/json' ? JSON.stringify(body) : body, signal: AbortSignal.timeout(60000) })
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
  return r.json()
}
export async function apiLogin() {
  const r = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'e2e-sup', password }) })
  if (!r.ok) throw new Error('API login failed: ' + r.status + ' ' + await r.text())
  cookie = r.headers.get('set-cookie').split(';')[0]
  csrf = (await r.json()).csrf_token
}
// No page may scroll sideways: everything fits the window.
export async function fitsWidth(page, what) {
  const [sw, w] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth])
  if (sw > w + 1) throw new Error(`${what}: ${sw}px wide in a ${w}px window`)
}
// The second factor of the accounts whose role requires one (administrators and
// auditors): the key shown at set-up, the recovery codes, the last time step used.
const factors = new Map()
function totpAt(key, step) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const ch of key.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0')
  const bytes = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)))
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(step))
  const h = createHmac('sha1', bytes).update(msg).digest()
  const o = h[h.length - 1] & 15
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0')
}
// A code for the next sign-in of an account with a second factor: the app's code of a
// time step not used yet, or (inside the same 30 s) one of the recovery codes.
export { totpAt }
export function secondFactor(user) {
  const f = factors.get(user)
  if (!f) return null
  const step = Math.floor(Date.now() / 30000)
  if (step > f.last) {
    f.last = step
    return totpAt(f.key, step)
  }
  return f.codes.shift()
}
export async function enrol(page, user) {
  const key = (await page.locator('[data-test=totp-secret]').textContent()).trim()
  const step = Math.floor(Date.now() / 30000)
  await page.locator('input[data-test=totp-code], [data-test=totp-code] input').fill(totpAt(key, step))
  await page.locator('[data-test=totp-confirm]').click()
  await page.locator('[data-test=recovery-codes] li').first().waitFor()
  const codes = (await page.locator('[data-test=recovery-codes] li').allTextContents()).map((c) => c.trim())
  factors.set(user, { key, codes, last: step })
  await page.locator('[data-test=codes-saved]').click()
}

// Sign a page in through the login form (with the second factor, when the account has one).
export async function signIn(page, path = '/projects', user = 'e2e-sup') {
  await page.goto(base + path)
  await page.waitForURL('**/login**')
  await page.locator('input[data-test=username], [data-test=username] input').fill(user)
  await page.locator('input[data-test=password], [data-test=password] input').fill(password)
  await page.locator('[data-test=login-submit]').click()
  if (factors.has(user)) {
    const code = page.locator('input[data-test=totp], [data-test=totp] input')
    await code.waitFor()
    await code.fill(secondFactor(user))
    await page.locator('[data-test=login-submit]').click()
  }
  const want = new URL(base + path).pathname
  await page.waitForURL((u) => u.pathname === want)
}

// Accounts made on the console sign in once with their initial password and change it.
export function addUser(name, role, unitCode, scope = 'own') {
  const out = execFileSync(bin, ['--log', 'warn', 'user', 'add', name, '--role', role, '--unit', unitCode, '--scope', scope, '--db', db]).toString()
  return out.match(/initial password[^:]*: (\S+)/)[1]
}
export async function firstSignIn(page, name, initial, path) {
  await page.goto(base + path)
  await page.waitForURL('**/login**')
  await page.locator('input[data-test=username], [data-test=username] input').fill(name)
  await page.locator('input[data-test=password], [data-test=password] input').fill(initial)
  await page.locator('[data-test=login-submit]').click()
  await page.locator('input[data-test=new-password], [data-test=new-password] input').fill(password)
  await page.locator('input[data-test=new-password-again], [data-test=new-password-again] input').fill(password)
  await page.locator('[data-test=change-submit]').click()
  const want = new URL(base + path).pathname
  // A role that requires a second factor sets it up now.
  const setup = page.locator('[data-test=totp-setup]')
  await Promise.race([setup.waitFor(), page.waitForURL((u) => u.pathname === want)])
  if (await setup.isVisible()) {
    await page.locator('[data-test=totp-secret]').filter({ hasText: /\w/ }).waitFor()
    await enrol(page, name)
  }
  await page.waitForURL((u) => u.pathname === want)
}
// Another user's own API session (for what a spec prepares outside the browser).
export async function sessionOf(username, pw = password) {
  const totp = factors.has(username) ? secondFactor(username) : undefined
  const r = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: pw, totp }) })
  if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`)
  const c = r.headers.get('set-cookie').split(';')[0]
  const token = (await r.json()).csrf_token
  const call = async (method, path, body) => {
    const res = await fetch(base + path, { method, headers: { Cookie: c, 'X-CSRF-Token': token, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60000) })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res.json()
  }
  return { get: (path) => call('GET', path), send: call }
}
export const field = (page, name) => page.locator(`input[data-test=f-${name}], [data-test=f-${name}] input`)


// Close the browser, stop the server, remove the data and report.
export async function finish() {
  await browser.close()
  server.kill('SIGTERM')
  rmSync(dir, { recursive: true, force: true })
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed ? 1 : 0)
}
