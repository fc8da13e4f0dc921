// The names of the example assessment schemes, their indicators and the usual grades in
// English. A scheme an office writes itself keeps its own names in either language.
const EN: Record<string, string> = {
  '年度重点项目目标考核（示例）': 'Annual targets of key projects (example)',
  '延安市重点项目月度评分（示例）': "Yan'an's monthly scoring of key projects (example)",
  '“三本清单”季度评议（示例）': 'Quarterly review of the "three lists" (example)',
  年度投资完成率: 'Completion of the annual investment plan', 新开工率: 'New projects started', 按时报送率: 'Reports on time',
  问题整改销号率: 'Problems resolved and closed', 综合评议: 'Overall review', 国家级表彰加分: 'National awards (bonus)',
  完成投资占年度计划: 'Investment done against the annual plan', '项目数量和规模（亿元）': 'Number and size of projects (100M yuan)',
  被通报批评: 'Public criticism (deduction)', 重点工作: 'Key work', 亮点工作: 'Highlights', 难点工作: 'Difficult work',
  优秀: 'Excellent', 良好: 'Good', 一般: 'Fair', 较差: 'Poor', 合格: 'Pass', 不合格: 'Fail',
}

/** A scheme's, an indicator's or a grade's name in the user's language. */
export function nameOf(name: string, lang: string): string {
  return lang === 'en' ? (EN[name] ?? name) : name
}

export interface Scoring { kind: string; [k: string]: unknown }
export interface EditedIndicator { code: string; name: string; points: number; source?: string | null; scoring?: Scoring | null; children: EditedIndicator[] }
export interface Grade { name: string; min_score: number; max_share?: number | null }
export interface EditedScheme { name: string; points: number; indicators: EditedIndicator[]; grades: Grade[] }

/** A scheme as the server sends it (leaves without `children`), ready for the form. */
export function editable(s: { name: string; points: number; indicators?: unknown[]; grades?: Grade[] }): EditedScheme {
  const ind = (i: Partial<EditedIndicator>): EditedIndicator => ({
    code: i.code ?? '', name: i.name ?? '', points: i.points ?? 0, source: i.source ?? null, scoring: i.scoring ?? null,
    children: (i.children ?? []).map(ind),
  })
  return { name: s.name, points: s.points, indicators: (s.indicators ?? []).map((i) => ind(i as Partial<EditedIndicator>)), grades: s.grades ?? [] }
}
