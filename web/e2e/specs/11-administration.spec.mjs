import { base, bin, db, shots, browser, test, expectEq, api, fitsWidth, password, firstSignIn, sessionOf } from '../harness.mjs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

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
  // The light rules as a form in the rules' own words: thresholds the server refuses are
  // named on the rule; a preview tells what a change does before it is saved.
  const admin = await sessionOf('e2e-admin')
  const original = await admin.get('/api/v1/settings/light-rules')
  await page.locator('[data-test=light-rules]').getByText('银川市重点项目亮灯规则（默认）').waitFor()
  const pts = async (which, v) => { const i = page.locator(`[data-test=${which}] input`); await i.fill(String(v)); await i.press('Tab') }
  await pts('yellow-pts', 50)
  await pts('red-pts', 10)
  await page.locator('[data-test=preview-rules]').click()
  await page.locator('[data-test=rule-error]', { hasText: '黄灯阈值' }).waitFor()
  await pts('yellow-pts', 5)
  await pts('red-pts', 20)
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/light-rules/preview')),
    page.locator('[data-test=preview-rules]').click(),
  ])
  const preview = await answer.json()
  await page.locator('[data-test=rules-preview]', { hasText: '个项目灯色变差' }).waitFor()
  await page.screenshot({ path: join(shots, 'admin-rules-preview.png'), fullPage: true })
  await page.locator('[data-test=save-rules]').click()
  await page.locator('.el-message-box', { hasText: '灯色变差' }).waitFor()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await page.getByText('规则已保存').first().waitFor()
  // What the preview said is what the cockpit now counts.
  const after = await api(`/api/v1/stats/overview?as_of=${preview.as_of}`)
  expectEq(JSON.stringify(after.lights), JSON.stringify(preview.proposed), 'the lights after saving, as previewed')
  const stored = await admin.get('/api/v1/settings/light-rules')
  expectEq([stored.progress.yellow_behind_bp, stored.progress.red_behind_bp, stored.name].join(), '500,2000,本单位规则', 'the stored rules')
  await admin.send('PUT', '/api/v1/settings/light-rules', original)
  await page.screenshot({ path: join(shots, 'admin-settings.png'), fullPage: true })
})
