import { base, shots, test, expectEq, api, apiSend, fitsWidth, signIn } from '../harness.mjs'
import { join } from 'node:path'

await test('the project page shows its curve, the why of its light, milestones, revisions and photos', async (page) => {
  // A project with approved reports and a plan with milestones in 2025.
  const reports = (await api('/api/v1/reports?state=approved&period=2025-10&page_size=50')).items
  let p, plan
  for (const r of reports) {
    plan = await api(`/api/v1/projects/${r.project_id}/plans/2025`).catch(() => null)
    if (plan?.milestones.length) { p = await api(`/api/v1/projects/${r.project_id}`); break }
  }
  if (!p) throw new Error('no project with milestones among the approved reports')
  // A problem on it with a site photo (a real PNG: a screenshot).
  const problem = await apiSend('POST', '/api/v1/problems', { source: 'inspection', category: 'quality', description: 'E2E：现场安全防护不到位', project_id: p.id, lead_unit_id: p.unit_id, deadline: new Date(Date.now() + 10 * 864e5).toISOString().slice(0, 10) })
  await page.goto(base + '/login')
  const png = await page.screenshot()
  const photo = await apiSend('POST', `/api/v1/attachments?object_type=problem&object_id=${problem.id}&name=${encodeURIComponent('现场照片.png')}`, png, 'application/octet-stream')
  const why = await api(`/api/v1/stats/why/${p.id}?as_of=2025-10`)
  const all = await api(`/api/v1/reports?project=${p.id}&page_size=200`)

  // From the registry, by searching its code and clicking the row.
  await signIn(page)
  await page.locator('input[data-test=search], [data-test=search] input').fill(p.code)
  await page.waitForFunction(() => document.querySelector('[data-test=total]')?.textContent?.includes('共 1 个项目'))
  await page.locator('[data-test=project-table] .el-table__body-wrapper .el-table__row').first().click()
  await page.waitForURL((u) => u.pathname === `/projects/${p.id}`)
  await page.goto(`${base}/projects/${p.id}?as_of=2025-10`)
  await page.locator('[data-test=project-name]', { hasText: p.name }).waitFor()
  const lightZh = { green: '绿灯', yellow: '黄灯', orange: '橙灯', red: '红灯' }[why.light]
  await page.locator('[data-test=project-light]', { hasText: lightZh }).waitFor()
  await page.locator('[data-test=project-curve] canvas').waitFor()
  expectEq(await page.locator('[data-test=warning]').count(), why.warnings.length, 'warnings shown')
  for (const r of why.reasons) await page.locator('[data-test=why]', { hasText: r.zh }).waitFor()
  expectEq(await page.locator('[data-test=milestones] .el-timeline-item').count(), plan.milestones.length, 'milestones on the timeline')
  await page.waitForTimeout(300) // the chart settles
  await fitsWidth(page, 'project page at 1280')
  await page.screenshot({ path: join(shots, 'project.png'), fullPage: true })

  await page.locator('.el-tabs__item', { hasText: '填报记录' }).click()
  expectEq(await page.locator('[data-test=project-reports] .el-table__body-wrapper .el-table__row').count(), all.items.length, 'report rows')
  await page.locator('[data-test=project-reports] [data-test=revisions]').first().click()
  await page.locator('[data-test=revision-list] .el-timeline-item', { hasText: '首次报送' }).waitFor()
  await page.screenshot({ path: join(shots, 'project-revisions.png') })
  await page.keyboard.press('Escape')

  await page.locator('.el-tabs__item', { hasText: '资金与进度' }).click()
  await page.locator('[data-test=funds-chart] canvas').waitFor()
  await page.locator('.el-tabs__item', { hasText: '问题' }).click()
  await page.locator('[data-test=project-problems] .el-table__row', { hasText: 'E2E：现场安全防护不到位' }).waitFor()
  await page.locator('.el-tabs__item', { hasText: '附件与照片' }).click()
  const img = page.locator(`[data-test=photos] img[src="/api/v1/attachments/${photo.id}"]`)
  await img.waitFor()
  await page.waitForFunction((id) => document.querySelector(`[data-test=photos] img[src="/api/v1/attachments/${id}"]`)?.naturalWidth > 0, photo.id)
  await page.screenshot({ path: join(shots, 'project-files.png') })
})
