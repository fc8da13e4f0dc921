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

/** The unit under which a project of `unitId` is listed when looking at `root`: the
 * child of `root` on the way up from `unitId` (a division, when looking at the whole
 * corps). With no `root`, the top of the tree is the root. A unit outside `root`'s
 * subtree, or `root` itself, stands for itself. */
export function groupUnder(parentOf: Map<number, number | null>, unitId: number, root?: number): number {
  const path = [unitId]
  for (let p = parentOf.get(unitId); p !== undefined && p !== null && path.length < 64; p = parentOf.get(p)) path.push(p)
  const at = root === undefined ? path.length - 1 : path.indexOf(root)
  return at > 0 ? path[at - 1] : unitId
}
