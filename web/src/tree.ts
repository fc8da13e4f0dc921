// Turn the flat unit list of the API into the nested options of a tree selector.
import type { Unit } from './api'

export interface TreeNode { value: number; label: string; children?: TreeNode[] }

export function unitTree(units: Unit[]): TreeNode[] {
  const nodes = new Map<number, TreeNode>()
  for (const u of units) nodes.set(u.id, { value: u.id, label: u.name })
  const roots: TreeNode[] = []
  for (const u of units) {
    const n = nodes.get(u.id)!
    const parent = u.parent_id === null ? undefined : nodes.get(u.parent_id)
    if (parent) (parent.children ??= []).push(n)
    else roots.push(n)
  }
  return roots
}
