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

/** The gap to time progress from basis points: -3055 → "落后时间进度30.6个百分点". */
export function gapTextBp(bp: number, lang: 'zh-CN' | 'en'): string {
  const tenths = Math.round(Math.abs(bp) / 10)
  if (tenths === 0) return lang === 'en' ? 'on time progress' : '与时间进度持平'
  return gapText((Math.sign(bp) * tenths) / 10, lang)
}

/** "超过/落后时间进度 X 个百分点" from a gap in percentage points. */
export function gapText(points: number, lang: 'zh-CN' | 'en'): string {
  const x = Math.abs(points).toFixed(1)
  if (lang === 'en') return points >= 0 ? `${x} points ahead of time progress` : `${x} points behind time progress`
  return points >= 0 ? `超过时间进度${x}个百分点` : `落后时间进度${x}个百分点`
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

/** The month before `today`'s as YYYY-MM: the period reported and shown by default. */
export function lastMonth(today: Date = new Date()): string {
  const d = new Date(today.getFullYear(), today.getMonth() - 1, 1)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}

/** A time of day as the office reads it, 24-hour: "19:31:14". */
export function clockTime(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}
