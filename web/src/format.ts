// Number formats as users expect them: amounts arrive in whole yuan (integers) and are
// shown in 万元 or 亿元 with a fixed number of decimals, rounded half away from zero,
// computed in integers so that no floating-point error shows.

function scaled(yuan: number, divisor: bigint, decimals: number): string {
  const v = BigInt(Math.trunc(yuan))
  const step = divisor / 10n ** BigInt(decimals)
  const neg = v < 0n
  const abs = neg ? -v : v
  const q = (abs + step / 2n) / step
  const p = 10n ** BigInt(decimals)
  const int = (q / p).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const frac = decimals > 0 ? '.' + (q % p).toString().padStart(decimals, '0') : ''
  return (neg && q !== 0n ? '-' : '') + int + frac
}

/** 万元 with two decimals: 5120000 → "512.00". */
export function wan(yuan: number): string {
  return scaled(yuan, 10_000n, 2)
}

/** 亿元 with two decimals: 342000000 → "3.42". */
export function yi(yuan: number): string {
  return scaled(yuan, 100_000_000n, 2)
}

/** Basis points as a percentage with one decimal, rounded half away from zero like the
 * server: 4650 → "46.5%", -55 → "-0.6%". */
export function pct(bp: number): string {
  const tenths = Math.sign(bp) * Math.round(Math.abs(bp) / 10)
  return (tenths < 0 ? '-' : '') + (Math.abs(tenths) / 10).toFixed(1) + '%'
}

/** Parse an amount typed in 万元 ("1,234.5", "１２.３４", " 0.0001 ") into whole yuan,
 * exactly; `null` for anything that is not a non-negative number with at most four
 * decimals. */
export function parseWan(text: string): number | null {
  const t = text
    .replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\uff0e/g, '.')
    .replace(/[,，\s]/g, '')
  const m = /^(\d+)(?:\.(\d{0,4}))?$/.exec(t)
  if (!m) return null
  const yuan = BigInt(m[1]) * 10000n + BigInt((m[2] ?? '').padEnd(4, '0') || '0')
  return yuan > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(yuan)
}

/**
 * A percentage as clerks type it: "45", "45%", "45.5 %", full-width "４５％". The number,
 * or null when it is not one.
 */
export function parsePercent(text: string): number | null {
  const t = text
    .replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\uff0e/g, '.')
    .replace(/[％%\s]/g, '')
  if (!/^\d+(?:\.\d*)?$/.test(t)) return null
  return Number(t)
}

/** The month before `today`'s as YYYY-MM: the period reported and shown by default. */
export function lastMonth(today: Date = new Date()): string {
  const d = new Date(today.getFullYear(), today.getMonth() - 1, 1)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}

/** A time of day as the office reads it, 24-hour: "19:31:14". */
export function clockTime(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}
