import { base, shots, browser, test, expectEq, api, fitsWidth, signIn, sessionOf, field } from '../harness.mjs'
import { join } from 'node:path'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

/** The element lies within the phone's width (nothing to scroll sideways to reach it). */
async function onScreen(locator, what) {
  const b = await locator.boundingBox()
  if (!b || b.x < 0 || b.x + b.width > 391) throw new Error(`${what} is off screen: ${JSON.stringify(b)}`)
}

await test('a clerk on a phone: the report with the camera, typed without a connection and sent once it is back', async () => {
  const ctx = await browser.newContext(PHONE)
  const page = await ctx.newPage()
  const rep = await sessionOf('e2e-rep')
  const me = await rep.get('/api/v1/auth/me')
  const due = (await rep.get(`/api/v1/reports/missing?period=2025-11&unit=${me.unit_id}&list=10`)).items.flatMap((g) => g.projects).filter((x) => !x.state)
  const p = due[due.length - 1]
  await signIn(page, '/reports?period=2025-11', 'e2e-rep')
  const fill = page.locator(`[data-test=fill-${p.project_id}]`)
  await fill.waitFor()
  await onScreen(fill, 'the 填报 button')
  await fitsWidth(page, 'the clerk\'s list on a phone')
  await page.screenshot({ path: join(shots, 'phone-reports.png') })
  await fill.click()
  const dialog = page.locator('.el-dialog', { hasText: '本期完成投资' })
  await field(page, 'invest_period').waitFor()
  // The amount's 万元 is whole on screen, and the camera is offered.
  await onScreen(dialog.locator('.el-form-item', { hasText: '本期完成投资' }).locator('.el-input-group__append'), 'the 万元 suffix')
  expectEq(await dialog.locator('input[data-test=report-camera]').getAttribute('capture'), 'environment', 'the camera input')
  // The connection drops while the clerk types and submits: nothing is lost.
  await page.waitForTimeout(2500) // the draft exists on the server before the signal goes
  await ctx.setOffline(true)
  await field(page, 'invest_period').fill('20')
  await field(page, 'invest_ytd').fill('200')
  await field(page, 'invest_since_start').fill('900')
  await field(page, 'progress').fill('35%')
  if (!(await page.locator('[data-test=f-started]').evaluate((e) => e.classList.contains('is-checked')))) await page.locator('[data-test=f-started]').click()
  const startedOn = page.locator('.el-form-item', { hasText: '实际开工时间' }).locator('input')
  await startedOn.fill('2025-04-01')
  await startedOn.press('Enter')
  await page.screenshot({ path: join(shots, 'phone-report-form.png') })
  await page.locator('[data-test=submit]').click()
  await page.getByText('填报内容已保存在本机').waitFor()
  await page.locator('[data-test=outbox]', { hasText: p.name }).waitFor()
  await page.screenshot({ path: join(shots, 'phone-report-offline.png') })
  // Back online: it goes out by itself.
  await ctx.setOffline(false)
  await page.getByText('本机保存的 1 份填报已发送').waitFor()
  await page.locator('[data-test=outbox]').waitFor({ state: 'detached' })
  const sent = (await rep.get(`/api/v1/reports?project=${p.project_id}&period=2025-11`)).items[0]
  expectEq([sent.state, sent.figures.invest_ytd, sent.figures.progress_bp].join(), ['submitted', 2000000, 3500].join(), 'the report sent after the connection came back')
  await ctx.close()
})

await test('an approver, a supervisor and a leader on a phone', async () => {
  const ctx = await browser.newContext(PHONE)
  const page = await ctx.newPage()
  // The approver's inbox: each row opens the report whole, the decision at hand.
  await signIn(page, '/reports?period=2025-11', 'e2e-appr')
  const open = page.locator('[data-test=inbox-table] [data-test^=review-]').first()
  await open.waitFor()
  await onScreen(open, 'the inbox\'s 查看 button')
  await fitsWidth(page, 'the inbox on a phone')
  await open.click()
  const drawer = page.locator('[data-test=review]')
  await drawer.locator('[data-test=review-figures]').waitFor()
  await page.waitForTimeout(400)
  await onScreen(drawer.locator('[data-test=review-approve]'), 'the approve button')
  await page.screenshot({ path: join(shots, 'phone-review.png') })
  await page.context().clearCookies()

  // The supervisor's problems: the list, a problem with its evidence and the camera.
  await signIn(page, '/problems')
  await page.locator('[data-test=problem-table] .el-table__row').first().waitFor()
  await fitsWidth(page, 'the problems on a phone')
  await page.screenshot({ path: join(shots, 'phone-problems.png') })
  await page.locator('[data-test=problem-table] .el-table__row').first().locator('td').first().click()
  const problem = page.locator('[data-test=problem-drawer]')
  await problem.locator('[data-test=problem-note]').waitFor()
  await page.waitForTimeout(400)
  await onScreen(problem.locator('[data-test=problem-note]'), 'the note')
  await page.screenshot({ path: join(shots, 'phone-problem.png') })
  await page.context().clearCookies()

  // The supervisor's 催报 list: the counts of every unit, a unit's projects ten at a time.
  const missing = (await api('/api/v1/reports/missing?period=2025-11&list=0')).items
  const top = missing[0]
  if (top.count <= 10) throw new Error(`the top unit has ${top.count} missing: too few to page on a phone`)
  await signIn(page, '/reports?period=2025-11&tab=missing')
  await page.locator('[data-test=missing-list] .el-collapse-item').first().click()
  const rows = page.locator(`[data-test=missing-table-${top.unit_id}] .el-table__row`)
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 10, `[data-test=missing-table-${top.unit_id}] .el-table__row`)
  await fitsWidth(page, 'the 催报 list on a phone')
  await page.locator(`[data-test=missing-pager-${top.unit_id}] .number`, { hasText: '2' }).click()
  const second = await api(`/api/v1/reports/missing/projects?period=2025-11&unit=${top.unit_id}&page=2&page_size=10`)
  expectEq(second.total, top.count, 'the page endpoint counts as the list does')
  await rows.first().filter({ hasText: second.items[0].name }).waitFor()
  expectEq(await rows.count(), second.items.length, 'the second page')
  await page.screenshot({ path: join(shots, 'phone-missing.png') })
  await page.context().clearCookies()

  // The leader's cockpit and a project page: no sideways scrolling, the facts readable.
  await signIn(page, '/cockpit?as_of=2025-10', 'e2e-sup')
  await page.locator('[data-test=card-projects] .v').waitFor()
  await page.waitForLoadState('networkidle')
  await fitsWidth(page, 'the cockpit on a phone')
  await page.screenshot({ path: join(shots, 'phone-cockpit.png'), fullPage: true })
  const pid = (await api('/api/v1/projects?page_size=1')).items[0].id
  await page.goto(`${base}/projects/${pid}?as_of=2025-10`)
  await page.locator('.facts-table').waitFor()
  await page.waitForLoadState('networkidle')
  await fitsWidth(page, 'a project page on a phone')
  // One fact per row: a label is never squeezed to a character per line.
  const label = await page.locator('.facts-table .el-descriptions__label').first().boundingBox()
  if (label.width < 60) throw new Error(`the facts' labels are ${label.width}px wide`)
  await page.screenshot({ path: join(shots, 'phone-project.png'), fullPage: true })
  await ctx.close()
})

await test('duban installs as an app and opens without a connection', async () => {
  const manifest = await fetch(`${base}/manifest.webmanifest`)
  expectEq(manifest.ok, true, 'the manifest')
  const m = await manifest.json()
  expectEq([m.short_name, m.display, m.start_url].join(), '督办,standalone,/', 'the manifest\'s name, display and start')
  for (const i of m.icons) {
    const r = await fetch(base + i.src)
    expectEq([r.status, r.headers.get('content-type')].join(), '200,image/png', `the icon ${i.src}`)
  }
  const ctx = await browser.newContext(PHONE)
  const page = await ctx.newPage()
  await signIn(page, '/reports?period=2025-11', 'e2e-rep')
  const active = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => !!r.active))
  expectEq(active, true, 'the service worker')
  await page.reload() // now under the worker's control: the shell is kept
  await page.locator('.el-main').waitFor()
  await ctx.setOffline(true)
  await page.reload()
  // The application itself opens, for the user last seen in this tab.
  await page.locator('.el-main h2', { hasText: '进度填报与审核' }).waitFor()
  await page.screenshot({ path: join(shots, 'phone-offline-open.png') })
  await ctx.close()
})
