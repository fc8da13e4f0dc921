import { base, shots, test, api, fitsWidth, signIn } from '../harness.mjs'
import { join } from 'node:path'

await test('every page fits a 1280×720 screen and a tablet', async (page) => {
  await signIn(page, '/cockpit?as_of=2025-10')
  const pid = (await api('/api/v1/projects?page_size=1')).items[0].id
  const pages = ['/cockpit?as_of=2025-10', '/projects', `/projects/${pid}?as_of=2025-10`, '/dispatch?as_of=2025-10', '/problems', '/imports']
  for (const [w, h, tag] of [[1280, 720, 'desktop'], [1024, 768, 'tablet'], [768, 1024, 'tablet-portrait']]) {
    await page.setViewportSize({ width: w, height: h })
    for (const path of pages) {
      await page.goto(base + path)
      await page.locator('.el-main .bar, .el-main h2').first().waitFor()
      await page.waitForLoadState('networkidle')
      await fitsWidth(page, `${path} at ${w}×${h}`)
      if (tag !== 'desktop') await page.screenshot({ path: join(shots, `${tag}-${path.split(/[/?]/)[1]}${path.includes('projects/') ? '-page' : ''}.png`) })
    }
  }
})
