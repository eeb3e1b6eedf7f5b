import type { Page } from 'playwright-core';
import { catalogs, type Catalog } from '../../../renderer/i18n/catalogs';

/*
 * English UI text on a screen that should be all Chinese. The probes are the English catalog's own
 * strings (the literal parts around `{{placeholders}}`) wherever the Chinese catalog says something
 * else, so a string that skipped the catalog's Chinese side or a component that ignores the
 * language is caught, on top of test/unit/i18nCatalogs.test.ts, which checks that keys exist.
 */

function leaves(catalog: Catalog, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(catalog)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') found.set(path, value);
    else for (const [leafKey, leafValue] of leaves(value, path)) found.set(leafKey, leafValue);
  }
  return found;
}

/** Fragments of English UI text worth looking for: at least one word of 3+ letters, 4+ characters. */
export function englishProbes(): string[] {
  const english = leaves(catalogs.en);
  const chinese = leaves(catalogs['zh-CN']);
  const probes = new Set<string>();
  for (const [key, value] of english) {
    const translated = chinese.get(key) ?? '';
    for (const fragment of value.split(/\{\{[^}]*\}\}/)) {
      const text = fragment.trim().replace(/^[^A-Za-z]+|[^A-Za-z.…!?]+$/g, '');
      if (text.length < 4 || !/[A-Za-z]{3}/.test(text) || translated.includes(text)) continue;
      probes.add(text);
    }
  }
  return [...probes];
}

/** The English probes found in the page's text and in its labels (placeholder, aria-label, title). */
export async function untranslatedOn(page: Page, probes: readonly string[]): Promise<string[]> {
  const shown = await page.evaluate(() => {
    const labels = [...document.querySelectorAll('[placeholder], [aria-label], [title]')].flatMap((element) =>
      ['placeholder', 'aria-label', 'title'].map((name) => element.getAttribute(name) ?? ''),
    );
    return [document.body.innerText, ...labels].join('\n');
  });
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return probes.filter((probe) => new RegExp(`(^|[^A-Za-z])${escape(probe)}($|[^A-Za-z])`).test(shown));
}
