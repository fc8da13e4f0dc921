import { expect, it } from 'vitest'
import { trailNote } from './trail'

const names = (lang: string) => ({ unit: (id: number) => (id === 2 ? '第一师阿拉尔市' : String(id)), lang })

it('turns the server\'s own notes into sentences and keeps a person\'s words', () => {
  expect(trailNote('lead 2, deadline 2026-12-01', names('zh-CN'))).toBe('牵头单位：第一师阿拉尔市，整改期限：2026-12-01')
  expect(trailNote('lead 2, deadline 2026-12-01', names('en'))).toBe('lead unit 第一师阿拉尔市, deadline 2026-12-01')
  const sha = 'ab'.repeat(32)
  expect(trailNote(`指标已落实\nattachment:17 sha256:${sha}`, names('zh-CN'))).toBe('指标已落实；佐证材料：附件 #17')
  expect(trailNote('lead 2 and more words', names('zh-CN'))).toBe('lead 2 and more words')
  expect(trailNote('', names('zh-CN'))).toBe('')
})
