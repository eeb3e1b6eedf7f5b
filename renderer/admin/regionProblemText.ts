import type { TFunction } from 'i18next';
import type { RegionNode } from './adminApi';
import { nameIn, type RegionTreeProblem } from './regionTree';

/*
 * A problem of the region tree in the secretariat's words: the region named by its path in the
 * reader's language ("Yunnan / Dali"), or, before it has a name, by its level and where it sits
 * ("the county with no name yet under Yunnan / Dali"). Never the generated id (`r-3f9a…`), which
 * nobody has seen on the screen.
 */

/** The names from the top down to `id`, in `language`; stops at a cycle or a missing parent. */
function namePath(tree: readonly RegionNode[], id: string, language: string): { readonly node: RegionNode | undefined; readonly parents: readonly string[] } {
  const byId = new Map(tree.map((node) => [node.id, node]));
  const node = byId.get(id);
  const parents: string[] = [];
  const seen = new Set([id]);
  for (let up = node?.parentId ? byId.get(node.parentId) : undefined; up && !seen.has(up.id); up = up.parentId ? byId.get(up.parentId) : undefined) {
    seen.add(up.id);
    parents.unshift(nameIn(up, language).trim() || '…');
  }
  return { node, parents };
}

export function regionLabel(t: TFunction, tree: readonly RegionNode[], id: string, language: string): string {
  const { node, parents } = namePath(tree, id, language);
  if (!node) return id;
  const own = nameIn(node, language).trim();
  if (own !== '') return [...parents, own].join(' / ');
  const level = t(`admin.level.${node.level}`);
  return parents.length === 0 ? t('admin.settings.unnamedRegion', { level }) : t('admin.settings.unnamedRegionUnder', { level, parent: parents.join(' / ') });
}

export function regionProblemText(t: TFunction, problem: RegionTreeProblem, tree: readonly RegionNode[], language: string): string {
  return t(`admin.settings.problem.${problem.kind}`, { region: regionLabel(t, tree, problem.id, language), name: 'name' in problem ? problem.name : '' });
}
