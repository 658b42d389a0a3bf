const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** A title as a file-name part: lowercase words joined by dashes, at most 60 characters. */
function slug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'frame'
  );
}

/**
 * The download name of one frame: the node's shown title, the run's request id when there is
 * one (so frames of two runs never share a name), and the frame number padded like Save's files:
 * `storyboard-req-8f2c-02.png`.
 */
export function frameFileName(o: { title: string; requestId?: string; frame: number; frames: number; mime: string }): string {
  const width = Math.max(2, String(o.frames).length);
  const parts = [slug(o.title), ...(o.requestId ? [slug(o.requestId).slice(0, 40)] : []), String(o.frame).padStart(width, '0')];
  return `${parts.join('-')}.${EXT[o.mime] ?? 'png'}`;
}
