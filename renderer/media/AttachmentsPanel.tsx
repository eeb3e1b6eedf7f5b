import { Alert, Button, Checkbox, CloseButton, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { maxAttachmentBytesOf } from '../../shared/blobs/attachmentLimits';
import { MediaError } from '../../shared/blobs/mediaError';
import type { AttachmentEntry } from '../../shared/records/attachments';
import { entryMutators, type EntryProjection } from '../../shared/records/entry';
import { deviceBlobStore } from '../data/deviceBlobs';
import { useNetwork } from '../data/useNetwork';
import type { SaveTracking } from '../forms/useSaveTracking';
import { useSession } from '../session/SessionContext';
import { AttachmentCard } from './AttachmentCard';
import { captureFile, captureRecording, type CaptureOptions, type CapturedAttachment } from './captureAttachment';
import { formatBytes } from './formatBytes';
import { VoiceRecorder } from './VoiceRecorder';

/*
 * Photos, voice recordings and documents on an entry (issue 18): add them (picker, drag and drop,
 * record a voice note), caption each and record its consent, and see them (the gallery). The
 * entry's sharing and cultural labels apply to its attachments: the hub serves an attachment's
 * bytes to exactly those who may read the entry, and a pending consent keeps them home.
 */

interface AttachmentsPanelProps {
  readonly entryId: string;
  readonly p: EntryProjection;
  readonly canEdit: boolean;
  readonly saving: SaveTracking;
}

interface Refusal {
  readonly key: number;
  readonly name: string;
  readonly message: string;
}

function estimateStorage(): Promise<{ usage?: number; quota?: number } | null> {
  return typeof navigator.storage?.estimate === 'function' ? navigator.storage.estimate() : Promise.resolve(null);
}

let refusalKey = 0;

export function AttachmentsPanel({ entryId, p, canEdit, saving }: AttachmentsPanelProps) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const network = useNetwork(client);
  const maxAttachmentBytes = maxAttachmentBytesOf(network);
  const [keepsLocation, setKeepsLocation] = useState(false);
  const [busyCount, setBusyCount] = useState(0);
  const [refusals, setRefusals] = useState<Refusal[]>([]);
  const [isDragOver, setDragOver] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  const explain = (error: unknown): string => {
    if (!(error instanceof MediaError)) return error instanceof Error ? error.message : String(error);
    const size = (bytes: number | undefined) => formatBytes(bytes ?? 0, i18n.language);
    const { details } = error;
    switch (error.code) {
      case 'over-network-limit':
        return t('media.refusal.overNetworkLimit', { size: size(details['sizeBytes']), limit: size(details['limitBytes']) });
      case 'over-device-quota':
        return t('media.refusal.overDeviceQuota', { size: size(details['sizeBytes']), free: size(details['freeBytes']) });
      case 'too-many-pixels':
        return t('media.refusal.tooManyPixels', { width: details['widthPx'], height: details['heightPx'], megapixels: details['megapixels'], max: details['maxMegapixels'] });
      case 'malformed-image':
        return t('media.refusal.malformedImage');
      case 'unsupported-image':
        return t('media.refusal.unsupportedImage');
    }
  };

  const options = (): CaptureOptions => ({ store: deviceBlobStore(), maxAttachmentBytes, keepsLocation, estimate: estimateStorage });

  const attach = async (name: string, capture: () => Promise<CapturedAttachment>) => {
    setBusyCount((count) => count + 1);
    try {
      const attachment = await capture();
      const write = client.mutate(entryId, entryMutators.addAttachment, { id: crypto.randomUUID(), attachment });
      saving.save('attachments', () => write);
      await write;
    } catch (error) {
      setRefusals((current) => [...current, { key: ++refusalKey, name, message: explain(error) }]);
    } finally {
      setBusyCount((count) => count - 1);
    }
  };

  const addFiles = async (files: readonly File[]) => {
    // One at a time: each photo's decoding holds its pixels in memory.
    for (const file of files) await attach(file.name, () => captureFile(file, options()));
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragOver(false);
    if (canEdit) void addFiles([...event.dataTransfer.files]);
  };

  const attachments = p.attachments;
  return (
    <Paper withBorder p="md" radius="md" className="fw-attachments" data-testid="attachments">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h5">
            {t('media.title')}
          </Title>
          <Text size="xs" c="dimmed">
            {t('media.appliesToAttachments', { sharing: t(`entry.sharing.${p.sharing}`) })}
          </Text>
        </Group>
        {canEdit && (
          <div
            className={isDragOver ? 'fw-drop-zone fw-drop-zone-over' : 'fw-drop-zone'}
            onDragOver={(event) => {
              event.preventDefault();
              setDragOver(true);
            }}
            onDragLeave={() => setDragOver(false)}
            onDrop={onDrop}
            data-testid="attachment-drop-zone"
          >
            <Stack gap="xs">
              <Group gap="xs">
                <Button variant="default" onClick={() => picker.current?.click()} loading={busyCount > 0} data-testid="attach-files">
                  {t('media.addFiles')}
                </Button>
                <VoiceRecorder isBusy={busyCount > 0} onKeep={(blob, durationMs) => attach(t('media.voiceNote'), () => captureRecording(blob, durationMs, voiceNoteName(), options()))} />
                <input
                  ref={picker}
                  type="file"
                  multiple
                  hidden
                  onChange={(event) => {
                    const files = [...(event.currentTarget.files ?? [])];
                    event.currentTarget.value = '';
                    void addFiles(files);
                  }}
                  data-testid="attach-input"
                />
              </Group>
              <Text size="xs" c="dimmed">
                {t('media.dropHelp', { limit: formatBytes(maxAttachmentBytes, i18n.language) })}
              </Text>
              <Checkbox size="xs" label={t('media.keepLocation')} description={t('media.keepLocationHelp')} checked={keepsLocation} onChange={(event) => setKeepsLocation(event.currentTarget.checked)} data-testid="keep-location" />
            </Stack>
          </div>
        )}
        {refusals.map((refusal) => (
          <Alert key={refusal.key} color="red" role="alert" p="xs" data-testid="attachment-refused" withCloseButton={false}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Text size="sm">{t('media.refused', { name: refusal.name, reason: refusal.message })}</Text>
              <CloseButton size="sm" aria-label={t('media.dismiss')} onClick={() => setRefusals((current) => current.filter((item) => item.key !== refusal.key))} />
            </Group>
          </Alert>
        ))}
        {saving.fieldErrors['attachments'] && (
          <Text size="sm" c="red" role="alert">
            {saving.fieldErrors['attachments']}
          </Text>
        )}
        {attachments.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="attachments-empty">
            {t('media.none')}
          </Text>
        ) : (
          <div className="fw-gallery" data-testid="gallery">
            {attachments.map((attachment: AttachmentEntry) => (
              <AttachmentCard
                key={attachment.id}
                attachment={attachment}
                canEdit={canEdit}
                saving={saving}
                setCaption={(caption) => saving.save(`attachment-${attachment.id}`, () => client.mutate(entryId, entryMutators.setAttachmentCaption, { id: attachment.id, caption }))}
                setConsent={(consent) => saving.save(`attachment-${attachment.id}`, () => client.mutate(entryId, entryMutators.setAttachmentConsent, { id: attachment.id, consent }))}
                remove={() => saving.save('attachments', () => client.mutate(entryId, entryMutators.removeAttachment, attachment.id))}
              />
            ))}
          </div>
        )}
      </Stack>
    </Paper>
  );
}

function voiceNoteName(): string {
  const now = new Date();
  const pad = (value: number) => String(value).padStart(2, '0');
  return `voice-note-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}.webm`;
}
