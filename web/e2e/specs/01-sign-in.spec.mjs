import { base, shots, test, expectEq, apiLogin, password, initialPassword } from '../harness.mjs'
import { join } from 'node:path'

await test('the first login forces a new password, then opens the supervisor\'s daily work: the dispatch list', async (page) => {
  await page.goto(base + '/')
  await page.waitForURL('**/login**')
  await page.screenshot({ path: join(shots, 'login.png') })
  await page.locator('input[data-test=username], [data-test=username] input').fill('e2e-sup')
  await page.locator('input[data-test=password], [data-test=password] input').fill('wrong-Password-1')
  await page.locator('[data-test=login-submit]').click()
  await page.getByText('用户名或密码错误').waitFor()
  await page.locator('input[data-test=password], [data-test=password] input').fill(initialPassword)
  await page.locator('[data-test=login-submit]').click()
  await page.locator('input[data-test=new-password], [data-test=new-password] input').fill('weakpass')
  await page.getByText('须包含大写字母、小写字母、数字、符号中的至少三类').waitFor()
  await page.locator('input[data-test=new-password], [data-test=new-password] input').fill(password)
  await page.locator('input[data-test=new-password-again], [data-test=new-password-again] input').fill(password)
  await page.screenshot({ path: join(shots, 'login-change-password.png') })
  await page.locator('[data-test=change-submit]').click()
  await Promise.race([
    page.waitForURL((u) => u.pathname === '/dispatch'),
    page.locator('[data-test=login-error]').waitFor().then(async () => { throw new Error(await page.locator('[data-test=login-error]').innerText()) }),
  ])
  expectEq(await page.locator('[data-test=who]').innerText(), '督办处张三', 'signed-in name')
  await apiLogin()
})
