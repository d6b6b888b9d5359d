/** A table of a Markdown document, as the doc tests compare it with the code. */

/** The body rows (cells trimmed) of the first table whose header line starts with `header`; [] when there is none. */
export function docTableRows(doc: string, header: string): string[][] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  if (start < 0) return [];
  const rows: string[][] = [];
  // The header, then its |---| line, then rows until the first line that is not one.
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows;
}
