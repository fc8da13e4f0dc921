// Day one of a real office, through the UI, on a new machine: the server starts on an
// empty database and prints a one-time code; the first-run page makes the office and its
// administrator; the administrator loads the unit tree and the users from Excel and hands
// out their initial passwords; a supervisor loads the registry, this year's and last
// year's plans and the past months (补录); the leader opens the cockpit and reads this
// office's figures, with growth over last year.
import { bin, shots, test, expectEq, password, enrol } from '../harness.mjs'
import ExcelJS from 'exceljs'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'

const freePort = () => new Promise((ok) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)) }) })
const input = (page, name) => page.locator(`input[data-test=${name}], [data-test=${name}] input`)

async function workbook(sheets, file) {
  const wb = new ExcelJS.Workbook()
  for (const [name, header, rows] of sheets) {
    const ws = wb.addWorksheet(name)
    ws.addRow([`某市重点项目${name}`])
    ws.addRow(header)
    for (const r of rows) ws.addRow(r)
  }
  await wb.xlsx.writeFile(file)
  return file
}

async function importFile(page, file, shot) {
  await page.locator('[data-test=import-file]').setInputFiles(file)
  await page.locator('[data-test=preview]').waitFor()
  const rejected = await page.locator('[data-test=count-rejected]').innerText()
  if (!rejected.endsWith(' 0')) throw new Error(`${file}: ${await page.locator('[data-test=preview]').innerText()}`)
  await page.screenshot({ path: join(shots, `day-one-${shot}-preview.png`), fullPage: true })
  await page.locator('[data-test=commit]').click()
  // Committed: the preview turns into the result (no commit button any more).
  await page.locator('[data-test=commit]').waitFor({ state: 'detached' })
}

async function signInFirst(page, base, user, initial) {
  await page.goto(base + '/')
  await page.waitForURL('**/login**')
  await input(page, 'username').fill(user)
  await input(page, 'password').fill(initial)
  await page.locator('[data-test=login-submit]').click()
  await input(page, 'new-password').fill(password)
  await input(page, 'new-password-again').fill(password)
  await page.locator('[data-test=change-submit]').click()
}

await test('day one: an empty database becomes an office with its units, users, registry and past, and the cockpit shows growth', async (page) => {
  const dir = mkdtempSync(join(tmpdir(), 'duban-day-one-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const server = spawn(bin, ['--log', 'warn', 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    // The code the console shows.
    const code = await new Promise((ok, fail) => {
      let out = ''
      server.stdout.on('data', (d) => {
        out += d
        const m = out.match(/enter the code (\S+)/)
        if (m) ok(m[1])
      })
      setTimeout(() => fail(new Error(`no first-run code in: ${out}`)), 15000)
    })
    const now = new Date(Date.now() + 8 * 3600 * 1000) // the office's calendar, UTC+8
    const thisYear = now.getUTCFullYear()
    const lastYear = thisYear - 1
    const lastMonth = now.getUTCMonth() // 1-based month before this one; 0 in January
    await page.setViewportSize({ width: 1920, height: 1080 })

    // The first-run page, found from the login page.
    await page.goto(base + '/')
    await page.waitForURL('**/login**')
    await page.locator('[data-test=setup-needed] a').click()
    await page.waitForURL('**/setup')
    await input(page, 'setup-code').fill(code.toLowerCase())
    await input(page, 'setup-unit-name').fill('某市发展和改革委员会')
    await input(page, 'setup-unit-code').fill('city')
    await input(page, 'setup-admin').fill('chief')
    await input(page, 'setup-admin-name').fill('李四')
    await input(page, 'setup-password').fill('Plan-office-2026')
    await input(page, 'setup-password-again').fill('Plan-office-2026')
    await page.screenshot({ path: join(shots, 'day-one-setup.png'), fullPage: true })
    await page.locator('[data-test=setup-submit]').click()
    await page.locator('[data-test=setup-done]').waitFor()
    await page.locator('[data-test=to-login]').click()
    await input(page, 'username').fill('chief')
    await input(page, 'password').fill('Plan-office-2026')
    await page.locator('[data-test=login-submit]').click()
    // The administrator's role requires a second factor: set up on the first sign-in.
    await page.locator('[data-test=totp-secret]').filter({ hasText: /\w/ }).waitFor()
    await enrol(page, 'chief')
    // The administrator starts on administration.
    await page.waitForURL((u) => u.pathname === '/admin')

    // Units, then users, from the office's Excel.
    await page.goto(base + '/imports')
    const units = await workbook([['单位', ['单位代码', '单位名称', '上级单位', '单位类型', '考核序列'], [
      ['D1', '城东区', '', '政府', '区县'],
      ['D2', '城西区', '', '政府', '区县'],
      ['JT', '市交通运输局', '', '部门', '部门'],
    ]]], join(dir, 'units.xlsx'))
    await importFile(page, units, 'units')
    const users = await workbook([['用户', ['用户名', '姓名', '所在单位', '角色', '数据范围'], [
      ['wang.wu', '王五', '某市发展和改革委员会', '督办人员', '全部'],
      ['zhao.liu', '赵六', 'CITY', '领导', '全部'],
      ['qian.qi', '钱七', '城东区', '填报员', ''],
    ]]], join(dir, 'users.xlsx'))
    await page.locator('[data-test=import-file]').setInputFiles(users)
    await page.locator('[data-test=preview]').waitFor()
    await page.locator('[data-test=commit]').click()
    await page.locator('[data-test=passwords]').waitFor()
    await page.screenshot({ path: join(shots, 'day-one-passwords.png'), fullPage: true })
    const initial = {}
    for (const row of await page.locator('[data-test=passwords] tbody tr').all()) {
      const cells = await row.locator('td').allInnerTexts()
      initial[cells[0].trim()] = cells[2].trim()
    }
    expectEq(Object.keys(initial).sort().join(','), 'qian.qi,wang.wu,zhao.liu', 'three initial passwords shown')
    await page.locator('[data-test=logout]').click()
    await page.waitForURL('**/login**')

    // The supervisor: the registry, the plans of both years, then the past months.
    await signInFirst(page, base, 'wang.wu', initial['wang.wu'])
    await page.waitForURL((u) => u.pathname === '/dispatch')
    await page.goto(base + '/imports')
    const years = `${lastYear}-${thisYear + 1}`
    const registry = await workbook([
      ['项目库', ['项目代码', '项目名称', '责任单位', '项目类别', '建设性质', '项目级别', '项目状态', '建设起止年限', '总投资'], [
        ['CITY-001', '城东污水处理厂', '城东区', '基础设施', '续建', '市级', '在建', years, '80000'],
        ['CITY-002', '第一中学改扩建', '城西区', '社会事业', '续建', '市级', '在建', years, '20000'],
        ['CITY-003', '城市主干道改造', '市交通运输局', '基础设施', '续建', '市级', '在建', years, '60000'],
      ]],
      ['年度计划', ['项目代码', '年度', '年度计划投资'], [
        ['CITY-001', lastYear, 24000], ['CITY-002', lastYear, 6000], ['CITY-003', lastYear, 18000],
        ['CITY-001', thisYear, 30000], ['CITY-002', thisYear, 8000], ['CITY-003', thisYear, 20000],
      ]],
    ], join(dir, 'registry.xlsx'))
    await importFile(page, registry, 'registry')
    await page.locator('[data-test=template-kind]').getByText('历史补录').click()
    const monthly = { 'CITY-001': [1500, 2000], 'CITY-002': [400, 500], 'CITY-003': [1200, 1400] }
    const rows = []
    for (const [code, [before, now]] of Object.entries(monthly)) {
      for (let m = 1; m <= 12; m++) rows.push([code, `${lastYear}-${String(m).padStart(2, '0')}`, before, m * 5, '是', `${lastYear}-01-15`])
      for (let m = 1; m <= lastMonth; m++) rows.push([code, `${thisYear}-${String(m).padStart(2, '0')}`, now, 70, '是', `${lastYear}-01-15`])
    }
    // Named as the office named it: the page reads it as history all the same.
    const history = await workbook([['Sheet1', ['项目代码', '填报年月', '本月完成投资', '形象进度（%）', '是否开工', '实际开工时间'], rows]], join(dir, 'history.xlsx'))
    await importFile(page, history, 'history')
    await page.locator('[data-test=logout]').click()
    await page.waitForURL('**/login**')

    // The leader's cockpit: this office's three projects, and growth over last year.
    await signInFirst(page, base, 'zhao.liu', initial['zhao.liu'])
    await page.waitForURL((u) => u.pathname === '/cockpit')
    await page.locator('[data-test=card-projects]').waitFor()
    expectEq((await page.locator('[data-test=card-projects] .v').innerText()).trim(), '3', 'the office\'s projects')
    if (lastMonth > 0) {
      // (2000+500+1400) a month this year against (1500+400+1200) last year: +25.8%.
      await page.locator('[data-test=card-yoy]').waitFor()
      expectEq((await page.locator('[data-test=card-yoy]').innerText()).replace(/\s+/g, ' ').trim(), '同比 25.8%', 'year-on-year growth')
    }
    await page.screenshot({ path: join(shots, 'day-one-cockpit.png'), fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.reload()
    await page.locator('[data-test=card-projects]').waitFor()
    await page.screenshot({ path: join(shots, 'day-one-cockpit-phone.png'), fullPage: true })
  } finally {
    server.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
})

