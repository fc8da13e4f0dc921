import { expect, it } from 'vitest'
import { unitTree } from './tree'

const u = (id: number, parent_id: number | null, name: string) => ({ id, parent_id, name, code: String(id), kind: 'division', series: '' })

it('nests units under their parents and keeps orphans as roots', () => {
  const t = unitTree([u(1, null, '兵团'), u(2, 1, '第一师'), u(3, 2, '一团'), u(4, 1, '第二师'), u(5, 99, '孤儿')])
  expect(t.map((n) => n.label)).toEqual(['兵团', '孤儿'])
  expect(t[0].children!.map((n) => n.label)).toEqual(['第一师', '第二师'])
  expect(t[0].children![0].children![0].label).toBe('一团')
})
