// Reports typed without a connection: what the clerk asked for (save, or submit) waits
// here, per user, until the server can be reached; the figures themselves are the
// form's draft kept in the browser (drafts.ts). Sent in the order they were asked for.

export interface Pending { id: number; submit: boolean; at: number; label: string }

export class Outbox {
  constructor(private user: string, private store: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = localStorage) {}

  private get key() {
    return `duban.outbox.${this.user}`
  }

  list(): Pending[] {
    try {
      const v = JSON.parse(this.store.getItem(this.key) ?? '[]')
      return Array.isArray(v) ? v.filter((p) => typeof p?.id === 'number') : []
    } catch {
      return []
    }
  }

  /** Ask for a report to be saved or submitted when possible; a submit outranks a save. */
  put(p: Pending) {
    const rest = this.list().filter((x) => x.id !== p.id)
    const had = this.list().find((x) => x.id === p.id)
    rest.push({ ...p, submit: p.submit || !!had?.submit })
    this.write(rest)
  }

  remove(id: number) {
    this.write(this.list().filter((x) => x.id !== id))
  }

  private write(v: Pending[]) {
    try {
      if (v.length) this.store.setItem(this.key, JSON.stringify(v))
      else this.store.removeItem(this.key)
    } catch {
      // Storage full or disabled: nothing more can be kept.
    }
  }
}

/** What became of the waiting reports. */
export interface Flushed { sent: Pending[]; refused: { p: Pending; why: unknown }[]; offline: boolean }

/**
 * Send the waiting reports one by one. `send` saves (and submits) one; it throws a
 * `refusal` (the server answered no) or anything else (no connection: stop, keep the rest).
 */
export async function flush(box: Outbox, send: (p: Pending) => Promise<void>, refusal: (e: unknown) => boolean): Promise<Flushed> {
  const out: Flushed = { sent: [], refused: [], offline: false }
  for (const p of box.list().sort((a, b) => a.at - b.at)) {
    try {
      await send(p)
      box.remove(p.id)
      out.sent.push(p)
    } catch (e) {
      if (!refusal(e)) {
        out.offline = true
        break
      }
      box.remove(p.id)
      out.refused.push({ p, why: e })
    }
  }
  return out
}
