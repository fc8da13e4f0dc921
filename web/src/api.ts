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

export async function get<T>(path: string, params: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v))
  const url = qs.toString() ? `${path}?${qs}` : path
  let res: Response
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' } })
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server; check the network and try again.', '无法连接服务器，请检查网络后重试。')
  }
  const body = await res.json().catch(() => null)
  if (!res.ok) {
    throw new ApiError(res.status, body?.code ?? 'http', body?.message ?? `HTTP ${res.status}`, body?.message_zh ?? `请求失败（${res.status}）`, Array.isArray(body?.details) ? body.details : [])
  }
  return body as T
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
