import { shots, browser, test, expectEq, api, signIn, addUser, firstSignIn, sessionOf } from '../harness.mjs'
import { join } from 'node:path'

await test('an office with two approval levels: the unit approves first, the reviewing office last, by another person', async (page) => {
  const units = (await api('/api/v1/units')).items
  const root = units.find((u) => u.parent_id === null && u.code === 'XJBT')
  // The administrator names the reviewing office in the settings.
  const adminPw = addUser('e2e-adm2', 'admin', 'XJBT', 'all')
  await firstSignIn(page, 'e2e-adm2', adminPw, '/admin')
  await page.locator('.el-tabs__item', { hasText: '业务设置' }).click()
  await page.locator('.el-select[data-test=second-approval]').click()
  await page.keyboard.type(root.name)
  await page.locator('.el-tree-node__content:visible', { hasText: root.name }).first().click()
  await page.getByText('再由该单位的审核员复审').waitFor()
  await page.locator('[data-test=save-settings]').click()
  await page.getByText('已保存').first().waitFor()
  await page.screenshot({ path: join(shots, 'settings-two-levels.png'), fullPage: true })

  // A clerk's report (prepared over the API), in the unit of the clerk of 03-reports.
  const rep = await sessionOf('e2e-rep')
  const me = await rep.get('/api/v1/auth/me')
  const due = (await rep.get(`/api/v1/reports/missing?period=2025-11&unit=${me.unit_id}&list=50`)).items.flatMap((g) => g.projects).find((x) => !x.state)
  const draft = await rep.send('POST', '/api/v1/reports', { project_id: due.project_id, period: '2025-11' })
  await rep.send('PUT', `/api/v1/reports/${draft.id}`, { invest_period: 1000000, invest_ytd: 1000000, invest_since_start: 2000000, progress_bp: 2000, progress_text: '基础施工', funds_received: 0, funds_disbursed: 0, started: true, started_on: '2025-03-01', stats_entered: true, issues: '', next_steps: '' })
  await rep.send('POST', `/api/v1/reports/${draft.id}/submit`, {})

  // The unit's approver gives the first approval.
  const unitApprover = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await signIn(unitApprover, '/reports?period=2025-11', 'e2e-appr')
  await unitApprover.locator(`[data-test=approve-${draft.id}]`).click()
  await unitApprover.locator('.el-message-box', { hasText: '报送复审单位复审' }).waitFor()
  await unitApprover.locator('.el-message-box__btns .el-button--primary').click()
  await unitApprover.getByText('已初审通过，待复审').waitFor()
  await unitApprover.close()
  expectEq((await api(`/api/v1/reports?project=${due.project_id}&period=2025-11`)).items.length, 0, 'not approved yet: the supervisor does not see it')

  // The reviewing office's approver sees it marked 初审通过, reads it and approves it.
  const officePw = addUser('e2e-office', 'approver', 'XJBT', 'all')
  const office = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await firstSignIn(office, 'e2e-office', officePw, '/reports?period=2025-11')
  await office.locator('.el-tabs__item', { hasText: '待审核' }).click()
  const waiting = office.locator('[data-test=inbox-table] .el-table__row', { hasText: due.code }).filter({ hasText: '2025-11' })
  await waiting.getByText('初审通过').waitFor()
  await waiting.locator('td').first().click()
  await office.locator('[data-test=review-figures]').waitFor()
  await office.waitForTimeout(400)
  await office.screenshot({ path: join(shots, 'report-second-approval.png') })
  await office.locator('[data-test=review-approve]').click()
  await office.locator('.el-message-box', { hasText: '计入统计' }).waitFor()
  await office.locator('.el-message-box__btns .el-button--primary').click()
  await office.getByText('已审核通过').waitFor()
  await office.close()
  const done = (await api(`/api/v1/reports?project=${due.project_id}&period=2025-11`)).items
  expectEq(done.map((r) => r.state).join(), 'approved', 'approved after the second approval')

  // Back to one level for the specs that follow.
  const admin = await sessionOf('e2e-adm2')
  const st = await admin.get('/api/v1/settings')
  await admin.send('PUT', '/api/v1/settings', { ...st, second_approval_unit: null })
})
