import { dir, shots, test, expectEq, api, signIn } from '../harness.mjs'
import ExcelJS from 'exceljs'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

await test('a template downloaded from duban, filled as a unit would, previews right and imports once', async (page) => {
  await signIn(page, '/imports')
  await page.locator('[data-test=template-kind]').getByText('项目库').click()
  await page.getByText('含英文表头').click()
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=template]').click()])
  expectEq(dl.suggestedFilename(), '项目库模板.xlsx', 'the template file name')
  // Fill it in Node, as a clerk fills it in Excel: change one project's liaison leader,
  // add a project with the messy values real sheets carry.
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(await dl.path())
  const ws = wb.getWorksheet('项目库')
  const header = ws.getRow(1).values.map((v) => String(v ?? '').replace('*', ''))
  const col = (name) => header.indexOf(name)
  expectEq(ws.getRow(2).getCell(col('项目代码')).value, 'Project code', 'the English header row')
  const rows = ws.actualRowCount
  const first = ws.getRow(3)
  const code = first.getCell(col('项目代码')).value
  first.getCell(col('包联领导')).value = '导入测试领导'
  const units = (await api('/api/v1/units')).items
  const add = ws.getRow(rows + 1)
  add.getCell(col('项目代码')).value = ' ＸＭ-E2E-001 '
  add.getCell(col('项目名称')).value = '导入测试　新建项目（一期）'
  add.getCell(col('责任单位')).value = units.find((u) => u.code === 'D01').name
  add.getCell(col('项目类别')).value = '产业'
  add.getCell(col('建设性质')).value = '新建'
  add.getCell(col('项目级别')).value = '市级'
  add.getCell(col('项目状态')).value = '前期'
  add.getCell(col('建设起止年限')).value = '2026年—2028年'
  add.getCell(col('总投资')).value = '1.5亿元'
  add.getCell(col('资金来源')).value = '企业自筹'
  add.commit()
  const file = join(dir, 'filled.xlsx')
  await wb.xlsx.writeFile(file)

  await page.locator('[data-test=import-file]').setInputFiles(file)
  await page.locator('[data-test=preview]').waitFor()
  expectEq(await page.locator('[data-test=count-create]').innerText(), '新建 1', 'one project to create')
  expectEq(await page.locator('[data-test=count-update]').innerText(), '更新 1', 'one project to update')
  const rejected = await page.locator('[data-test=count-rejected]').innerText()
  if (rejected !== '有错误 0') throw new Error(`errors: ${await page.locator('[data-test=errors]').innerText()}`)
  await page.locator('[data-test=items]').getByText('包联领导：').first().waitFor()
  await page.screenshot({ path: join(shots, 'import-preview.png'), fullPage: true })
  await page.locator('[data-test=commit]').click()
  await page.getByText('导入完成：新建 1 条，更新 1 条').waitFor()
  await page.screenshot({ path: join(shots, 'import-done.png') })
  const made = (await api('/api/v1/projects?q=XM-E2E-001')).items[0]
  expectEq(made.total_investment, 15000000000 / 100, '1.5亿元 in yuan')
  expectEq(made.name, '导入测试 新建项目（一期）', 'the name, spaces folded, brackets kept')
  expectEq((await api(`/api/v1/projects?q=${code}`)).items[0].leader, '导入测试领导', 'the changed leader')

  // The same file again: nothing to write.
  await page.locator('[data-test=import-file]').setInputFiles(file)
  await page.locator('[data-test=count-unchanged]', { hasText: String(rows - 1) }).waitFor()
  expectEq(await page.locator('[data-test=count-create]').innerText(), '新建 0', 'nothing new the second time')
  if (await page.locator('[data-test=commit]').isEnabled()) throw new Error('an import with nothing to write can be committed')

  // A sheet with mistakes: every bad cell named, and nothing can be written.
  add.getCell(col('总投资')).value = '一点五亿'
  add.getCell(col('项目状态')).value = '在干'
  add.commit()
  await wb.xlsx.writeFile(file)
  await page.locator('[data-test=import-file]').setInputFiles(file)
  await page.locator('[data-test=errors]').getByText('“在干”不是可选值').waitFor()
  await page.locator('[data-test=errors]').getByText('“一点五亿”不是有效的金额').waitFor()
  if (await page.locator('[data-test=commit]').isEnabled()) throw new Error('an import with errors can be committed')
  await page.screenshot({ path: join(shots, 'import-errors.png'), fullPage: true })
  // Not a workbook at all.
  const pdf = join(dir, 'scan.xlsx')
  writeFileSync(pdf, '%PDF-1.7 a scanned page')
  await page.locator('[data-test=import-file]').setInputFiles(pdf)
  await page.locator('[data-test=import-failure]').getByText('文件不是Excel表格').waitFor()
  await page.locator('[data-test=history]').getByText('已导入').waitFor()
})
