import { base, test, expectEq, api, apiLogin, signIn } from '../harness.mjs'
import ExcelJS from 'exceljs'

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
