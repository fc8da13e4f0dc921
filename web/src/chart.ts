// ECharts, registered once for every page, and a helper that ties a chart's life to the
// component that shows it (created on first draw, resized with the window, disposed on
// unmount).
import { onBeforeUnmount } from 'vue'
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer])

export const LIGHT_COLOURS: Record<string, string> = { green: '#2e7d32', yellow: '#f9a825', orange: '#ef6c00', red: '#c62828' }

/** Returns `draw(el, option)`: draws on the element's chart, creating it when needed. */
export function useCharts() {
  const made = new Set<echarts.ECharts>()
  const resize = () => made.forEach((c) => c.resize())
  window.addEventListener('resize', resize)
  onBeforeUnmount(() => {
    window.removeEventListener('resize', resize)
    made.forEach((c) => c.dispose())
  })
  return (el: HTMLElement | undefined, option: Record<string, unknown>) => {
    if (!el) return
    let c = echarts.getInstanceByDom(el)
    if (!c) {
      c = echarts.init(el)
      made.add(c)
    }
    c.setOption({ animation: false, ...option }, true)
  }
}
