/** The languages the UI speaks; each has one catalog (englishCatalog.ts, chineseCatalog.ts). */
export const languages = ['en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];
