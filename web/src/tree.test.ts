import { expect, it } from 'vitest'
import { groupUnder, unitTree } from './tree'

const u = (id: number, parent_id: number | null, name: string) => ({ id, parent_id, name, code: String(id), kind: 'division', series: '' })

it('nests units under their parents and keeps orphans as roots', () => {
  const t = unitTree([u(1, null, '兵团'), u(2, 1, '第一师'), u(3, 2, '一团'), u(4, 1, '第二师'), u(5, 99, '孤儿')])
  expect(t.map((n) => n.label)).toEqual(['兵团', '孤儿'])
  expect(t[0].children!.map((n) => n.label)).toEqual(['第一师', '第二师'])
  expect(t[0].children![0].children![0].label).toBe('一团')
})

it('lists a project under the child of the unit looked at', () => {
  // 1 兵团 ─ 2 第一师 ─ 3 一团 ─ 6 一连; 1 ─ 4 第二师
  const parents = new Map<number, number | null>([[1, null], [2, 1], [3, 2], [4, 1], [6, 3]])
  expect(groupUnder(parents, 6)).toBe(2)
  expect(groupUnder(parents, 3)).toBe(2)
  expect(groupUnder(parents, 4)).toBe(4)
  expect(groupUnder(parents, 1)).toBe(1)
  expect(groupUnder(parents, 6, 2)).toBe(3)
  expect(groupUnder(parents, 3, 3)).toBe(3)
  expect(groupUnder(parents, 4, 2)).toBe(4)
  // A unit the list does not know stands for itself.
  expect(groupUnder(parents, 42)).toBe(42)
})
