import { shots, browser, test, expectEq, api, signIn, addUser, firstSignIn } from '../harness.mjs'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

await test('a supervisor generates and reviews the monthly bulletin, another publishes it after confirming; a clerk reads the published one', async (page) => {
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
  // Four eyes: the reviewer is told to leave publication to another supervisor.
  await page.locator('[data-test=publish]').click()
  await page.locator('.el-message-box').getByText('不能撤回').waitFor()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await page.getByText('审核人不能发布同一份通报').waitFor()
  const publisher = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await firstSignIn(publisher, 'e2e-pub', addUser('e2e-pub', 'supervisor', 'XJBT'), '/bulletins')
  await publisher.locator('[data-test=publish]').click()
  await publisher.locator('.el-message-box').getByText('不能撤回').waitFor()
  await publisher.waitForTimeout(400)
  await publisher.screenshot({ path: join(shots, 'bulletin-confirm-publish.png') })
  await publisher.locator('.el-message-box__btns .el-button--primary').click()
  await publisher.locator('.el-card__header', { hasText: '已发布' }).waitFor()
  await publisher.screenshot({ path: join(shots, 'bulletin-published.png') })
  await publisher.close()
  await page.reload()
  await page.locator('.el-card__header', { hasText: '已发布' }).waitFor()
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
