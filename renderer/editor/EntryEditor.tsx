import { Alert, Anchor, Button, Center, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type * as Y from 'yjs';
import { isDraftedBy } from '../../shared/client/authorText';
import { entry, entryMutators, type Attribution, type EntryProjection } from '../../shared/records/entry';
import { draft, draftIdOf, draftMutators, type DraftProjection } from '../../shared/records/entryDraft';
import { writeFields } from '../../shared/records/layout';
import type { RecordHeader } from '../../shared/records/recordType';
import { isAllowed, ownershipOf } from '../../shared/rules/rules';
import { hrefOf } from '../app/route';
import { useDocRead } from '../data/useDocRead';
import { useDraftDoc } from '../data/useDraftDoc';
import { useOrgNames } from '../data/useOrgNames';
import { useQuarantine } from '../data/useQuarantine';
import { useRecordDoc } from '../data/useRecordDoc';
import { SaveIndicator } from '../forms/SaveIndicator';
import { useSaveTracking } from '../forms/useSaveTracking';
import { CommentThread } from '../governance/CommentThread';
import { refusalText } from '../i18n/refusalText';
import { screenDateFormat } from '../i18n/dateTime';
import { useSession } from '../session/SessionContext';
import { AttributionPanel } from './AttributionPanel';
import { LicencePanel } from './LicencePanel';
import { TranslationsPanel } from './TranslationsPanel';
import { EntryDetailsPanel } from './EntryDetailsPanel';
import type { EntryFormProps } from './entryFormProps';
import { EntryHistoryPanel } from './EntryHistoryPanel';
import { EntryTextPanel } from './EntryTextPanel';
import { EntryReviewPanel, useReviewerStanding } from './EntryReviewPanel';
import { EntryVersionsPanel, VersionText } from './EntryVersionsPanel';
import { pinnedForReader, reviewStateOf } from '../../shared/records/entryReview';
import { EntryLabelBadges, EntryLabelNotices } from '../library/EntryLabelBadges';
import { LabelsPanel } from '../library/LabelsPanel';
import { AttachmentsPanel } from '../media/AttachmentsPanel';
import { EntryStatusBadge } from '../library/EntryStatusBadge';

export function EntryEditor({ id }: { id: string }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const opened = useRecordDoc(session.client, id, 'entry');
  if (opened.kind === 'loading') {
    return (
      <Center p="xl">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  }
  if (opened.kind === 'missing') {
    return (
      <Stack p="lg" className="fw-screen">
        <Text role="alert">{t('editor.missing')}</Text>
        <Anchor href={hrefOf({ screen: 'library' })}>{t('editor.back')}</Anchor>
      </Stack>
    );
  }
  return <EntryForm doc={opened.doc} header={opened.header} />;
}

const TOUCH_INTERVAL_MS = 30_000;
const readDraft = (doc: Y.Doc): DraftProjection | null => draft.read(doc);
const readNothing = (): DraftProjection | null => null;
export const FORCE_EDIT_KEY = 'fieldwise.dev.forceEditable';

function EntryForm({ doc, header }: { doc: Y.Doc; header: RecordHeader }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const p = useDocRead(doc, entry.read);
  const orgNames = useOrgNames(client);
  const saving = useSaveTracking();
  const quarantined = useQuarantine(session, header.id);

  const isAllowedToEdit = isAllowed({ role: identity.role, type: 'entry', ownership: ownershipOf(identity, header.ownerOrg), action: 'edit' }, entry.facts(p));
  // For end-to-end tests of the hub's enforcement only (see renderer/README.md): rich text becomes
  // editable anyway, so the hub's refusal and the kept local text can be seen. It grants nothing.
  const isForced = !isAllowedToEdit && session.platform.settings.getItem(FORCE_EDIT_KEY) === '1';
  const canEdit = isAllowedToEdit || isForced;

  // Once endorsed, the author's words go to its draft (entryDraft.ts), which never leaves the
  // organization; everything else (sharing, labels, attribution...) stays on the entry.
  const isDrafting = isAllowedToEdit && isDraftedBy(p, identity.orgId, header.ownerOrg);
  const draftDoc = useDraftDoc(client, header.id, isDrafting, (error) => saving.refuse('body', refusalText(t, error)));
  const draftP = useDocRead(draftDoc ?? doc, draftDoc ? readDraft : readNothing);
  const textDoc = draftDoc ?? doc;
  const textP: EntryProjection = draftP ? { ...p, kind: draftP.kind, title: draftP.title, summary: draftP.summary, sections: draftP.sections, body: draftP.body } : p;

  const touchedAt = useRef(0);
  const onRichTextChange = () => {
    // Rich text is edited on the doc directly, not through a mutator, so the "last changed" time
    // (which sorts the library) is set here; at most twice a minute, since every write of it
    // stays in the record as a small tombstone.
    const now = Date.now();
    if (now - touchedAt.current > TOUCH_INTERVAL_MS) {
      touchedAt.current = now;
      textDoc.transact(() => writeFields(textDoc, { updatedAt: now }));
    }
    // "Saved" once the change is in the outbox; the record's row follows when typing pauses
    // (client.ts, ROW_WRITE_IDLE_MS), and is rebuilt from the outbox if the app dies first.
    saving.track(client.flushOutbox());
  };
  const form: EntryFormProps = {
    p: textP,
    canEdit,
    lang: p.language === 'und' ? undefined : p.language,
    saving,
    setFields: (field, values) =>
      saving.save(field, async () => {
        const { kind, title, summary, ...rest } = values;
        if (!draftDoc) return client.mutate(header.id, entryMutators.setFields, values);
        const text = { kind, title, summary };
        if (Object.values(text).some((value) => value !== undefined)) await client.mutate(draftIdOf(header.id), draftMutators.setFields, text);
        if (Object.values(rest).some((value) => value !== undefined)) await client.mutate(header.id, entryMutators.setFields, rest);
      }),
    setAttribution: (patch: Partial<Attribution>) => saving.save('attribution', () => client.mutate(header.id, entryMutators.setAttribution, { ...p.attribution, ...patch })),
  };
  const refusal = quarantined[0];
  // Another organization reads the endorsed version while the entry's text differs from it (what
  // was submitted since, or typed before the endorsement reached the author): the author's
  // draft itself never reaches them (entryDraft.ts). A reviewer answering a resubmission reads
  // what was submitted, the entry's text now, not the version endorsed before.
  const isReviewing = useReviewerStanding(header, p) === 'reviewer' && reviewStateOf(p) === 'submitted';
  const pinned = isReviewing ? null : pinnedForReader(p, identity.orgId, header.ownerOrg);
  const dateFormat = screenDateFormat(i18n.language, 'dateTime');

  return (
    <>
      <section className="fw-screen fw-editor" aria-labelledby="editor-heading" data-testid="entry-editor" data-entry-id={header.id}>
        <Group justify="space-between" wrap="nowrap" className="fw-editor-head">
          <Group gap="xs" wrap="nowrap" miw={0}>
            <Anchor href={hrefOf({ screen: 'library' })} size="sm" data-testid="editor-back">
              {t('editor.back')}
            </Anchor>
            <Title order={1} size="h4" id="editor-heading" lang={form.lang} lineClamp={1}>
              {(pinned ? pinned.version.title : textP.title) || t('editor.untitled')}
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <EntryStatusBadge p={p} draft={draftP} testId="editor-status" />
            {canEdit && <SaveIndicator tracker={saving.tracker} />}
          </Group>
        </Group>

        <EntryLabelNotices labels={p.labels} />
        <EntryLabelBadges labels={p.labels} />
        {!isAllowedToEdit && (
          <Alert color={isForced ? 'orange' : 'gray'} data-testid="read-only-notice">
            {t('editor.readOnly', { org: orgNames.get(header.ownerOrg) ?? header.ownerOrg })}
          </Alert>
        )}
        {refusal && (
          <Alert color="red" title={t('editor.refusedTitle')} role="alert" data-testid="refused-notice">
            <Stack gap="xs">
              <Text size="sm">{t('editor.refused', { message: refusalText(t, refusal), code: refusal.code })}</Text>
              <Group>
                <Button size="xs" variant="light" color="red" onClick={() => void session.syncEngine?.releaseQuarantine([header.id])}>
                  {t('editor.retry')}
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}

        <div className="fw-editor-grid">
          {/* The text, then what is attached to it: photos and voices belong with the words. */}
          <Stack gap="md" className="fw-editor-main">
            {pinned ? (
              <>
                <Alert color="teal" data-testid="pinned-notice">
                  <Text size="sm">{t('review.pinned.notice', { time: dateFormat.format(pinned.at) })}</Text>
                </Alert>
                <Paper withBorder p="md" radius="md">
                  <VersionText version={pinned.version} lang={form.lang} testId="pinned-version" />
                </Paper>
              </>
            ) : isDrafting && !draftDoc ? (
              // Never the entry's own text while its draft opens: typing there would reach everyone.
              <Center p="xl">
                <Loader aria-label={t('app.loading')} />
              </Center>
            ) : (
              <>
                {draftDoc && (
                  <Alert color="teal" data-testid="draft-notice">
                    <Text size="sm">{t('review.draftNotice')}</Text>
                  </Alert>
                )}
                <EntryTextPanel {...form} doc={textDoc} onRichTextChange={onRichTextChange} />
              </>
            )}
            <AttachmentsPanel entryId={header.id} p={p} canEdit={canEdit} saving={saving} />
          </Stack>
          <Stack gap="md" className="fw-editor-side">
            <EntryDetailsPanel {...form} p={{ ...p, kind: textP.kind }} id={header.id} />
            <AttributionPanel {...form} />
            <LicencePanel licence={p.licence} canEdit={canEdit} saving={saving} setLicence={(licence) => saving.save('licence', () => client.mutate(header.id, entryMutators.setLicence, licence))} />
            <EntryReviewPanel header={header} p={p} draft={draftP} canEdit={isAllowedToEdit} orgNames={orgNames} client={client} />
            <LabelsPanel
              labels={p.labels}
              canEdit={canEdit}
              saving={saving}
              applyLabel={(labelId, isOn) => saving.save('labels', () => client.mutate(header.id, entryMutators.applyLabel, { id: labelId, isOn }))}
              setTexts={(labelId, texts) => saving.save('labels', () => client.mutate(header.id, entryMutators.setLabelTexts, { id: labelId, texts }))}
            />
            <EntryHistoryPanel doc={doc} header={header} p={p} orgNames={orgNames} />
            <EntryVersionsPanel p={p} orgNames={orgNames} />
          </Stack>
        </div>
      </section>
      {/* Translations, comments and suggestions sit apart from the editor: a reader who may not edit
          the entry may still translate it (a new entry of its own) or comment on it. */}
      <div className="fw-screen fw-entry-comments">
        <TranslationsPanel header={header} p={p} client={client} readerOrg={identity.orgId} canCreate={isAllowed({ role: identity.role, type: 'entry', ownership: 'own', action: 'create' })} />
        <CommentThread targetId={header.id} isPrivateTarget={p.sharing === 'private'} />
      </div>
    </>
  );
}
