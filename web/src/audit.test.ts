import { describe, expect, it } from 'vitest'
import { actionName, changeRows } from './audit'

describe('the audit log in words', () => {
  it('names actions in the user\'s language, codes it does not know as they are', () => {
    expect(actionName('problem.close', 'zh-CN')).toBe('销号')
    expect(actionName('problem.close', 'en')).toBe('Problem closed (销号)')
    expect(actionName('something.new', 'zh-CN')).toBe('something.new')
  })
  it('shows a change field by field, only what changed', () => {
    expect(changeRows('{"name":"甲","kind":"division"}', '{"name":"乙","kind":"division"}')).toEqual([
      { field: 'name', before: '甲', after: '乙' },
    ])
    expect(changeRows('', '{"username":"u","roles":[{"role":"leader"}]}')).toEqual([
      { field: 'username', before: '', after: 'u' },
      { field: 'roles', before: '', after: '[{"role":"leader"}]' },
    ])
    expect(changeRows('"draft"', '"reviewed"')).toEqual([{ field: '', before: 'draft', after: 'reviewed' }])
    expect(changeRows('', '')).toEqual([])
  })
})
