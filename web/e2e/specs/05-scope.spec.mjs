import { base, bin, db, shots, test, expectEq, api, signIn, password, sessionOf, totpAt, fitsWidth } from '../harness.mjs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

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
  // The clerk's problems: those the unit leads and those on its projects (one the clerk
  // raised from a report waits there before a lead unit is named), nothing else.
  const led = await api(`/api/v1/problems?page_size=500&lead_unit=${unitId}`)
  const mine = await (await sessionOf('e2e-rep')).get('/api/v1/problems?page_size=500')
  const ownIds = new Set((await api(`/api/v1/projects?unit=${unitId}&page_size=500`)).items.filter((p) => p.unit_id === unitId).map((p) => p.id))
  const strays = mine.items.filter((p) => p.lead_unit_id !== unitId && !ownIds.has(p.project_id))
  if (strays.length) throw new Error(`problems of other units: ${strays.map((p) => p.id)}`)
  if (mine.total < led.total) throw new Error(`the clerk sees ${mine.total} of the ${led.total} problems the unit leads`)
  await page.waitForFunction((n) => document.body.textContent.includes(`共 ${n} 个问题`), mine.total)
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
  // An auditor's role requires a second factor: it is set up before anything else, with
  // no menu to go elsewhere, and a page asked for directly comes back here.
  await page.locator('[data-test=totp-secret]').filter({ hasText: /\w/ }).waitFor()
  expectEq(await page.locator('.el-menu-item').count(), 0, 'menu items while setting up the second factor')
  await page.screenshot({ path: join(shots, 'totp-setup.png') })
  await page.setViewportSize({ width: 390, height: 844 })
  await fitsWidth(page, 'the second factor\'s set-up on a phone')
  await page.screenshot({ path: join(shots, 'totp-setup-phone.png') })
  await page.setViewportSize({ width: 1280, height: 720 })
  const key = (await page.locator('[data-test=totp-secret]').textContent()).trim()
  await page.locator('input[data-test=totp-code], [data-test=totp-code] input').fill('000000')
  await page.locator('[data-test=totp-confirm]').click()
  await page.locator('[data-test=login-error]').waitFor()
  await page.locator('input[data-test=totp-code], [data-test=totp-code] input').fill(totpAt(key, Math.floor(Date.now() / 30000)))
  await page.locator('[data-test=totp-confirm]').click()
  await page.locator('[data-test=recovery-codes] li').first().waitFor()
  expectEq(await page.locator('[data-test=recovery-codes] li').count(), 10, 'recovery codes shown')
  await page.screenshot({ path: join(shots, 'totp-recovery-codes.png') })
  await page.locator('[data-test=codes-saved]').click()
  await page.waitForURL((u) => u.pathname === '/audit')
  await page.locator('[data-test=audit-check]', { hasText: '哈希链完整' }).waitFor()
  // Actions are chosen by their names; the entries say what happened in words.
  const choose = async (words) => {
    await page.locator('[data-test=audit-action]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: words }).first().click()
  }
  await choose('登录')
  // Only login attempts remain, the wrong password of the first test among them.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-test=audit-action-name]')]
    return rows.length > 0 && rows.every((r) => r.textContent.trim() === '登录')
  })
  await page.locator('[data-test=outcome]', { hasText: 'failed' }).first().waitFor()
  await page.screenshot({ path: join(shots, 'audit.png') })
  // A change as a table of fields, before and after.
  await choose('新建用户')
  await page.locator('[data-test=audit-action-name]', { hasText: '新建用户' }).first().waitFor()
  await page.locator('[data-test=audit-table] .el-table__expand-icon').first().click()
  await page.locator('[data-test=audit-change]').getByText('username').waitFor()
  await page.screenshot({ path: join(shots, 'audit-change.png') })
  // A date range: a year long past has none of them.
  const days = page.locator('.el-range-editor input')
  await days.first().fill('2020-01-01')
  await days.last().fill('2020-12-31')
  await days.last().press('Enter')
  await page.getByText('共 0 条').waitFor()
  const navs = await page.locator('.el-menu-item').allInnerTexts()
  expectEq(JSON.stringify(navs), JSON.stringify(['审计日志']), 'the auditor\'s menu')
})
