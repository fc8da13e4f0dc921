// End-to-end tests in headless Chromium: a real duban server with a generated data
// set on a random loopback port, driven through the UI as a person would.
// Screenshots of every page visited go to web/test-results/screenshots/.
import { chromium } from 'playwright-core'
import { spawn, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import ExcelJS from 'exceljs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServer } from 'node:net'

const root = resolve(import.meta.dirname, '../..')
const bin = process.env.DUBAN_BIN ?? join(root, 'target/debug/duban')
const shots = join(root, 'web/test-results/screenshots')
rmSync(shots, { recursive: true, force: true })
mkdirSync(shots, { recursive: true })

const freePort = () => new Promise((ok) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)) }) })

const dir = mkdtempSync(join(tmpdir(), 'duban-e2e-'))
const db = `sqlite://${dir}/e2e.sqlite`
execFileSync(bin, ['--log', 'warn', 'gen', '--projects', '500', '--seed', '5', '--as-of', '2025-10', '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] })
// The first supervisor, created on the console; the UI makes them change the password.
const added = execFileSync(bin, ['--log', 'warn', 'user', 'add', 'e2e-sup', '--role', 'supervisor', '--unit', 'XJBT', '--scope', 'all', '--name', '督办处张三', '--db', db]).toString()
const initialPassword = added.match(/initial password[^:]*: (\S+)/)[1]
const password = 'E2e-supervisor-1'
const port = await freePort()
const server = spawn(bin, ['--log', 'warn', 'serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
const base = `http://127.0.0.1:${port}`
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/healthz`)).ok) break } catch {}
  if (i > 100) throw new Error('server did not start')
  await new Promise((r) => setTimeout(r, 100))
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
let passed = 0, failed = 0
async function test(name, fn) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  try {
    await fn(page)
    if (errors.length) throw new Error('page errors: ' + errors.join('; '))
    passed++
    console.log(`ok - ${name}`)
  } catch (e) {
    failed++
    console.log(`FAILED - ${name}: ${e.stack ?? e}`)
    await page.screenshot({ path: join(shots, `FAILED-${name.replace(/\W+/g, '_')}.png`) }).catch(() => {})
  } finally {
    await page.close()
  }
}
const expectEq = (a, b, what) => { if (a !== b) throw new Error(`${what}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`) }

// The tests' own view of the API, signed in on the Node side.
let cookie = ''
let csrf = ''
async function api(path) {
  const r = await fetch(base + path, { headers: { Cookie: cookie } })
  if (!r.ok) throw new Error(`${path}: ${r.status}`)
  return r.json()
}
async function apiSend(method, path, body, type = 'application/json') {
  const r = await fetch(base + path, { method, headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': type }, body: type === 'application/json' ? JSON.stringify(body) : body })
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
  return r.json()
}
async function apiLogin() {
  const r = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'e2e-sup', password }) })
  if (!r.ok) throw new Error('API login failed: ' + r.status + ' ' + await r.text())
  cookie = r.headers.get('set-cookie').split(';')[0]
  csrf = (await r.json()).csrf_token
}
// No page may scroll sideways: everything fits the window.
async function fitsWidth(page, what) {
  const [sw, w] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth])
  if (sw > w + 1) throw new Error(`${what}: ${sw}px wide in a ${w}px window`)
}
// Sign a page in through the login form.
async function signIn(page, path = '/projects', user = 'e2e-sup') {
  await page.goto(base + path)
  await page.waitForURL('**/login**')
  await page.locator('input[data-test=username], [data-test=username] input').fill(user)
  await page.locator('input[data-test=password], [data-test=password] input').fill(password)
  await page.locator('[data-test=login-submit]').click()
  const want = new URL(base + path).pathname
  await page.waitForURL((u) => u.pathname === want)
}

await test('the first login forces a new password, then opens the registry', async (page) => {
  await page.goto(base + '/')
  await page.waitForURL('**/login**')
  await page.screenshot({ path: join(shots, 'login.png') })
  await page.locator('input[data-test=username], [data-test=username] input').fill('e2e-sup')
  await page.locator('input[data-test=password], [data-test=password] input').fill('wrong-Password-1')
  await page.locator('[data-test=login-submit]').click()
  await page.getByText('用户名或密码错误').waitFor()
  await page.locator('input[data-test=password], [data-test=password] input').fill(initialPassword)
  await page.locator('[data-test=login-submit]').click()
  await page.locator('input[data-test=new-password], [data-test=new-password] input').fill('weakpass')
  await page.getByText('须包含大写字母、小写字母、数字、符号中的至少三类').waitFor()
  await page.locator('input[data-test=new-password], [data-test=new-password] input').fill(password)
  await page.locator('input[data-test=new-password-again], [data-test=new-password-again] input').fill(password)
  await page.screenshot({ path: join(shots, 'login-change-password.png') })
  await page.locator('[data-test=change-submit]').click()
  await Promise.race([
    page.waitForURL((u) => u.pathname === '/cockpit'),
    page.locator('[data-test=login-error]').waitFor().then(async () => { throw new Error(await page.locator('[data-test=login-error]').innerText()) }),
  ])
  expectEq(await page.locator('[data-test=who]').innerText(), '督办处张三', 'signed-in name')
  await apiLogin()
})

await test('the cockpit shows the scope\'s figures and drills into a unit', async (page) => {
  await signIn(page, '/cockpit?as_of=2025-10')
  await page.locator('[data-test=card-projects] .v').waitFor()
  const all = await api('/api/v1/stats/overview?as_of=2025-10')
  expectEq(await page.locator('[data-test=card-projects] .v').innerText(), all.projects.toLocaleString(), 'projects card')
  expectEq(await page.locator('[data-test=gap]').innerText().then((t) => t.includes(all.gap_zh)), true, 'the gap sentence')
  await page.locator('[data-test=unit-table] .el-table__row').first().waitFor()
  await page.waitForTimeout(300) // charts settle
  await page.screenshot({ path: join(shots, 'cockpit-zh.png') })
  const first = await api('/api/v1/stats/breakdown?as_of=2025-10&by=unit')
  const unit = first.items[0]
  const units = await api('/api/v1/units')
  const name = units.items.find((u) => String(u.id) === unit.key).name
  await page.locator('[data-test=unit-table] .el-table__row').first().click()
  await page.locator('[data-test=crumbs]', { hasText: name }).waitFor()
  const sub = await api(`/api/v1/stats/overview?as_of=2025-10&unit=${unit.key}`)
  await page.waitForFunction((n) => document.querySelector('[data-test=card-projects] .v')?.textContent === n, sub.projects.toLocaleString())
  if (!new URL(page.url()).searchParams.get('unit')) throw new Error('the drill-down is not in the address')
  await page.screenshot({ path: join(shots, 'cockpit-drill.png') })
  // From the unit's cockpit to its projects in the registry.
  await page.locator('[data-test=to-projects]').click()
  await page.waitForURL((u) => u.pathname === '/projects' && u.searchParams.get('unit') === unit.key)
  await page.waitForFunction((n) => document.querySelector('[data-test=total]')?.textContent === `共 ${n} 个项目`, sub.projects.toLocaleString())
})

// Accounts made on the console sign in once with their initial password and change it.
function addUser(name, role, unitCode) {
  const out = execFileSync(bin, ['--log', 'warn', 'user', 'add', name, '--role', role, '--unit', unitCode, '--scope', 'own', '--db', db]).toString()
  return out.match(/initial password[^:]*: (\S+)/)[1]
}
async function firstSignIn(page, name, initial, path) {
  await page.goto(base + path)
  await page.waitForURL('**/login**')
  await page.locator('input[data-test=username], [data-test=username] input').fill(name)
  await page.locator('input[data-test=password], [data-test=password] input').fill(initial)
  await page.locator('[data-test=login-submit]').click()
  await page.locator('input[data-test=new-password], [data-test=new-password] input').fill(password)
  await page.locator('input[data-test=new-password-again], [data-test=new-password-again] input').fill(password)
  await page.locator('[data-test=change-submit]').click()
  await page.waitForURL((u) => u.pathname === new URL(base + path).pathname)
}
const field = (page, name) => page.locator(`input[data-test=f-${name}], [data-test=f-${name}] input`)

await test('a reporter fills and submits, the approver approves, and the light and the cockpit change', async (page) => {
  // A project lit red or yellow in November with no November report yet.
  const flagged = (await api('/api/v1/stats/dispatch?as_of=2025-11&limit=200')).items.filter((i) => i.light !== 'green')
  const p = flagged[0]
  const units = (await api('/api/v1/units')).items
  const unitCode = units.find((u) => u.id === p.unit_id).code
  const plan = await api(`/api/v1/projects/${p.project_id}/plans/2025`)
  const before = await api(`/api/v1/stats/why/${p.project_id}?as_of=2025-11`)
  const overviewBefore = await api('/api/v1/stats/overview?as_of=2025-11')
  if (before.light === 'green') throw new Error('the chosen project is already green')
  const repPw = addUser('e2e-rep', 'reporter', unitCode)
  const apprPw = addUser('e2e-appr', 'approver', unitCode)

  await firstSignIn(page, 'e2e-rep', repPw, '/reports?period=2025-11')
  await page.locator(`[data-test=fill-${p.project_id}]`).click()
  const annual = plan.curve[11]
  const annualWan = String(annual / 10000)
  await field(page, 'invest_period').fill('１00')
  await field(page, 'invest_ytd').fill('12')
  await field(page, 'invest_ytd').fill('50')
  await page.getByText('年度累计不能小于本期完成').waitFor() // a hint while typing
  await field(page, 'invest_ytd').fill(annualWan)
  await field(page, 'invest_since_start').fill(String(annual / 10000 + 500))
  await field(page, 'progress').fill('10')
  if (!(await page.locator('[data-test=f-started]').evaluate((e) => e.classList.contains('is-checked')))) await page.locator('[data-test=f-started]').click()
  const startedOn = page.locator('.el-form-item', { hasText: '实际开工时间' }).locator('input')
  await startedOn.fill('2024-05-01')
  await startedOn.press('Enter')
  await page.locator('.el-form-item', { hasText: '是否入库纳统' }).locator('.el-switch').click()
  await page.screenshot({ path: join(shots, 'report-form.png') })
  await page.locator('[data-test=submit]').click()
  await page.locator('.el-dialog', { hasText: '本期完成投资' }).waitFor({ state: 'hidden' }) // closes once submitted

  const page2 = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await firstSignIn(page2, 'e2e-appr', apprPw, '/reports?period=2025-11')
  const row = page2.locator('[data-test=inbox-table] .el-table__row', { hasText: p.code }).filter({ hasText: '2025-11' })
  await row.waitFor()
  await page2.screenshot({ path: join(shots, 'report-inbox.png') })
  expectEq(await row.locator('.el-tag').innerText(), '迟报', 'a report after the deadline is marked late')
  await row.locator('button', { hasText: '审核通过' }).click()
  await page2.getByText('已审核通过').waitFor()
  await page2.close()

  const after = await api(`/api/v1/stats/why/${p.project_id}?as_of=2025-11`)
  expectEq(after.light, 'green', `the light after approval (was ${before.light}; reasons ${JSON.stringify(after.reasons)})`)
  const overviewAfter = await api('/api/v1/stats/overview?as_of=2025-11')
  expectEq(overviewAfter.reported, overviewBefore.reported + 1, 'reported projects in the cockpit')
  await page.goto(base + '/cockpit?as_of=2025-11')
  await page.locator('[data-test=card-projects] .v').waitFor()
})

await test('a returned report goes back to the clerk with its reason', async (page) => {
  const flagged = (await api('/api/v1/stats/dispatch?as_of=2025-11&limit=200')).items
  const unitId = flagged[0].unit_id
  const due = (await api(`/api/v1/reports/missing?period=2025-11&unit=${unitId}`)).items.flatMap((g) => g.projects)
  const p = due.find((x) => !x.state)
  await signIn(page, '/reports?period=2025-11', 'e2e-rep')
  await page.locator(`[data-test=fill-${p.project_id}]`).click()
  await field(page, 'invest_period').fill('10')
  await field(page, 'invest_ytd').fill('abc')
  await page.getByText('请填写数字（万元，最多4位小数）').waitFor()
  await field(page, 'invest_ytd').fill('10')
  await field(page, 'invest_since_start').fill('5')
  if (!(await page.locator('[data-test=f-started]').evaluate((e) => e.classList.contains('is-checked')))) await page.locator('[data-test=f-started]').click()
  const startedOn = page.locator('.el-form-item', { hasText: '实际开工时间' }).locator('input')
  await startedOn.fill('2025-03-01')
  await startedOn.press('Enter')
  // The server refuses a total since start below the year to date, on that field.
  await page.locator('[data-test=submit]').click()
  await page.locator('.el-form-item', { hasText: '开工至今累计完成' }).locator('.el-form-item__error').waitFor()
  await field(page, 'invest_since_start').fill('15')
  await page.locator('[data-test=submit]').click()
  await page.locator('.el-dialog', { hasText: '本期完成投资' }).waitFor({ state: 'hidden' }) // closes once submitted

  const approver = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await signIn(approver, '/reports?period=2025-11', 'e2e-appr')
  const row = approver.locator('[data-test=inbox-table] .el-table__row', { hasText: p.code }).filter({ hasText: '2025-11' })
  await row.locator('button', { hasText: '退回' }).click()
  await approver.locator('textarea[data-test=reason], [data-test=reason] textarea').fill('累计投资与台账不符，请核实')
  await approver.locator('[data-test=confirm-return]').click()
  await approver.getByText('已退回').first().waitFor()
  await approver.close()

  await page.reload()
  const mine = page.locator('[data-test=due-table] .el-table__row', { hasText: p.code })
  await mine.locator('td', { hasText: '已退回' }).waitFor()
  await mine.locator('button', { hasText: '填报' }).click()
  await page.locator('[data-test=returned-reason]', { hasText: '累计投资与台账不符，请核实' }).waitFor()
  expectEq(await field(page, 'invest_since_start').inputValue(), '15.00', 'the returned figures are kept')
  await page.screenshot({ path: join(shots, 'report-returned.png') })
  const reports = await (await fetch(`${base}/api/v1/reports?project=${p.project_id}&period=2025-11`, { headers: { Cookie: cookie } })).json()
  expectEq(reports.items.length, 0, 'a supervisor does not see a returned report')
})

await test('a supervisor sees who has not reported (催报) and copies the reminder', async (page) => {
  const missing = (await api('/api/v1/reports/missing?period=2025-11')).items
  const total = missing.reduce((n, g) => n + g.count, 0)
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
  await signIn(page, '/reports?period=2025-11')
  await page.locator('.el-tabs__item', { hasText: `催报（${total}）` }).waitFor()
  await page.getByText(`${missing.length} 个单位共 ${total} 个项目未报送`).waitFor()
  await page.locator('[data-test=missing-list] .el-collapse-item').first().click()
  await page.locator('[data-test=missing-list] .el-table__row').first().waitFor()
  await page.screenshot({ path: join(shots, 'reports-missing.png') })
  await page.locator('[data-test=copy-notice]').click()
  await page.getByText('催报通知已复制').waitFor()
  const text = await page.evaluate(() => navigator.clipboard.readText())
  if (!text.startsWith('【催报】') || !text.includes(`${missing.length}个单位${total}个项目未报送`)) throw new Error(`the reminder: ${text}`)
})

await test('a problem goes from creation to closure (销号)', async (page) => {
  const rep = (await api('/api/v1/units')).items
  // The reporter of the previous test works for this unit.
  const flagged = (await api('/api/v1/stats/dispatch?as_of=2025-11&limit=200')).items
  const unitId = flagged[0].unit_id
  const unitName = rep.find((u) => u.id === unitId).name
  await signIn(page, '/problems')
  await page.locator('[data-test=new-problem]').click()
  await page.locator('textarea[data-test=problem-description], [data-test=problem-description] textarea').fill('E2E：项目用地指标未落实')
  await page.locator('[data-test=problem-lead]').click()
  await page.keyboard.type(unitName)
  await page.locator('.el-select-dropdown__item:visible', { hasText: unitName }).first().click()
  const deadline = page.locator('.el-form-item', { hasText: '整改期限' }).locator('input')
  const soon = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10)
  await deadline.fill(soon)
  await deadline.press('Enter')
  await page.locator('[data-test=create-problem]').click()
  await page.getByText('已创建').waitFor()
  await page.locator('[data-test=problem-table] .el-table__row', { hasText: 'E2E：项目用地指标未落实' }).waitFor()
  await page.screenshot({ path: join(shots, 'problems.png') })

  const clerk = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await signIn(clerk, '/problems', 'e2e-rep')
  await clerk.locator('[data-test=problem-table] .el-table__row', { hasText: 'E2E：项目用地指标未落实' }).click()
  for (const [s, state] of [['acknowledge', '已签收'], ['start', '整改中']]) {
    await clerk.locator(`[data-test=step-${s}]`).click()
    await clerk.locator('.el-drawer__title', { hasText: state }).waitFor()
  }
  // The site photo as evidence (a real PNG: a screenshot of the page).
  const photo = await clerk.screenshot()
  await clerk.locator('input[data-test=problem-upload]').setInputFiles({ name: '整改现场.png', mimeType: 'image/png', buffer: photo })
  await clerk.locator('[data-test=problem-files] img').waitFor()
  await clerk.locator('textarea[data-test=problem-note], [data-test=problem-note] textarea').fill('已与自然资源局对接，指标已落实')
  await clerk.locator('[data-test=step-resolve]').click()
  await clerk.locator('.el-drawer__title', { hasText: '已整改' }).waitFor()
  await clerk.locator('.el-timeline-item', { hasText: '佐证材料：附件 #' }).waitFor()
  await clerk.screenshot({ path: join(shots, 'problem-resolved.png') })
  await clerk.close()

  await page.reload()
  // On the board, the problem waits in the 已整改 column for 销号.
  await page.locator('[data-test=problem-view] label', { hasText: '看板' }).click()
  await page.locator('[data-test=problem-board] .column', { hasText: '已整改' }).locator('[data-test=problem-card]', { hasText: 'E2E：项目用地指标未落实' }).waitFor()
  await page.screenshot({ path: join(shots, 'problems-board.png') })
  await page.locator('[data-test=problem-view] label', { hasText: '列表' }).click()
  await page.locator('[data-test=problem-table] .el-table__row', { hasText: 'E2E：项目用地指标未落实' }).click()
  await page.locator('textarea[data-test=problem-note], [data-test=problem-note] textarea').fill('现场核实，同意销号')
  await page.locator('[data-test=step-close]').click()
  await page.locator('.el-drawer__title', { hasText: '已销号' }).waitFor()
  const trail = await page.locator('.el-timeline-item').allInnerTexts()
  expectEq(trail.length, 6, `the trail: ${trail.join(' | ')}`)
  if (!trail[1].includes(`交办 → 已交办：牵头单位：${unitName}`)) throw new Error(`the assignment reads: ${trail[1]}`)
})

await test('a clerk of one unit sees only that unit, on every page', async (page) => {
  const flagged = (await api('/api/v1/stats/dispatch?as_of=2025-11&limit=200')).items
  const unitId = flagged[0].unit_id
  const name = (await api('/api/v1/units')).items.find((u) => u.id === unitId).name
  const own = (await api(`/api/v1/projects?unit=${unitId}&page_size=500`)).items.filter((p) => p.unit_id === unitId).length
  await signIn(page, '/projects', 'e2e-rep')
  await page.waitForFunction((n) => document.querySelector('[data-test=total]')?.textContent === `共 ${n} 个项目`, own.toLocaleString())
  const unitCells = await page.locator('[data-test=project-table] .el-table__body-wrapper .el-table__row td:nth-child(3)').allInnerTexts()
  if (!unitCells.length || unitCells.some((u) => u.trim() !== name)) throw new Error(`rows of other units: ${unitCells}`)
  await page.goto(base + '/cockpit?as_of=2025-10')
  await page.locator('[data-test=unit-table] .el-table__row').first().waitFor()
  const rows = await page.locator('[data-test=unit-table] .el-table__row .unit-link').allInnerTexts()
  expectEq(JSON.stringify(rows), JSON.stringify([name]), 'the cockpit lists only the clerk\'s unit')
  await page.screenshot({ path: join(shots, 'cockpit-clerk.png') })
  await page.goto(base + '/problems')
  await page.locator('[data-test=problem-table]').waitFor()
  const problems = await api(`/api/v1/problems?page_size=500&lead_unit=${unitId}`)
  await page.waitForFunction((n) => document.body.textContent.includes(`共 ${n} 个问题`), problems.total)
  // The dispatch page lists the clerk's unit only; another unit's project page is closed.
  await page.goto(base + '/dispatch?as_of=2025-10')
  await page.locator('[data-test=dispatch-total]').waitFor()
  await page.waitForLoadState('networkidle')
  const cells = await page.locator('[data-test=dispatch-group] .el-table__row td:nth-child(2)').allInnerTexts()
  if (cells.some((u) => u.trim() !== name)) throw new Error(`dispatch rows of other units: ${cells}`)
  const other = (await api('/api/v1/projects?page_size=50')).items.find((x) => x.unit_id !== unitId)
  await page.goto(`${base}/projects/${other.id}`)
  await page.locator('[data-test=error]').waitFor()
  if ((await page.content()).includes(other.name)) throw new Error('another unit\'s project is shown')
})

await test('an auditor reads the audit log, with every login attempt, and nothing else', async (page) => {
  const pw = execFileSync(bin, ['--log', 'warn', 'user', 'add', 'e2e-audit', '--role', 'auditor', '--unit', 'XJBT', '--scope', 'all', '--db', db]).toString().match(/initial password[^:]*: (\S+)/)[1]
  await page.goto(base + '/')
  await page.waitForURL('**/login**')
  await page.locator('input[data-test=username], [data-test=username] input').fill('e2e-audit')
  await page.locator('input[data-test=password], [data-test=password] input').fill(pw)
  await page.locator('[data-test=login-submit]').click()
  await page.locator('input[data-test=new-password], [data-test=new-password] input').fill(password)
  await page.locator('input[data-test=new-password-again], [data-test=new-password-again] input').fill(password)
  await page.locator('[data-test=change-submit]').click()
  await page.waitForURL((u) => u.pathname === '/audit')
  await page.locator('[data-test=audit-check]', { hasText: '哈希链完整' }).waitFor()
  await page.locator('input[data-test=audit-action], [data-test=audit-action] input').fill('login')
  // Only login attempts remain, the wrong password of the first test among them.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-test=audit-table] .el-table__row')]
    return rows.length > 0 && rows.every((r) => r.querySelectorAll('td')[4]?.textContent?.trim() === 'login')
  })
  await page.locator('[data-test=outcome]', { hasText: 'failed' }).first().waitFor()
  await page.screenshot({ path: join(shots, 'audit.png') })
  const navs = await page.locator('.el-menu-item').allInnerTexts()
  expectEq(JSON.stringify(navs), JSON.stringify(['审计日志']), 'the auditor\'s menu')
})

await test('the project page shows its curve, the why of its light, milestones, revisions and photos', async (page) => {
  // A project with approved reports and a plan with milestones in 2025.
  const reports = (await api('/api/v1/reports?state=approved&period=2025-10&page_size=50')).items
  let p, plan
  for (const r of reports) {
    plan = await api(`/api/v1/projects/${r.project_id}/plans/2025`).catch(() => null)
    if (plan?.milestones.length) { p = await api(`/api/v1/projects/${r.project_id}`); break }
  }
  if (!p) throw new Error('no project with milestones among the approved reports')
  // A problem on it with a site photo (a real PNG: a screenshot).
  const problem = await apiSend('POST', '/api/v1/problems', { source: 'inspection', category: 'quality', description: 'E2E：现场安全防护不到位', project_id: p.id, lead_unit_id: p.unit_id, deadline: new Date(Date.now() + 10 * 864e5).toISOString().slice(0, 10) })
  await page.goto(base + '/login')
  const png = await page.screenshot()
  const photo = await apiSend('POST', `/api/v1/attachments?object_type=problem&object_id=${problem.id}&name=${encodeURIComponent('现场照片.png')}`, png, 'application/octet-stream')
  const why = await api(`/api/v1/stats/why/${p.id}?as_of=2025-10`)
  const all = await api(`/api/v1/reports?project=${p.id}&page_size=200`)

  // From the registry, by searching its code and clicking the row.
  await signIn(page)
  await page.locator('input[data-test=search], [data-test=search] input').fill(p.code)
  await page.waitForFunction(() => document.querySelector('[data-test=total]')?.textContent?.includes('共 1 个项目'))
  await page.locator('[data-test=project-table] .el-table__body-wrapper .el-table__row').first().click()
  await page.waitForURL((u) => u.pathname === `/projects/${p.id}`)
  await page.goto(`${base}/projects/${p.id}?as_of=2025-10`)
  await page.locator('[data-test=project-name]', { hasText: p.name }).waitFor()
  const lightZh = { green: '绿灯', yellow: '黄灯', orange: '橙灯', red: '红灯' }[why.light]
  await page.locator('[data-test=project-light]', { hasText: lightZh }).waitFor()
  await page.locator('[data-test=project-curve] canvas').waitFor()
  expectEq(await page.locator('[data-test=warning]').count(), why.warnings.length, 'warnings shown')
  for (const r of why.reasons) await page.locator('[data-test=why]', { hasText: r.zh }).waitFor()
  expectEq(await page.locator('[data-test=milestones] .el-timeline-item').count(), plan.milestones.length, 'milestones on the timeline')
  await page.waitForTimeout(300) // the chart settles
  await fitsWidth(page, 'project page at 1280')
  await page.screenshot({ path: join(shots, 'project.png'), fullPage: true })

  await page.locator('.el-tabs__item', { hasText: '填报记录' }).click()
  expectEq(await page.locator('[data-test=project-reports] .el-table__body-wrapper .el-table__row').count(), all.items.length, 'report rows')
  await page.locator('[data-test=project-reports] [data-test=revisions]').first().click()
  await page.locator('[data-test=revision-list] .el-timeline-item', { hasText: '首次报送' }).waitFor()
  await page.screenshot({ path: join(shots, 'project-revisions.png') })
  await page.keyboard.press('Escape')

  await page.locator('.el-tabs__item', { hasText: '资金与进度' }).click()
  await page.locator('[data-test=funds-chart] canvas').waitFor()
  await page.locator('.el-tabs__item', { hasText: '问题' }).click()
  await page.locator('[data-test=project-problems] .el-table__row', { hasText: 'E2E：现场安全防护不到位' }).waitFor()
  await page.locator('.el-tabs__item', { hasText: '附件与照片' }).click()
  const img = page.locator(`[data-test=photos] img[src="/api/v1/attachments/${photo.id}"]`)
  await img.waitFor()
  await page.waitForFunction((id) => document.querySelector(`[data-test=photos] img[src="/api/v1/attachments/${id}"]`)?.naturalWidth > 0, photo.id)
  await page.screenshot({ path: join(shots, 'project-files.png') })
})

await test('the weekly dispatch groups the projects to act on, and a decision becomes a problem', async (page) => {
  const listed = (await api('/api/v1/stats/dispatch?as_of=2025-10&limit=5000')).items
  await signIn(page, '/dispatch?as_of=2025-10')
  await page.locator('[data-test=dispatch-total]', { hasText: `${listed.length} 个项目需调度` }).waitFor()
  const first = page.locator('[data-test=dispatch-group]').first()
  await first.locator('[data-test=decide]').first().click()
  await page.locator('textarea[data-test=decision-text], [data-test=decision-text] textarea').fill('E2E：调度会决定，由师市牵头协调施工用地')
  await page.locator('[data-test=record]').click()
  await page.getByText('已记录为问题并交办').waitFor()
  await page.locator('[data-test=decisions]', { hasText: 'E2E：调度会决定' }).waitFor()
  await first.locator('.el-tag', { hasText: '已交办' }).first().waitFor()
  await fitsWidth(page, 'dispatch at 1280')
  await page.screenshot({ path: join(shots, 'dispatch.png') })
  const made = (await api('/api/v1/problems?source=dispatch&page_size=50')).items.find((x) => x.description.startsWith('E2E：调度会决定'))
  if (!made || made.state !== 'assigned' || !made.project_id || !listed.some((i) => i.project_id === made.project_id)) throw new Error(`the decision as a problem: ${JSON.stringify(made)}`)
  // Grouped by chain, the same projects are listed.
  await page.locator('[data-test=group-by] label', { hasText: '按产业链' }).click()
  await page.locator('[data-test=dispatch-total]', { hasText: `${listed.length} 个项目需调度` }).waitFor()
  const chains = new Set(listed.map((i) => i.chain_id)).size
  expectEq(await page.locator('[data-test=dispatch-group]').count(), chains, 'one group per chain')
  await page.screenshot({ path: join(shots, 'dispatch-by-chain.png') })
})

await test('a supervisor generates, reviews and publishes the monthly bulletin; a clerk reads the published one', async (page) => {
  const o = await api('/api/v1/stats/overview?as_of=2025-10')
  await signIn(page, '/bulletins')
  const period = page.locator('input[data-test=bulletin-period], [data-test=bulletin-period] input')
  await period.fill('2025-10')
  await period.press('Enter')
  await page.locator('[data-test=generate]').click()
  await page.getByText('已生成第1版（草稿）').waitFor()
  const doc = page.frameLocator('[data-test=bulletin-doc]')
  await doc.getByText('关于2025年10月重点项目推进情况的通报').waitFor()
  // The whole corps is issued by its top unit; the opening counts what the cockpit counts.
  const opening = await doc.locator('p').nth(1).innerText()
  if (!opening.startsWith(`2025年安排重点项目${o.projects}项`)) throw new Error(`the opening: ${opening}`)
  await doc.getByText('红黑榜').waitFor()
  await page.screenshot({ path: join(shots, 'bulletin-draft.png') })
  await page.locator('[data-test=review]').click()
  await page.locator('.el-card__header', { hasText: '已审核' }).waitFor()
  await page.locator('[data-test=publish]').click()
  await page.locator('.el-card__header', { hasText: '已发布' }).waitFor()
  await page.screenshot({ path: join(shots, 'bulletin-published.png') })
  // The Word document and the annex download, as zip packages with their names.
  for (const [what, name] of [['docx', '关于2025年10月重点项目推进情况的通报.docx'], ['xlsx', '关于2025年10月重点项目推进情况的通报（附件）.xlsx']]) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-test=${what}]`).click()])
    expectEq(dl.suggestedFilename(), name, `the ${what} file name`)
    expectEq(readFileSync(await dl.path()).subarray(0, 2).toString(), 'PK', `the ${what} package`)
  }

  const clerk = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await signIn(clerk, '/bulletins', 'e2e-rep')
  await clerk.locator('[data-test=bulletin-table] .el-table__row', { hasText: '已发布' }).waitFor()
  await clerk.frameLocator('[data-test=bulletin-doc]').getByText('关于2025年10月重点项目推进情况的通报').waitFor()
  if (await clerk.locator('[data-test=generate]').count()) throw new Error('a clerk is offered to generate')
  await clerk.close()
})

await test('one month, one set of figures: the cockpit, the bulletin and the 催报 page agree, and each alert opens a list of its size', async (page) => {
  await signIn(page, '/cockpit?as_of=2025-10')
  await page.locator('[data-test=alert-report_missing] b').waitFor()
  await page.locator('[data-test=unit-table] .el-table__row').first().waitFor()
  const read = async (sel) => (await page.locator(sel).first().innerText()).trim()
  const projects = (await read('[data-test=card-projects] .v')).replace(/,/g, '')
  const total = (await read('[data-test=card-total]')).replace('亿元', '').trim()
  const completion = await read('[data-test=card-completion] .v')
  const gap = (await read('[data-test=gap]')).split('，').pop()
  const missing = (await read('[data-test=alert-report_missing] b')).replace(/,/g, '')
  const lit = (await read('[data-test=alert-light] b')).replace(/,/g, '')
  const lists = await page.locator('[data-test^=red-black-]').allInnerTexts()
  // The cockpit's figures are the API's, printed by the server.
  const o = await api('/api/v1/stats/overview?as_of=2025-10')
  expectEq(projects, String(o.projects), 'projects')
  expectEq(total, o.text.total_investment, 'total investment')
  expectEq(completion, o.text.completion, 'completion')
  expectEq(gap, o.gap_zh, 'the gap sentence')
  expectEq(missing, String(o.reports_missing), 'missing reports')

  // The bulletin of the same month says the same.
  await page.goto(base + '/bulletins')
  const period = page.locator('input[data-test=bulletin-period], [data-test=bulletin-period] input')
  await period.fill('2025-10')
  await period.press('Enter')
  await page.locator('[data-test=generate]').click()
  const doc = page.frameLocator('[data-test=bulletin-doc]')
  await doc.getByText('关于2025年10月重点项目推进情况的通报').waitFor()
  const body = await doc.locator('body').innerText()
  for (const want of [`2025年安排重点项目${projects}项，总投资${total}亿元`, `占年度计划${completion}，${gap}`, `未报项目${missing}个`]) {
    if (!body.includes(want)) throw new Error(`the bulletin does not say “${want}”`)
  }
  // The same red and black lists, unit by unit.
  for (const card of lists) {
    const [head, ...rest] = card.split('\n').map((l) => l.trim()).filter(Boolean)
    const series = head.split(' · ')[0]
    const names = (label) => {
      const i = rest.indexOf(label)
      const out = []
      for (let k = i + 1; k < rest.length && !['红榜', '黑榜'].includes(rest[k]) && !rest[k].startsWith('红榜为'); k++) if (rest[k] !== '无') out.push(rest[k].split(' ')[0])
      return out.join('、') || '无'
    }
    const line = `${series}：红榜 ${names('红榜')}；黑榜 ${names('黑榜')}。`
    if (!body.includes(line)) throw new Error(`the bulletin's lists differ from the cockpit's: ${line}`)
  }

  // Each alert opens a list of exactly its size.
  await page.goto(base + '/cockpit?as_of=2025-10')
  await page.locator('[data-test=alert-report_missing]').click()
  await page.waitForURL((u) => u.pathname === '/reports' && u.searchParams.get('tab') === 'missing')
  await page.locator('[data-test=missing-total]', { hasText: `共 ${Number(missing).toLocaleString()} 个项目` }).waitFor()
  await page.screenshot({ path: join(shots, 'one-truth-missing.png') })
  await page.goto(base + '/cockpit?as_of=2025-10')
  await page.locator('[data-test=alert-light]').click()
  await page.waitForURL((u) => u.pathname === '/dispatch' && u.searchParams.get('reason') === 'light')
  await page.locator('[data-test=dispatch-total]', { hasText: `${lit} 个项目需调度` }).waitFor()
  // The definition of a figure is offered on hover.
  await page.goto(base + '/cockpit?as_of=2025-10')
  await page.locator('[data-test=measure-time_progress]').hover()
  await page.locator('.measure-tip', { hasText: '按日历计' }).waitFor()
  await page.screenshot({ path: join(shots, 'cockpit-caliber.png') })
  // On a phone the cockpit fits the screen.
  await page.setViewportSize({ width: 390, height: 844 })
  await page.waitForTimeout(300)
  await fitsWidth(page, 'the cockpit on a phone')
  await page.screenshot({ path: join(shots, 'cockpit-phone.png'), fullPage: true })
})

await test('a quarterly assessment runs with the scores of three reviewers and publishes an explained ranking', async (page) => {
  await signIn(page, '/assessments')
  await page.locator('[data-test=new-run]').click()
  await page.locator('input[data-test=run-period], [data-test=run-period] input').fill('2025Q3')
  await page.locator('[data-test=start-run]').click()
  await page.locator('[data-test=assess-table] .el-table__row').first().waitFor()
  const run = (await api('/api/v1/assessments')).items[0]
  const first = (await api(`/api/v1/assessments/${run.id}`)).results[0].unit_id
  // Three reviewers of the 领导 group score the first unit: 30, 36 and 40 → 36 (extremes dropped).
  for (const [i, score] of [[1, 30], [2, 36], [3, 40]]) {
    const pw = addUser(`e2e-rev${i}`, 'reviewer', 'XJBT')
    const r = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await firstSignIn(r, `e2e-rev${i}`, pw, '/assessments')
    await r.locator('[data-test=review-group] label', { hasText: '领导' }).click()
    const input = r.locator(`[data-test=score-${first}-review] input`)
    await input.fill(String(score))
    await input.press('Tab')
    await r.locator(`[data-test=send-${first}-review]`).click()
    await r.getByText('评分已提交').waitFor()
    if (i === 3) await r.screenshot({ path: join(shots, 'assessment-review.png') })
    await r.close()
  }
  await page.reload()
  await page.locator('[data-test=assess-table] .el-table__row').first().waitFor()
  const result = (await api(`/api/v1/assessments/${run.id}`)).results.find((x) => x.unit_id === first)
  expectEq(result.lines.find((l) => l.code === 'review').score, 36, 'the review line of the first unit')
  // The explanation of every point, unfolded.
  const row = page.locator('[data-test=assess-table] .el-table__row').filter({ hasText: String(result.total.toFixed(2)) }).first()
  await row.locator('.el-table__expand-icon').click()
  await page.getByText('领导3人均分36.00×权重0.6').first().waitFor()
  await page.screenshot({ path: join(shots, 'assessment.png') })
  // A national award entered for the first unit, with its evidence: +2.
  const firstName = (await api('/api/v1/units')).items.find((u) => u.id === first).name
  const form = page.locator('[data-test=entry-form]')
  await form.locator('.el-select').first().click()
  await page.keyboard.type(firstName)
  await page.locator('.el-select-dropdown__item:visible', { hasText: firstName }).first().click()
  await form.locator('.el-select').nth(1).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '国家级表彰加分' }).click()
  await form.locator('.el-input-number input').fill('1')
  await form.locator('.el-input-number input').press('Tab')
  await form.locator('input[placeholder^="依据"]').fill('表彰决定（示例〔2025〕1号）')
  await form.locator('button', { hasText: '提交' }).click()
  await page.getByText('已录入').waitFor()
  const after = (await api(`/api/v1/assessments/${run.id}`)).results.find((x) => x.unit_id === first)
  expectEq(after.lines.find((l) => l.code === 'award').score, 2, 'the entered award')
  await page.locator('[data-test=publish-run]').click()
  await page.getByText('考核结果已发布').waitFor()
  expectEq((await api(`/api/v1/assessments/${run.id}`)).state, 'published', 'the run after publishing')
})

await test('an administrator grants a role with a scope, manages units and settings', async (page) => {
  const pw = execFileSync(bin, ['--log', 'warn', 'user', 'add', 'e2e-admin', '--role', 'admin', '--unit', 'XJBT', '--scope', 'all', '--db', db]).toString().match(/initial password[^:]*: (\S+)/)[1]
  await firstSignIn(page, 'e2e-admin', pw, '/admin')
  await page.locator('[data-test=user-table] .el-table__row', { hasText: 'e2e-sup' }).waitFor()
  const units = (await api('/api/v1/units')).items
  const division = units.find((u) => u.kind === 'division')
  // A leader of a division and everything under it.
  await page.locator('[data-test=new-user]').click()
  await page.locator('input[data-test=user-username], [data-test=user-username] input').fill('e2e-leader')
  await page.locator('input[data-test=user-display], [data-test=user-display] input').fill('王师长')
  await page.locator('.el-select[data-test=user-unit]').click()
  await page.keyboard.type(division.name)
  await page.locator('.el-select-dropdown .el-tree-node__content:visible', { hasText: division.name }).first().click()
  await page.locator('[data-test=grant-role-0]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '领导' }).click()
  await page.locator('[data-test=grant-scope-0]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '本单位及下级' }).click()
  await page.screenshot({ path: join(shots, 'admin-user-form.png') })
  await page.locator('[data-test=save-user]').click()
  const box = page.locator('.el-message-box', { hasText: 'e2e-leader' })
  const initial = (await box.innerText()).match(/初始密码：(\S+)（/)[1]
  await box.locator('button', { hasText: /确定|OK/ }).click()
  await page.locator('[data-test=user-table] .el-table__row', { hasText: '领导 · 本单位及下级' }).waitFor()
  await fitsWidth(page, 'admin at 1280')
  await page.screenshot({ path: join(shots, 'admin-users.png') })

  const leader = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await firstSignIn(leader, 'e2e-leader', initial, '/cockpit')
  await leader.locator('[data-test=crumbs]').waitFor()
  const navs = await leader.locator('.el-menu-item').allInnerTexts()
  if (navs.includes('系统管理') || !navs.includes('领导驾驶舱')) throw new Error(`the leader's menu: ${navs}`)
  const seen = await leader.evaluate(() => fetch('/api/v1/projects?page_size=1').then((r) => r.json()))
  const own = await api(`/api/v1/projects?unit=${division.id}&page_size=1`)
  expectEq(seen.total, own.total, 'the leader sees the division\'s projects')
  await leader.close()

  // A sub-unit under the division, from the tree.
  await page.locator('.el-tabs__item', { hasText: '单位' }).click()
  await page.locator('[data-test=unit-tree] .el-tree-node__content', { hasText: division.name }).first().click()
  await page.locator('[data-test=add-unit]').click()
  await page.locator('input[data-test=unit-code], [data-test=unit-code] input').fill(`${division.code}-E2E`)
  await page.locator('input[data-test=unit-name], [data-test=unit-name] input').fill('E2E 新建园区')
  await page.locator('[data-test=save-unit]').click()
  await page.getByText('已保存').first().waitFor()
  const made = (await api('/api/v1/units')).items.find((u) => u.code === `${division.code}-E2E`)
  expectEq(made?.parent_id, division.id, 'the new unit\'s parent')
  await page.screenshot({ path: join(shots, 'admin-units.png') })

  // Settings: the deadline day; a rule set the server refuses says why.
  await page.locator('.el-tabs__item', { hasText: '业务设置' }).click()
  const day = page.locator('[data-test=deadline-day] input')
  await day.fill('5')
  await day.press('Tab')
  await page.locator('[data-test=save-settings]').click()
  await page.getByText('已保存').first().waitFor()
  const settings = await fetch(base + '/api/v1/settings', { headers: { Cookie: await page.context().cookies().then((c) => c.map((x) => `${x.name}=${x.value}`).join('; ')) } }).then((r) => r.json())
  expectEq(settings.report_deadline_day, 5, 'the saved deadline day')
  const rules = page.locator('textarea[data-test=rules], [data-test=rules] textarea')
  await rules.fill('{ "progress": ')
  await page.locator('[data-test=save-rules]').click()
  await page.locator('[data-test=rule-error]', { hasText: '不是有效的 JSON' }).waitFor()
  await rules.fill('{ "progress": { "basis": "plan", "yellow_behind_bp": 5000, "red_behind_bp": 1000 } }')
  await page.locator('[data-test=save-rules]').click()
  await page.locator('[data-test=rule-error]').first().waitFor()
  await page.screenshot({ path: join(shots, 'admin-settings.png'), fullPage: true })
})

await test('a session that ends while a report is filled in keeps what was typed', async (page) => {
  const flagged = (await api('/api/v1/stats/dispatch?as_of=2025-11&limit=200')).items
  const due = (await api(`/api/v1/reports/missing?period=2025-11&unit=${flagged[0].unit_id}`)).items.flatMap((g) => g.projects)
  const p = due.find((x) => !x.state)
  await signIn(page, '/reports?period=2025-11', 'e2e-rep')
  await page.locator(`[data-test=fill-${p.project_id}]`).click()
  await page.locator('.el-dialog', { hasText: '本期完成投资' }).waitFor()
  // The session ends (expired, or ended by an administrator) while the clerk types.
  await page.context().clearCookies()
  await field(page, 'invest_period').fill('7.5')
  await field(page, 'progress_text').fill('E2E：基础施工中')
  await page.waitForURL('**/login?**expired=1**')
  await page.getByText('登录已超时').waitFor()
  await page.screenshot({ path: join(shots, 'session-expired.png') })
  await page.locator('input[data-test=username], [data-test=username] input').fill('e2e-rep')
  await page.locator('input[data-test=password], [data-test=password] input').fill(password)
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL((u) => u.pathname === '/reports')
  await page.locator('[data-test=restored]').waitFor()
  expectEq(await field(page, 'invest_period').inputValue(), '7.5', 'the amount typed before the session ended')
  expectEq(await field(page, 'progress_text').inputValue(), 'E2E：基础施工中', 'the text typed before the session ended')
  // And the server gets it by itself once the clerk is back.
  await page.locator('[data-test=autosaved]', { hasText: '已自动保存' }).waitFor()
  await page.screenshot({ path: join(shots, 'report-restored.png') })
  // The keyboard saves: Ctrl+S in a field.
  await field(page, 'progress').fill('12')
  await field(page, 'progress').press('Control+s')
  await page.getByText('已保存草稿').waitFor()
  const saved = (await api(`/api/v1/reports?project=${p.project_id}&period=2025-11`)).items
  expectEq(saved.length, 0, 'a supervisor does not see the draft')
})

await test('a template downloaded from duban, filled as a unit would, previews right and imports once', async (page) => {
  await signIn(page, '/imports')
  await page.locator('[data-test=template-kind]').getByText('项目库').click()
  await page.getByText('含英文表头').click()
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=template]').click()])
  expectEq(dl.suggestedFilename(), '项目库模板.xlsx', 'the template file name')
  // Fill it in Node, as a clerk fills it in Excel: change one project's liaison leader,
  // add a project with the messy values real sheets carry.
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(await dl.path())
  const ws = wb.getWorksheet('项目库')
  const header = ws.getRow(1).values.map((v) => String(v ?? '').replace('*', ''))
  const col = (name) => header.indexOf(name)
  expectEq(ws.getRow(2).getCell(col('项目代码')).value, 'Project code', 'the English header row')
  const rows = ws.actualRowCount
  const first = ws.getRow(3)
  const code = first.getCell(col('项目代码')).value
  first.getCell(col('包联领导')).value = '导入测试领导'
  const units = (await api('/api/v1/units')).items
  const add = ws.getRow(rows + 1)
  add.getCell(col('项目代码')).value = ' ＸＭ-E2E-001 '
  add.getCell(col('项目名称')).value = '导入测试　新建项目（一期）'
  add.getCell(col('责任单位')).value = units.find((u) => u.code === 'D01').name
  add.getCell(col('项目类别')).value = '产业'
  add.getCell(col('建设性质')).value = '新建'
  add.getCell(col('项目级别')).value = '市级'
  add.getCell(col('项目状态')).value = '前期'
  add.getCell(col('建设起止年限')).value = '2026年—2028年'
  add.getCell(col('总投资')).value = '1.5亿元'
  add.getCell(col('资金来源')).value = '企业自筹'
  add.commit()
  const file = join(dir, 'filled.xlsx')
  await wb.xlsx.writeFile(file)

  await page.locator('[data-test=import-file]').setInputFiles(file)
  await page.locator('[data-test=preview]').waitFor()
  expectEq(await page.locator('[data-test=count-create]').innerText(), '新建 1', 'one project to create')
  expectEq(await page.locator('[data-test=count-update]').innerText(), '更新 1', 'one project to update')
  const rejected = await page.locator('[data-test=count-rejected]').innerText()
  if (rejected !== '有错误 0') throw new Error(`errors: ${await page.locator('[data-test=errors]').innerText()}`)
  await page.locator('[data-test=items]').getByText('包联领导：').first().waitFor()
  await page.screenshot({ path: join(shots, 'import-preview.png'), fullPage: true })
  await page.locator('[data-test=commit]').click()
  await page.getByText('导入完成：新建 1 条，更新 1 条').waitFor()
  await page.screenshot({ path: join(shots, 'import-done.png') })
  const made = (await api('/api/v1/projects?q=XM-E2E-001')).items[0]
  expectEq(made.total_investment, 15000000000 / 100, '1.5亿元 in yuan')
  expectEq(made.name, '导入测试 新建项目（一期）', 'the name, spaces folded, brackets kept')
  expectEq((await api(`/api/v1/projects?q=${code}`)).items[0].leader, '导入测试领导', 'the changed leader')

  // The same file again: nothing to write.
  await page.locator('[data-test=import-file]').setInputFiles(file)
  await page.locator('[data-test=count-unchanged]', { hasText: String(rows - 1) }).waitFor()
  expectEq(await page.locator('[data-test=count-create]').innerText(), '新建 0', 'nothing new the second time')
  if (await page.locator('[data-test=commit]').isEnabled()) throw new Error('an import with nothing to write can be committed')

  // A sheet with mistakes: every bad cell named, and nothing can be written.
  add.getCell(col('总投资')).value = '一点五亿'
  add.getCell(col('项目状态')).value = '在干'
  add.commit()
  await wb.xlsx.writeFile(file)
  await page.locator('[data-test=import-file]').setInputFiles(file)
  await page.locator('[data-test=errors]').getByText('“在干”不是可选值').waitFor()
  await page.locator('[data-test=errors]').getByText('“一点五亿”不是有效的金额').waitFor()
  if (await page.locator('[data-test=commit]').isEnabled()) throw new Error('an import with errors can be committed')
  await page.screenshot({ path: join(shots, 'import-errors.png'), fullPage: true })
  // Not a workbook at all.
  const pdf = join(dir, 'scan.xlsx')
  writeFileSync(pdf, '%PDF-1.7 a scanned page')
  await page.locator('[data-test=import-file]').setInputFiles(pdf)
  await page.locator('[data-test=import-failure]').getByText('文件不是Excel表格').waitFor()
  await page.locator('[data-test=history]').getByText('已导入').waitFor()
})

await test('the lists on screen download as Excel with their filters', async (page) => {
  await apiLogin()
  const rowsOf = async (dl) => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(await dl.path())
    return wb.worksheets[0].actualRowCount - 1
  }
  await signIn(page, '/projects')
  const total = (await api('/api/v1/projects?page_size=1')).total
  let [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-projects-xlsx]').click()])
  expectEq(dl.suggestedFilename(), '项目库.xlsx', 'the registry file')
  expectEq(await rowsOf(dl), total, 'registry rows')
  await page.goto(base + '/dispatch?as_of=2025-10')
  await page.locator('[data-test=export-dispatch-xlsx]').waitFor()
  ;[dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-dispatch-xlsx]').click()])
  expectEq(await rowsOf(dl), (await api('/api/v1/stats/dispatch?as_of=2025-10&limit=5000')).items.length, 'dispatch rows')
  await page.goto(base + '/problems')
  await page.locator('[data-test=export-problems-xlsx]').waitFor()
  ;[dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-problems-xlsx]').click()])
  expectEq(dl.suggestedFilename(), '问题清单.xlsx', 'the problems file')
  expectEq(await rowsOf(dl), (await api('/api/v1/problems?page_size=1')).total, 'problem rows')
})

await test('every page fits a 1280×720 screen and a tablet', async (page) => {
  await signIn(page, '/cockpit?as_of=2025-10')
  const pid = (await api('/api/v1/projects?page_size=1')).items[0].id
  const pages = ['/cockpit?as_of=2025-10', '/projects', `/projects/${pid}?as_of=2025-10`, '/dispatch?as_of=2025-10', '/problems', '/imports']
  for (const [w, h, tag] of [[1280, 720, 'desktop'], [1024, 768, 'tablet'], [768, 1024, 'tablet-portrait']]) {
    await page.setViewportSize({ width: w, height: h })
    for (const path of pages) {
      await page.goto(base + path)
      await page.locator('.el-main .bar, .el-main h2').first().waitFor()
      await page.waitForLoadState('networkidle')
      await fitsWidth(page, `${path} at ${w}×${h}`)
      if (tag !== 'desktop') await page.screenshot({ path: join(shots, `${tag}-${path.split(/[/?]/)[1]}${path.includes('projects/') ? '-page' : ''}.png`) })
    }
  }
})

await test('the registry lists every project from the API', async (page) => {
  await signIn(page)
  await page.locator('[data-test=project-table] .el-table__row').first().waitFor()
  const all = await api('/api/v1/projects?page_size=1')
  expectEq(await page.locator('[data-test=total]').innerText(), `共 ${all.total.toLocaleString()} 个项目`, 'total line')
  expectEq(await page.locator('[data-test=project-table] .el-table__body-wrapper .el-table__row').count(), 20, 'rows on the first page')
  await page.screenshot({ path: join(shots, 'projects-zh.png') })
})

await test('searching narrows the list and an unknown name shows the empty state', async (page) => {
  await signIn(page)
  const first = page.locator('[data-test=project-table] .el-table__body-wrapper .el-table__row').first()
  await first.waitFor()
  const code = (await first.locator('td').first().innerText()).trim()
  await page.locator('input[data-test=search], [data-test=search] input').fill(code)
  await page.waitForFunction(() => document.querySelector('[data-test=total]')?.textContent?.includes('共 1 个项目'))
  await page.locator('input[data-test=search], [data-test=search] input').fill('不存在的项目名称')
  await page.getByText('没有符合条件的项目').waitFor()
  await page.screenshot({ path: join(shots, 'projects-empty.png') })
})

await test('choosing a status filters the list to what the API counts for it', async (page) => {
  await signIn(page)
  await page.locator('[data-test=project-table] .el-table__row').first().waitFor()
  const prelim = await api('/api/v1/projects?status=preliminary&page_size=1')
  await page.locator('.el-select[data-test=status], [data-test=status] .el-select__wrapper').first().click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '前期' }).first().click()
  await page.waitForFunction((n) => document.querySelector('[data-test=total]')?.textContent === `共 ${n} 个项目`, prelim.total.toLocaleString())
  const tags = await page.locator('[data-test=project-table] .el-table__body-wrapper .el-tag').allInnerTexts()
  if (!tags.length || tags.some((t) => t.trim() !== '前期')) throw new Error(`rows not all 前期: ${tags}`)
  await page.screenshot({ path: join(shots, 'projects-filtered.png') })
  // Exporting the view downloads exactly its projects, for Excel.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export]').click()])
  const csv = readFileSync(await download.path(), 'utf8')
  const lines = csv.trimEnd().split('\r\n')
  expectEq(lines[0].startsWith('\ufeff项目代码,项目名称'), true, 'the CSV header')
  expectEq(lines.length, prelim.total + 1, 'CSV lines')
  expectEq(lines.slice(1).every((l) => l.includes(',前期,')), true, 'every exported project is 前期')
  expectEq(download.suggestedFilename(), '项目库.csv', 'the file name')
})

await test('the English switch translates the page and is remembered', async (page) => {
  await signIn(page)
  await page.locator('[data-test=lang-switch]').click()
  await page.getByText('Project registry').waitFor()
  await page.locator('[data-test=project-table] .el-table__row').first().waitFor()
  await page.reload()
  await page.getByText('Project registry').waitFor()
  await page.screenshot({ path: join(shots, 'projects-en.png') })
})

await test('logging out returns to the login page and the registry is closed', async (page) => {
  await signIn(page)
  await page.locator('[data-test=logout]').click()
  await page.waitForURL('**/login**')
  await page.goto(base + '/projects')
  await page.waitForURL('**/login?redirect=**')
})

await browser.close()
server.kill('SIGTERM')
rmSync(dir, { recursive: true, force: true })
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
