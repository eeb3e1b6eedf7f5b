import { Button, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EntryProjection } from '../../shared/records/entry';
import { entryHistory, type HistoryEvent } from '../../shared/records/entryReview';
import type { EntryVersion } from '../../shared/records/entryReviewSchema';
import { versionSectionsOf } from '../../shared/records/entryTemplates';
import { screenDateFormat } from '../i18n/dateTime';
import { RichTextView } from '../forms/RichTextView';
import type { RichNode } from '../../shared/records/richTextJson';

/** A field of a stored version: with its formatting where the version kept it, else its plain text (an older version). */
function VersionField({ rich, text, lang }: { rich: readonly RichNode[] | undefined; text: string; lang: string | undefined }) {
  if (rich && rich.length > 0) return <RichTextView blocks={rich} lang={lang} />;
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} lang={lang}>
      {text}
    </Text>
  );
}

/** A stored version's text, as submitted or endorsed, formatted as written: read from the entry's own doc, so offline too. */
export function VersionText({ version, lang, testId }: { version: EntryVersion; lang: string | undefined; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap={6} className="fw-version-text" data-testid={testId} lang={lang}>
      <Text fw={600} size="sm">
        {version.title}
      </Text>
      {version.summary && <Text size="sm">{version.summary}</Text>}
      {versionSectionsOf(version.kind).map((name) =>
        version.sections[name] ? (
          <div key={name}>
            <Text size="xs" fw={600} lang={undefined}>
              {t(`entry.section.${name}`)}
            </Text>
            <VersionField rich={version.rich?.sections?.[name]} text={version.sections[name]} lang={lang} />
          </div>
        ) : null,
      )}
      {version.body && (
        <div>
          <Text size="xs" fw={600}>
            {t('review.version.body')}
          </Text>
          <VersionField rich={version.rich?.body} text={version.body} lang={lang} />
        </div>
      )}
    </Stack>
  );
}

const versionOfEvent = (event: HistoryEvent): EntryVersion | null => ('step' in event && 'version' in event.step ? event.step.version : null);

/** The entry's versions: created, each submission, answer and endorsement, changed since; each stored version readable. */
export function EntryVersionsPanel({ p, orgNames }: { p: EntryProjection; orgNames: ReadonlyMap<string, string> }) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState<number | null>(null);
  const dateFormat = screenDateFormat(i18n.language, 'dateTime');
  const events = entryHistory(p);
  const lang = p.language === 'und' ? undefined : p.language;
  return (
    <Paper withBorder p="md" radius="md" data-testid="entry-versions">
      <Title order={2} size="h5" mb="xs">
        {t('review.history.title')}
      </Title>
      <Stack gap={6}>
        {events.map((event, index) => {
          const what = event.kind === 'created' ? t('review.history.created') : event.kind === 'changed' ? t('review.history.changed') : t(`review.state.${event.kind === 'reply' || event.kind === 'comment' ? 'none' : event.kind}`);
          const org = 'step' in event ? (orgNames.get(event.step.byOrg) ?? event.step.byOrg) : '';
          const version = versionOfEvent(event);
          if (event.kind === 'reply' || event.kind === 'comment') return null;
          return (
            <div key={index} data-testid="history-event" data-kind={event.kind}>
              <Text size="xs">{org ? t('review.history.by', { what, org, time: dateFormat.format(event.at) }) : `${what} · ${dateFormat.format(event.at)}`}</Text>
              {'step' in event && event.step.note && (
                <Text size="xs" c="dimmed" className="fw-review-note" lang={lang}>
                  {event.step.note}
                </Text>
              )}
              {version && (
                <Button size="compact-xs" variant="subtle" onClick={() => setOpen(open === index ? null : index)} data-testid="history-read">
                  {open === index ? t('review.history.hide') : t('review.history.read')}
                </Button>
              )}
              {version && open === index && <VersionText version={version} lang={lang} testId="history-version" />}
            </div>
          );
        })}
      </Stack>
    </Paper>
  );
}
