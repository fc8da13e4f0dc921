import { bin, db, shots, test, expectEq, signIn, sessionOf, apiSend } from '../harness.mjs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

await test('the routine reminds a clerk: the bell counts it, the reminder opens the report list', async (page) => {
  // The reminders due on a day, as the server's routine sends them at 09:00 (the deadline
  // of November is the 5th since 11-administration; two days before, the early one).
  const rep = await sessionOf('e2e-rep')
  const before = (await rep.get('/api/v1/notifications')).unread
  const out = execFileSync(bin, ['--log', 'warn', 'remind', '--on', '2025-12-03', '--db', db]).toString()
  if (!out.includes('report_due_soon')) throw new Error(`the reminders of the day: ${out}`)
  // The same day again sends nothing twice.
  execFileSync(bin, ['--log', 'warn', 'remind', '--on', '2025-12-03', '--db', db])
  const after = await rep.get('/api/v1/notifications')
  expectEq(after.unread, before + 1, 'one reminder for the clerk')

  await signIn(page, '/projects', 'e2e-rep')
  await page.locator('.bell .el-badge__content', { hasText: String(after.unread) }).waitFor()
  await page.locator('[data-test=bell]').click()
  const item = page.locator('[data-test=bell-item]', { hasText: '2025年11月进度报送提醒' })
  await item.waitFor()
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(shots, 'bell.png') })
  await item.click()
  await page.waitForURL((u) => u.pathname === '/reports' && u.searchParams.get('period') === '2025-11')
  await page.locator('[data-test=due-table]').first().waitFor()
  expectEq((await rep.get('/api/v1/notifications')).unread, after.unread - 1, 'the reminder opened is read')
})

await test('a problem assigned to the clerk\'s unit: the bell tells, the message opens the problem', async (page) => {
  const rep = await sessionOf('e2e-rep')
  const me = await rep.get('/api/v1/auth/me')
  const deadline = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10)
  const p = await apiSend('POST', '/api/v1/problems', { source: 'dispatch', category: 'funding', description: 'E2E：配套资金未到位', lead_unit_id: me.unit_id, deadline })
  await signIn(page, '/projects', 'e2e-rep')
  await page.locator('[data-test=bell]').click()
  await page.locator('[data-test=bell-item]', { hasText: `交办问题 #${p.id}` }).click()
  await page.waitForURL((u) => u.pathname === '/problems' && u.searchParams.get('id') === String(p.id))
  await page.locator('.el-drawer__title', { hasText: `#${p.id}` }).waitFor()
  await page.locator('[data-test=problem-drawer]').getByText('E2E：配套资金未到位').first().waitFor()
})
