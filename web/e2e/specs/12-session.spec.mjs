import { shots, test, expectEq, api, signIn, password, field } from '../harness.mjs'
import { join } from 'node:path'

await test('a session that ends while a report is filled in keeps what was typed', async (page) => {
  const flagged = (await api('/api/v1/stats/dispatch?as_of=2025-11&limit=200')).items
  const due = (await api(`/api/v1/reports/missing?period=2025-11&unit=${flagged[0].unit_id}&list=50`)).items.flatMap((g) => g.projects)
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
