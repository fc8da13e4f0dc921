import { shots, browser, test, expectEq, api, signIn, addUser, firstSignIn, sessionOf } from '../harness.mjs'
import { join } from 'node:path'

await test('a quarterly assessment runs with the scores of three reviewers and publishes an explained ranking', async (page) => {
  await signIn(page, '/assessments')
  await page.locator('[data-test=new-run]').click()
  await page.locator('input[data-test=run-period], [data-test=run-period] input').fill('2025Q3')
  // The scheme is a form: points that do not add up are shown at once, and refused.
  const editor = page.locator('[data-test=scheme-editor]')
  await editor.locator('input[data-test=scheme-name], [data-test=scheme-name] input').inputValue().then((v) => expectEq(v, '年度重点项目目标考核（示例）', 'the first example'))
  const firstPoints = editor.locator('[data-test=scheme-indicator]').first().locator('.el-input-number input').first()
  await firstPoints.fill('24')
  await firstPoints.press('Tab')
  await editor.locator('[data-test=scheme-sum]', { hasText: '合计 99 / 满分 100' }).waitFor()
  await page.locator('[data-test=start-run]').click()
  await page.locator('[data-test=run-error]', { hasText: '合计99' }).waitFor()
  await page.screenshot({ path: join(shots, 'assessment-scheme-form.png') })
  await firstPoints.fill('25')
  await firstPoints.press('Tab')
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
  // A provisional ranking: no grade while other units wait for their review scores, and
  // nothing to publish yet.
  await page.locator('[data-test=assess-waiting]').waitFor()
  await page.locator('[data-test=grade-pending]').first().waitFor()
  expectEq(await page.locator('[data-test=publish-run]').isDisabled(), true, 'publishing before every score is in')
  const leader = await sessionOf('e2e-rev1')
  const dept = await sessionOf('e2e-rev2')
  for (const r of (await api(`/api/v1/assessments/${run.id}`)).results.filter((x) => x.missing.length)) {
    await leader.send('POST', `/api/v1/assessments/${run.id}/reviews`, { unit_id: r.unit_id, indicator: 'review', group: '领导', score: 30 })
    await dept.send('POST', `/api/v1/assessments/${run.id}/reviews`, { unit_id: r.unit_id, indicator: 'review', group: '部门', score: 28 })
  }
  await page.reload()
  await page.locator('[data-test=assess-table] .el-table__row').first().waitFor()
  expectEq(await page.locator('[data-test=grade-pending]').count(), 0, 'every unit graded')
  await page.locator('[data-test=publish-run]').click()
  await page.getByText('考核结果已发布').waitFor()
  expectEq((await api(`/api/v1/assessments/${run.id}`)).state, 'published', 'the run after publishing')
})
