import { base, shots, test, signIn } from '../harness.mjs'
import { join } from 'node:path'

await test('the English switch translates the page and is remembered', async (page) => {
  await signIn(page)
  await page.locator('[data-test=lang-switch]').click()
  await page.getByText('Project registry').waitFor()
  await page.locator('[data-test=project-table] .el-table__row').first().waitFor()
  await page.reload()
  await page.getByText('Project registry').waitFor()
  await page.locator('[data-test=project-table] .el-table__row').first().waitFor()
  // No English word cut by a column made for two Chinese characters.
  const cut = await page.evaluate(() => [...document.querySelectorAll('[data-test=project-table] .el-table__body .cell')]
    .filter((c) => c.scrollWidth > c.clientWidth + 1 && !c.classList.contains('el-tooltip'))
    .map((c) => c.textContent.trim()))
  if (cut.length) throw new Error(`cut in English: ${cut.slice(0, 5).join(' | ')}`)
  await page.screenshot({ path: join(shots, 'projects-en.png') })
  // The assessment of 10-assessments in English: the example scheme's title, its
  // indicators and the grades.
  await page.goto(base + '/assessments')
  await page.locator('[data-test=assess-table] .el-table__row').first().waitFor()
  await page.locator('[data-test=run-select]').getByText('Annual targets of key projects (example)').waitFor()
  const grades = await page.locator('[data-test=assess-table] .el-table__body .el-tag').allInnerTexts()
  const chinese = grades.filter((g) => /[\u4e00-\u9fff]/.test(g))
  if (!grades.length || chinese.length) throw new Error(`grades in English: ${grades.join(', ')}`)
  await page.waitForTimeout(400) // the tags zoom in
  await page.screenshot({ path: join(shots, 'assessment-en.png') })
  // Back to Chinese for the specs that follow.
  await page.locator('[data-test=lang-switch]').click()
})

await test('logging out returns to the login page and the registry is closed', async (page) => {
  await signIn(page)
  await page.locator('[data-test=logout]').click()
  await page.waitForURL('**/login**')
  await page.goto(base + '/projects')
  await page.waitForURL('**/login?redirect=**')
})
