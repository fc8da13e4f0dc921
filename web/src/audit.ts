// The audit log in words: an action code as a sentence in the user's language, and an
// entry's before/after JSON as rows of field, before, after.

const ACTIONS: Record<string, [string, string]> = {
  login: ['登录', 'Sign-in'], logout: ['退出', 'Sign-out'], login_sso: ['统一身份认证登录', 'Sign-in through the identity platform'],
  'user.sso_link': ['绑定统一身份认证账号', 'Identity-platform account linked'], 'user.recovery_codes': ['重新生成恢复码', 'Recovery codes renewed'],
  'user.totp_enable': ['启用动态口令', 'Authenticator turned on'], 'user.totp_disable': ['关闭动态口令', 'Authenticator turned off'],
  'login.unblock_source': ['解除来源地址锁定', 'Source address unblocked'],
  'system.init': ['系统初始化', 'System set up'], 'system.first_run': ['首次使用验证', 'First-run attempt'],
  'user.create': ['新建用户', 'User created'], 'user.update': ['修改用户', 'User changed'], 'user.lock': ['锁定账号', 'Account locked'],
  'user.unlock': ['解锁账号', 'Account unlocked'], 'user.reset_password': ['重置密码', 'Password reset'], 'user.password': ['修改本人密码', 'Own password changed'],
  'user.totp_setup': ['开始设置动态口令', 'Authenticator set-up started'], 'token.create': ['签发接口令牌', 'API token issued'], 'token.revoke': ['吊销接口令牌', 'API token revoked'],
  'unit.create': ['新建单位', 'Unit created'], 'unit.update': ['修改单位', 'Unit changed'], 'unit.archive': ['归档单位', 'Unit archived'],
  'project.create': ['新建项目', 'Project created'], 'project.update': ['修改项目', 'Project changed'], 'project.archive': ['归档项目', 'Project archived'],
  'project.export': ['导出项目清单', 'Registry exported'], 'plan.put': ['保存年度计划', 'Annual plan saved'], 'plan.archive': ['撤回年度计划', 'Annual plan withdrawn'],
  'report.create': ['新建填报', 'Report started'], 'report.edit': ['修改填报', 'Report edited'], 'report.submit': ['报送', 'Report submitted'],
  'report.approve': ['审核通过', 'Report approved'], 'problem.raise': ['提请督办（由报告生成问题）', 'Problem raised from a report'], 'report.check': ['初审通过', 'First approval given'], 'report.return': ['退回填报', 'Report returned'], 'report.correct': ['发起更正', 'Correction opened'],
  'report.backfill': ['历史补录', 'History loaded'], 'problem.create': ['登记问题', 'Problem recorded'], 'problem.assign': ['交办问题', 'Problem assigned'],
  'problem.acknowledge': ['签收问题', 'Problem acknowledged'], 'problem.start_work': ['开始整改', 'Rectification started'], 'problem.note': ['记录整改进展', 'Progress noted'],
  'problem.resolve': ['整改完成', 'Problem resolved'], 'problem.close': ['销号', 'Problem closed (销号)'], 'problem.reopen': ['重新打开问题', 'Problem reopened'],
  'problem.request_extension': ['申请延期', 'Extension asked'], 'problem.approve_extension': ['同意延期', 'Extension granted'], 'problem.reject_extension': ['不同意延期', 'Extension refused'],
  'inspection.create': ['登记督查', 'Inspection recorded'], 'inspection.finding': ['记录督查发现', 'Finding recorded'], 'attachment.upload': ['上传附件', 'File uploaded'],
  'work_item.create': ['新建工作事项', 'Work item created'], 'work_item.update': ['修改工作事项', 'Work item changed'], 'settings.update': ['修改业务设置', 'Settings changed'],
  'settings.light_rules': ['修改红黄绿灯规则', 'Light rules changed'], 'import.commit': ['导入数据', 'Data imported'], 'bulletin.generate': ['生成通报', 'Bulletin generated'],
  'bulletin.review': ['审核通报', 'Bulletin reviewed'], 'bulletin.publish': ['发布通报', 'Bulletin published'], 'assessment.start': ['发起考核', 'Assessment started'],
  'assessment.review': ['评议打分', 'Review score entered'], 'assessment.enter': ['录入考核数据', 'Assessment figure entered'], 'assessment.publish': ['发布考核结果', 'Assessment published'],
}

/** An action as words in `lang` (the code itself when unknown). */
export function actionName(code: string, lang: string): string {
  const a = ACTIONS[code]
  return a ? (lang === 'en' ? a[1] : a[0]) : code
}

/** The known actions, for a filter: [code, words]. */
export function actionChoices(lang: string): [string, string][] {
  return Object.keys(ACTIONS).map((c) => [c, actionName(c, lang)])
}

const show = (v: unknown): string => {
  if (v === null || v === undefined) return ''
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

function parse(text: string): unknown {
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * The change an entry records, field by field: for objects, each key whose value
 * differs (or every key, when only one side exists); otherwise one row.
 */
export function changeRows(before: string, after: string): { field: string; before: string; after: string }[] {
  const b = parse(before), a = parse(after)
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x)
  if (isObj(b) || isObj(a)) {
    const bo = isObj(b) ? b : {}, ao = isObj(a) ? a : {}
    const keys = [...new Set([...Object.keys(bo), ...Object.keys(ao)])]
    return keys
      .map((k) => ({ field: k, before: show(bo[k]), after: show(ao[k]) }))
      .filter((r) => r.before !== r.after)
  }
  if (b === null && a === null) return []
  return [{ field: '', before: show(b), after: show(a) }]
}
