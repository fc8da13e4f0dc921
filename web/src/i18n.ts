import { createI18n } from 'vue-i18n'

// zh-CN first; English is one click away. Codes from the API are translated here.
const messages = {
  'zh-CN': {
    app: { title: '督办', subtitle: '重点项目督办与考核平台', lang: 'English' },
    nav: { projects: '项目库' },
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
    nav: { projects: 'Projects' },
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
