import { shots, test, expectEq, api, fitsWidth, signIn } from '../harness.mjs'
import { join } from 'node:path'

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
