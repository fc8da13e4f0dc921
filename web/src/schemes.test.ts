import { describe, expect, it } from 'vitest'
import { editable, nameOf } from './schemes'

describe('assessment schemes in the form', () => {
  it('gives every indicator its sub-indicators, as the form needs them', () => {
    const s = editable({ name: 'x', points: 10, indicators: [{ code: 'a', name: 'A', points: 10, children: [{ code: 'b', name: 'B', points: 10, scoring: { kind: 'bonus', per: 1, cap: 2 } }] }] })
    expect(s.indicators[0].children[0].children).toEqual([])
    expect(s.indicators[0].scoring).toBeNull()
    expect(s.grades).toEqual([])
  })
  it('names the examples and the usual grades in English, and leaves an office\'s own names alone', () => {
    expect(nameOf('年度重点项目目标考核（示例）', 'en')).toBe('Annual targets of key projects (example)')
    expect(nameOf('较差', 'en')).toBe('Poor')
    expect(nameOf('较差', 'zh-CN')).toBe('较差')
    expect(nameOf('本市自定方案', 'en')).toBe('本市自定方案')
  })
})
