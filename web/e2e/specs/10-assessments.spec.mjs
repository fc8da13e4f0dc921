import { shots, browser, test, expectEq, api, signIn, addUser, firstSignIn } from '../harness.mjs'
import { join } from 'node:path'

await test('a quarterly assessment runs with the scores of three reviewers and publishes an explained ranking', async (page) => {
  await signIn(page, '/assessments')
  await page.locator('[data-test=new-run]').click()
  await page.locator('input[data-test=run-period], [data-test=run-period] input').fill('2025Q3')
  await page.locator('[data-test=start-run]').click()
  await page.locator('[data-test=assess-table] .el-table__row').first().waitFor()
  const run = (await api('/api/v1/assessments')).items[0]
  const first = (await api(`/api/v1/assessments/${run.id}`)).results[0].unit_id
  // Three reviewers of the 领导 group score the first unit: 30, 36 and 40 → 36 (extremes dropped).
  for (const [i, score] of [[1, 30], [2, 36], [3, 40]]) {
    const pw = addUser(`e2e-rev${i}`, 'reviewer', 'XJBT')
    const r = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    await firstSignIn(r, `e2e-rev${i}`, pw, '/assessments')
    await r.locator('[data-test=review-group] label', { hasText: '领导' }).click()
    const input = r.locator(`[data-test=score-${first}-review] input`)
    await input.fill(String(score))
    await input.press('Tab')
    await r.locator(`[data-test=send-${first}-review]`).click()
    await r.getByText('评分已提交').waitFor()
    if (i === 3) await r.screenshot({ path: join(shots, 'assessment-review.png') })
    await r.close()
  }
  await page.reload()
  await page.locator('[data-test=assess-table] .el-table__row').first().waitFor()
  const result = (await api(`/api/v1/assessments/${run.id}`)).results.find((x) => x.unit_id === first)
  expectEq(result.lines.find((l) => l.code === 'review').score, 36, 'the review line of the first unit')
  // The explanation of every point, unfolded.
  const row = page.locator('[data-test=assess-table] .el-table__row').filter({ hasText: String(result.total.toFixed(2)) }).first()
  await row.locator('.el-table__expand-icon').click()
  await page.getByText('领导3人均分36.00×权重0.6').first().waitFor()
  await page.screenshot({ path: join(shots, 'assessment.png') })
  // A national award entered for the first unit, with its evidence: +2.
  const firstName = (await api('/api/v1/units')).items.find((u) => u.id === first).name
  const form = page.locator('[data-test=entry-form]')
  await form.locator('.el-select').first().click()
  await page.keyboard.type(firstName)
  await page.locator('.el-select-dropdown__item:visible', { hasText: firstName }).first().click()
  await form.locator('.el-select').nth(1).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '国家级表彰加分' }).click()
  await form.locator('.el-input-number input').fill('1')
  await form.locator('.el-input-number input').press('Tab')
  await form.locator('input[placeholder^="依据"]').fill('表彰决定（示例〔2025〕1号）')
  await form.locator('button', { hasText: '提交' }).click()
  await page.getByText('已录入').waitFor()
  const after = (await api(`/api/v1/assessments/${run.id}`)).results.find((x) => x.unit_id === first)
  expectEq(after.lines.find((l) => l.code === 'award').score, 2, 'the entered award')
  await page.locator('[data-test=publish-run]').click()
  await page.getByText('考核结果已发布').waitFor()
  expectEq((await api(`/api/v1/assessments/${run.id}`)).state, 'published', 'the run after publishing')
})
