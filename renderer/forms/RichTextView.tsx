import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RichMark, RichNode } from '../../shared/records/richTextJson';

/*
 * Stored rich text (a pinned or submitted version's ProseMirror JSON) shown as the editor shows it,
 * without an editor: a fixed table of the nodes and marks the editor writes, each to one element.
 * Nothing stored becomes markup or a live link: attributes other than a heading's level and a list's
 * start are not used, and an unknown node shows as the editor's placeholder with its text.
 */

type Props = { readonly blocks: readonly RichNode[]; readonly lang?: string | undefined; readonly testId?: string | undefined };

function withMark(mark: RichMark, child: ReactNode, key: number): ReactNode {
  switch (mark.type) {
    case 'bold':
      return <strong key={key}>{child}</strong>;
    case 'italic':
      return <em key={key}>{child}</em>;
    case 'strike':
      return <s key={key}>{child}</s>;
    case 'underline':
      return <u key={key}>{child}</u>;
    case 'code':
      return <code key={key}>{child}</code>;
    case 'link':
      // Not followed from a stored version (a click would navigate the app away); the address shows on hover.
      return (
        <span key={key} className="fw-prose-link" title={typeof mark.attrs?.['href'] === 'string' ? mark.attrs['href'] : undefined}>
          {child}
        </span>
      );
    default:
      return child;
  }
}

function headingLevel(node: RichNode): 2 | 3 {
  return node.attrs?.['level'] === 3 ? 3 : 2;
}

export function RichTextView({ blocks, lang, testId }: Props) {
  const { t } = useTranslation();
  const render = (node: RichNode, key: number): ReactNode => {
    const children = (node.content ?? []).map(render);
    switch (node.type) {
      case 'text':
        return (node.marks ?? []).reduce<ReactNode>((inner, mark) => withMark(mark, inner, key), <span key={key}>{node.text}</span>);
      case 'paragraph':
        return <p key={key}>{children}</p>;
      case 'heading':
        return headingLevel(node) === 3 ? <h3 key={key}>{children}</h3> : <h2 key={key}>{children}</h2>;
      case 'bulletList':
        return <ul key={key}>{children}</ul>;
      case 'orderedList': {
        const start = node.attrs?.['start'];
        return (
          <ol key={key} start={typeof start === 'number' ? start : undefined}>
            {children}
          </ol>
        );
      }
      case 'listItem':
        return <li key={key}>{children}</li>;
      case 'blockquote':
        return <blockquote key={key}>{children}</blockquote>;
      case 'codeBlock':
        return (
          <pre key={key}>
            <code>{children}</code>
          </pre>
        );
      case 'hardBreak':
        return <br key={key} />;
      case 'horizontalRule':
        return <hr key={key} />;
      default:
        return (
          <span key={key} className="fw-prose-unknown">
            <em>{t('editor.unknownNode', { name: node.type })}</em> {children}
          </span>
        );
    }
  };
  return (
    <div className="fw-prose fw-prose-view" lang={lang} data-testid={testId}>
      {blocks.map(render)}
    </div>
  );
}
