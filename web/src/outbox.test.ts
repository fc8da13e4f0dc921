import { describe, expect, it } from 'vitest'
import { Outbox, flush } from './outbox'

function memory() {
  const m = new Map<string, string>()
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) }
}

describe('the outbox of reports typed offline', () => {
  it('keeps one entry per report, a submit outranking a later save, per user', () => {
    const store = memory()
    const a = new Outbox('clerk', store)
    a.put({ id: 1, submit: true, at: 1, label: 'A' })
    a.put({ id: 1, submit: false, at: 2, label: 'A' })
    a.put({ id: 2, submit: false, at: 3, label: 'B' })
    expect(a.list().map((p) => [p.id, p.submit])).toEqual([[1, true], [2, false]])
    expect(new Outbox('other', store).list()).toEqual([])
  })
  it('sends in order, drops what the server refuses and stops at the first lost connection', async () => {
    const box = new Outbox('clerk', memory())
    box.put({ id: 3, submit: true, at: 30, label: 'C' })
    box.put({ id: 1, submit: true, at: 10, label: 'A' })
    box.put({ id: 2, submit: false, at: 20, label: 'B' })
    const order: number[] = []
    const r = await flush(box, async (p) => {
      order.push(p.id)
      if (p.id === 2) throw new Error('refused')
      if (p.id === 3) throw new TypeError('Failed to fetch')
    }, (e) => !(e instanceof TypeError))
    expect(order).toEqual([1, 2, 3])
    expect(r.sent.map((p) => p.id)).toEqual([1])
    expect(r.refused.map((x) => x.p.id)).toEqual([2])
    expect(r.offline).toBe(true)
    expect(box.list().map((p) => p.id)).toEqual([3])
  })
})
