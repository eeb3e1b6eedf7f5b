import { lazy, type ComponentType } from 'react';
import { loadScreenCatalog } from '../i18n/i18n';

/**
 * A screen loaded on first use (React.lazy), drawn once its module and the screens' strings are
 * both here (i18n.ts loads them apart from the first screen's), so it never shows a bare key.
 */
export function lazyScreen<Module, Props extends object>(load: () => Promise<Module>, pick: (module: Module) => ComponentType<Props>) {
  return lazy(async () => {
    const [module] = await Promise.all([load(), loadScreenCatalog()]);
    return { default: pick(module) };
  });
}
