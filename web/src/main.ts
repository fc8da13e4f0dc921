import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { i18n } from './i18n'
import Login from './views/Login.vue'
import { setUnauthenticatedHandler } from './api'
import { home, loadMe, session } from './session'

const router = createRouter({
  history: createWebHistory(),
  routes: [
    // The home page is the user's daily work (see `home`): the guard sends them there.
    { path: '/', component: { render: () => null } },
    { path: '/cockpit', component: () => import('./views/Cockpit.vue') },
    { path: '/reports', component: () => import('./views/Reports.vue') },
    { path: '/problems', component: () => import('./views/Problems.vue') },
    { path: '/dispatch', component: () => import('./views/Dispatch.vue') },
    { path: '/bulletins', component: () => import('./views/Bulletins.vue') },
    { path: '/assessments', component: () => import('./views/Assessments.vue') },
    { path: '/admin', component: () => import('./views/Admin.vue') },
    { path: '/audit', component: () => import('./views/Audit.vue') },
    { path: '/imports', component: () => import('./views/Imports.vue') },
    { path: '/login', component: Login, meta: { public: true } },
    { path: '/setup', component: () => import('./views/Setup.vue'), meta: { public: true } },
    { path: '/projects', component: () => import('./views/Projects.vue') },
    { path: '/projects/:id(\\d+)', component: () => import('./views/Project.vue') },
  ],
})

// Every page but the login needs a user whose password (and second factor, where the
// role requires one) is in order.
router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const me = session.checked ? session.user : await loadMe()
  if (!me || me.password_change_required || me.totp_required) return { path: '/login', query: { redirect: to.fullPath } }
  if (to.path === '/') return home(me)
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

// Installable as an app, and opening without a connection (public/sw.js).
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('/sw.js').catch(() => {})
}
