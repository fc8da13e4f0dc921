import { base, shots, browser, test, expectEq, api, signIn, addUser, firstSignIn, field } from '../harness.mjs'
import { join } from 'node:path'

// The project approved by the first test, corrected by the next.
let approved = null

await test('a reporter fills and submits, the approver approves, and the light and the cockpit change', async (page) => {
  // A project lit red or yellow in November with no November report yet.
  const flagged = (await api('/api/v1/stats/dispatch?as_of=2025-11&limit=200')).items.filter((i) => i.light !== 'green')
  const p = flagged[0]
  const units = (await api('/api/v1/units')).items
  const unitCode = units.find((u) => u.id === p.unit_id).code
  const plan = await api(`/api/v1/projects/${p.project_id}/plans/2025`)
  const before = await api(`/api/v1/stats/why/${p.project_id}?as_of=2025-11`)
  const overviewBefore = await api('/api/v1/stats/overview?as_of=2025-11')
  if (before.light === 'green') throw new Error('the chosen project is already green')
  const repPw = addUser('e2e-rep', 'reporter', unitCode)
  const apprPw = addUser('e2e-appr', 'approver', unitCode)

  await firstSignIn(page, 'e2e-rep', repPw, '/reports?period=2025-11')
  await page.locator(`[data-test=fill-${p.project_id}]`).click()
  const annual = plan.curve[11]
  const annualWan = String(annual / 10000)
  await field(page, 'invest_period').fill('１00')
  // The year to date follows from last month's plus this month's, last month and the
  // plan shown beside it, until the clerk types a figure of their own.
  const prev = (await api(`/api/v1/reports?project=${p.project_id}&period=2025-10`)).items.filter((r) => r.state === 'approved').sort((a, b) => b.revision - a.revision)[0]
  if (prev) {
    const auto = Number(await field(page, 'invest_ytd').inputValue())
    if (Math.abs(auto - (prev.figures.invest_ytd + 1000000) / 10000) > 0.01) throw new Error(`the year to date: ${auto} from ${prev.figures.invest_ytd}`)
    await page.locator('[data-test=beside-invest_ytd]').getByText('上月').waitFor()
  }
  await page.locator('[data-test=beside-invest_ytd]').getByText('计划至本月').waitFor()
  await field(page, 'invest_ytd').fill('12')
  await field(page, 'invest_ytd').fill('50')
  await page.getByText('年度累计不能小于本期完成').waitFor() // a hint while typing
  await field(page, 'invest_ytd').fill(annualWan)
  await field(page, 'invest_since_start').fill(String(annual / 10000 + 500))
  await field(page, 'progress').fill('10')
  if (!(await page.locator('[data-test=f-started]').evaluate((e) => e.classList.contains('is-checked')))) await page.locator('[data-test=f-started]').click()
  const startedOn = page.locator('.el-form-item', { hasText: '实际开工时间' }).locator('input')
  await startedOn.fill('2024-05-01')
  await startedOn.press('Enter')
  await page.locator('.el-form-item', { hasText: '是否入库纳统' }).locator('.el-switch').click()
  // What needs coordinating goes to the supervisors as a problem when the report is sent.
  await page.locator('textarea[data-test=f-issues], [data-test=f-issues] textarea').fill('E2E：项目用地报批未完成，需协调自然资源局')
  await page.locator('[data-test=raise-on]').click()
  await page.locator('.el-select[data-test=raise-category]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '用地' }).first().click()
  // A site photo, taken with the camera on a phone (here: a screenshot as the picture).
  const photo = await page.screenshot()
  await page.locator('input[data-test=report-camera]').setInputFiles({ name: '现场.png', mimeType: 'image/png', buffer: photo })
  await page.locator('[data-test=report-files] img').waitFor()
  await page.screenshot({ path: join(shots, 'report-form.png') })
  await page.locator('[data-test=submit]').click()
  await page.locator('.el-dialog', { hasText: '本期完成投资' }).waitFor({ state: 'hidden' }) // closes once submitted
  await page.getByText('已提请督办').waitFor()
  const raised = await api(`/api/v1/problems?state=open&q=${encodeURIComponent('项目用地报批未完成')}`)
  expectEq(raised.items.map((x) => [x.project_id, x.source, x.category].join()).join(), [p.project_id, 'report', 'land'].join(), 'the problem raised from the report')

  const page2 = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await firstSignIn(page2, 'e2e-appr', apprPw, '/reports?period=2025-11')
  const row = page2.locator('[data-test=inbox-table] .el-table__row', { hasText: p.code }).filter({ hasText: '2025-11' })
  await row.waitFor()
  await page2.screenshot({ path: join(shots, 'report-inbox.png') })
  expectEq(await row.locator('.el-tag').innerText(), '迟报', 'a report after the deadline is marked late')
  // The approver opens the report whole: each figure beside last month's and the plan,
  // the texts, the warnings and the photo.
  await row.locator('td').first().click()
  const review = page2.locator('[data-test=review]')
  const figures = review.locator('[data-test=review-figures]')
  const ytdRow = figures.locator('.el-table__row', { hasText: '年度累计完成投资' })
  await ytdRow.waitFor()
  const wanText = (y) => (y / 10000).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  await ytdRow.getByText(wanText(annual)).first().waitFor()
  await ytdRow.getByText(wanText(plan.curve[10])).waitFor() // the plan to November
  if (prev) await ytdRow.getByText(wanText(prev.figures.invest_ytd)).waitFor()
  await review.locator('[data-test=review-files] img').waitFor()
  await review.locator('.el-drawer__title', { hasText: p.name }).waitFor()
  await page2.waitForTimeout(400) // the drawer slides in
  await page2.screenshot({ path: join(shots, 'report-review.png') })
  // Approving asks first, naming what approval means.
  await review.locator('[data-test=review-approve]').click()
  await page2.locator('.el-message-box', { hasText: '计入统计' }).waitFor()
  await page2.locator('.el-message-box__btns .el-button--primary').click()
  await page2.getByText('已审核通过').waitFor()
  await page2.close()

  const after = await api(`/api/v1/stats/why/${p.project_id}?as_of=2025-11`)
  expectEq(after.light, 'green', `the light after approval (was ${before.light}; reasons ${JSON.stringify(after.reasons)})`)
  const overviewAfter = await api('/api/v1/stats/overview?as_of=2025-11')
  expectEq(overviewAfter.reported, overviewBefore.reported + 1, 'reported projects in the cockpit')
  await page.goto(base + '/cockpit?as_of=2025-11')
  await page.locator('[data-test=card-projects] .v').waitFor()
  approved = p
})

await test('a clerk corrects an approved report, saying why; approved again, it is a revision with its reason', async (page) => {
  const p = approved
  await signIn(page, `/projects/${p.project_id}`, 'e2e-rep')
  await page.locator('.el-tabs__item', { hasText: '填报记录' }).click()
  const row = page.locator('[data-test=project-reports] .el-table__row', { hasText: '2025-11' })
  await row.locator('[data-test=correct]').click()
  const box = page.locator('.el-message-box')
  await box.getByText('更正将生成新的修订版').waitFor()
  await box.locator('.el-button--primary').click()
  await box.getByText('请填写更正原因').waitFor() // a reason is required
  await box.locator('input').fill('统计部门核定后调整本月完成投资')
  await page.screenshot({ path: join(shots, 'report-correct.png') })
  await box.locator('.el-button--primary').click()
  await page.waitForURL((u) => u.pathname === '/reports' && u.searchParams.get('period') === '2025-11')
  // The correction waits among what was sent, with its reason.
  const sent = page.locator('[data-test=sent-table] .el-table__row', { hasText: p.code })
  await sent.getByText('统计部门核定后调整本月完成投资').waitFor()
  await page.screenshot({ path: join(shots, 'report-sent.png') })
  await page.locator(`[data-test=edit-${p.project_id}]`).click()
  await field(page, 'progress').fill('12%') // typed as clerks type it
  await page.locator('[data-test=submit]').click()
  await page.locator('.el-dialog', { hasText: '本期完成投资' }).waitFor({ state: 'hidden' })
  const appr = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await signIn(appr, '/reports?period=2025-11', 'e2e-appr')
  const inbox = appr.locator('[data-test=inbox-table] .el-table__row', { hasText: p.code }).filter({ hasText: '2025-11' })
  await inbox.locator('button', { hasText: '审核通过' }).click()
  await appr.locator('.el-message-box__btns .el-button--primary').click()
  await appr.getByText('已审核通过').waitFor()
  await appr.close()
  await page.goto(`${base}/projects/${p.project_id}`)
  await page.locator('.el-tabs__item', { hasText: '填报记录' }).click()
  await page.locator('[data-test=project-reports] .el-table__row', { hasText: '2025-11' }).first().locator('[data-test=revisions]').click()
  await page.locator('[data-test=correction-reason]', { hasText: '统计部门核定后调整本月完成投资' }).waitFor()
  await page.locator('[data-test=diff]').getByText('形象进度').waitFor()
  await page.screenshot({ path: join(shots, 'report-revisions.png') })
})

await test('a returned report goes back to the clerk with its reason', async (page) => {
  const flagged = (await api('/api/v1/stats/dispatch?as_of=2025-11&limit=200')).items
  const unitId = flagged[0].unit_id
  const due = (await api(`/api/v1/reports/missing?period=2025-11&unit=${unitId}&list=50`)).items.flatMap((g) => g.projects)
  const p = due.find((x) => !x.state)
  await signIn(page, '/reports?period=2025-11', 'e2e-rep')
  await page.locator(`[data-test=fill-${p.project_id}]`).click()
  await field(page, 'invest_period').fill('10')
  await field(page, 'invest_ytd').fill('abc')
  await page.getByText('请填写数字（万元，最多4位小数）').waitFor()
  await field(page, 'invest_ytd').fill('10')
  await field(page, 'invest_since_start').fill('5')
  if (!(await page.locator('[data-test=f-started]').evaluate((e) => e.classList.contains('is-checked')))) await page.locator('[data-test=f-started]').click()
  const startedOn = page.locator('.el-form-item', { hasText: '实际开工时间' }).locator('input')
  await startedOn.fill('2025-03-01')
  await startedOn.press('Enter')
  // The server refuses a total since start below the year to date, on that field.
  await page.locator('[data-test=submit]').click()
  await page.locator('.el-form-item', { hasText: '开工至今累计完成' }).locator('.el-form-item__error').waitFor()
  await field(page, 'invest_since_start').fill('15')
  await page.locator('[data-test=submit]').click()
  await page.locator('.el-dialog', { hasText: '本期完成投资' }).waitFor({ state: 'hidden' }) // closes once submitted

  const approver = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await signIn(approver, '/reports?period=2025-11', 'e2e-appr')
  const row = approver.locator('[data-test=inbox-table] .el-table__row', { hasText: p.code }).filter({ hasText: '2025-11' })
  await row.locator('button', { hasText: '退回' }).click()
  await approver.locator('textarea[data-test=reason], [data-test=reason] textarea').fill('累计投资与台账不符，请核实')
  await approver.locator('[data-test=confirm-return]').click()
  await approver.getByText('已退回').first().waitFor()
  await approver.close()

  await page.reload()
  const mine = page.locator('[data-test=due-table] .el-table__row', { hasText: p.code })
  await mine.locator('td', { hasText: '已退回' }).waitFor()
  await mine.locator('button', { hasText: '填报' }).click()
  await page.locator('[data-test=returned-reason]', { hasText: '累计投资与台账不符，请核实' }).waitFor()
  expectEq(await field(page, 'invest_since_start').inputValue(), '15.00', 'the returned figures are kept')
  await page.screenshot({ path: join(shots, 'report-returned.png') })
  const reports = await api(`/api/v1/reports?project=${p.project_id}&period=2025-11`)
  expectEq(reports.items.length, 0, 'a supervisor does not see a returned report')
})

await test('a supervisor sees who has not reported (催报) and copies the reminder', async (page) => {
  const missing = (await api('/api/v1/reports/missing?period=2025-11')).items
  const total = missing.reduce((n, g) => n + g.count, 0)
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
  await signIn(page, '/reports?period=2025-11')
  await page.locator('.el-tabs__item', { hasText: `催报（${total}）` }).waitFor()
  await page.getByText(`${missing.length} 个单位共 ${total} 个项目未报送`).waitFor()
  await page.locator('[data-test=missing-list] .el-collapse-item').first().click()
  await page.locator('[data-test=missing-list] .el-table__row').first().waitFor()
  await page.screenshot({ path: join(shots, 'reports-missing.png') })
  // The unit with most missing, opened first: its projects as the API's first page lists them.
  const top = missing[0]
  const first = await api(`/api/v1/reports/missing/projects?period=2025-11&unit=${top.unit_id}&page_size=50`)
  expectEq(first.total, top.count, 'the page endpoint counts as the list does')
  await page.locator(`[data-test=missing-table-${top.unit_id}] .el-table__row`, { hasText: first.items[first.items.length - 1].code }).waitFor()
  expectEq(await page.locator(`[data-test=missing-table-${top.unit_id}] .el-table__row`).count(), Math.min(50, top.count), 'rows of the first page')
  await page.locator('[data-test=copy-notice]').click()
  await page.getByText('催报通知已复制').waitFor()
  const text = await page.evaluate(() => navigator.clipboard.readText())
  if (!text.startsWith('【催报】') || !text.includes(`${missing.length}个单位${total}个项目未报送`)) throw new Error(`the reminder: ${text}`)
})
