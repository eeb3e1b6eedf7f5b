import type { TFunction } from 'i18next';
import { refusalText } from '../i18n/refusalText';
import type { AdminFailure } from './adminApi';

/*
 * A failed console request in the secretariat's words. The administration codes have words of
 * their own in the console's catalog (admin.refusal.<code>); any other code goes through the app's
 * one place for refusals, so it reads the same as on every other screen.
 */
export function adminFailureText(t: TFunction, failure: AdminFailure, exists: (key: string) => boolean): string {
  switch (failure.kind) {
    case 'offline':
      return t('admin.offline');
    case 'bad-response':
      return t('admin.badResponse');
    case 'refused': {
      const key = `admin.refusal.${failure.code}`;
      return exists(key) ? t(key) : t('admin.refusedOther', { reason: refusalText(t, { code: failure.code, message: failure.message }) });
    }
  }
}
