import { describe, expect, it, vi } from 'vitest'
import { Drafts, debounce } from './drafts'

function memory() {
  const m = new Map<string, string>()
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m }
}

describe('drafts', () => {
  it('keeps a form until cleared, per user', () => {
    const s = memory()
    const a = new Drafts('rep-a', s)
    a.save('report.7', { invest_ytd: '12.5' }, 1000)
    expect(a.load('report.7')).toEqual({ at: 1000, data: { invest_ytd: '12.5' } })
    expect(new Drafts('rep-b', s).load('report.7')).toBeNull()
    a.clear('report.7')
    expect(a.load('report.7')).toBeNull()
  })
  it('ignores what it did not write', () => {
    const s = memory()
    s.setItem('duban.draft.u.x', '{not json')
    s.setItem('duban.draft.u.y', '{"data":1}')
    const d = new Drafts('u', s)
    expect(d.load('x')).toBeNull()
    expect(d.load('y')).toBeNull()
  })
  it('survives a full storage', () => {
    const d = new Drafts('u', { getItem: () => null, removeItem: () => {}, setItem: () => { throw new Error('QuotaExceededError') } })
    expect(() => d.save('x', 1)).not.toThrow()
  })
})

describe('debounce', () => {
  it('runs once after the last call, or at once when flushed', () => {
    vi.useFakeTimers()
    const f = vi.fn()
    const d = debounce(f, 100)
    d(); d(); vi.advanceTimersByTime(99)
    expect(f).not.toHaveBeenCalled()
    d(); vi.advanceTimersByTime(100)
    expect(f).toHaveBeenCalledTimes(1)
    d(); d.flush()
    expect(f).toHaveBeenCalledTimes(2)
    d.flush()
    expect(f).toHaveBeenCalledTimes(2)
    d(); d.cancel(); vi.advanceTimersByTime(500)
    expect(f).toHaveBeenCalledTimes(2)
    vi.useRealTimers()
  })
})
