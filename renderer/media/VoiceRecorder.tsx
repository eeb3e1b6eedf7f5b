import { Alert, Button, Group, Paper, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDuration } from './formatBytes';

/*
 * A voice note recorded in the app with MediaRecorder: the elapsed time while recording, Stop,
 * then listen and Keep or Discard. Nothing is stored until Keep: a discarded take leaves no blob.
 * The microphone is released the moment recording stops (the browser's and the OS's "in use"
 * light goes off). In Electron only the app's own origin may use the microphone, audio only
 * (electron/main/hardenSession.ts).
 */

type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting' }
  | { readonly kind: 'recording'; readonly startedAt: number }
  | { readonly kind: 'recorded'; readonly blob: Blob; readonly url: string; readonly durationMs: number }
  | { readonly kind: 'failed'; readonly reason: 'denied' | 'unavailable' };

/** The first container this browser records Opus into (Chromium: WebM; Safari: MP4). */
function recordingType(): string | undefined {
  return ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'].find((type) => MediaRecorder.isTypeSupported(type));
}

export function VoiceRecorder({ onKeep, isBusy }: { readonly onKeep: (blob: Blob, durationMs: number) => Promise<void>; readonly isBusy: boolean }) {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [now, setNow] = useState(Date.now());
  const recorder = useRef<MediaRecorder | null>(null);
  const stream = useRef<MediaStream | null>(null);

  const release = () => {
    for (const track of stream.current?.getTracks() ?? []) track.stop();
    stream.current = null;
  };

  // Leaving the screen mid-recording stops it and frees the microphone; a take not kept is dropped.
  useEffect(
    () => () => {
      if (recorder.current?.state === 'recording') recorder.current.stop();
      release();
    },
    [],
  );
  useEffect(() => {
    if (phase.kind !== 'recording') return;
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [phase.kind]);
  useEffect(() => {
    if (phase.kind !== 'recorded') return;
    const { url } = phase;
    return () => URL.revokeObjectURL(url);
  }, [phase]);

  const start = async () => {
    setPhase({ kind: 'starting' });
    try {
      stream.current = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    } catch (error) {
      setPhase({ kind: 'failed', reason: error instanceof DOMException && error.name === 'NotAllowedError' ? 'denied' : 'unavailable' });
      return;
    }
    const type = recordingType();
    const media = new MediaRecorder(stream.current, type ? { mimeType: type } : {});
    const chunks: Blob[] = [];
    const startedAt = Date.now();
    media.ondataavailable = (event) => {
      if (event.data.size > 0) chunks.push(event.data);
    };
    media.onstop = () => {
      release();
      const durationMs = Date.now() - startedAt;
      const blob = new Blob(chunks, { type: media.mimeType || type || 'audio/webm' });
      setPhase({ kind: 'recorded', blob, url: URL.createObjectURL(blob), durationMs });
    };
    recorder.current = media;
    // A chunk a second: a long recording does not sit in one growing buffer inside the recorder.
    media.start(1000);
    setNow(startedAt);
    setPhase({ kind: 'recording', startedAt });
  };

  const stop = () => recorder.current?.stop();

  const keep = async () => {
    if (phase.kind !== 'recorded') return;
    await onKeep(phase.blob, phase.durationMs);
    setPhase({ kind: 'idle' });
  };

  if (phase.kind === 'recording') {
    return (
      <Paper withBorder p="xs" radius="md" className="fw-recorder" data-testid="recorder" data-state="recording">
        <Group gap="sm">
          <span className="fw-recording-dot" aria-hidden="true" />
          <Text size="sm" aria-live="off" data-testid="recorder-elapsed">
            {t('media.recording', { elapsed: formatDuration(now - phase.startedAt) })}
          </Text>
          <Button size="xs" color="red" onClick={stop} data-testid="recorder-stop">
            {t('media.stop')}
          </Button>
        </Group>
      </Paper>
    );
  }
  if (phase.kind === 'recorded') {
    return (
      <Paper withBorder p="xs" radius="md" className="fw-recorder" data-testid="recorder" data-state="recorded">
        <Group gap="sm">
          <audio controls src={phase.url} aria-label={t('media.takeLabel')} />
          <Text size="sm">{formatDuration(phase.durationMs)}</Text>
          <Button size="xs" onClick={() => void keep()} loading={isBusy} data-testid="recorder-keep">
            {t('media.keep')}
          </Button>
          <Button size="xs" variant="default" onClick={() => setPhase({ kind: 'idle' })} disabled={isBusy} data-testid="recorder-discard">
            {t('media.discard')}
          </Button>
        </Group>
      </Paper>
    );
  }
  return (
    <Group gap="xs">
      <Button variant="default" onClick={() => void start()} loading={phase.kind === 'starting'} data-testid="record-voice">
        {t('media.recordVoice')}
      </Button>
      {phase.kind === 'failed' && (
        <Alert color="orange" p="xs" data-testid="recorder-error">
          {t(`media.microphone.${phase.reason}`)}
        </Alert>
      )}
    </Group>
  );
}
