import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { i18n } from './i18n'
import Projects from './views/Projects.vue'
import Login from './views/Login.vue'
import Cockpit from './views/Cockpit.vue'
import Reports from './views/Reports.vue'
import Problems from './views/Problems.vue'
import Audit from './views/Audit.vue'
import Project from './views/Project.vue'
import Dispatch from './views/Dispatch.vue'
import Admin from './views/Admin.vue'
import { setUnauthenticatedHandler } from './api'
import { loadMe, session } from './session'

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/cockpit' },
    { path: '/cockpit', component: Cockpit },
    { path: '/reports', component: Reports },
    { path: '/problems', component: Problems },
    { path: '/dispatch', component: Dispatch },
    { path: '/admin', component: Admin },
    { path: '/audit', component: Audit },
    { path: '/login', component: Login, meta: { public: true } },
    { path: '/projects', component: Projects },
    { path: '/projects/:id(\\d+)', component: Project },
  ],
})

// Every page but the login needs a user whose password is in order.
router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const me = session.checked ? session.user : await loadMe()
  if (!me || me.password_change_required) return { path: '/login', query: { redirect: to.fullPath } }
  // Those who read no business data (the auditor) start on what they may read.
  if (to.path === '/cockpit' && !me.capabilities.includes('read_registry')) {
    if (me.capabilities.includes('read_audit')) return '/audit'
    if (me.capabilities.some((c) => c === 'manage_users' || c === 'manage_units')) return '/admin'
  }
  return true
})

// A session that ends while a page is open: go to the login and come back.
setUnauthenticatedHandler(() => {
  session.user = null
  const here = router.currentRoute.value
  if (!here.meta.public) router.push({ path: '/login', query: { redirect: here.fullPath, expired: '1' } })
})

createApp(App).use(router).use(i18n).use(ElementPlus).mount('#app')
