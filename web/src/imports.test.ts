import { describe, expect, it } from 'vitest'
import { changeText } from './imports'

describe('changeText', () => {
  const c = { field: 'total', zh: '总投资', en: 'Total investment', before: '1200.00', after: '1234.50' }
  it('reads before and after in the language asked', () => {
    expect(changeText(c, false)).toBe('总投资：1200.00 → 1234.50')
    expect(changeText(c, true)).toBe('Total investment: 1200.00 → 1234.50')
  })
  it('shows a first value and a cleared one', () => {
    expect(changeText({ ...c, before: '' }, false)).toBe('总投资：→ 1234.50')
    expect(changeText({ ...c, after: '' }, false)).toBe('总投资：1200.00 → （空）')
    expect(changeText({ ...c, after: '' }, true)).toBe('Total investment: 1200.00 → (empty)')
  })
  it('falls back to the field name when the server gives no label', () => {
    expect(changeText({ ...c, zh: '', en: '' }, false)).toBe('total：1200.00 → 1234.50')
  })
})
