import { createI18n } from 'vue-i18n'

// zh-CN first; English is one click away. Codes from the API are translated here.
const messages = {
  'zh-CN': {
    app: { title: '督办', subtitle: '重点项目督办与考核平台', lang: 'English' },
    nav: { projects: '项目库', logout: '退出' },
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
    nav: { projects: 'Projects', logout: 'Log out' },
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
