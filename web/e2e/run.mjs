// End-to-end tests in headless Chromium, driven through the UI as a person would.
// Runs every spec of specs/ in the order of their names (they share one server and
// build on what earlier specs did, as a day in an office does), or only the specs
// named on the command line: `node e2e/run.mjs 04-problems`.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { finish } from './harness.mjs'

const dir = join(import.meta.dirname, 'specs')
const only = process.argv.slice(2)
const specs = readdirSync(dir)
  .filter((f) => f.endsWith('.spec.mjs'))
  .filter((f) => only.length === 0 || only.includes(f.replace('.spec.mjs', '')) || f === '01-sign-in.spec.mjs')
  .sort()
for (const f of specs) {
  console.log(`# ${f}`)
  await import(join(dir, f))
}
await finish()
