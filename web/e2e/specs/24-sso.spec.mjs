import { root, bin, db, dir, shots, test, expectEq, fitsWidth } from '../harness.mjs'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createServer } from 'node:net'
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

// The office's identity platform (统一身份认证): a real OpenID Connect provider on
// loopback, and a second duban server on the same data that signs people in through it.
const freePort = () => new Promise((ok) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)) }) })
const port = await freePort()
const duban = `http://127.0.0.1:${port}`
const idp = spawn('node', ['provider.mjs', `${duban}/api/v1/auth/sso/callback`], { cwd: join(root, 'crates/testkit/oidc'), stdio: ['pipe', 'pipe', 'ignore'] })
const { issuer } = JSON.parse(await new Promise((ok) => createInterface({ input: idp.stdout }).once('line', ok)))
const home = join(dir, 'sso')
mkdirSync(home, { recursive: true })
writeFileSync(join(home, 'duban.toml'), `[oidc]\nissuer = "${issuer}"\nclient_id = "duban"\nclient_secret = "duban-test-secret"\nredirect_url = "${duban}/api/v1/auth/sso/callback"\n`)
const server = spawn(bin, ['--log', 'warn', '--config', join(home, 'duban.toml'), 'serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--data-dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] })
for (let i = 0; ; i++) {
  try { if ((await fetch(`${duban}/healthz`)).ok) break } catch {}
  if (i > 100) throw new Error('the second server did not start')
  await new Promise((r) => setTimeout(r, 100))
}
const nextLogin = (sub, username) => fetch(`${issuer}/_next?sub=${sub}&username=${username}`, { method: 'POST' })

try {
  await test('a clerk signs in through the identity platform and lands on their reports', async (page) => {
    await nextLogin('xj-0001', 'e2e-rep')
    await page.goto(`${duban}/login`)
    const button = page.locator('[data-test=sso-start]')
    await button.waitFor()
    expectEq((await button.innerText()).trim(), '统一身份认证登录', 'the button')
    await page.screenshot({ path: join(shots, 'sso-login.png') })
    await page.setViewportSize({ width: 390, height: 844 })
    await fitsWidth(page, 'the sign-in page on a phone')
    await page.screenshot({ path: join(shots, 'sso-login-phone.png') })
    await page.setViewportSize({ width: 1280, height: 720 })
    await button.click()
    // Through the platform and back, signed in: the clerk's daily work.
    await page.waitForURL((u) => u.origin === duban && u.pathname === '/reports')
    await page.locator('[data-test=who]').waitFor()
    // The page may write (its CSRF token came with `me`): sign out.
    await page.locator('[data-test=logout]').click()
    await page.waitForURL('**/login**')
  })

  await test('someone the platform knows but duban does not is told why, in words', async (page) => {
    await nextLogin('xj-0999', 'nobody-here')
    await page.goto(`${duban}/login`)
    await page.locator('[data-test=sso-start]').click()
    await page.waitForURL((u) => u.pathname === '/login' && u.search.includes('sso_error=sso_no_account'))
    const text = await page.locator('[data-test=sso-error]').innerText()
    if (!text.includes('没有对应账号')) throw new Error(`the message: ${text}`)
    await page.screenshot({ path: join(shots, 'sso-no-account.png') })
  })
} finally {
  server.kill()
  idp.kill()
}
