/** Text and attribute values into HTML: everything a report prints comes from records people typed. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
