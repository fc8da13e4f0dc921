import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, get, post, setCsrf, setUnauthenticatedHandler } from './api'
import { passwordProblems } from './session'

function reply(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

afterEach(() => {
  vi.unstubAllGlobals()
  setCsrf(null)
})

describe('the API client', () => {
  it('sends the CSRF token on writes only', async () => {
    const f = reply(200, { ok: true })
    vi.stubGlobal('fetch', f)
    setCsrf('tok123')
    await post('/api/v1/x', { a: 1 })
    await get('/api/v1/y')
    const calls = f.mock.calls as unknown as [string, RequestInit][]
    expect((calls[0][1].headers as Record<string, string>)['X-CSRF-Token']).toBe('tok123')
    expect((calls[1][1].headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined()
  })

  it('reports an ended session once and keeps the server message in both languages', async () => {
    vi.stubGlobal('fetch', reply(401, { code: 'session_expired', message: 'the session has ended', message_zh: '登录已超时' }))
    const seen: string[] = []
    setUnauthenticatedHandler((e) => seen.push(e.code))
    const err = await get('/api/v1/projects').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).text('zh-CN')).toBe('登录已超时')
    expect(seen).toEqual(['session_expired'])
    // A failed login is the login page's business, not a redirect.
    await post('/api/v1/auth/login', {}).catch(() => {})
    expect(seen).toEqual(['session_expired'])
  })

  it('turns field errors into details', async () => {
    vi.stubGlobal('fetch', reply(400, { code: 'invalid_input', message: 'm', message_zh: 'z', details: [{ field: 'new_password', code: 'weak_password', zh: '弱', en: 'weak' }] }))
    const err = (await post('/api/v1/auth/password', {}).catch((e) => e)) as ApiError
    expect(err.details.map((d) => d.field)).toEqual(['new_password'])
  })
})

describe('the password hint', () => {
  it('mirrors the server policy', () => {
    expect(passwordProblems('Ab1!')).toBe('short')
    expect(passwordProblems('abcdefgh1')).toBe('classes')
    expect(passwordProblems('Abcdefg1')).toBeNull()
  })
})

describe('the home page', () => {
  const me = (roles: string[], capabilities: string[]) => ({ roles: roles.map((role) => ({ role, scope: { kind: 'own' } })), capabilities })
  it('is the daily work of each role', async () => {
    const { home } = await import('./session')
    expect(home(me(['leader'], ['read_registry']))).toBe('/cockpit')
    expect(home(me(['supervisor'], ['read_registry', 'supervise']))).toBe('/dispatch')
    expect(home(me(['reporter'], ['read_registry', 'draft_reports']))).toBe('/reports')
    expect(home(me(['approver'], ['read_registry', 'approve_reports']))).toBe('/reports')
    expect(home(me(['admin'], ['manage_users', 'manage_units']))).toBe('/admin')
    expect(home(me(['auditor'], ['read_audit']))).toBe('/audit')
    expect(home(me(['reviewer'], ['read_registry', 'review']))).toBe('/projects')
    // A leader who also supervises starts on the cockpit.
    expect(home(me(['supervisor', 'leader'], ['read_registry', 'supervise']))).toBe('/cockpit')
  })
})
