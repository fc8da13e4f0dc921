// The server's catalogue of measures (口径): each figure's name and definition in both
// languages under the office's settings, fetched once per session and shared by every
// page that shows a figure.
import { reactive } from 'vue'
import { get } from './api'

export interface Definition { code: string; kind: string; name_zh: string; name_en: string; zh: string; en: string }

const state = reactive<{ byCode: Record<string, Definition>; loaded: boolean }>({ byCode: {}, loaded: false })
let pending: Promise<void> | null = null

/** Load the catalogue (once; later calls share the first request). */
export function loadMeasures(): Promise<void> {
  if (state.loaded) return Promise.resolve()
  pending ??= get<{ items: Definition[] }>('/api/v1/stats/measures')
    .then((r) => {
      for (const d of r.items) state.byCode[d.code] = d
      state.loaded = true
    })
    .catch(() => { pending = null })
  return pending
}

/** The 口径 of a measure in a language, or '' while unknown. */
export function definition(code: string, lang: string): string {
  const d = state.byCode[code]
  if (!d) return ''
  return lang === 'en' ? `${d.name_en}: ${d.en}` : `${d.name_zh}：${d.zh}`
}

/** Forget the catalogue (after the definitions changed). */
export function resetMeasures() {
  state.byCode = {}
  state.loaded = false
  pending = null
}
