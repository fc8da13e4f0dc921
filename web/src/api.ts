// The API client: every failure becomes an ApiError with the server's code and its
// message in the user's language, so a clerk reads a sentence, not a status code.

export interface FieldError { field: string; code: string; zh: string; en: string }

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public messageZh: string, public details: FieldError[] = []) {
    super(message)
  }
  text(lang: string): string {
    return lang === 'en' ? this.message : this.messageZh
  }
}

type Params = Record<string, string | number | boolean | undefined>

const CSRF_KEY = 'duban.csrf'

/// Called when the server says the session is missing or over (401), so that the app
/// can send the user to the login page and come back afterwards.
let onUnauthenticated: (err: ApiError) => void = () => {}
export function setUnauthenticatedHandler(f: (err: ApiError) => void) {
  onUnauthenticated = f
}

export function setCsrf(token: string | null) {
  if (token) sessionStorage.setItem(CSRF_KEY, token)
  else sessionStorage.removeItem(CSRF_KEY)
}

/// One call to the API. Writes carry the CSRF token the login returned; every failure
/// becomes an ApiError.
export async function request<T>(method: string, path: string, body?: unknown, params: Params = {}): Promise<T> {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v))
  const url = qs.toString() ? `${path}?${qs}` : path
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const csrf = sessionStorage.getItem(CSRF_KEY)
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf
  let res: Response
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server; check the network and try again.', '无法连接服务器，请检查网络后重试。')
  }
  const data = await res.json().catch(() => null)
  if (!res.ok) {
    const err = new ApiError(res.status, data?.code ?? 'http', data?.message ?? `HTTP ${res.status}`, data?.message_zh ?? `请求失败（${res.status}）`, Array.isArray(data?.details) ? data.details : [])
    if (res.status === 401 && path !== '/api/v1/auth/login') onUnauthenticated(err)
    throw err
  }
  return data as T
}

export function get<T>(path: string, params: Params = {}): Promise<T> {
  return request<T>('GET', path, undefined, params)
}
export function post<T>(path: string, body: unknown = {}): Promise<T> {
  return request<T>('POST', path, body)
}

/// The signed-in user as the server describes it.
export interface Me {
  id: number; username: string; display_name: string; unit_id: number
  roles: { role: string; scope: { kind: string; units?: number[] } }[]
  capabilities: string[]; password_change_required: boolean; totp_enabled: boolean
}

export interface Unit { id: number; parent_id: number | null; code: string; name: string; kind: string; series: string }
export interface Chain { id: number; code: string; name: string; leader: string }
export interface Funding { source: string; amount: number }
export interface Project {
  id: number; code: string; name: string; unit_id: number; builder: string; leader: string; chain_id: number | null
  category: string; nature: string; level: string; status: string; location: string; content: string
  start_year: number; end_year: number; total_investment: number; funding: Funding[]; version: number
}
export interface Page<T> { total: number; items: T[] }

/** The figures of a group at a month, as the stats endpoints return them. */
export interface Figures {
  projects: number; total_investment: number; annual_plan: number; plan_to_date: number; actual_ytd: number
  reported: number; due_to_start: number; started_of_due: number; started: number; lights: [number, number, number, number]
  completion_bp: number | null; time_progress_bp: number | null; gap_bp: number | null; start_rate_bp: number | null
  yoy_bp: number | null; gap_zh: string | null
}
export interface Overview extends Figures { as_of: string; problems_open: number; problems_overdue: number }
export interface BreakdownRow extends Figures { key: string; problems_open?: number; problems_overdue?: number }
export interface CurvePoint { month: number; plan_to_date: number; actual_ytd: number; annual_plan: number; reported: number }
export interface Ranked { unit_id: number; series: string; value: number | null; rank: number | null }
export interface Rankings { measure: string; items: Ranked[]; lists: [string, Ranked[], Ranked[]][] }
