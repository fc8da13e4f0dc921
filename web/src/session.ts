// The signed-in user, shared by the router guard, the header and the pages.
import { reactive } from 'vue'
import { ApiError, get, post, setCsrf, unreachable, type Me } from './api'

export const session = reactive<{ user: Me | null; checked: boolean; offline: boolean }>({ user: null, checked: false, offline: false })

// The signed-in user as last seen in this tab, so that a page reloaded without a
// connection still opens (the reports kept on the device then wait for the network).
const ME_KEY = 'duban.me'
function remember(me: Me | null) {
  try {
    if (me) sessionStorage.setItem(ME_KEY, JSON.stringify(me))
    else sessionStorage.removeItem(ME_KEY)
  } catch {
    // Storage disabled: nothing to remember.
  }
}

/// Ask the server who is signed in; `null` when nobody is. Without a connection, the
/// user last seen in this tab.
export async function loadMe(): Promise<Me | null> {
  try {
    session.user = await get<Me>('/api/v1/auth/me')
    // Back from the identity platform, the page has not seen the login's answer.
    if (session.user.csrf_token) setCsrf(session.user.csrf_token)
    session.offline = false
  } catch (e) {
    if (unreachable(e)) {
      const kept = sessionStorage.getItem(ME_KEY)
      if (!kept) throw e
      session.user = JSON.parse(kept) as Me
      session.offline = true
      session.checked = true
      return session.user
    }
    if (!(e instanceof ApiError) || e.status !== 401) throw e
    session.user = null
  }
  remember(session.user)
  session.checked = true
  return session.user
}

export async function login(username: string, password: string, totp?: string): Promise<Me> {
  const r = await post<{ csrf_token: string; user: Me }>('/api/v1/auth/login', { username, password, totp: totp || undefined })
  setCsrf(r.csrf_token)
  session.user = r.user
  remember(r.user)
  session.checked = true
  return r.user
}

export async function changePassword(oldPassword: string, newPassword: string) {
  await post('/api/v1/auth/password', { old_password: oldPassword, new_password: newPassword })
  if (session.user) session.user = { ...session.user, password_change_required: false }
}

export async function logout() {
  try {
    await post('/api/v1/auth/logout')
  } finally {
    setCsrf(null)
    session.user = null
    remember(null)
  }
}

/// Client-side copy of the password policy, for a hint while typing (the server decides).
export function passwordProblems(pw: string): 'short' | 'classes' | null {
  if (pw.length < 8) return 'short'
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length
  return classes < 3 ? 'classes' : null
}

/// Where a user starts: the page of their daily work. A leader reads the cockpit, a
/// supervisor the dispatch list, a clerk or an approver the reports, an administrator
/// the administration, an auditor the audit log; anyone else the registry.
export function home(me: Pick<Me, 'roles' | 'capabilities'>): string {
  const roles = new Set(me.roles.map((r) => r.role))
  if (roles.has('leader')) return '/cockpit'
  if (roles.has('supervisor')) return '/dispatch'
  if (roles.has('reporter') || roles.has('approver')) return '/reports'
  if (me.capabilities.includes('read_registry')) return '/projects'
  if (me.capabilities.some((c) => c === 'manage_users' || c === 'manage_units')) return '/admin'
  if (me.capabilities.includes('read_audit')) return '/audit'
  return '/projects'
}
