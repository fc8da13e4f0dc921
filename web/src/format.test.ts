import { describe, expect, it } from 'vitest'
import { clockTime, lastMonth, parseWan, pct, wan, yi } from './format'

describe('money formats', () => {
  it('shows 万元 and 亿元 with two decimals, rounding half away from zero', () => {
    expect(wan(5_120_000)).toBe('512.00')
    expect(wan(12_345)).toBe('1.23')
    expect(wan(12_355)).toBe('1.24')
    expect(wan(-12_355)).toBe('-1.24')
    expect(wan(-40)).toBe('0.00')
    expect(yi(342_000_000)).toBe('3.42')
    expect(yi(138_240_000_000)).toBe('1,382.40')
    expect(wan(4_800_000_000)).toBe('480,000.00')
  })
  it('is exact beyond float precision of decimal fractions', () => {
    // 0.1 + 0.2 style errors would show here.
    expect(wan(3)).toBe('0.00')
    expect(wan(50)).toBe('0.01')
    expect(yi(999_999)).toBe('0.01')
  })
})

describe('percentages', () => {
  it('shows one decimal', () => {
    expect(pct(4650)).toBe('46.5%')
    expect(pct(10000)).toBe('100.0%')
    expect(pct(0)).toBe('0.0%')
    expect(pct(-55)).toBe('-0.6%')
    expect(pct(5278)).toBe('52.8%')
  })
})

describe('amounts typed in 万元', () => {
  it('become exact yuan', () => {
    expect(parseWan('1,234.5')).toBe(12_345_000)
    expect(parseWan('１２．３４')).toBe(123_400)
    expect(parseWan(' 0.0001 ')).toBe(1)
    expect(parseWan('0')).toBe(0)
    expect(parseWan('3.')).toBe(30_000)
  })
  it('refuse what is not an amount', () => {
    for (const bad of ['', '-5', '1.23456', 'abc', '1e5', '12万']) expect(parseWan(bad)).toBeNull()
  })
})

describe('the default period', () => {
  it('is the month before, across the turn of the year', () => {
    expect(lastMonth(new Date(2026, 10, 22))).toBe('2026-10')
    expect(lastMonth(new Date(2026, 0, 31))).toBe('2025-12')
    expect(lastMonth(new Date(2026, 2, 31))).toBe('2026-02')
  })
})

it('shows times of day on the 24-hour clock', () => {
  expect(clockTime(new Date(2026, 10, 22, 19, 5, 3))).toBe('19:05:03')
  expect(clockTime(new Date(2026, 10, 22, 0, 0, 0))).toBe('00:00:00')
})

describe('percentages as clerks type them', () => {
  it('accepts a sign, spaces and full-width digits', async () => {
    const { parsePercent } = await import('./format')
    expect(parsePercent('45')).toBe(45)
    expect(parsePercent('45%')).toBe(45)
    expect(parsePercent(' 45.5 % ')).toBe(45.5)
    expect(parsePercent('４５％')).toBe(45)
    expect(parsePercent('abc')).toBeNull()
    expect(parsePercent('4-5')).toBeNull()
    expect(parsePercent('')).toBeNull()
  })
})
