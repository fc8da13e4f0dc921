import { shots, test, expectEq, api, signIn } from '../harness.mjs'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

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
  const tags = await page.locator('[data-test=project-table] .el-table__body-wrapper [data-test=status-tag]').allInnerTexts()
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

await test('the registry shows each project\'s light, completion and progress, filters by light as the cockpit counts, and sorts by them', async (page) => {
  await signIn(page)
  await page.locator('[data-test=project-table] .el-table__row').first().waitFor()
  const all = await api('/api/v1/projects?page_size=1')
  const [y, m] = all.standing_period.split('-').map(Number)
  await page.locator('[data-test=standing-month]', { hasText: `截至${y}年${m}月` }).waitFor()
  // The red projects: as many as the cockpit counts for that month.
  const overview = await api(`/api/v1/stats/overview?as_of=${all.standing_period}`)
  await page.locator('.el-select[data-test=light], [data-test=light] .el-select__wrapper').first().click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '红灯' }).first().click()
  await page.waitForFunction((n) => document.querySelector('[data-test=total]')?.textContent === `共 ${n} 个项目`, overview.lights[3].toLocaleString())
  const lights = await page.locator('[data-test=project-table] .el-table__body-wrapper [data-test=light-tag]').allInnerTexts()
  expectEq(lights.length > 0 && lights.every((l) => l.trim() === '红灯'), true, `every row red: ${lights}`)
  // Sorted by completion, highest first: the first row's figure is the project page's.
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('sort=completion') && r.url().includes('desc=true')),
    page.locator('.el-table__header th', { hasText: '年度完成率' }).locator('.sort-caret.descending').click(),
  ])
  await page.waitForTimeout(300)
  const top = (await api('/api/v1/projects?light=red&sort=completion&desc=true&page_size=1')).items[0]
  const firstRow = page.locator('[data-test=project-table] .el-table__body-wrapper .el-table__row').first()
  await firstRow.getByText(top.name).waitFor()
  const shown = (await firstRow.locator('td').nth(6).innerText()).trim()
  const why = await api(`/api/v1/stats/why/${top.id}?as_of=${all.standing_period}`)
  const expected = why.completion_bp === null ? '—' : `${(Math.sign(why.completion_bp) * Math.round(Math.abs(why.completion_bp) / 10) / 10).toFixed(1)}%`
  expectEq(shown, expected, 'the completion shown, as on the project page')
  await page.screenshot({ path: join(shots, 'projects-red-by-completion.png') })
})
