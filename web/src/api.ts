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

/// One call to the API. Writes carry the CSRF token the login returned; a body is JSON,
/// or a file's bytes as they are; every failure becomes an ApiError.
export async function request<T>(method: string, path: string, body?: unknown, params: Params = {}): Promise<T> {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v))
  const url = qs.toString() ? `${path}?${qs}` : path
  const headers: Record<string, string> = { Accept: 'application/json' }
  const raw = body instanceof Blob
  if (body !== undefined) headers['Content-Type'] = raw ? 'application/octet-stream' : 'application/json'
  const csrf = sessionStorage.getItem(CSRF_KEY)
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf
  let res: Response
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body), credentials: 'same-origin' })
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

/** The server could not be reached (no network, or a gateway with the server away): what
 * was asked may be asked again later, unlike a refusal. */
export function unreachable(e: unknown): boolean {
  return e instanceof ApiError && [0, 502, 503, 504].includes(e.status)
}

export function get<T>(path: string, params: Params = {}): Promise<T> {
  return request<T>('GET', path, undefined, params)
}
export function post<T>(path: string, body: unknown = {}): Promise<T> {
  return request<T>('POST', path, body)
}

/** Upload a file to an object (report, problem, inspection); the server checks its
 * type by content and its size. */
export function upload(objectType: string, objectId: number, file: File): Promise<Attachment> {
  return request<Attachment>('POST', '/api/v1/attachments', file, { object_type: objectType, object_id: objectId, name: file.name })
}

export function put<T>(path: string, body: unknown): Promise<T> {
  return request<T>('PUT', path, body)
}

/** The server's field errors of a failed write, by field, in the user's language: for
 * showing each under its input. Empty when the failure is not about fields. */
export function fieldErrors(e: unknown, lang: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (e instanceof ApiError) for (const d of e.details) out[d.field] ??= lang === 'en' ? d.en : d.zh
  return out
}

/// The signed-in user as the server describes it.
export interface Me {
  id: number; username: string; display_name: string; unit_id: number
  roles: { role: string; scope: { kind: string; units?: number[] } }[]
  capabilities: string[]; password_change_required: boolean; totp_enabled: boolean
  /** The role requires a second factor and none is set up yet. */
  totp_required?: boolean
  recovery_codes_left?: number
  signed_in_via?: 'password' | 'sso'
  /** The session's CSRF token (a page opened after the identity platform's redirect). */
  csrf_token?: string
  /** Reports are approved at two levels and this user's unit gives the second. */
  second_approver?: boolean
  /** Reports are approved at two levels in this office. */
  two_level_approval?: boolean
}

export interface Unit { id: number; parent_id: number | null; code: string; name: string; kind: string; series: string; version?: number }
export interface Chain { id: number; code: string; name: string; leader: string }
export interface Funding { source: string; amount: number }
export interface Project {
  id: number; code: string; name: string; unit_id: number; builder: string; leader: string; chain_id: number | null
  category: string; nature: string; level: string; status: string; location: string; content: string
  start_year: number; end_year: number; total_investment: number; funding: Funding[]; version: number
  /** The registry's standing at the office's month (list only). */
  light?: string | null; completion_bp?: number | null; progress_bp?: number | null
}
export interface Page<T> { total: number; items: T[] }

/** The figures of a group at a month, as the stats endpoints return them: the totals,
 * the rates in basis points, and every measure as the server prints it (`text`). */
export interface Figures {
  projects: number; total_investment: number; annual_plan: number; plan_to_date: number; actual_ytd: number
  reported: number; submitted: number; late: number; due_to_start: number; started_of_due: number; new_planned: number; new_started: number
  started: number; milestones_overdue: number; lights: [number, number, number, number]
  time_basis: 'calendar' | 'plan'; missing_basis: string; start_basis: string
  completion_bp: number | null; time_progress_bp: number | null; gap_bp: number | null; start_rate_bp: number | null
  yoy_bp: number | null; start_planned: number; start_done: number; not_started: number; lit: number
  reports_due: number; reports_missing: number; reports_late: number
  gap_zh: string | null; gap_en: string | null; text: Record<string, string>
}
export interface Overview extends Figures { as_of: string; problems_open: number; problems_overdue: number }
export interface BreakdownRow extends Figures { key: string; own?: boolean; problems_open?: number; problems_overdue?: number }
export interface CurvePoint { month: number; plan_to_date: number; actual_ytd: number; annual_plan: number; reported: number; calendar_to_date: number }
export interface Ranked { unit_id: number; series: string; value: number | null; rank: number | null }
export interface SeriesLists { series: string; red: Ranked[]; black: Ranked[] }
export interface Rankings { measure: string; items: Ranked[]; lists: SeriesLists[]; rule: { rank_by: string; red: number; black: number; against_time_progress: boolean } }
export interface DispatchItem {
  project_id: number; code: string; name: string; unit_id: number; chain_id: number | null; leader: string; light: string
  reasons: { code: string; zh: string; en: string }[]
}
export interface DispatchList { as_of: string; total: number; counts: Record<string, number>; items: DispatchItem[] }

/** A light's reason or a data-quality warning, in both languages with the facts seen. */
export interface Reason { rule: string; light: string; zh: string; en: string; facts: [string, unknown][] }
export interface Warning { code: string; severity: string; zh: string; en: string; facts: [string, unknown][] }
export interface Forecast { year_end: number; low: number; high: number; plan_met_month: number | null; performance_bp: number | null }
/** Why a project has its light at a month, with its year's curve. */
export interface Why {
  project_id: number; as_of: string; light: string; reasons: Reason[]; time_progress_bp: number | null; completion_bp: number | null
  gap_bp: number | null; gap_zh: string | null; gap_en: string | null
  warnings: Warning[]; forecast: Forecast; lights: string[]; plan: number[]; actual: number[]
}
export interface Milestone { name: string; planned: string; actual: string | null }
export interface Plan { year: number; curve: number[]; planned_start_month: number | null; milestones: Milestone[]; version: number }
export interface ReportFigures {
  invest_period: number; invest_ytd: number; invest_since_start: number; progress_bp: number; progress_text: string
  funds_received: number; funds_disbursed: number; started: boolean; started_on: string | null; stats_entered: boolean
  issues: string; next_steps: string
}
export interface Report {
  id: number; project_id: number; period: string; revision: number; state: string; figures: ReportFigures
  returned_reason: string | null; submitted_at: number | null; approved_at: number | null; late: boolean
  /** Loaded as history (补录): approved as of its own month. */
  backfilled?: boolean
  /** For a correction: why the approved report was reopened. */
  correction_reason?: string | null
}
export interface ReportRow extends Report { project_code: string; project_name: string; unit_id: number }
export interface Revision extends Report { changes: { field: string; before: string; after: string }[] }
export interface Attachment { id: number; name: string; mime: string; size: number; object_type: string; object_id: number; uploaded_at: number }
export interface Problem {
  id: number; project_id: number | null; source: string; category: string; description: string; lead_unit_id: number | null
  responsible: string; deadline: string | null; state: string; deadline_status: string
}
