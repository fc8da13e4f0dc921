import { createI18n } from 'vue-i18n'

// zh-CN first; English is one click away. Codes from the API are translated here.
const messages = {
  'zh-CN': {
    app: { title: '督办', subtitle: '重点项目督办与考核平台', lang: 'English' },
    nav: { projects: '项目库', cockpit: '领导驾驶舱', reports: '进度填报', problems: '问题清单', audit: '审计日志', logout: '退出' },
    audit: { title: '审计日志', actor: '操作人', action: '操作（如 login、report.）', outcome: '结果', total: '共 {n} 条', at: '时间', object: '对象', change: '内容', intact: '哈希链完整：{n} 条记录全部校验通过（SM3）', broken: '哈希链被破坏：{kind} {seq}' },
    problems: {
      title: '问题清单', state: '状态', deadline: '整改期限', total: '共 {n} 个问题', new: '新建问题', empty: '暂无问题', description: '问题描述',
      lead: '牵头单位', source: '来源', category: '类别', create: '交办', created: '已创建', done: '已办理', note: '办理说明（整改、销号、重新整改时填写）',
    },
    problemState: { open: '待交办', assigned: '已交办', acknowledged: '已签收', in_progress: '整改中', resolved: '已整改', closed: '已销号', reopened: '重新整改' },
    problemAction: { create: '创建', assign: '交办', acknowledge: '签收', start: '开始整改', start_work: '开始整改', resolve: '整改完成', close: '销号', reopen: '重新整改', notes: '添加说明', note: '说明', request_extension: '申请延期', approve_extension: '同意延期', reject_extension: '不同意延期' },
    problemSource: { report: '进度填报', inspection: '督查', dispatch: '调度会', leader: '领导交办' },
    problemCategory: { land: '用地', energy: '用能', water: '用水', funding: '资金', approval: '审批', demolition: '征迁', labour: '用工', quality: '质量安全', other: '其他' },
    deadline: { overdue: '已超期', due_soon: '临期', on_track: '正常', none: '' },
    reports: {
      title: '进度填报与审核', due: '待填报', allDone: '本期项目均已报送', dueCount: '{n} 个项目待报', state: '状态', notStarted: '未填报', fill: '填报',
      inbox: '待审核', inboxEmpty: '暂无待审核的报告', period: '期次', ytd: '年度累计（万元）', progress: '形象进度', late: '迟报',
      approve: '审核通过', return: '退回', returnTitle: '退回报告', reason: '请写明退回原因', wan: '万元', save: '保存草稿', submit: '报送',
      saved: '已保存草稿', submitted: '已报送，等待审核', submittedLate: '已报送（已超过报送期限，记为迟报）', approved: '已审核通过', returned: '已退回', returnedBecause: '已被退回：{reason}',
      badAmount: '请填写数字（万元，最多4位小数）', badPercent: '请填写0—100之间的数', ytdBelowPeriod: '年度累计不能小于本期完成',
      f: { invest_period: '本期完成投资', invest_ytd: '年度累计完成投资', invest_since_start: '开工至今累计完成', funds_received: '累计资金到位', funds_disbursed: '累计资金拨付',
        progress: '形象进度', progress_pct: '形象进度', progress_text: '形象进度描述', started: '是否开工', started_on: '实际开工时间', stats_entered: '是否入库纳统', issues: '存在问题及需协调事项', next_steps: '下步计划' },
    },
    reportState: { draft: '草稿', submitted: '已报送', approved: '已审核', returned: '已退回' },
    cockpit: {
      title: '领导驾驶舱', all: '全部', projects: '项目数', totalInvestment: '总投资', annualPlan: '年度计划投资', actual: '累计完成投资',
      completion: '完成率', timeProgress: '序时进度', startRate: '开工率', problems: '问题', overdue: '超期 {n} 个', yi: '亿元',
      curve: '计划与完成（累计，亿元）', plan: '计划', lights: '红黄绿灯', ranking: '单位完成率排名（点击下钻）', byChain: '分产业链',
      redBlack: '红黑榜', redList: '红榜', blackList: '黑榜', unit: '单位', annualPlanYi: '年度计划（亿元）', actualYi: '累计完成（亿元）',
      gap: '与序时进度差（百分点）', empty: '该范围内暂无数据', noChain: '未归链', monthSuffix: '月',
    },
    project: {
      back: '返回', asOf: '截至', builder: '建设单位', location: '建设地点', funding: '资金来源', content: '建设内容',
      curve: '{year}年计划与完成（累计，万元；圆点为当月灯色）', forecast: '预计全年完成 {v} 万元（区间 {low}—{high}）', planMet: '，预计{m}月完成年度计划',
      why: '为何亮此灯', noReason: '各项规则均未触发，绿灯。', warnings: '数据提示', noWarning: '未发现数据问题',
      milestones: '节点计划', noPlan: '{year}年尚无年度计划', noMilestone: '年度计划未设节点', reached: '{d} 完成', overdue: '已逾期未完成', pending: '未到期',
      reports: '填报记录（{n}）', noReport: '暂无填报记录', revision: '修订', history: '修订记录', funds: '资金与进度', problems: '问题（{n}）',
      files: '附件与照片（{n}）', noFile: '暂无附件', revisionsOf: '{p} 的修订记录', revisionN: '第{n}版', firstRevision: '首次报送', noChange: '数字未变',
    },
    lightName: { green: '绿灯', yellow: '黄灯', orange: '橙灯', red: '红灯' },
    funding: { central_budget: '中央预算内', special_bond: '专项债', aid: '援疆资金', local_fiscal: '地方财政', self_raised: '自筹', loan: '贷款' },
    light: { 0: '绿灯', 1: '黄灯', 2: '橙灯', 3: '红灯' },
    login: {
      username: '用户名', password: '密码', totp: '动态口令（6位数字）', submit: '登录', expired: '登录已超时，请重新登录，未保存的内容仍在原页面。',
      mustChange: '首次登录或密码已超过90天，请先设置新密码。', newPassword: '新密码', again: '再次输入新密码', change: '修改密码并进入',
      mismatch: '两次输入的新密码不一致', policy: { short: '密码至少8位', classes: '须包含大写字母、小写字母、数字、符号中的至少三类' },
    },
    projects: {
      title: '项目库', search: '项目名称或代码', unit: '责任单位（含下级）', chain: '产业链', status: '建设状态', nature: '建设性质',
      category: '项目类别', reset: '重置', total: '共 {n} 个项目', code: '项目代码', name: '项目名称', unitCol: '责任单位',
      investment: '总投资（万元）', years: '建设年限', leader: '包联领导', empty: '没有符合条件的项目', chart: '本页项目状态分布',
      loadFailed: '项目加载失败',
    },
    status: { planning: '谋划', reserve: '储备', preliminary: '前期', construction: '在建', completed: '竣工', operating: '投产', suspended: '停缓建', cancelled: '取消' },
    nature: { new: '新建', continuing: '续建', preparatory: '前期' },
    category: { industry: '产业', infrastructure: '基础设施', livelihood: '民生', agriculture: '农业农村', ecology: '生态环保', energy: '能源', social: '社会事业' },
  },
  en: {
    app: { title: 'duban', subtitle: 'Key project supervision and assessment', lang: '中文' },
    nav: { projects: 'Projects', cockpit: 'Cockpit', reports: 'Reporting', problems: 'Problems', audit: 'Audit log', logout: 'Log out' },
    audit: { title: 'Audit log', actor: 'Actor', action: 'Action (e.g. login, report.)', outcome: 'Outcome', total: '{n} entries', at: 'Time', object: 'Object', change: 'Change', intact: 'Hash chain intact: all {n} entries verify (SM3)', broken: 'Hash chain broken: {kind} {seq}' },
    problems: {
      title: 'Problems', state: 'State', deadline: 'Deadline', total: '{n} problems', new: 'New problem', empty: 'No problem', description: 'Description',
      lead: 'Lead unit', source: 'Source', category: 'Category', create: 'Assign', created: 'Created', done: 'Done', note: 'Note (needed to resolve, close or reopen)',
    },
    problemState: { open: 'Open', assigned: 'Assigned', acknowledged: 'Acknowledged', in_progress: 'In progress', resolved: 'Resolved', closed: 'Closed', reopened: 'Reopened' },
    problemAction: { create: 'Created', assign: 'Assign', acknowledge: 'Acknowledge', start: 'Start', start_work: 'Start', resolve: 'Resolve', close: 'Close', reopen: 'Reopen', notes: 'Add note', note: 'Note', request_extension: 'Extension asked', approve_extension: 'Extension granted', reject_extension: 'Extension refused' },
    problemSource: { report: 'Progress report', inspection: 'Inspection', dispatch: 'Dispatch meeting', leader: 'Leader' },
    problemCategory: { land: 'Land', energy: 'Energy', water: 'Water', funding: 'Funding', approval: 'Approval', demolition: 'Demolition', labour: 'Labour', quality: 'Quality and safety', other: 'Other' },
    deadline: { overdue: 'Overdue', due_soon: 'Due soon', on_track: 'On track', none: '' },
    reports: {
      title: 'Progress reports', due: 'Due', allDone: 'Every project has reported for this period', dueCount: '{n} due', state: 'State', notStarted: 'not started', fill: 'Fill in',
      inbox: 'To approve', inboxEmpty: 'Nothing waits for approval', period: 'Period', ytd: 'Year to date (10k)', progress: 'Progress', late: 'Late',
      approve: 'Approve', return: 'Return', returnTitle: 'Return the report', reason: 'Why is it returned?', wan: '10k yuan', save: 'Save draft', submit: 'Submit',
      saved: 'Draft saved', submitted: 'Submitted for approval', submittedLate: 'Submitted (after the deadline: marked late)', approved: 'Approved', returned: 'Returned', returnedBecause: 'Returned: {reason}',
      badAmount: 'Enter a number (10k yuan, at most 4 decimals)', badPercent: 'Enter a number from 0 to 100', ytdBelowPeriod: 'Year to date cannot be below this period',
      f: { invest_period: 'This period', invest_ytd: 'Year to date', invest_since_start: 'Since start', funds_received: 'Funds received', funds_disbursed: 'Funds disbursed',
        progress: 'Physical progress', progress_pct: 'Physical progress', progress_text: 'Progress in words', started: 'Started', started_on: 'Start date', stats_entered: 'In the statistics', issues: 'Problems and requests', next_steps: 'Next steps' },
    },
    reportState: { draft: 'Draft', submitted: 'Submitted', approved: 'Approved', returned: 'Returned' },
    cockpit: {
      title: 'Leader cockpit', all: 'All', projects: 'Projects', totalInvestment: 'Total investment', annualPlan: 'Annual plan', actual: 'Completed to date',
      completion: 'Completion', timeProgress: 'Time progress', startRate: 'Start rate', problems: 'Problems', overdue: '{n} overdue', yi: '100M yuan',
      curve: 'Plan and actual (cumulative, 100M yuan)', plan: 'Plan', lights: 'Traffic lights', ranking: 'Units by completion (click to drill down)', byChain: 'By industry chain',
      redBlack: 'red and black lists', redList: 'Red list', blackList: 'Black list', unit: 'Unit', annualPlanYi: 'Annual plan (100M)', actualYi: 'Done (100M)',
      gap: 'Gap to time progress (points)', empty: 'No data in this scope', noChain: 'No chain', monthSuffix: '',
    },
    project: {
      back: 'Back', asOf: 'As of', builder: 'Builder', location: 'Location', funding: 'Funding', content: 'Scope of works',
      curve: 'Plan and actual in {year} (cumulative, 10k yuan; dots show each month\'s light)', forecast: 'Year-end forecast {v} (range {low}—{high}, 10k yuan)', planMet: '; plan met in month {m}',
      why: 'Why this light', noReason: 'No rule fires: green.', warnings: 'Data checks', noWarning: 'No data problem found',
      milestones: 'Milestones', noPlan: 'No annual plan for {year}', noMilestone: 'The plan has no milestones', reached: 'reached {d}', overdue: 'overdue', pending: 'not yet due',
      reports: 'Reports ({n})', noReport: 'No report yet', revision: 'Rev.', history: 'Revisions', funds: 'Funds and progress', problems: 'Problems ({n})',
      files: 'Files and photos ({n})', noFile: 'No file', revisionsOf: 'Revisions of {p}', revisionN: 'Revision {n}', firstRevision: 'First report', noChange: 'No figure changed',
    },
    lightName: { green: 'Green', yellow: 'Yellow', orange: 'Orange', red: 'Red' },
    funding: { central_budget: 'Central budget', special_bond: 'Special bonds', aid: 'Aid funds', local_fiscal: 'Local fiscal', self_raised: 'Self-raised', loan: 'Loans' },
    light: { 0: 'Green', 1: 'Yellow', 2: 'Orange', 3: 'Red' },
    login: {
      username: 'User name', password: 'Password', totp: 'Authenticator code (6 digits)', submit: 'Log in', expired: 'Your session ended; log in again. Unsaved input stays on its page.',
      mustChange: 'First login, or the password is older than 90 days: choose a new password.', newPassword: 'New password', again: 'New password again', change: 'Change password and continue',
      mismatch: 'The two new passwords differ', policy: { short: 'At least 8 characters', classes: 'Use at least 3 of: upper case, lower case, digits, symbols' },
    },
    projects: {
      title: 'Project registry', search: 'Name or code', unit: 'Unit (with sub-units)', chain: 'Industry chain', status: 'Status', nature: 'Nature',
      category: 'Category', reset: 'Reset', total: '{n} projects', code: 'Code', name: 'Name', unitCol: 'Responsible unit',
      investment: 'Total investment (10k yuan)', years: 'Years', leader: 'Liaison leader', empty: 'No project matches', chart: 'Status of the projects on this page',
      loadFailed: 'Could not load projects',
    },
    status: { planning: 'Planning', reserve: 'Reserve', preliminary: 'Preliminary', construction: 'Under construction', completed: 'Completed', operating: 'In operation', suspended: 'Suspended', cancelled: 'Cancelled' },
    nature: { new: 'New', continuing: 'Continuing', preparatory: 'Preparatory' },
    category: { industry: 'Industry', infrastructure: 'Infrastructure', livelihood: 'Livelihood', agriculture: 'Agriculture', ecology: 'Ecology', energy: 'Energy', social: 'Social services' },
  },
}

export type Lang = 'zh-CN' | 'en'

export const i18n = createI18n({
  legacy: false,
  locale: (localStorage.getItem('duban.lang') as Lang) || 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages,
})

export function setLang(lang: Lang) {
  i18n.global.locale.value = lang
  localStorage.setItem('duban.lang', lang)
  document.documentElement.lang = lang
}
