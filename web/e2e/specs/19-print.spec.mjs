// Printing: the cockpit, a project page and a list on A4 without the menu, the buttons and
// the filters; the cockpit on at most three pages (it was five, with the menu bar).
import { shots, test, api, signIn } from '../harness.mjs'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const pages = (pdf) => (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length

await test('the cockpit, a project and the registry print on A4 without the menu', async (page) => {
  await page.setViewportSize({ width: 1280, height: 900 })
  await signIn(page, '/cockpit?as_of=2025-10')
  await page.locator('[data-test=card-projects]').waitFor()
  await page.locator('[data-test=print]').waitFor()
  await page.emulateMedia({ media: 'print' })
  if (await page.locator('[data-test=nav-cockpit]').isVisible()) throw new Error('the menu prints')
  if (await page.locator('[data-test=print]').isVisible()) throw new Error('the print button prints')
  const cockpit = await page.pdf({ format: 'A4', margin: { top: '12mm', bottom: '12mm', left: '12mm', right: '12mm' } })
  writeFileSync(join(shots, 'print-cockpit.pdf'), cockpit)
  const n = pages(cockpit)
  if (n < 1 || n > 3) throw new Error(`the cockpit prints on ${n} A4 pages`)
  await page.screenshot({ path: join(shots, 'print-cockpit.png'), fullPage: true })
  await page.emulateMedia({ media: 'screen' })

  const p = (await api('/api/v1/projects?page_size=1&status=construction')).items[0]
  await page.goto(page.url().replace(/\/cockpit.*/, `/projects/${p.id}?as_of=2025-10`))
  await page.locator('[data-test=project-name]', { hasText: p.name }).waitFor()
  await page.emulateMedia({ media: 'print' })
  const project = await page.pdf({ format: 'A4' })
  if (pages(project) > 3) throw new Error(`a project prints on ${pages(project)} pages`)
  if (await page.locator('[data-test=back]').isVisible()) throw new Error('the back button prints')
  await page.emulateMedia({ media: 'screen' })

  await page.goto(page.url().replace(/\/projects\/.*/, '/projects'))
  await page.locator('[data-test=project-table]').waitFor()
  await page.emulateMedia({ media: 'print' })
  if (await page.locator('[data-test=nav-projects]').isVisible()) throw new Error('the menu prints on a list')
  await page.screenshot({ path: join(shots, 'print-registry.png') })
})
