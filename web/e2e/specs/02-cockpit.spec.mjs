import { shots, test, expectEq, api, signIn } from '../harness.mjs'
import { join } from 'node:path'

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
