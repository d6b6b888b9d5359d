/**
 * The code's references to the scheme's rules point into docs/SCHEME.md (issue #13). Every .ts
 * file under src/ and terminals/ and every scenarios/*.json is read for
 *
 * (a) source citations, `001 §9`, `001 §10-11`, `001 §12, §17`, `004 §5.2`: each section number
 *     (every number of a range, every item of a list) must be cited in SCHEME.md as
 *     `<document> §<number>` (so `001 §12` for `001 §12, §17`; `004 §5` is also cited by `004 §5.2`);
 * (b) section citations, `docs/SCHEME.md, <section name>` up to the next `(`, `)`, `,`, `:`, `;`
 *     or the end of the string or line: SCHEME.md must have a heading of that name (case aside,
 *     as running text may start it in lower case). Citations of the older `DOMAIN.md, <section
 *     name>` are held to the same rule, so that replacing `DOMAIN.md` by `docs/SCHEME.md` keeps
 *     them valid. A name that is itself a source citation (`DOMAIN.md, 001 §9`) is left to (a).
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCHEME = join(ROOT, 'docs', 'SCHEME.md');

/** The texts to search: .ts under src/ and terminals/ (comment lines joined), scenarios' strings. */
function sources(root: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts'))
        out.push({ file: relative(root, path), text: joinCommentLines(readFileSync(path, 'utf8')) });
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'terminals'));
  const scenarios = join(root, 'scenarios');
  for (const name of readdirSync(scenarios)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const path = join(scenarios, name);
    out.push({ file: relative(root, path), text: stringsOf(JSON.parse(readFileSync(path, 'utf8'))).join('\n') });
  }
  return out;
}

/** A citation broken over two comment lines (` * ` or `// ` continuations) reads as one line. */
function joinCommentLines(text: string): string {
  return text.replace(/[ \t]*\r?\n[ \t]*(?:\*(?!\/)|\/\/)[ \t]?/g, ' ');
}

function stringsOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsOf);
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(stringsOf);
  return [];
}

const NUMBER = String.raw`\d+(?:\.\d+)*`;
const RANGE = String.raw`${NUMBER}(?:\s*[-–]\s*\d+)?`;
const SOURCE_CITATION = new RegExp(String.raw`\b(00\d) §(${RANGE}(?:\s*,\s*§\s*${RANGE})*)`, 'g');

/** `001 §12, §17` → ['001 §12', '001 §17']; `001 §10-11` → ['001 §10', '001 §11']. */
function sourceSections(text: string): Array<{ citation: string; sections: string[] }> {
  const found: Array<{ citation: string; sections: string[] }> = [];
  for (const m of text.matchAll(SOURCE_CITATION)) {
    const [citation, doc, list] = m as unknown as [string, string, string];
    const sections: string[] = [];
    for (const item of list.split(/\s*,\s*§\s*/)) {
      const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(item);
      if (range) {
        const [from, to] = [Number(range[1]), Number(range[2])];
        if (to < from || to - from > 100)
          sections.push(`${doc} §${item}`); // unreadable range: must be there as written
        else for (let n = from; n <= to; n++) sections.push(`${doc} §${n}`);
      } else sections.push(`${doc} §${item}`);
    }
    found.push({ citation, sections });
  }
  return found;
}

const SECTION_CITATION = /(?:docs\/SCHEME\.md|DOMAIN\.md),[ \t]*([^(),:;\n"]+)/g;

/** `docs/SCHEME.md, Reversals (001 §10-11)` → 'Reversals'; `DOMAIN.md, 001 §9` → nothing (a source). */
function sectionNames(text: string): Array<{ citation: string; name: string }> {
  const found: Array<{ citation: string; name: string }> = [];
  for (const m of text.matchAll(SECTION_CITATION)) {
    const name = m[1]!.trim().replace(/[.\s]+$/, '');
    if (name === '' || /^00\d\b/.test(name)) continue;
    found.push({ citation: m[0].trim().replace(/[.\s]+$/, ''), name });
  }
  return found;
}

/** Headings (##, ###, …) of a markdown text, lower case. */
function headingsOf(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)].map((m) => m[1]!.toLowerCase()));
}

/** SCHEME.md cites `001 §1` when `001 §1` is there and not followed by another digit (`001 §12` is not `001 §1`). */
function cites(markdown: string, section: string): boolean {
  const escaped = section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}(?!\\d)`).test(markdown);
}

/** Every problem: the file, the citation, and what SCHEME.md lacks. */
function problems(files: Array<{ file: string; text: string }>, markdown: string): string[] {
  const headings = headingsOf(markdown);
  const out: string[] = [];
  for (const { file, text } of files) {
    for (const { citation, sections } of sourceSections(text)) {
      for (const s of sections)
        if (!cites(markdown, s)) out.push(`${file}: "${citation}": docs/SCHEME.md does not cite ${s}`);
    }
    for (const { citation, name } of sectionNames(text)) {
      if (!headings.has(name.toLowerCase()))
        out.push(`${file}: "${citation}": docs/SCHEME.md has no section "${name}"`);
    }
  }
  return out;
}

t.test('every scheme citation in src/, terminals/ and scenarios/ is in docs/SCHEME.md', async (t) => {
  const markdown = readFileSync(SCHEME, 'utf8');
  const files = sources(ROOT);
  const sourceCount = files.reduce((n, f) => n + sourceSections(f.text).length, 0);
  const sectionCount = files.reduce((n, f) => n + sectionNames(f.text).length, 0);
  // Guards against a scan that silently finds nothing (a moved folder, a broken pattern).
  t.ok(
    files.some((f) => f.file.startsWith('src')) && files.some((f) => f.file.startsWith('scenarios')),
    'the scan reads src/ and scenarios/',
  );
  t.ok(sourceCount >= 10, `source citations found: ${sourceCount}`);
  t.ok(sectionCount >= 10, `section citations found: ${sectionCount}`);
  const found = problems(files, markdown);
  t.same(found, [], found.length === 0 ? 'docs/SCHEME.md has every section and source cited' : found.join('; '));
});

t.test('the check fails on a citation docs/SCHEME.md lacks', async (t) => {
  const markdown = '# Rules\n\n## Reversals\n\nSource: 001 §10, 001 §11, 001 §12.\n';
  const files = [
    {
      file: 'src/a.ts',
      text: joinCommentLines('/**\n * As the scheme says (docs/SCHEME.md, Reversals (001 §10-11)): ok.\n */'),
    },
    { file: 'src/b.ts', text: '// docs/SCHEME.md, Interchange fees (001 §9, §12)' },
    { file: 'scenarios/c.json', text: stringsOf({ source: 'DOMAIN.md, reversals (001 §1-2)' }).join('\n') },
  ];
  t.same(problems(files, markdown), [
    'src/b.ts: "001 §9, §12": docs/SCHEME.md does not cite 001 §9',
    'src/b.ts: "docs/SCHEME.md, Interchange fees": docs/SCHEME.md has no section "Interchange fees"',
    'scenarios/c.json: "001 §1-2": docs/SCHEME.md does not cite 001 §1',
    'scenarios/c.json: "001 §1-2": docs/SCHEME.md does not cite 001 §2',
  ]);
  t.same(sourceSections('001 §21-42')[0]!.sections.length, 22, 'a range counts every section in it');
  t.same(
    sourceSections('(004 §5.2; 001 §12, §17)').map((c) => c.sections),
    [['004 §5.2'], ['001 §12', '001 §17']],
  );
  t.ok(cites('see 004 §5.2', '004 §5'), 'a subsection cites its section');
  t.notOk(cites('see 001 §12', '001 §1'), '001 §12 is not 001 §1');
  t.same(
    sectionNames('lost (DOMAIN.md, the central card register).').map((c) => c.name),
    ['the central card register'],
  );
  t.same(sectionNames('(DOMAIN.md, 001 §9: ten deliveries a day)'), [], 'a source citation is no section name');
});
