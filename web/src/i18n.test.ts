import { expect, it } from 'vitest'
import { messages } from './i18n'

type Tree = { [k: string]: string | Tree }
const keys = (t: Tree, at = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) => (typeof v === 'string' ? [`${at}${k}`] : keys(v, `${at}${k}.`)))

it('every text exists in Chinese and in English, with the same placeholders', () => {
  const zh = messages['zh-CN'] as unknown as Tree
  const en = messages.en as unknown as Tree
  expect(keys(en).sort()).toEqual(keys(zh).sort())
  const get = (t: Tree, k: string) => k.split('.').reduce<string | Tree>((x, p) => (x as Tree)[p], t) as string
  const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort()
  for (const k of keys(zh)) expect(holes(get(en, k)), k).toEqual(holes(get(zh, k)))
})
