import { base, shots, test, expectEq, api, fitsWidth, signIn } from '../harness.mjs'
import { join } from 'node:path'

await test('one month, one set of figures: the cockpit, the bulletin and the 催报 page agree, and each alert opens a list of its size', async (page) => {
  await signIn(page, '/cockpit?as_of=2025-10')
  await page.locator('[data-test=alert-report_missing] b').waitFor()
  await page.locator('[data-test=unit-table] .el-table__row').first().waitFor()
  const read = async (sel) => (await page.locator(sel).first().innerText()).trim()
  const projects = (await read('[data-test=card-projects] .v')).replace(/,/g, '')
  const total = (await read('[data-test=card-total]')).replace('亿元', '').trim()
  const completion = await read('[data-test=card-completion] .v')
  const gap = (await read('[data-test=gap]')).split('，').pop()
  const missing = (await read('[data-test=alert-report_missing] b')).replace(/,/g, '')
  const lit = (await read('[data-test=alert-light] b')).replace(/,/g, '')
  const lists = await page.locator('[data-test^=red-black-]').allInnerTexts()
  // The cockpit's figures are the API's, printed by the server.
  const o = await api('/api/v1/stats/overview?as_of=2025-10')
  expectEq(projects, String(o.projects), 'projects')
  expectEq(total, o.text.total_investment, 'total investment')
  expectEq(completion, o.text.completion, 'completion')
  expectEq(gap, o.gap_zh, 'the gap sentence')
  expectEq(missing, String(o.reports_missing), 'missing reports')

  // The bulletin of the same month says the same.
  await page.goto(base + '/bulletins')
  const period = page.locator('input[data-test=bulletin-period], [data-test=bulletin-period] input')
  await period.fill('2025-10')
  await period.press('Enter')
  await page.locator('[data-test=generate]').click()
  const doc = page.frameLocator('[data-test=bulletin-doc]')
  await doc.getByText('关于2025年10月重点项目推进情况的通报').waitFor()
  const body = await doc.locator('body').innerText()
  for (const want of [`2025年安排重点项目${projects}项，总投资${total}亿元`, `占年度计划${completion}，${gap}`, `未报项目${missing}个`]) {
    if (!body.includes(want)) throw new Error(`the bulletin does not say “${want}”`)
  }
  // The same red and black lists, unit by unit.
  for (const card of lists) {
    const [head, ...rest] = card.split('\n').map((l) => l.trim()).filter(Boolean)
    const series = head.split(' · ')[0]
    const names = (label) => {
      const i = rest.indexOf(label)
      const out = []
      for (let k = i + 1; k < rest.length && !['红榜', '黑榜'].includes(rest[k]) && !rest[k].startsWith('红榜为'); k++) if (rest[k] !== '无') out.push(rest[k].split(' ')[0])
      return out.join('、') || '无'
    }
    const line = `${series}：红榜 ${names('红榜')}；黑榜 ${names('黑榜')}。`
    if (!body.includes(line)) throw new Error(`the bulletin's lists differ from the cockpit's: ${line}`)
  }

  // Each alert opens a list of exactly its size.
  await page.goto(base + '/cockpit?as_of=2025-10')
  await page.locator('[data-test=alert-report_missing]').click()
  await page.waitForURL((u) => u.pathname === '/reports' && u.searchParams.get('tab') === 'missing')
  await page.locator('[data-test=missing-total]', { hasText: `共 ${Number(missing).toLocaleString()} 个项目` }).waitFor()
  await page.screenshot({ path: join(shots, 'one-truth-missing.png') })
  await page.goto(base + '/cockpit?as_of=2025-10')
  await page.locator('[data-test=alert-light]').click()
  await page.waitForURL((u) => u.pathname === '/dispatch' && u.searchParams.get('reason') === 'light')
  await page.locator('[data-test=dispatch-total]', { hasText: `${lit} 个项目需调度` }).waitFor()
  // The definition of a figure is offered on hover.
  await page.goto(base + '/cockpit?as_of=2025-10')
  await page.locator('[data-test=measure-time_progress]').hover()
  await page.locator('.measure-tip', { hasText: '按日历计' }).waitFor()
  await page.screenshot({ path: join(shots, 'cockpit-caliber.png') })
  // On a phone the cockpit fits the screen.
  await page.setViewportSize({ width: 390, height: 844 })
  await page.waitForTimeout(300)
  await fitsWidth(page, 'the cockpit on a phone')
  await page.screenshot({ path: join(shots, 'cockpit-phone.png'), fullPage: true })
})
