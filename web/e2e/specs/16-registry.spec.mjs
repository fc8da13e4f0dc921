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
