import { Anchor, Badge, Button, Group, Modal, Paper, Select, Stack, Text, UnstyledButton } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { attachmentConsents, type AttachmentConsent, type AttachmentEntry } from '../../shared/records/attachments';
import { deviceBlobStore } from '../data/deviceBlobs';
import { AutosaveTextInput } from '../forms/AutosaveTextInput';
import type { SaveTracking } from '../forms/useSaveTracking';
import { requestBlob } from '../sync/blobRequests';
import { formatBytes, formatDuration } from './formatBytes';
import { useBlobPresence, useBlobUrl } from './useBlobUrl';

interface AttachmentCardProps {
  readonly attachment: AttachmentEntry;
  readonly canEdit: boolean;
  readonly saving: SaveTracking;
  readonly setCaption: (caption: string) => void;
  readonly setConsent: (consent: AttachmentConsent) => void;
  readonly remove: () => void;
}

/** One attachment in the gallery: what it shows, its name, size and caption, and its consent. */
export function AttachmentCard({ attachment, canEdit, saving, setCaption, setConsent, remove }: AttachmentCardProps) {
  const { t, i18n } = useTranslation();
  const { ref } = attachment;
  const field = `attachment-${attachment.id}`;
  return (
    <Paper withBorder radius="md" p="xs" className="fw-attachment" data-testid="attachment" data-kind={attachment.kind} data-attachment-id={attachment.id} data-sha256={ref.sha256}>
      <Stack gap={6}>
        {attachment.kind === 'photo' ? <PhotoView attachment={attachment} /> : attachment.kind === 'audio' ? <AudioView attachment={attachment} /> : <DocumentView attachment={attachment} />}
        <Group gap={6} wrap="nowrap" justify="space-between">
          <Text size="xs" fw={500} truncate="end" title={attachment.name} data-testid="attachment-name">
            {attachment.name}
          </Text>
          <Text size="xs" c="dimmed" style={{ flexShrink: 0 }} data-testid="attachment-size">
            {formatBytes(ref.sizeBytes, i18n.language)}
          </Text>
        </Group>
        {attachment.kind === 'photo' && attachment.keepsLocation && (
          <Badge size="xs" color="orange" variant="light" data-testid="attachment-keeps-location">
            {t('media.keepsLocation')}
          </Badge>
        )}
        {canEdit ? (
          <>
            <AutosaveTextInput label={t('media.caption')} value={attachment.caption} onDirty={saving.dirty(field)} onCommit={setCaption} isReadOnly={false} error={saving.fieldErrors[field]} testId="attachment-caption" />
            <Select
              size="xs"
              label={t('media.consentLabel')}
              data={attachmentConsents.map((value) => ({ value, label: t(`media.consent.${value}`) }))}
              value={attachment.consent}
              onChange={(value) => value && setConsent(value as AttachmentConsent)}
              allowDeselect={false}
              description={attachment.consent === 'pending' ? t('media.consentPendingHelp') : undefined}
              data-testid="attachment-consent"
            />
          </>
        ) : (
          // A reader sees what was written, not a form it cannot use.
          <>
            {attachment.caption && (
              <Text size="sm" data-testid="attachment-caption-text">
                {attachment.caption}
              </Text>
            )}
            <Text size="xs" c="dimmed" data-testid="attachment-consent-text">
              {t('media.consentLine', { consent: t(`media.consent.${attachment.consent}`) })}
            </Text>
          </>
        )}
        {canEdit && (
          <Button size="compact-xs" variant="subtle" color="red" onClick={remove} data-testid="attachment-remove">
            {t('media.remove')}
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

/** "Not downloaded yet", and a button that asks the blob sync for it. */
function NotDownloaded({ sha256 }: { readonly sha256: string }) {
  const { t } = useTranslation();
  const [isRequested, setRequested] = useState(false);
  return (
    <Group gap="xs" data-testid="not-downloaded">
      <Text size="xs" c="dimmed">
        {isRequested ? t('media.downloadRequested') : t('media.notDownloaded')}
      </Text>
      {!isRequested && (
        <Button
          size="compact-xs"
          variant="light"
          onClick={() => {
            requestBlob(sha256);
            setRequested(true);
          }}
          data-testid="download-original"
        >
          {t('media.download')}
        </Button>
      )}
    </Group>
  );
}

function PhotoView({ attachment }: { readonly attachment: AttachmentEntry }) {
  const { t } = useTranslation();
  const { ref } = attachment;
  const thumbnail = useBlobUrl(ref.variants.thumbnail ?? null);
  const preview = useBlobUrl(ref.variants.preview ?? null);
  const [isOpen, setOpen] = useState(false);
  // The preview where it is here; the thumbnail while it is not.
  const shown = preview.kind === 'ready' ? preview : thumbnail;
  const label = attachment.caption || attachment.name;
  return (
    <>
      <UnstyledButton className="fw-attachment-picture" onClick={() => setOpen(true)} aria-label={t('media.open', { name: label })} data-testid="attachment-open">
        {shown.kind === 'ready' ? (
          <img src={shown.url} alt={label} data-testid="attachment-image" data-variant={preview.kind === 'ready' ? 'preview' : 'thumbnail'} />
        ) : (
          <Text size="xs" c="dimmed" p="md" ta="center">
            {shown.kind === 'loading' ? t('app.loading') : t('media.notDownloaded')}
          </Text>
        )}
      </UnstyledButton>
      {isOpen && <Lightbox attachment={attachment} fallbackUrl={shown.kind === 'ready' ? shown.url : null} onClose={() => setOpen(false)} />}
    </>
  );
}

/** The photo at full size: the original where it is on this device, else the preview and an offer to fetch the original. */
function Lightbox({ attachment, fallbackUrl, onClose }: { readonly attachment: AttachmentEntry; readonly fallbackUrl: string | null; readonly onClose: () => void }) {
  const { t } = useTranslation();
  const original = useBlobUrl(attachment.ref);
  const url = original.kind === 'ready' ? original.url : fallbackUrl;
  return (
    <Modal opened onClose={onClose} size="auto" title={attachment.caption || attachment.name} closeButtonProps={{ 'aria-label': t('media.close') }} data-testid="lightbox">
      <Stack gap="xs" align="center">
        {url && <img className="fw-lightbox-image" src={url} alt={attachment.caption || attachment.name} data-testid="lightbox-image" data-variant={original.kind === 'ready' ? 'original' : 'preview'} />}
        {original.kind === 'missing' && <NotDownloaded sha256={attachment.ref.sha256} />}
        {attachment.widthPx && attachment.heightPx && (
          <Text size="xs" c="dimmed">
            {t('media.pixels', { width: attachment.widthPx, height: attachment.heightPx })}
          </Text>
        )}
      </Stack>
    </Modal>
  );
}

function AudioView({ attachment }: { readonly attachment: AttachmentEntry }) {
  const { t } = useTranslation();
  const original = useBlobUrl(attachment.ref);
  return (
    <Stack gap={4} className="fw-attachment-audio">
      <Text size="xs" c="dimmed" data-testid="attachment-duration">
        {attachment.durationMs !== undefined ? t('media.duration', { duration: formatDuration(attachment.durationMs) }) : t('media.voiceNote')}
      </Text>
      {original.kind === 'ready' ? <audio controls preload="metadata" src={original.url} aria-label={attachment.caption || attachment.name} data-testid="attachment-audio" /> : original.kind === 'missing' ? <NotDownloaded sha256={attachment.ref.sha256} /> : null}
    </Stack>
  );
}

/** A document as a named link; its bytes are read only when it is opened. */
function DocumentView({ attachment }: { readonly attachment: AttachmentEntry }) {
  const { t } = useTranslation();
  const isPresent = useBlobPresence(attachment.ref.sha256);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  const open = async () => {
    const bytes = await deviceBlobStore().get(attachment.ref.sha256);
    if (!bytes) return;
    const made = URL.createObjectURL(new Blob([bytes.buffer as ArrayBuffer], { type: attachment.ref.mediaType }));
    setUrl(made);
    const link = document.createElement('a');
    link.href = made;
    link.download = attachment.name;
    link.click();
  };
  return (
    <Stack gap={4} className="fw-attachment-document">
      {isPresent === false ? (
        <>
          <Text size="sm">{attachment.name}</Text>
          <NotDownloaded sha256={attachment.ref.sha256} />
        </>
      ) : (
        <Anchor component="button" size="sm" onClick={() => void open()} data-testid="attachment-document">
          {t('media.openDocument', { name: attachment.name })}
        </Anchor>
      )}
    </Stack>
  );
}
