export type Catalog = { readonly [key: string]: string | Catalog };

/**
 * One language's catalog from its files: the app's own (en.json, zh-CN.json) plus one file per
 * feature (governance, reports, workbench, bundles, and refusals: see refusalText.ts), so features
 * grow their strings without editing one shared file. Feature files hold their own top-level keys;
 * a key defined twice is a mistake and fails at start-up rather than one file silently winning.
 */
export function mergeCatalogs(files: Readonly<Record<string, Catalog>>): Catalog {
  const merged: Record<string, string | Catalog> = {};
  const from = new Map<string, string>();
  for (const [file, catalog] of Object.entries(files)) {
    for (const [key, value] of Object.entries(catalog)) {
      const earlier = from.get(key);
      if (earlier !== undefined) throw new Error(`i18n: top-level key "${key}" is in both ${earlier} and ${file}`);
      from.set(key, file);
      merged[key] = value;
    }
  }
  return merged;
}
