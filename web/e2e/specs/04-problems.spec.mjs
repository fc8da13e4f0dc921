import { shots, browser, test, expectEq, api, signIn } from '../harness.mjs'
import { join, resolve } from 'node:path'

await test('a problem goes from creation to closure (销号)', async (page) => {
  const rep = (await api('/api/v1/units')).items
  // The reporter of the previous test works for this unit.
  const flagged = (await api('/api/v1/stats/dispatch?as_of=2025-11&limit=200')).items
  const unitId = flagged[0].unit_id
  const unitName = rep.find((u) => u.id === unitId).name
  await signIn(page, '/problems')
  await page.locator('[data-test=new-problem]').click()
  await page.locator('textarea[data-test=problem-description], [data-test=problem-description] textarea').fill('E2E：项目用地指标未落实')
  // The problem belongs to a project of that unit, found by its code; its unit becomes the lead.
  const project = (await api(`/api/v1/projects?unit=${unitId}&page_size=100`)).items.find((p) => p.unit_id === unitId)
  await page.locator('[data-test=problem-project-pick]').click()
  await page.keyboard.type(project.code)
  await page.locator('.el-select-dropdown__item:visible', { hasText: project.code }).first().click()
  await page.locator('[data-test=problem-lead] .el-select__selected-item', { hasText: new RegExp(`^${unitName}$`) }).waitFor()
  await page.locator('input[data-test=problem-responsible], [data-test=problem-responsible] input').fill('李工')
  const deadline = page.locator('.el-form-item', { hasText: '整改期限' }).locator('input')
  const soon = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10)
  await deadline.fill(soon)
  await deadline.press('Enter')
  await page.locator('[data-test=create-problem]').click()
  await page.getByText('已创建').waitFor()
  const row = page.locator('[data-test=problem-table] .el-table__row', { hasText: 'E2E：项目用地指标未落实' })
  await row.waitFor()
  // The list shows the project and the person responsible; the search finds it by the project's code.
  await row.locator('[data-test=problem-project]', { hasText: project.name }).waitFor()
  await row.getByText('李工').waitFor()
  await page.locator('input[data-test=problem-search], [data-test=problem-search] input').fill(project.code)
  await page.locator('input[data-test=problem-search], [data-test=problem-search] input').press('Enter')
  await page.waitForFunction(() => document.querySelectorAll('[data-test=problem-table] .el-table__body .el-table__row').length === 1)
  await page.screenshot({ path: join(shots, 'problems.png') })
  await page.locator('input[data-test=problem-search], [data-test=problem-search] input').fill('')
  await page.locator('input[data-test=problem-search], [data-test=problem-search] input').press('Enter')

  const clerk = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await signIn(clerk, '/problems', 'e2e-rep')
  await clerk.locator('[data-test=problem-table] .el-table__row', { hasText: 'E2E：项目用地指标未落实' }).getByText('E2E：项目用地指标未落实').click()
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
  await page.locator('[data-test=problem-table] .el-table__row', { hasText: 'E2E：项目用地指标未落实' }).getByText('E2E：项目用地指标未落实').click()
  // The drawer says what 销号 needs: the evidence on file and another supervisor than the resolver.
  await page.locator('[data-test=close-conditions]', { hasText: '已有整改佐证材料 1 份' }).waitFor()
  await page.locator('[data-test=close-conditions]', { hasText: '整改完成人以外' }).waitFor()
  // Without a note of what was checked, nothing is closed.
  await page.locator('[data-test=step-close]').click()
  await page.getByText('销号须填写核查意见').waitFor()
  await page.locator('textarea[data-test=problem-note], [data-test=problem-note] textarea').fill('现场核实，同意销号')
  await page.locator('[data-test=step-close]').click()
  // A confirmation names the evidence before the problem is closed for good.
  await page.locator('.el-message-box', { hasText: '1 份整改证据' }).waitFor()
  await page.screenshot({ path: join(shots, 'problem-close-confirm.png') })
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await page.locator('.el-drawer__title', { hasText: '已销号' }).waitFor()
  const trail = await page.locator('.el-timeline-item').allInnerTexts()
  expectEq(trail.length, 6, `the trail: ${trail.join(' | ')}`)
  if (!trail[1].includes(`交办 → 已交办：牵头单位：${unitName}`)) throw new Error(`the assignment reads: ${trail[1]}`)
})
