// The notes the server writes on a problem's trail for steps it records itself (the
// assignment's lead unit and deadline, the evidence files of a resolution), turned into
// sentences; a person's own note is shown as written.

export interface TrailNames { unit: (id: number) => string; lang: string }

export function trailNote(note: string, n: TrailNames): string {
  const en = n.lang === 'en'
  return note
    .split('\n')
    .map((line) => {
      const assign = /^lead (\d+), deadline (\d{4}-\d{2}-\d{2})$/.exec(line.trim())
      if (assign) {
        const unit = n.unit(Number(assign[1]))
        return en ? `lead unit ${unit}, deadline ${assign[2]}` : `牵头单位：${unit}，整改期限：${assign[2]}`
      }
      const file = /^attachment:(\d+) sha256:[0-9a-f]{64}$/.exec(line.trim())
      if (file) return en ? `evidence: file #${file[1]}` : `佐证材料：附件 #${file[1]}`
      return line
    })
    .filter((l) => l.trim() !== '')
    .join(en ? '; ' : '；')
}
