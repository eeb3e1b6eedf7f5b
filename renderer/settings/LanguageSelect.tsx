import { Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { isLanguage, LANGUAGE_KEY } from '../i18n/i18n';

/** English or 简体中文; each option is named in its own language, so anyone can find theirs. */
export function LanguageSelect({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <Select
      label={compact ? undefined : t('settings.language')}
      aria-label={t('settings.language')}
      data={[
        { value: 'en', label: 'English' },
        { value: 'zh-CN', label: '简体中文' },
      ]}
      value={i18n.language}
      onChange={(value) => {
        if (!isLanguage(value)) return;
        window.localStorage.setItem(LANGUAGE_KEY, value);
        // Loads the language's catalog first (i18n.ts); the UI switches once it is in.
        void i18n.changeLanguage(value);
      }}
      allowDeselect={false}
      w={compact ? 130 : 240}
      size={compact ? 'xs' : 'sm'}
      data-testid="language-select"
      comboboxProps={{ withinPortal: true }}
    />
  );
}
