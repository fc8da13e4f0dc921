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

it('every text compiles as a vue-i18n message (a bare @ or | would break it at run time)', async () => {
  const { baseCompile } = await import('@intlify/message-compiler')
  for (const lang of ['zh-CN', 'en'] as const) {
    const tree = messages[lang] as unknown as Tree
    for (const k of keys(tree)) {
      const text = k.split('.').reduce<string | Tree>((x, p) => (x as Tree)[p], tree) as string
      const errors: string[] = []
      baseCompile(text, { onError: (e) => errors.push(`${e.code}`) })
      expect(errors, `${lang} ${k}: ${text}`).toEqual([])
    }
  }
})
