// The import preview as the server sends it, and how a change reads.

export type Action = 'create' | 'update' | 'unchanged' | 'rejected'

export interface Change { field: string; zh: string; en: string; before: string; after: string }

export interface ImportPreview {
  id: number
  filename: string
  state: 'previewed' | 'committed'
  sheets: {
    sheet: string; kind: string | null; header_rows: [number, number]; data_row: number; rows: number
    columns: { column: string; header: string; field: string; zh: string }[]
    ignored: { column: string; header: string }[]
    skipped: { row: number; zh: string; en: string }[]
  }[]
  counts: { create: number; update: number; unchanged: number; rejected: number }
  items: { sheet: string; row: number; kind: string; action: Action; key: string; label: string; changes: Change[] }[]
  items_total: number
  errors: { sheet: string; row: number; column: string; header: string; value: string; field: string; code: string; zh: string; en: string }[]
  errors_total: number
  committable: boolean
  /** After a commit that created accounts: each initial password, shown once. */
  passwords?: { username: string; display_name: string; password: string }[]
}

/** "总投资：1200.00 → 1234.50"; a value set for the first time reads "→ x", a value
 * cleared "x → （空）". */
export function changeText(c: Change, english: boolean): string {
  const empty = english ? '(empty)' : '（空）'
  const label = english ? c.en || c.field : c.zh || c.field
  const sep = english ? ': ' : '：'
  if (c.before === '') return `${label}${sep}→ ${c.after}`
  return `${label}${sep}${c.before} → ${c.after === '' ? empty : c.after}`
}
