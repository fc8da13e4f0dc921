// Whether the window is a phone's (at most 640 CSS pixels wide): pages then show fewer
// columns, stack their forms and put the action where the thumb is.
import { ref } from 'vue'

const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(max-width: 640px)') : null
export const narrow = ref(query?.matches ?? false)
query?.addEventListener('change', (e) => (narrow.value = e.matches))
