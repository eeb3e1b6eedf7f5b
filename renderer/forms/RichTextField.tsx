import { ActionIcon, Group, Text } from '@mantine/core';
import { Collaboration } from '@tiptap/extension-collaboration';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import { ySyncPluginKey } from '@tiptap/y-tiptap';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type * as Y from 'yjs';
import { hasUnknownRichText, renderableRichText, richTextExtensions } from './richTextContent';

interface RichTextFieldProps {
  readonly doc: Y.Doc;
  /** An entry fragment name: 'body' or 'section.<name>'. */
  readonly field: string;
  readonly label: string;
  /** A line under the label saying what the field asks for. */
  readonly description?: string;
  readonly isEditable: boolean;
  /** Called after each local change has reached the Y.Doc. */
  readonly onDidChangeLocally: () => void;
  readonly testId?: string;
  readonly lang?: string;
}

/**
 * Rich text bound to one Y.XmlFragment of the entry's doc. Editable: Tiptap's Collaboration
 * extension edits the fragment itself, so remote changes merge into what is on screen. Read-only:
 * the fragment is rendered without binding, so viewing can never write to a record the rules do
 * not let this organization edit. A fragment holding nodes this version cannot show is shown
 * read-only too (richTextContent.ts): binding would delete them from the record.
 */
export function RichTextField(props: RichTextFieldProps) {
  const hasUnknown = useHasUnknownRichText(props.doc, props.field);
  if (props.isEditable && !hasUnknown) return <CollaborativeField {...props} />;
  return <ReadOnlyField {...props} hasUnknown={hasUnknown} />;
}

function useHasUnknownRichText(doc: Y.Doc, field: string): boolean {
  const [hasUnknown, setHasUnknown] = useState(() => hasUnknownRichText(doc.getXmlFragment(field)));
  useEffect(() => {
    const fragment = doc.getXmlFragment(field);
    const check = () => setHasUnknown(hasUnknownRichText(fragment));
    check();
    fragment.observeDeep(check);
    return () => fragment.unobserveDeep(check);
  }, [doc, field]);
  return hasUnknown;
}

function Description({ text }: { readonly text: string | undefined }) {
  return text ? (
    <Text size="xs" c="dimmed" mb={4}>
      {text}
    </Text>
  ) : null;
}

function CollaborativeField({ doc, field, label, description, onDidChangeLocally, testId, lang }: RichTextFieldProps) {
  const labelId = useId();
  const editor = useEditor(
    {
      injectCSS: false,
      extensions: [...richTextExtensions(true), Collaboration.configure({ document: doc, field })],
      editorProps: { attributes: { 'aria-labelledby': labelId, role: 'textbox', 'aria-multiline': 'true', class: 'fw-prose', ...(lang ? { lang } : {}) } },
      onUpdate: ({ transaction }) => {
        // Changes that came from the Y.Doc (another device) are not this editor's to save.
        const meta = transaction.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined;
        if (meta?.isChangeOrigin) return;
        onDidChangeLocally();
      },
    },
    [doc, field],
  );
  return (
    <div className="fw-richtext" data-testid={testId}>
      <Group justify="space-between" mb={4}>
        <Text size="sm" fw={500} id={labelId} component="label">
          {label}
        </Text>
        <Toolbar editor={editor} />
      </Group>
      <Description text={description} />
      <EditorContent editor={editor} className="fw-richtext-content" />
    </div>
  );
}

function ReadOnlyField({ doc, field, label, description, testId, lang, hasUnknown }: RichTextFieldProps & { readonly hasUnknown: boolean }) {
  const labelId = useId();
  const { t } = useTranslation();
  const unknownLabel = (nodeName: string) => t('editor.unknownNode', { name: nodeName });
  const editor = useEditor(
    {
      injectCSS: false,
      editable: false,
      extensions: richTextExtensions(false),
      content: renderableRichText(doc.getXmlFragment(field), unknownLabel),
      editorProps: { attributes: { 'aria-labelledby': labelId, 'aria-readonly': 'true', class: 'fw-prose', ...(lang ? { lang } : {}) } },
    },
    [doc, field],
  );
  useEffect(() => {
    if (!editor) return;
    const fragment = doc.getXmlFragment(field);
    const refresh = () => editor.commands.setContent(renderableRichText(fragment, unknownLabel), { emitUpdate: false });
    fragment.observeDeep(refresh);
    return () => fragment.unobserveDeep(refresh);
  }, [editor, doc, field]);
  return (
    <div className="fw-richtext fw-richtext-readonly" data-testid={testId}>
      <Text size="sm" fw={500} id={labelId} mb={4}>
        {label}
      </Text>
      <Description text={description} />
      {hasUnknown ? (
        <Text size="xs" c="dimmed" mb={4} data-testid={testId ? `${testId}-unknown` : undefined}>
          {t('editor.unknownContent')}
        </Text>
      ) : null}
      <EditorContent editor={editor} className="fw-richtext-content" />
    </div>
  );
}

const formats = ['bold', 'italic', 'heading', 'bulletList', 'orderedList'] as const;
type Format = (typeof formats)[number];
const formatLabels: Record<Format, string> = { bold: 'B', italic: 'I', heading: 'H', bulletList: '•', orderedList: '1.' };

function run(editor: Editor, format: Format): void {
  const chain = editor.chain().focus();
  switch (format) {
    case 'bold':
      chain.toggleBold().run();
      break;
    case 'italic':
      chain.toggleItalic().run();
      break;
    case 'heading':
      chain.toggleHeading({ level: 3 }).run();
      break;
    case 'bulletList':
      chain.toggleBulletList().run();
      break;
    case 'orderedList':
      chain.toggleOrderedList().run();
      break;
  }
}

function Toolbar({ editor }: { editor: Editor | null }) {
  const { t } = useTranslation();
  // Tiptap 3 does not re-render on every transaction; the toolbar follows the selection itself.
  const active = useEditorState({
    editor,
    selector: ({ editor: current }) => Object.fromEntries(formats.map((format) => [format, current?.isActive(format) ?? false])) as Record<Format, boolean>,
  });
  if (!editor) return null;
  return (
    <Group gap={2} role="toolbar" aria-label={t('editor.toolbar')}>
      {formats.map((format) => (
        <ActionIcon
          key={format}
          size="sm"
          variant={active?.[format] ? 'filled' : 'subtle'}
          color="gray"
          aria-label={t(`editor.format.${format}`)}
          aria-pressed={active?.[format] ?? false}
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => run(editor, format)}
          className={`fw-tool fw-tool-${format}`}
        >
          {formatLabels[format]}
        </ActionIcon>
      ))}
    </Group>
  );
}
