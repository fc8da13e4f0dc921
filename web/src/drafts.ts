// Unsaved input kept in the browser: a form's values are written to local storage as
// they are typed, so that a session that expires, a reload or a crashed browser loses
// nothing; they are removed once the server has them. Keys carry the user name, so one
// clerk's drafts are never offered to another on a shared office PC.

export interface Draft<T> { at: number; data: T }

export class Drafts {
  constructor(private user: string, private store: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = localStorage) {}

  private key(name: string) {
    return `duban.draft.${this.user}.${name}`
  }

  save<T>(name: string, data: T, now = Date.now()) {
    try {
      this.store.setItem(this.key(name), JSON.stringify({ at: now, data }))
    } catch {
      // Storage full or disabled: the server autosave still runs.
    }
  }

  load<T>(name: string): Draft<T> | null {
    const raw = this.store.getItem(this.key(name))
    if (!raw) return null
    try {
      const d = JSON.parse(raw)
      return typeof d?.at === 'number' && 'data' in d ? (d as Draft<T>) : null
    } catch {
      return null
    }
  }

  clear(name: string) {
    this.store.removeItem(this.key(name))
  }
}

/** Run `f` once `ms` after the last call; `flush` runs a pending call now. */
export function debounce(f: () => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const call = () => {
    clearTimeout(timer)
    timer = setTimeout(() => { timer = undefined; f() }, ms)
  }
  call.flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer)
      timer = undefined
      f()
    }
  }
  call.cancel = () => {
    clearTimeout(timer)
    timer = undefined
  }
  return call
}
