import { root, shots, test, expectEq, signIn, sessionOf } from '../harness.mjs'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join } from 'node:path'

// The outside world on loopback: a 企业微信 robot (among others) that checks each request
// as the provider documents it and records what it received.
const secrets = JSON.stringify({ wecom_key: 'WK-e2e', dingtalk_token: 'x', dingtalk_secret: 'x', webhook_secret: 'x', aliyun_secret: 'x', tencent_key: 'x', smtp_user: 'x', smtp_password: 'x' })
const outside = spawn('python3', [join(root, 'crates/testkit/outside/outside.py'), '--secrets', secrets], { stdio: ['pipe', 'pipe', 'inherit'] })
const ports = JSON.parse(await new Promise((ok) => createInterface({ input: outside.stdout }).once('line', ok)))
const robot = `http://127.0.0.1:${ports.http}/wecom/send?key=WK-e2e`
const received = async () => (await (await fetch(`http://127.0.0.1:${ports.http}/_log`)).json()).http.filter((e) => e.path === '/wecom/send' && e.ok)

try {
  await test('the administrator sets up a 企业微信 robot, sends a test and sees it delivered in the log', async (page) => {
    await signIn(page, '/admin?tab=notify', 'e2e-admin')
    await page.locator('[data-test=channel-add]').click()
    const form = page.locator('[data-test=channel-form]')
    await form.waitFor()
    // A wrong address is refused where it was typed.
    await page.locator('input[data-test=channel-name], [data-test=channel-name] input').fill('全市项目工作群')
    await page.locator('input[data-test=channel-url], [data-test=channel-url] input').fill('qyapi.weixin.qq.com/cgi-bin/webhook/send')
    await page.locator('[data-test=channel-save]').click()
    await form.locator('.el-form-item__error', { hasText: 'http' }).waitFor()
    await page.locator('input[data-test=channel-url], [data-test=channel-url] input').fill(robot)
    await page.screenshot({ path: join(shots, 'push-channel-form.png') })
    await page.locator('[data-test=channel-save]').click()
    const row = page.locator('[data-test=channel-table] .el-table__row', { hasText: '全市项目工作群' })
    await row.waitFor()
    // The key is not shown again.
    const text = await page.locator('[data-test=channel-table]').innerText()
    if (text.includes('WK-e2e')) throw new Error('the robot key is shown')
    await row.getByRole('button', { name: '发送测试' }).click()
    // The log: the test message goes out at once; its attempt shows when opened.
    const log = page.locator('[data-test=delivery-log]')
    await log.waitFor()
    for (let i = 0; i < 20; i++) {
      if (await log.locator('[data-test=delivery-status]', { hasText: '已发送' }).count()) break
      await page.waitForTimeout(500)
      await page.getByRole('button', { name: '刷新' }).click()
    }
    await log.locator('[data-test=delivery-status]', { hasText: '已发送' }).first().waitFor()
    await log.locator('.el-table__expand-icon').first().click()
    await log.getByText('HTTP 200').first().waitFor()
    await page.screenshot({ path: join(shots, 'push-log.png') })
    const got = await received()
    expectEq(got.length, 1, 'the robot received the test message')
    if (!got[0].content.includes('督办系统测试消息')) throw new Error(`the test message: ${got[0].content}`)
  })

  await test('a clerk gives a mobile number; the supervisor\'s 催报 reaches the work group mentioning the clerk', async (page) => {
    await signIn(page, '/projects', 'e2e-rep')
    await page.locator('[data-test=bell]').click()
    await page.locator('[data-test=bell-settings]').click()
    const prefs = page.locator('[data-test=prefs]')
    await prefs.locator('[data-test=prefs-groups]', { hasText: '全市项目工作群' }).waitFor()
    // A number that is not one is refused.
    await page.locator('input[data-test=prefs-mobile], [data-test=prefs-mobile] input').fill('12345')
    await page.locator('[data-test=prefs-save]').click()
    await prefs.locator('.el-form-item__error', { hasText: '手机号码' }).waitFor()
    await page.locator('input[data-test=prefs-mobile], [data-test=prefs-mobile] input').fill('139 0000 1234')
    await page.screenshot({ path: join(shots, 'push-prefs.png') })
    await page.locator('[data-test=prefs-save]').click()
    await prefs.waitFor({ state: 'hidden' })
    const rep = await sessionOf('e2e-rep')
    expectEq((await rep.get('/api/v1/me/notify-prefs')).prefs.mobile, '13900001234', 'the number as stored')

    const before = (await received()).length
    await page.context().clearCookies()
    await signIn(page, '/reports?tab=missing&period=2025-11', 'e2e-sup')
    await page.locator('[data-test=urge]').click()
    await page.locator('.el-message-box').getByRole('button', { name: /OK|确定/ }).click()
    await page.locator('.el-message--success', { hasText: '已向' }).waitFor()
    let got = []
    for (let i = 0; i < 20 && got.length <= before; i++) {
      await page.waitForTimeout(300)
      got = await received()
    }
    const mentions = got.slice(before).flatMap((e) => e.mentions)
    if (!mentions.includes('13900001234')) throw new Error(`the 催报 mentions the clerk: ${JSON.stringify(got.slice(before))}`)
  })

  await test('the channel page on a phone', async (page) => {
    await page.setViewportSize({ width: 390, height: 844 })
    await signIn(page, '/admin?tab=notify', 'e2e-admin')
    await page.locator('[data-test=channel-table]').waitFor()
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(shots, 'push-phone.png') })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    if (overflow > 2) throw new Error(`the page is ${overflow}px wider than the phone`)
  })
} finally {
  outside.kill()
}
